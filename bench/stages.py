"""Where a build's time goes: `python bench/stages.py CORPUS [--repeat 3] [--wall]`.

Runs, in one process and alternately, the bare spaCy pipeline over the corpus's paragraph
texts and a full `kg.build` of it (as `bench/run.py`'s speed part does), and splits the
build's time by stage: the paragraphs parsed by `nlp.pipe` inside the build, extraction,
the cache writes, and each step of the graph's assembly. Times are CPU seconds of this
process (`--wall`: wall-clock seconds), the best of `--repeat` runs for each stage.

On a small shared machine both clocks move by a tenth or more from one run to the next
for the same work, so compare the stages of one run, and runs of one process, rather
than numbers taken at different times.
"""
from __future__ import annotations

import argparse
import itertools
import resource
import sys
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: The stages timed in `kg.pipeline`, by the name they are called by there.
PIPELINE_STAGES = ("read_documents", "resolve", "build_quads", "summarize", "write_turtle", "write_store",
                   "publish", "begin", "recover")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", help="folder of documents (e.g. from bench/make_corpus.py)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (the best is kept)")
    parser.add_argument("--wall", action="store_true", help="wall-clock seconds instead of CPU seconds")
    args = parser.parse_args()

    import kg.executors as executors
    import kg.pipeline as pipeline
    from kg import build
    from kg.cache import FactCache
    from kg.executors import BATCH_SIZE
    from kg.extract import _paragraph_text
    from kg.graph import KnowledgeGraph
    from kg.ingest import read_documents
    from kg.nlp import load_pipeline

    clock: Callable[[], float] = time.perf_counter if args.wall else cpu_seconds
    spent: dict[str, float] = defaultdict(float)

    def timed(name: str, function: Callable) -> Callable:
        def run(*a, **k):
            started = clock()
            try:
                return function(*a, **k)
            finally:
                spent[name] += clock() - started
        return run

    def timed_stream(name: str, stream: Iterator) -> Iterator:
        """`stream`, the time spent making each item (not using it) added to `name`."""
        while True:
            started = clock()
            try:
                item = next(stream)
            except StopIteration:
                spent[name] += clock() - started
                return
            spent[name] += clock() - started
            yield item

    for name in PIPELINE_STAGES:
        setattr(pipeline, name, timed(name, getattr(pipeline, name)))
    extract_all = pipeline.extract_all
    pipeline.extract_all = lambda *a, **k: timed_stream("extraction", iter(extract_all(*a, **k)))
    FactCache.put = timed("cache writes", FactCache.put)
    KnowledgeGraph.open = classmethod(timed("open the store", KnowledgeGraph.open.__func__))

    class Parsed(executors._Parsed):
        """The build's paragraphs parsed by `nlp.pipe`, timed apart from extraction."""

        def pipe(self, texts, **_):
            return timed_stream("nlp.pipe in the build", itertools.islice(self._stream, self._count))

    executors._Parsed = Parsed

    nlp = load_pipeline()
    documents = read_documents([args.corpus])
    texts = [_paragraph_text(d, p) for d in documents for p in d.paragraphs]
    deque(nlp.pipe(texts[:20]), maxlen=0)  # warm up
    best: dict[str, float] = defaultdict(lambda: float("inf"))
    with tempfile.TemporaryDirectory(prefix="cckg-stages-") as out:
        for _ in range(args.repeat):
            started = clock()
            deque(nlp.pipe(texts, batch_size=BATCH_SIZE), maxlen=0)
            best["bare nlp.pipe"] = min(best["bare nlp.pipe"], clock() - started)
            spent.clear()
            started = clock()
            build([args.corpus], out, full=True)
            total = clock() - started
            # the extraction stream's time holds the parsing it asks for
            spent["extraction"] -= spent["nlp.pipe in the build"]
            spent["other"] = total - sum(spent.values())
            spent["build"] = total
            spent["build overhead (build - nlp.pipe in it)"] = total - spent["nlp.pipe in the build"]
            for name, seconds in spent.items():
                best[name] = min(best[name], seconds)
    unit = "wall s" if args.wall else "CPU s"
    print(f"{len(documents)} documents, {len(texts)} paragraphs; best of {args.repeat} runs, {unit}")
    bare = best.pop("bare nlp.pipe")
    build = best.pop("build")
    overhead = best.pop("build overhead (build - nlp.pipe in it)")
    for name, seconds in sorted(best.items(), key=lambda item: -item[1]):
        print(f"  {name:<28} {seconds:7.3f}")
    print(f"  {'build':<28} {build:7.3f}")
    print(f"bare nlp.pipe {bare:.3f}; build overhead over its nlp.pipe {overhead:.3f}; "
          f"build / bare {build / bare:.3f}")


if __name__ == "__main__":
    main()
