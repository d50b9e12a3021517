"""cckg: a knowledge graph of international cooperation, read from English reports.

The Python API that the CLI and the notebooks share::

    import kg
    graph = kg.build(["seeds/"], "build/")          # -> KnowledgeGraph
    rows = kg.query(graph, "SELECT ?f WHERE { ?f a cckg:AidFlow }")
    graph = kg.open_graph("build/")                  # a graph built earlier
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kg.graph import KnowledgeGraph

if TYPE_CHECKING:
    from kg.pipeline import build

__all__ = ["KnowledgeGraph", "analyze", "build", "open_graph", "query", "validate"]
__version__ = "0.1.0"


def __getattr__(name: str):
    # `build` is imported when first asked for: it brings spaCy (over half a second), which
    # reading a built graph (`kg query`, `kg serve`, `kg.open_graph`) does not need
    if name == "build":
        from kg.pipeline import build

        return build
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "build"})  # `kg.build` is offered where names are completed


def open_graph(build_dir: str | Path, *, in_memory: bool = False) -> KnowledgeGraph:
    """Open the graph that `kg build` wrote into `build_dir`, or the graph on the SPARQL
    server whose URL it is (`kg build --store URL`: `open_graph("http://host:7878")`).

    With `in_memory`, a copy of a build folder's graph in memory: queries reading much of a
    large graph run several times faster, for about 9 s of loading and 400 MB per million
    triples; the copy does not see later builds.
    """
    return KnowledgeGraph.open(build_dir, in_memory=in_memory)


def query(graph: KnowledgeGraph | str | Path, sparql: str, **bindings: object):
    """Run a SPARQL query on a graph (or on the graph built in a folder).

    Keyword arguments bind query variables safely: `query(g, q, country=URIRef(...))`.
    """
    if not isinstance(graph, KnowledgeGraph):
        graph = open_graph(graph)
    return graph.query(sparql, bindings)


def validate(graph: KnowledgeGraph | str | Path):
    """Check a graph against the SHACL shapes; returns a `kg.validation.ValidationReport`."""
    from kg.validation import validate_graph

    if not isinstance(graph, KnowledgeGraph):
        graph = open_graph(graph)
    return validate_graph(graph)


def analyze(graph: KnowledgeGraph | str | Path, **options: object):
    """Reciprocity, centrality, communities (and time windows) of a graph, or of the graph
    built in a folder; returns a `kg.analysis.AnalysisResult` of pandas DataFrames.

    Options are those of `kg.analysis.analyze`: `roll_up=True`, `by=None` ("month",
    "quarter", "year"), `weight="flows"` ("items", "usd").
    """
    from kg.analysis import analyze as analyze_graph

    if not isinstance(graph, KnowledgeGraph):
        graph = open_graph(graph)
    return analyze_graph(graph, **options)
