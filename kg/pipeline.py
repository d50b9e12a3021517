"""The build: ingest -> nlp -> extract -> resolve -> rdf -> store, end to end."""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path

from kg.cache import CACHE_DIR, STORE_STATE, FactCache
from kg.executors import extract_all
from kg.graph import BuildSummary, KnowledgeGraph, write_exports
from kg.errors import InputError, RejectedInput
from kg.ingest import read_documents, split_copies
from kg.nlp import collector_paused
from kg.publish import begin, build_lock, publish, recover
from kg.rdf import build_quads
from kg.remote import push_graphs, remote_dataset
from kg.resolve import ResolvedFacts, resolve
from kg.store import STORE_DIR, StoreState, memory_dataset, update_store, write_store, write_turtle
from kg.types import DocumentFacts, SourceDocument

#: Called after each document with (documents done, documents in all, file name).
Progress = Callable[[int, int, str], None]


def build(paths: Iterable[str | Path], out_dir: str | Path | None = None, *,
          formats: Iterable[str] = ("ttl",), progress: Progress | None = None, jobs: int = 1,
          full: bool = False, executor: str = "local", scheduler: str | None = None,
          store: str | None = None, strict: bool = False) -> KnowledgeGraph:
    """Build the knowledge graph of the documents named by `paths`.

    With an `out_dir`, each document's facts are cached in `out_dir/cache/`: a rebuild
    extracts only new or changed documents, forgets deleted ones, and gives the same graph
    as a full build. The spaCy pipeline is loaded only when something must be extracted.
    The outputs are published all or nothing (`kg.publish`): a build stopped at any moment
    leaves the previous graph as it was.

    Files that cannot be read are left out and listed in `summary.rejected`; the others
    are built. A file repeated under another name is read once: its facts are kept once,
    and the document records both names.

    Args:
        paths: files, or folders of `.txt` documents (with an optional `sources.yaml`).
        out_dir: where to write the store (`store/`), the exports (`kg.ttl`...) and the
            extraction cache (`cache/`); with None the graph lives in memory only.
        formats: export formats among "ttl", "nt", "trig", "jsonld".
        progress: called after each document.
        jobs: worker processes extracting documents (or Dask workers to start).
        full: ignore the cache and extract every document again.
        executor: "local" (this machine) or "dask".
        scheduler: a Dask scheduler's address; None with "dask" starts a local cluster.
        store: a SPARQL server's URL (Graph Store Protocol) to send the graph to as well, one
            named graph per document; a rebuild sends only the graphs that changed.
        strict: build nothing (and write nothing) when any path or file cannot be read.

    Returns:
        The built graph, with its `summary` (`summary.extracted`: documents extracted;
        `summary.rejected`: the files left out, each as "path: problem").

    Raises:
        RejectedInput: no document could be read, or (with `strict`) some could not.
        StoreError: another build is writing into `out_dir`.
    """
    started = time.perf_counter()
    rejected: list[InputError] = []
    documents = read_documents(paths, rejected)
    if rejected and (strict or not documents):
        raise RejectedInput(rejected)
    if not documents:
        raise InputError("(arguments)", "no documents given")
    if out_dir is None:
        graph = _build(documents, None, list(formats), progress, jobs, full, executor, scheduler, store)
    else:
        out_dir = Path(out_dir)
        with build_lock(out_dir):
            recover(out_dir)
            graph = _build(documents, out_dir, list(formats), progress, jobs, full, executor, scheduler, store)
    graph.summary.rejected = [str(err) for err in rejected]
    graph.summary.seconds = time.perf_counter() - started
    return graph


