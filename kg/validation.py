"""Validation: check a built graph against the SHACL shapes of `ontology/shapes.ttl`."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyshacl
from rdflib import Graph
from rdflib.namespace import SH

from kg.graph import KnowledgeGraph

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"


@dataclass(frozen=True)
class Violation:
    """One failed constraint: the node at fault, the property and the shape's message."""

    focus: str
    path: str
    message: str
    severity: str


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    violations: tuple[Violation, ...]


@lru_cache(maxsize=1)
def load_ontology() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "cckg.ttl", format="turtle")


@lru_cache(maxsize=1)
def load_shapes() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")


def validate_graph(graph: KnowledgeGraph | Graph) -> ValidationReport:
    """Validate a graph (all named graphs together) against the shapes, with RDFS inference."""
    data = Graph()
    source = graph.triples() if isinstance(graph, KnowledgeGraph) else graph
    for triple in source:
        data.add(triple)
    conforms, results, _ = pyshacl.validate(data, shacl_graph=load_shapes(), ont_graph=load_ontology(),
                                            inference="rdfs", abort_on_first=False, allow_warnings=True)
    violations = []
    for result in results.subjects(SH.resultSeverity, None):
        violations.append(Violation(
            focus=str(results.value(result, SH.focusNode)),
            path=str(results.value(result, SH.resultPath) or ""),
            message=str(results.value(result, SH.resultMessage) or ""),
            severity=str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
        ))
    violations.sort(key=lambda v: (v.focus, v.path, v.message))
    return ValidationReport(conforms=bool(conforms), violations=tuple(violations))
