"""The remote store: a real `oxigraph serve` on 127.0.0.1, written per document, read by SPARQL."""
from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from typer.testing import CliRunner

import kg
import kg.pipeline
from kg.analysis import write_back
from kg.cli import app
from kg.errors import QueryError, StoreError
from kg.graph import KnowledgeGraph
from kg.remote import Endpoints, push_graphs, remote_dataset
from kg.saved_queries import run_saved_query

from conftest import free_port

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


def test_a_graph_dropped_on_the_server_is_sent_again(server, tmp_path):
    state = tmp_path / "state"
    push_graphs(quads(G1, 3) + quads(G2, 2), server, state)
    urllib.request.urlopen(urllib.request.Request(f"{server}/store?{urllib.parse.urlencode({'graph': G2})}",
                                                  method="DELETE"), timeout=60)  # behind the builder's back
    assert push_graphs(quads(G1, 3) + quads(G2, 2), server, state) == {"sent": 1, "unchanged": 1, "deleted": 0}
    assert count(server, G2) == 2


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


AID = {"a.txt": "Aid\n\nOn March 3, 2020, Japan donated 20,000 masks to China. China thanked Japan.\n",
       "b.txt": "Aid\n\nOn April 2, 2020, China sent 5,000 test kits to Japan.\n",
       "c.txt": "Aid\n\nGermany gave 5 million euros to Iran on March 10, 2020.\n"}


PREFIXES = "PREFIX cckg: <https://w3id.org/cckg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "


def ask(base: str, query: str, accept: str) -> tuple[int, str]:
    """(status, body) of a query POSTed to a `kg serve` at `base`."""
    request = urllib.request.Request(base + "/sparql", data=urllib.parse.urlencode({"query": query}).encode(),
                                     headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture()
def built_to_server(server, tmp_path):
    """A build folder and the server it sent its graph to (`kg build --store`)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in AID.items():
        (folder / name).write_text(text, encoding="utf-8")
    kg.build([folder], tmp_path / "out", formats=["nt"], store=server)
    return tmp_path / "out", server


def test_saved_queries_analysis_and_validation_read_the_server_as_the_build(built_to_server):
    out, server = built_to_server
    local, remote = kg.open_graph(out), kg.open_graph(server)
    assert remote.url == server
    for name in ("who-gave-to-whom", "mutual-aid-pairs", "aid-by-month"):
        rows = [list(map(str, row)) for row in run_saved_query(remote, name)]
        assert rows and rows == [list(map(str, row)) for row in run_saved_query(local, name)]
    on_server, on_build = kg.analyze(remote), kg.analyze(local)
    assert on_server.reciprocity == on_build.reciprocity == 2 / 3  # Japan–China given both ways, Germany–Iran not
    assert on_server.to_dict(10) == on_build.to_dict(10)
    assert kg.validate(remote) == kg.validate(local)  # the whole graph read back: conforms, as the build does
    assert kg.validate(remote).conforms
    written = write_back(remote, on_server)
    assert written > 0 and count(server, "https://w3id.org/cckg/id/graph/analysis") == written


def test_kg_analyze_and_kg_viz_of_a_server_url(built_to_server, tmp_path, monkeypatch):
    out, server = built_to_server
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["analyze", server, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "analysis" / "analysis.json").is_file()  # beside the user, there being no build folder
    assert count(server, "https://w3id.org/cckg/id/graph/analysis") > 0
    for location in (server, str(out)):
        result = CliRunner().invoke(app, ["viz", location])
        assert result.exit_code == 0, result.output
    pages, built_pages = ({str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*")
                           if path.is_file()} for folder in (tmp_path / "pages", out / "pages"))
    assert "index.html" in pages and pages == built_pages


def test_kg_serve_of_a_server_url_answers_as_for_the_build(built_to_server, server_process):
    out, server = built_to_server
    select = "SELECT ?d ?r WHERE { ?f a cckg:AidFlow ; cckg:donor/rdfs:label ?d ; cckg:recipient/rdfs:label ?r } " \
             "ORDER BY ?d"
    construct = "CONSTRUCT WHERE { ?c a cckg:Country } "
    answers = []
    for location in (out, server):
        with server_process(lambda port, where=location: [sys.executable, "-m", "kg.cli", "serve", str(where),
                                                           "--port", str(port), "--quiet"]) as base:
            answers.append([
                ask(base, PREFIXES + select, "text/csv"),
                ask(base, PREFIXES + construct, "application/n-triples"),
                ask(base, "SELEC ?x", "text/csv"),
                ask(base, "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "text/csv")])
    on_build, on_server = answers
    assert on_server[0] == on_build[0] == (200, "d,r\r\nChina,Japan\r\nGermany,Iran\r\nJapan,China\r\n")
    assert on_server[1][0] == 200 and sorted(on_server[1][1].splitlines()) == sorted(on_build[1][1].splitlines())
    assert on_server[2][0] == 400 and on_server[2][1].startswith("malformed query: ")
    assert on_server[3][0] == 403 and on_server[3] == on_build[3]


@pytest.mark.parametrize("command", [["query", "{url}", "ASK {}"], ["analyze", "{url}"], ["serve", "{url}"],
                                     ["validate", "{url}"], ["viz", "{url}"]])
def test_an_unreachable_server_is_one_line_and_exit_code_3(command, tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    result = subprocess.run([sys.executable, "-m", "kg.cli", *(part.replace("{url}", url) for part in command)],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == StoreError.exit_code == 3
    assert result.stderr.splitlines() == [f"error: {url}/query: cannot reach the graph server "
                                          "([Errno 111] Connection refused)"]
    assert not list(tmp_path.iterdir())  # no pages, no analysis files begun


def test_a_query_the_server_finds_malformed_gets_its_message(server):
    with pytest.raises(QueryError, match=r"^malformed query: .*1:"):
        kg.query(kg.open_graph(server), "SELEC ?x WHERE { }")


def test_a_build_to_a_server_alone_returns_the_server_s_graph(server, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(AID["a.txt"], encoding="utf-8")
    graph = kg.build([folder], store=server)  # no build folder: the server holds the graph
    assert graph.url == server and len(graph) == count(server)
    [row] = kg.query(graph, "SELECT ?d WHERE { ?f a cckg:AidFlow ; cckg:donor/rdfs:label ?d }")
    assert str(row.d) == "Japan"


def test_a_web_server_that_is_no_sparql_endpoint_is_named_without_its_page(tmp_path):
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as web:
        threading.Thread(target=web.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{web.server_address[1]}"
        try:
            with pytest.raises(StoreError) as refused:
                kg.open_graph(url)
        finally:
            web.shutdown()
    assert str(refused.value) == f"{url}/query: the server refused the query (501 Unsupported method ('POST'))"