def _build(all_documents: list[SourceDocument], out_dir: Path | None, formats: list[str],
           progress: Progress | None, jobs: int, full: bool, executor: str, scheduler: str | None,
           store: str | None) -> KnowledgeGraph:
    documents, copies = split_copies(all_documents)
    outputs = formats + ([f"store={store}"] if store else [])
    cache = FactCache(out_dir / CACHE_DIR) if out_dir is not None else None
    if cache is not None and not full:
        unchanged = _unchanged_build(cache, out_dir, all_documents, outputs)
        if unchanged is not None:
            return unchanged
        cache.forget_build()
    facts: dict[SourceDocument, DocumentFacts] = {}
    todo = []
    # the cached facts are many small objects kept to the end and in no cycle: unpickling
    # them with the cyclic collector running made it walk them all again and again (1.2 s
    # of a rebuild of 2,000 documents went to it)
    with collector_paused():
        for document in documents:
            cached = None if cache is None or full else cache.get(document)
            if cached is None:
                todo.append(document)
            else:
                facts[document] = cached
                _report(progress, len(facts), len(documents), document.file_name)
    for found in extract_all(todo, jobs=jobs, executor=executor, scheduler=scheduler):
        facts[found.document] = found
        if cache is not None:
            cache.put(found)
        _report(progress, len(facts), len(documents), found.document.file_name)
    if cache is not None:
        cache.keep_only(documents)
    # what follows makes tens of thousands of objects to keep and no garbage cycles: the
    # cyclic collector would walk them (and all else alive) again and again for nothing
    with collector_paused():
        resolved = resolve([facts[d] for d in documents])
        del facts
        quads = build_quads(resolved, copies)
        summary = summarize(resolved, quads.triple_count)
        summary.extracted = len(todo)
        summary.copies = sorted(copy.file_name for same in copies.values() for copy in same)
        if store:
            push_graphs(quads.oxigraph_terms(), store, None if cache is None or full else cache.folder)
        if out_dir is None:
            if store:
                return KnowledgeGraph(remote_dataset(store), summary=summary, url=store)
            return KnowledgeGraph(memory_dataset(quads.ox_quads()), summary=summary)
        state = StoreState(quads.graph_digests)
        before = None if full else StoreState.load(cache.folder / STORE_STATE, out_dir / STORE_DIR)
        staging = begin(out_dir)
        if "ttl" in formats:
            write_turtle(quads.ox_triples(), staging / "kg.ttl", distinct=True)
        exports = [f for f in formats if f != "ttl"]
        if exports:
            write_exports(quads.rdflib_quads(), staging, exports)
        if before is not None:
            # a rebuild: the last build's store, with only the graphs that changed written again
            changed = before.changed(state)
            update_store(out_dir / STORE_DIR, staging / STORE_DIR, quads.ox_quads(changed), changed)
        else:
            write_store(quads.ox_quads(), staging / STORE_DIR)
        publish(out_dir)
        state.save(cache.folder / STORE_STATE, out_dir / STORE_DIR)
        cache.record_build(cache.fingerprint(all_documents, outputs), asdict(summary))
        graph = KnowledgeGraph.open(out_dir)
        graph.summary = summary
        return graph


def _unchanged_build(cache: FactCache, out_dir: Path, documents: list[SourceDocument],
                     formats: list[str]) -> KnowledgeGraph | None:
    """The graph in `out_dir` when the last build there was made of exactly these documents
    (same texts, metadata, extractors and formats) and its outputs are all in place."""
    saved = cache.last_build(cache.fingerprint(documents, formats))
    files = [out_dir / STORE_DIR, *(out_dir / f"kg.{f}" for f in formats if "=" not in f)]
    if saved is None or not all(p.exists() for p in files):
        return None
    graph = KnowledgeGraph.open(out_dir)
    graph.summary = BuildSummary(**{**saved, "extracted": 0})
    return graph


def _report(progress: Progress | None, done: int, total: int, name: str) -> None:
    if progress is not None:
        progress(done, total, name)


def summarize(resolved: ResolvedFacts, triples: int) -> BuildSummary:
    """The numbers of a build (`triples`: the distinct triples of its graph)."""
    return BuildSummary(
        documents=len(resolved.documents),
        sentences=sum(resolved.sentence_counts.values()),
        actors_by_kind=dict(sorted(Counter(a.kind for a in resolved.actors.values()).items())),
        aid_flows=len(resolved.aid_flows),
        commercial_flows=len(resolved.commercial_flows),
        interactions=len(resolved.interactions),
        positions=len(resolved.positions),
        triples=triples,
    )
