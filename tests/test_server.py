"""`kg serve`, spoken to as a SPARQL client speaks to it: over HTTP, with SPARQLWrapper."""
from __future__ import annotations

import csv
import io
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.saved_queries import saved_queries

pytestmark = pytest.mark.slow

PREFIXES = """PREFIX cckg: <https://w3id.org/cckg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
DONORS_OF_CHINA = PREFIXES + """SELECT DISTINCT ?donor WHERE {
  ?flow a cckg:AidFlow ; cckg:donor/rdfs:label ?donor ; cckg:recipient/rdfs:label "China"@en }"""
COUNT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(seed_build):
    """`kg serve` on the seed graph, on a free port; its base URL. Always stopped afterwards."""
    out_dir, _ = seed_build
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", str(out_dir), "--port", str(port), "--quiet"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(base, server, seconds=60)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _wait_until_answering(base: str, server: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"kg serve exited: {server.stderr.read().decode()}")
        try:
            with urllib.request.urlopen(base + "/", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"kg serve did not answer at {base} within {seconds} s")


def client(endpoint: str, query: str, fmt: str = JSON, *, method: str | None = None) -> SPARQLWrapper:
    sparql = SPARQLWrapper(endpoint + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    if method:
        sparql.setMethod(method)
    return sparql


def http(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, str, str]:
    """(status, content type, body) of a request, errors included."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def test_posted_select_from_sparqlwrapper(endpoint):
    results = client(endpoint, DONORS_OF_CHINA, method=POST).queryAndConvert()
    donors = {binding["donor"]["value"] for binding in results["results"]["bindings"]}
    assert {"Japan", "Russia", "South Korea"} <= donors


def test_posted_directly_as_sparql_query(endpoint):
    sparql = client(endpoint, DONORS_OF_CHINA, method=POST)
    sparql.setRequestMethod(POSTDIRECTLY)
    bindings = sparql.queryAndConvert()["results"]["bindings"]
    assert "Japan" in {binding["donor"]["value"] for binding in bindings}


def test_get_select(endpoint):
    results = client(endpoint, COUNT_TRIPLES).queryAndConvert()
    assert int(results["results"]["bindings"][0]["n"]["value"]) > 1000


@pytest.mark.parametrize("fmt", [XML, CSV, TSV])
def test_result_formats_by_accept_header(endpoint, fmt):
    response = client(endpoint, DONORS_OF_CHINA, fmt).query()
    content_type = response.info()["Content-Type"]
    body = response.convert()
    if fmt == XML:
        assert "sparql-results+xml" in content_type
        donors = {node.firstChild.nodeValue for node in body.getElementsByTagName("literal")}
    else:
        assert content_type.startswith("text/csv" if fmt == CSV else "text/tab-separated-values")
        text = body.decode() if isinstance(body, bytes) else body
        lines = list(csv.reader(io.StringIO(text), delimiter="," if fmt == CSV else "\t"))
        assert lines[0][0].lstrip("?") == "donor"
        donors = {line[0].split("@")[0].strip('"') for line in lines[1:]}
    assert "Japan" in donors


def test_ask(endpoint):
    query = PREFIXES + 'ASK { ?c a cckg:Country ; rdfs:label "Japan"@en }'
    assert client(endpoint, query).queryAndConvert()["boolean"] is True


