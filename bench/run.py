"""Scale benchmark: `python bench/run.py [--docs 200] [--big 2000] [--triples 1000000]`.

Prints each target of issue 6 as a ratio measured side by side in this one run:

- build / bare spaCy pipeline (same components, same paragraph texts, pipeline already
  loaded for both) on the seeds and on a `--docs` corpus;
- `--jobs 2` speed-up over `--jobs 1` on the `--docs` corpus (each a fresh process, the
  `kg.build` call timed, pipeline loading included);
- incremental rebuild after changing 1 document, and with nothing changed, over the full
  build (each a fresh process, the `kg.build` call timed);
- peak memory (max RSS of a fresh process) building `--big` documents over `--docs`;
- saved-query latency, median over `ontology/queries/*.rq` with their default parameters,
  on a graph of `--triples` triples (the seed graph replicated under renamed IRIs): the
  Oxigraph store against rdflib's in-memory engine, both through `KnowledgeGraph.query`.

Corpora come from `bench/make_corpus.py` (seeded). Work files go to a temporary folder.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


# ---- children: each measurement that needs a fresh process runs `run.py --child ...` ----

def child_build(corpus: str, out: str, jobs: int, full: bool) -> dict:
    """Time one `kg.build` call (imports done first) and report the process's peak memory."""
    import kg

    started = time.perf_counter()
    graph = kg.build([corpus], out, jobs=jobs, full=full)
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss = max(rss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {"seconds": seconds, "extracted": graph.summary.extracted, "triples": graph.summary.triples,
            "max_rss_mb": rss / 1024}


def child_speed(corpus: str, out: str, repeat: int) -> dict:
    """Build time and bare-pipeline time on the same texts, alternated, the best of `repeat`."""
    import kg
    from kg.executors import BATCH_SIZE
    from kg.extract import _paragraph_text
    from kg.ingest import find_documents
    from kg.nlp import load_pipeline
    from kg.pipeline import read_all

    nlp = load_pipeline()
    documents = read_all(find_documents([corpus]))
    texts = [_paragraph_text(d, p.start, p.end) for d in documents for p in d.paragraphs]
    deque(nlp.pipe(texts[:20]), maxlen=0)  # warm up
    bare, build = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        deque(nlp.pipe(texts, batch_size=BATCH_SIZE), maxlen=0)
        bare.append(time.perf_counter() - started)
        started = time.perf_counter()
        kg.build([corpus], out, full=True)
        build.append(time.perf_counter() - started)
    return {"bare": min(bare), "build": min(build), "paragraphs": len(texts)}


def run_child(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---- the query benchmark ----

def replicated_quads(source_store: Path, target: int) -> list:
    """The quads of a built store, copied under renamed IRIs until there are `target` triples.

    Countries (and the ontology) keep their IRIs, so copies share them as real corpora do;
    every fact, document, mention, person and organization gets new IRIs in each copy.
    """
    import pyoxigraph as ox

    from kg.namespace import ID

    base = list(ox.Store.read_only(str(source_store)))
    keep = (f"{ID}country/", f"{ID}graph/ontology")

    def rename(term, k):
        if isinstance(term, ox.NamedNode) and term.value.startswith(str(ID)) and not term.value.startswith(keep):
            return ox.NamedNode(f"{ID}copy{k}/{term.value[len(str(ID)):]}")
        return term

    quads, seen, k = [], set(), 0
    while len(seen) < target:
        for q in base:
            quad = ox.Quad(rename(q.subject, k), q.predicate, rename(q.object, k), rename(q.graph_name, k))
            quads.append(quad)
            seen.add(quad.triple)
        k += 1
    return quads


class _Budget(Exception):
    pass


def _timed(function, budget: float | None = None) -> float | None:
    """Seconds `function` took, or None past `budget` seconds (interrupted by SIGALRM)."""
    def stop(*_):
        raise _Budget()

    if budget:
        signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, budget)
    started = time.perf_counter()
    try:
        function()
        return time.perf_counter() - started
    except _Budget:
        return None
    except Exception as err:  # an engine that fails a query counts as past the budget
        print(f"    (failed: {type(err).__name__}: {err})", file=sys.stderr)
        return None
    finally:
        if budget:
            signal.setitimer(signal.ITIMER_REAL, 0)


def query_benchmark(source_store: Path, triples: int, budget: float) -> dict:
    """Median latency of the saved queries on the store and on rdflib's in-memory engine."""
    import pyoxigraph as ox
    from oxrdflib import OxigraphStore
    from rdflib import Dataset, Graph
    from rdflib.term import URIRef

    from kg.graph import KnowledgeGraph
    from kg.saved_queries import bind_params, saved_queries

    from oxrdflib._converter import from_ox

    quads = replicated_quads(source_store, triples)
    store = ox.Store()
    store.bulk_extend(quads)
    on_store = KnowledgeGraph(Dataset(store=OxigraphStore(store=store), default_union=True))
    started = time.perf_counter()
    memory = Dataset(default_union=True)
    graphs: dict = {}
    for q in quads:
        name = q.graph_name.value
        if name not in graphs:
            graphs[name] = memory.graph(URIRef(name))
        graphs[name].add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    in_memory = KnowledgeGraph(memory)
    load_seconds = time.perf_counter() - started
    del quads
    rows = []
    for saved in saved_queries():
        try:
            bindings = bind_params(on_store, saved)
        except Exception:  # a default that names nothing here: run it unbound
            bindings = {}
        fast = [_timed(lambda: list(on_store.query(saved.sparql, bindings))) for _ in range(5)]
        slow = _timed(lambda: list(in_memory.query(saved.sparql, bindings)), budget)
        rows.append((saved.name, statistics.median(fast), slow))
        print(f"    {saved.name}: store {rows[-1][1] * 1000:.1f} ms, rdflib "
              f"{'> %.0f s' % budget if slow is None else '%.0f ms' % (slow * 1000)}", file=sys.stderr, flush=True)
    return {"triples": len(store), "rdflib_load_s": load_seconds, "rows": rows}


# ---- the report ----

def _ratio(a: float, b: float) -> str:
    return f"{a / b:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200, help="documents of the main corpus")
    parser.add_argument("--big", type=int, default=2000, help="documents of the memory corpus")
    parser.add_argument("--triples", type=int, default=1_000_000, help="triples of the query graph")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per rdflib query at most")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each speed measurement")
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "build":
            result = child_build(rest[0], rest[1], int(rest[2]), rest[3] == "full")
        else:
            result = child_speed(rest[0], rest[1], int(rest[2]))
        print(json.dumps(result))
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="cckg-bench-"))
    try:
        report(args, work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


def report(args: argparse.Namespace, work: Path) -> None:
    from make_corpus import make_corpus

    corpus, big = work / f"corpus{args.docs}", work / f"corpus{args.big}"
    make_corpus(args.docs, corpus)
    make_corpus(args.big, big)
    lines: list[tuple[str, str, str, str]] = []

    def row(what: str, ratio: str, target: str, detail: str) -> None:
        lines.append((what, ratio, target, detail))
        print(f"  {what}: {ratio} (target {target}; {detail})", file=sys.stderr, flush=True)

    for name, folder in (("seeds", SEEDS), (f"{args.docs} docs", corpus)):
        speed = run_child("speed", str(folder), str(work / "speed"), str(args.repeat))
        row(f"build / bare spaCy, {name}", _ratio(speed["build"], speed["bare"]), "<= 1.30",
            f"{speed['build']:.1f} s / {speed['bare']:.1f} s, {speed['paragraphs']} paragraphs")

    one = run_child("build", str(corpus), str(work / "jobs1"), "1", "full")
    two = run_child("build", str(corpus), str(work / "jobs2"), "2", "full")
    row(f"--jobs 2 speed-up, {args.docs} docs", f"{one['seconds'] / two['seconds']:.2f}", ">= 1.6",
        f"{one['seconds']:.1f} s / {two['seconds']:.1f} s")

    copy = work / "incremental"
    shutil.copytree(corpus, copy)
    full = run_child("build", str(copy), str(work / "inc"), "1", "full")
    changed = sorted(copy.glob("*.txt"))[len(list(copy.glob("*.txt"))) // 2]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nJapan donated 1,000 masks to Nepal.\n",
                       encoding="utf-8")
    after_one = run_child("build", str(copy), str(work / "inc"), "1", "cached")
    nothing = run_child("build", str(copy), str(work / "inc"), "1", "cached")
    row(f"rebuild, 1 of {args.docs} changed / full", _ratio(after_one["seconds"], full["seconds"]), "<= 0.10",
        f"{after_one['seconds']:.2f} s / {full['seconds']:.1f} s, {after_one['extracted']} extracted")
    row(f"rebuild, nothing changed / full", _ratio(nothing["seconds"], full["seconds"]), "<= 0.03",
        f"{nothing['seconds']:.2f} s / {full['seconds']:.1f} s, {nothing['extracted']} extracted")

    large = run_child("build", str(big), str(work / "big"), "1", "full")
    row(f"peak memory, {args.big} / {args.docs} docs", _ratio(large["max_rss_mb"], one["max_rss_mb"]),
        "<= 1.5", f"{large['max_rss_mb']:.0f} MB / {one['max_rss_mb']:.0f} MB, "
        f"{large['triples']:,} / {one['triples']:,} triples, {large['seconds']:.0f} s")

    seed_out = work / "seeds"
    run_child("build", str(SEEDS), str(seed_out), "1", "full")
    queries = query_benchmark(seed_out / "store", args.triples, args.budget)
    store_median = statistics.median(r[1] for r in queries["rows"])
    slow = [r[2] if r[2] is not None else args.budget for r in queries["rows"]]
    rdflib_median = statistics.median(slow)
    over = sum(r[2] is None for r in queries["rows"])
    bound = "<= " if over > len(slow) / 2 else ""
    row(f"saved queries, store / rdflib, {queries['triples']:,} triples",
        bound + _ratio(store_median, rdflib_median), "<= 0.05, store < 50 ms",
        f"medians {store_median * 1000:.0f} ms / {'>' if bound else ''}{rdflib_median * 1000:.0f} ms "
        f"over {len(slow)} queries, {over} past the {args.budget:.0f} s rdflib budget")

    width = max(len(line[0]) for line in lines)
    print(f"\n{'measure':<{width}}  {'ratio':>9}  {'target':<22}  detail")
    for what, ratio, target, detail in lines:
        print(f"{what:<{width}}  {ratio:>9}  {target:<22}  {detail}")


if __name__ == "__main__":
    main()
