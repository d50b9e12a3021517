"""The build: ingest -> nlp -> extract -> resolve -> rdf -> store, end to end."""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from kg.extract import extract_document
from kg.graph import BuildSummary, KnowledgeGraph, write_exports
from kg.ingest import find_documents, load_sources, read_document
from kg.nlp import load_pipeline
from kg.rdf import Quad, ontology_quads, to_quads
from kg.resolve import ResolvedFacts, resolve
from kg.store import STORE_DIR, memory_dataset, write_store

#: Called after each document with (documents done, documents in all, file name).
Progress = Callable[[int, int, str], None]


def build(paths: Iterable[str | Path], out_dir: str | Path | None = None, *,
          formats: Iterable[str] = ("ttl",), progress: Progress | None = None) -> KnowledgeGraph:
    """Build the knowledge graph of the documents named by `paths`.

    Args:
        paths: files, or folders of `.txt` documents (with an optional `sources.yaml`).
        out_dir: where to write the store (`store/`) and the exports (`kg.ttl`...); with
            None the graph lives in memory only.
        formats: export formats among "ttl", "nt", "trig", "jsonld".
        progress: called after each document.

    Returns:
        The built graph, with its `summary`.

    Raises:
        InputError: a path is missing, or a document cannot be read.
    """
    started = time.perf_counter()
    files = find_documents(paths)
    nlp = load_pipeline()
    sources: dict[Path, dict] = {}
    facts = []
    for n, path in enumerate(files, start=1):
        if path.parent not in sources:
            sources[path.parent] = load_sources(path.parent)
        document = read_document(path, sources[path.parent].get(path.name))
        facts.append(extract_document(document, nlp))
        if progress is not None:
            progress(n, len(files), path.name)
    resolved = resolve(facts)
    quads = sorted(set(to_quads(resolved)) | set(ontology_quads()), key=_quad_order)
    summary = summarize(resolved, quads, time.perf_counter() - started)
    if out_dir is None:
        return KnowledgeGraph(memory_dataset(quads), summary=summary)
    out_dir = Path(out_dir)
    write_store(quads, out_dir / STORE_DIR)
    write_exports(quads, out_dir, formats)
    graph = KnowledgeGraph.open(out_dir)
    summary.seconds = time.perf_counter() - started
    graph.summary = summary
    return graph


def summarize(resolved: ResolvedFacts, quads: list[Quad], seconds: float) -> BuildSummary:
    """The numbers of a build."""
    return BuildSummary(
        documents=len(resolved.documents),
        sentences=sum(resolved.sentence_counts.values()),
        actors_by_kind=dict(sorted(Counter(a.kind for a in resolved.actors.values()).items())),
        aid_flows=len(resolved.aid_flows),
        commercial_flows=len(resolved.commercial_flows),
        interactions=len(resolved.interactions),
        positions=len(resolved.positions),
        triples=len({q[:3] for q in quads}),
        seconds=seconds,
    )


def _quad_order(quad: Quad) -> tuple[str, ...]:
    return tuple(term.n3() for term in quad)