def test_construct_as_turtle(endpoint):
    query = PREFIXES + "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a cckg:Country ; rdfs:label ?l }"
    response = client(endpoint, query, TURTLE).query()
    assert response.info()["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.convert(), format="turtle")
    assert ("Japan" in {str(label) for label in graph.objects()}) and len(graph) > 20


def test_describe_as_ntriples(endpoint):
    query = "DESCRIBE <https://w3id.org/cckg/id/country/JPN>"
    status, content_type, body = http(endpoint + "/sparql?" + urllib.parse.urlencode({"query": query}),
                                      headers={"Accept": "application/n-triples"})
    assert status == 200 and content_type.startswith("application/n-triples")
    assert len(Graph().parse(data=body, format="nt")) >= 2


def test_insert_is_refused(endpoint):
    before = client(endpoint, COUNT_TRIPLES).queryAndConvert()
    insert = client(endpoint, 'INSERT DATA { <urn:a> <urn:b> "c" }', method=POST)
    with pytest.raises(urllib.error.HTTPError) as refused:
        insert.query()
    assert refused.value.code == 403
    assert "read-only" in refused.value.read().decode()
    assert client(endpoint, COUNT_TRIPLES).queryAndConvert() == before


@pytest.mark.parametrize("data, content_type", [
    (b'INSERT DATA { <urn:a> <urn:b> "c" }', "application/sparql-update"),
    (b"update=DROP+ALL", "application/x-www-form-urlencoded"),
    (urllib.parse.urlencode({"query": "PREFIX x: <urn:x#>\nDELETE WHERE { ?s ?p ?o }"}).encode(),
     "application/x-www-form-urlencoded"),
])
def test_every_kind_of_update_is_refused(endpoint, data, content_type):
    status, _, body = http(endpoint + "/sparql", data, {"Content-Type": content_type})
    assert status == 403 and "read-only" in body


@pytest.mark.filterwarnings("ignore:.*query type:RuntimeWarning")
def test_malformed_query_is_a_bad_request(endpoint):
    with pytest.raises(QueryBadFormed) as bad:
        client(endpoint, "SELEKT ?x WHERE { ?x ?y ?z }").query()
    assert "malformed query" in str(bad.value)


@pytest.mark.parametrize("path, data, headers, status", [
    ("/elsewhere", None, {}, 404),
    ("/sparql?query=" + urllib.parse.quote(COUNT_TRIPLES), None, {"Accept": "image/png"}, 406),
    ("/sparql", b"SELECT * {}", {"Content-Type": "text/plain"}, 415),
])
def test_other_requests_get_a_clear_status(endpoint, path, data, headers, status):
    assert http(endpoint + path, data, headers)[0] == status


def test_format_parameter_when_accept_says_nothing(endpoint):
    url = endpoint + "/sparql?" + urllib.parse.urlencode({"query": COUNT_TRIPLES, "format": "csv"})
    status, content_type, body = http(url, headers={"Accept": "*/*"})
    assert status == 200 and content_type.startswith("text/csv") and body.splitlines()[0] == "n"


@pytest.mark.parametrize("name", [query.name for query in saved_queries()])
def test_saved_queries_answer_over_http(endpoint, name):
    sparql = next(query.sparql for query in saved_queries() if query.name == name)
    bindings = client(endpoint, sparql, method=POST).queryAndConvert()["results"]["bindings"]
    assert bindings


def test_query_page_is_served_without_internet_links(endpoint):
    status, content_type, page = http(endpoint + "/")
    assert status == 200 and content_type.startswith("text/html")
    assert 'id="query"' in page and 'id="run"' in page
    assert "http://" not in page and "https://" not in page
    catalogue = json.loads(http(endpoint + "/queries.json")[2])
    assert {q["name"] for q in catalogue["queries"]} == {q.name for q in saved_queries()}


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make system-test-deps)")
def test_query_page_runs_a_saved_query_in_a_browser(endpoint):
    from playwright.sync_api import expect, sync_playwright

    failures, errors = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(endpoint)
                       else route.abort())
            page.on("requestfailed", lambda request: failures.append(request.url))
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(endpoint + "/")
            page.get_by_text("who-gave-to-whom", exact=True).click()
            page.locator("#table tbody tr").first.wait_for(timeout=20_000)
            headers = page.locator("#table th").all_inner_texts()
            first_row = page.locator("#table tbody tr").first.inner_text()
            page.fill("#query", "SELEKT nothing")
            page.click("#run")
            expect(page.locator("#status")).to_have_text(re.compile(r"^400: malformed query"), timeout=20_000)
        finally:
            browser.close()
    assert headers[:2] == ["donor", "recipient"] and "China" in first_row
    assert not failures
    assert [e for e in errors if "400" not in e] == []  # the malformed query's 400 is expected
