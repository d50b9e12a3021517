"""Where extraction runs: in this process, in N worker processes, or on a Dask cluster.

Every executor takes the documents to extract and yields their `DocumentFacts`; the
build orders them by file name before resolving, so where the work ran never changes the
graph. Paragraphs of many documents stream through one `nlp.pipe` call in batches, and
only the facts are kept: a parsed `Doc` is dropped as soon as its sentences are read.
Each worker (process or Dask worker) loads the spaCy pipeline once.
"""
from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import CckgError, ExecutorError
from kg.extract import extract_document
from kg.extract import _paragraph_text as paragraph_text
from kg.types import DocumentFacts, SourceDocument

EXECUTORS = ("local", "dask")
#: Paragraphs per `nlp.pipe` batch.
BATCH_SIZE = 256
#: Documents sent to a worker at a time (small enough to balance, large enough to batch):
#: at most, and at least where there are enough for every worker.
CHUNK_DOCUMENTS = 16
MIN_CHUNK_DOCUMENTS = 4


def extract_stream(documents: Iterable[SourceDocument], nlp: Language, *,
                   batch_size: int = BATCH_SIZE) -> Iterator[DocumentFacts]:
    """Extract many documents, their paragraphs streamed through a single `nlp.pipe` call.

    Examples:
        >>> list(extract_stream([], None))
        []
    """
    documents = list(documents)
    if not documents:
        return
    texts = ((paragraph_text(d, p), None) for d in documents for p in d.paragraphs)
    parsed = (doc for doc, _ in nlp.pipe(texts, as_tuples=True, batch_size=batch_size))
    for document in documents:
        yield extract_document(document, _Parsed(parsed, len(document.paragraphs)))


class _Parsed:
    """Stands in for `nlp` in `extract_document`: its `pipe` hands over the next paragraphs
    already parsed by the shared stream, so one `nlp.pipe` serves many documents."""

    def __init__(self, stream: Iterator[Doc], count: int):
        self._stream = stream
        self._count = count

    def pipe(self, texts: Iterable[str], **_: object) -> Iterator[Doc]:
        return itertools.islice(self._stream, self._count)


def extract_all(documents: Sequence[SourceDocument], *, jobs: int = 1, executor: str = "local",
                scheduler: str | None = None, load: Callable[[], Language] | None = None
                ) -> Iterator[DocumentFacts]:
    """Extract `documents` with the chosen executor; facts come in completion order.

    Args:
        documents: the documents to extract.
        jobs: worker processes for the local executor (1: in this process).
        executor: "local" or "dask".
        scheduler: the Dask scheduler's address; None starts a local cluster of `jobs` workers.
        load: returns the spaCy pipeline (default `kg.nlp.load_pipeline`), called only
            when there is something to extract.
    """
    if executor not in EXECUTORS:
        raise CckgError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
    if scheduler is not None and executor != "dask":  # else the build would quietly run here instead
        raise CckgError(f"--scheduler {scheduler} is for --executor dask, not {executor}")
    if not documents:
        return iter(())
    if executor == "dask":
        try:
            from kg.dask_executor import extract_on_dask
        except ImportError as err:
            raise CckgError(f"--executor dask needs dask and distributed: pip install 'cckg[dask]' ({err})") from err

        return extract_on_dask(documents, scheduler=scheduler, workers=jobs)
    if load is None:
        from kg.nlp import load_pipeline as load
    if jobs <= 1 or len(documents) == 1:
        return extract_stream(documents, load())
    return _extract_in_processes(documents, jobs, load)


def _extract_in_processes(documents: Sequence[SourceDocument], jobs: int,
                          load: Callable[[], Language]) -> Iterator[DocumentFacts]:
    chunks = _chunks(documents, jobs)
    if "fork" in multiprocessing.get_all_start_methods():
        # forked workers share the pipeline loaded here (copy-on-write): none loads it again
        load()
        context, initializer = multiprocessing.get_context("fork"), None
    else:
        context, initializer = multiprocessing.get_context("spawn"), _load_worker_pipeline
    with ProcessPoolExecutor(max_workers=min(jobs, len(chunks)), mp_context=context,
                             initializer=initializer) as pool:
        futures = [pool.submit(extract_chunk, chunk) for chunk in chunks]
        try:
            for future in as_completed(futures):
                yield from future.result()
        except BrokenProcessPool as err:  # a worker killed (out of memory, say): the others are stopped too
            raise ExecutorError(f"a worker process of --jobs {jobs} died extracting documents ({err}); "
                                "it may have been short of memory: try fewer --jobs") from err


def _chunks(documents: Sequence[SourceDocument], jobs: int) -> list[list[SourceDocument]]:
    """Documents in chunks, largest documents first and chunks smaller towards the end, so
    no worker is left with a long last chunk while the others have nothing more to do. A
    chunk keeps a few documents even so: parsing a handful of paragraphs per `nlp.pipe`
    call costs more per paragraph."""
    ordered = sorted(documents, key=lambda d: -len(d.text))
    chunks = []
    start = 0
    while start < len(ordered):
        # an eighth of what is left per worker, within bounds
        share = (len(ordered) - start) // (jobs * 4)
        size = max(1, min(CHUNK_DOCUMENTS, max(MIN_CHUNK_DOCUMENTS, share), len(ordered) // jobs))
        chunks.append(ordered[start:start + size])
        start += size
    return chunks


def _load_worker_pipeline() -> None:
    from kg.nlp import load_pipeline

    load_pipeline()  # cached per process: loaded once, used by every chunk


def extract_chunk(documents: list[SourceDocument]) -> list[DocumentFacts]:
    """Extract a chunk of documents with this process's pipeline (loaded once per process)."""
    from kg.nlp import load_pipeline

    return list(extract_stream(documents, load_pipeline()))
