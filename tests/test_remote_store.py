"""The remote store: a real `oxigraph serve` on 127.0.0.1, written per document, read by SPARQL."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from typer.testing import CliRunner

import kg
import kg.pipeline
from kg.cli import app
from kg.graph import KnowledgeGraph
from kg.remote import Endpoints, push_graphs, remote_dataset

pytestmark = pytest.mark.slow

G1, G2 = "https://w3id.org/cckg/id/graph/doc1", "https://w3id.org/cckg/id/graph/doc2"


def quads(graph, n, value="x"):
    return [(URIRef(f"urn:s{i}"), URIRef("urn:p"), Literal(f"{value}{i}"), URIRef(graph)) for i in range(n)]


@pytest.fixture()
def server(tmp_path, server_process):
    """A fresh `oxigraph serve` (union default graph), always terminated."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(binary).exists():
        pytest.skip("the oxigraph server (PyPI package oxigraph) is not installed")

    def command(port: int) -> list[str]:
        return [binary, "serve", "--location", str(tmp_path / "server"), "--bind", f"127.0.0.1:{port}",
                "--union-default-graph"]

    with server_process(command, "/query?query=ASK%7B%7D") as url:
        yield url


def count(url, graph=None):
    sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}" if graph else \
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    [[n]] = list(remote_dataset(url).query(sparql))
    return int(n)


def test_graphs_are_sent_once_replaced_when_changed_and_deleted_when_gone(server, tmp_path):
    state = tmp_path / "state"
    assert push_graphs(quads(G1, 3) + quads(G2, 2), server, state) == {"sent": 2, "unchanged": 0, "deleted": 0}
    assert count(server) == 5 and count(server, G1) == 3
    assert push_graphs(quads(G1, 3) + quads(G2, 4, "y"), server, state) == {"sent": 1, "unchanged": 1, "deleted": 0}
    assert count(server, G2) == 4 and count(server) == 7
    assert push_graphs(quads(G1, 3), server, state) == {"sent": 0, "unchanged": 1, "deleted": 1}
    assert count(server) == 3 and count(server, G2) == 0


def test_build_to_the_server_reads_back_the_same_graph(server, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Aid\n\nOn March 3, 2020, Japan donated 20,000 masks to China.\n", encoding="utf-8")
    (folder / "b.txt").write_text("Aid\n\nGermany gave 5 million euros to Iran on March 10, 2020.\n", encoding="utf-8")
    local = kg.build([folder], tmp_path / "out", formats=["nt"], store=server)
    assert count(server) == len(local)
    remote = KnowledgeGraph(remote_dataset(server))
    sparql = "SELECT ?d WHERE { ?f a cckg:AidFlow ; cckg:donor/rdfs:label ?d } ORDER BY ?d"
    assert [str(r.d) for r in kg.query(remote, sparql)] == [str(r.d) for r in kg.query(local, sparql)]
    (folder / "b.txt").unlink()
    again = kg.build([folder], tmp_path / "out", formats=["nt"], store=server)
    assert count(server) == len(again)
    result = CliRunner().invoke(app, ["query", server, "SELECT ?d WHERE { ?f cckg:donor/rdfs:label ?d }",
                                      "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["d", "Japan"]


def test_rebuild_sends_only_the_graphs_that_changed(server, tmp_path, monkeypatch):
    sent = []
    push = kg.pipeline.push_graphs

    def counting(*args, **kwargs):
        sent.append(push(*args, **kwargs))
        return sent[-1]

    monkeypatch.setattr(kg.pipeline, "push_graphs", counting)
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Aid\n\nOn March 3, 2020, Japan donated 20,000 masks to China.\n", encoding="utf-8")
    (folder / "b.txt").write_text("Aid\n\nGermany gave 5 million euros to Iran on March 10, 2020.\n", encoding="utf-8")
    kg.build([folder], tmp_path / "out", formats=["nt"], store=server)
    (folder / "b.txt").write_text("Aid\n\nGermany gave 6 million euros to Iran on March 10, 2020.\n", encoding="utf-8")
    graph = kg.build([folder], tmp_path / "out", formats=["nt"], store=server)
    assert sent[0]["sent"] == 4  # a's, b's, the actors' and the ontology's graphs
    assert sent[1] == {"sent": 1, "unchanged": 3, "deleted": 1}  # b's graph (new text, new graph) and no other
    assert count(server) == len(graph)


@pytest.mark.parametrize("url, store, query", [
    ("http://h:7878", "http://h:7878/store", "http://h:7878/query"),
    ("http://h:3030/ds/data", "http://h:3030/ds/data", "http://h:3030/ds/query"),
    ("http://h:7200/repositories/kg/rdf-graphs/service", "http://h:7200/repositories/kg/rdf-graphs/service",
     "http://h:7200/repositories/kg"),
])
def test_endpoints_of_each_server_kind(url, store, query):
    assert Endpoints.of(url) == Endpoints(store, query)
