"""`kg serve`, spoken to as a SPARQL client speaks to it: over HTTP, with SPARQLWrapper."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.client import HTTPConnection
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.saved_queries import saved_queries
from kg.server import make_server
from kg.store import STORE_DIR

pytestmark = pytest.mark.slow

PREFIXES = """PREFIX cckg: <https://w3id.org/cckg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
DONORS_OF_CHINA = PREFIXES + """SELECT DISTINCT ?donor WHERE {
  ?flow a cckg:AidFlow ; cckg:donor/rdfs:label ?donor ; cckg:recipient/rdfs:label "China"@en }"""
COUNT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CHROMIUM = "/usr/bin/chromium"


#: Labels of the tiny store that would run as script if the query page parsed them as HTML.
HOSTILE_LABELS = ("<script>alert(1)</script>", '<img src="x" onerror="alert(2)">')
#: Written into files of the tiny build folder that must never be served.
SECRET = "SECRET-MARKER-7f3a"
#: The limits of the `limited` endpoint.
TIMEOUT, MAX_ROWS = 2, 50
#: Runs for hours: a count over a three-way cross product of the tiny store's 2,000 triples.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def kg_serve(build_dir: Path, *options: str):
    """The command line of `kg serve` on `build_dir`, for `server_process`."""
    return lambda port: [sys.executable, "-m", "kg.cli", "serve", str(build_dir), "--port", str(port),
                         "--quiet", *options]


@pytest.fixture(scope="module")
def endpoint(seed_build, server_process):
    """`kg serve` on the seed graph, on a free port; its base URL. Always stopped afterwards."""
    with server_process(kg_serve(seed_build[0])) as base:
        yield base


@pytest.fixture(scope="module")
def tiny_build(tmp_path_factory):
    """A build folder of our own: a store of 2,000 triples and hostile labels, and files and
    links beside it that the server must never show."""
    folder = tmp_path_factory.mktemp("tiny")
    store = ox.Store(str(folder / STORE_DIR))
    graph = ox.NamedNode("https://w3id.org/cckg/id/graph/tiny")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    for i, text in enumerate(HOSTILE_LABELS):
        store.add(ox.Quad(ox.NamedNode(f"urn:hostile:{i}"), label, ox.Literal(text, language="en"), graph))
    value = ox.NamedNode("urn:value")
    store.extend(ox.Quad(ox.NamedNode(f"urn:filler:{i}"), value, ox.Literal(str(i)), graph) for i in range(2000))
    store.flush()
    del store
    (folder / "kg.ttl").write_text(f"# {SECRET}\n", encoding="utf-8")
    (folder / "secret.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    (folder / "passwd-link").symlink_to("/etc/passwd")
    (folder / "pyproject-link").symlink_to(Path(__file__).resolve().parent.parent / "pyproject.toml")
    return folder


@pytest.fixture(scope="module")
def limited(tiny_build, server_process):
    """`kg serve` on the tiny build with a time limit of 2 s and a row limit of 50."""
    with server_process(kg_serve(tiny_build, "--timeout", str(TIMEOUT), "--max-rows", str(MAX_ROWS))) as base:
        yield base


def client(endpoint: str, query: str, fmt: str = JSON, *, method: str | None = None) -> SPARQLWrapper:
    sparql = SPARQLWrapper(endpoint + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    if method:
        sparql.setMethod(method)
    return sparql


def http(url: str, data: bytes | None = None, headers: dict | None = None, *,
         method: str | None = None) -> tuple[int, str, str]:
    """(status, content type, body) of a request, errors included."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
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


LOAD = "LOAD <file:///etc/passwd> INTO GRAPH <urn:g>"


@pytest.mark.parametrize("data, content_type", [
    (b'INSERT DATA { <urn:a> <urn:b> "c" }', "application/sparql-update"),
    (b"update=DROP+ALL", "application/x-www-form-urlencoded"),
    (urllib.parse.urlencode({"query": "PREFIX x: <urn:x#>\nDELETE WHERE { ?s ?p ?o }"}).encode(),
     "application/x-www-form-urlencoded"),
    (LOAD.encode(), "application/sparql-update"),
    (LOAD.encode(), "application/sparql-query"),
    (urllib.parse.urlencode({"update": LOAD}).encode(), "application/x-www-form-urlencoded"),
    (urllib.parse.urlencode({"query": "# load a page\n" + LOAD}).encode(), "application/x-www-form-urlencoded"),
], ids=["insert-data", "update-field", "delete-where-as-query", "load-as-update", "load-as-query",
        "load-in-update-field", "load-in-query-field"])
def test_every_kind_of_update_is_refused(endpoint, data, content_type):
    status, _, body = http(endpoint + "/sparql", data, {"Content-Type": content_type})
    assert status == 403 and "read-only" in body


def test_load_by_get_is_refused(endpoint):
    status, _, body = http(endpoint + "/sparql?" + urllib.parse.urlencode({"query": LOAD}))
    assert status == 403 and "read-only" in body


TURTLE_DATA = b'<urn:a> <urn:b> "c" .'


@pytest.mark.parametrize("method, path, data", [
    ("PUT", "/sparql?default", TURTLE_DATA),
    ("PUT", "/store?graph=urn:g", TURTLE_DATA),
    ("POST", "/store?default", TURTLE_DATA),
    ("POST", "/sparql?graph=urn:g", TURTLE_DATA),
    ("POST", "/data", TURTLE_DATA),
    ("DELETE", "/sparql?graph=https://w3id.org/cckg/id/graph/analysis", None),
    ("DELETE", "/store?default", None),
    ("DELETE", "/", None),
    ("PATCH", "/sparql", b"DELETE WHERE { ?s ?p ?o }"),
    ("PATCH", "/store?default", TURTLE_DATA),
])
def test_graph_store_writes_are_refused(endpoint, method, path, data):
    headers = {"Content-Type": "text/turtle"} if data else {}
    status, _, body = http(endpoint + path, data, headers, method=method)
    assert status == 403 and "read-only" in body


def test_refused_writes_change_nothing(endpoint):
    before = client(endpoint, COUNT_TRIPLES).queryAndConvert()
    for method, path in [("PUT", "/sparql?default"), ("POST", "/store?default"), ("DELETE", "/store?default"),
                         ("PATCH", "/sparql")]:
        http(endpoint + path, TURTLE_DATA, {"Content-Type": "text/turtle"}, method=method)
    http(endpoint + "/sparql", b"DROP ALL", {"Content-Type": "application/sparql-update"})
    http(endpoint + "/sparql", LOAD.encode(), {"Content-Type": "application/sparql-update"})
    assert client(endpoint, COUNT_TRIPLES).queryAndConvert() == before


@pytest.mark.filterwarnings("ignore:.*query type:RuntimeWarning")
def test_malformed_query_is_a_bad_request(endpoint):
    with pytest.raises(QueryBadFormed) as bad:
        client(endpoint, "SELEKT ?x WHERE { ?x ?y ?z }").query()
    assert "malformed query" in str(bad.value)


def test_malformed_query_gets_the_parsers_message(endpoint):
    query = "SELECT ?x WHERE { ?x ?y }"
    try:
        ox.Store().query(query)
    except SyntaxError as err:
        parser_message = str(err)
    status, content_type, body = http(endpoint + "/sparql?" + urllib.parse.urlencode({"query": query}))
    assert status == 400 and content_type.startswith("text/plain")
    assert body.strip() == f"malformed query: {parser_message}"


def test_kg_serve_listens_on_this_machine_only_by_default(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    import kg.commands.serve
    from kg.cli import app

    calls = []

    class Server:
        server_address = ("127.0.0.1", 7878)

        def serve_forever(self):
            raise KeyboardInterrupt

        def server_close(self):
            pass

    def fake_make_server(*args, **options):
        calls.append((args, options))
        return Server()

    monkeypatch.setattr(kg.commands.serve, "make_server", fake_make_server)
    result = CliRunner().invoke(app, ["serve", str(tmp_path)])
    assert result.exit_code == 0, result.output
    [(args, options)] = calls
    assert args[1] == "127.0.0.1"
    assert options["timeout"] == 30 and options["max_rows"] == 100_000


def test_server_binds_to_the_loopback_address_by_default(tiny_build):
    server = make_server(tiny_build, port=0, quiet=True)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


def test_query_past_the_time_limit_is_stopped_with_503(limited):
    started = time.monotonic()
    status, _, body = http(limited + "/sparql?" + urllib.parse.urlencode({"query": ENDLESS}))
    elapsed = time.monotonic() - started
    assert status == 503
    assert f"longer than {TIMEOUT} s" in body and "--timeout" in body
    assert elapsed < TIMEOUT + 10


def test_endpoint_answers_again_after_a_stopped_query(limited):
    http(limited + "/sparql?" + urllib.parse.urlencode({"query": ENDLESS}))
    started = time.monotonic()
    results = client(limited, "ASK { ?s ?p ?o }").queryAndConvert()
    assert results["boolean"] is True and time.monotonic() - started < TIMEOUT


@pytest.mark.parametrize("query, noun", [
    ("SELECT * WHERE { ?s ?p ?o }", "rows"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "triples"),
    ("DESCRIBE ?s WHERE { ?s <urn:value> ?v }", "triples"),
])
def test_answer_longer_than_the_row_limit_is_an_error(limited, query, noun):
    status, content_type, body = http(limited + "/sparql?" + urllib.parse.urlencode({"query": query}))
    assert status == 422 and content_type.startswith("text/plain")
    assert f"more than {MAX_ROWS} {noun}" in body and "--max-rows" in body


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_answer_within_the_row_limit_is_whole(limited, fmt):
    query = f"SELECT ?s ?v WHERE {{ ?s <urn:value> ?v }} LIMIT {MAX_ROWS}"
    status, _, body = http(limited + "/sparql?" + urllib.parse.urlencode({"query": query, "format": fmt}))
    assert status == 200
    assert body.count("urn:filler:") == MAX_ROWS


@pytest.mark.parametrize("path", [
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2fpyproject.toml",
    "/..%2f..%2f..%2fpyproject.toml",
    "/query.js/../../../pyproject.toml",
    "/sparql/../../../../etc/passwd",
    "/etc/passwd",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "http://127.0.0.1/etc/passwd",
    "/..%5c..%5cpyproject.toml",
    "/..\\..\\pyproject.toml",
    "/%5cetc%5cpasswd",
    "/C:%5cWindows%5cwin.ini",
    "/secret.txt",
    "/kg.ttl",
    "/store/CURRENT",
    "/passwd-link",
    "/pyproject-link",
    "/server.py",
    "/../server.py",
    "/web/query.js/../../server.py",
    "/%00/etc/passwd",
])
def test_no_file_outside_the_query_page_is_served(limited, path):
    host, port = urllib.parse.urlsplit(limited).netloc.split(":")
    connection = HTTPConnection(host, int(port), timeout=30)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        status, body = response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()
    assert status in (400, 404)
    assert SECRET not in body and "root:" not in body and "[build-system]" not in body
    assert "import " not in body and "MANIFEST" not in body


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


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's), shared by the module's page tests."""
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian's chromium (make system-test-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield browser
        finally:
            browser.close()


class QueryPage:
    """The query page of an endpoint in a fresh browser page that can reach nothing else,
    with what went wrong: failed requests, errors, and dialogs (which a script run by a
    label would open)."""

    def __init__(self, browser, endpoint: str):
        self.failures, self.errors, self.dialogs = [], [], []
        self.page = browser.new_page()
        self.page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(endpoint)
                        else route.abort())
        self.page.on("requestfailed", lambda request: self.failures.append(request.url))
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", self._dialog)
        self.page.goto(endpoint + "/")
        self.page.locator("#saved li").first.wait_for(timeout=20_000)  # the prefixes are loaded with them

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def run(self, query: str) -> None:
        self.page.fill("#query", query)
        self.page.click("#run")


@pytest.fixture()
def query_page(browser):
    pages = []

    def open_page(endpoint: str) -> QueryPage:
        pages.append(QueryPage(browser, endpoint))
        return pages[-1]

    yield open_page
    for page in pages:
        page.page.close()


def test_query_page_runs_a_saved_query_in_a_browser(endpoint, query_page):
    from playwright.sync_api import expect

    browser_page = query_page(endpoint)
    page = browser_page.page
    page.get_by_text("who-gave-to-whom", exact=True).click()
    page.locator("#table tbody tr").first.wait_for(timeout=20_000)
    headers = page.locator("#table th").all_inner_texts()
    first_row = page.locator("#table tbody tr").first.inner_text()
    browser_page.run("SELEKT nothing")
    expect(page.locator("#status")).to_have_text(re.compile(r"^400: malformed query"), timeout=20_000)
    assert headers[:2] == ["donor", "recipient"] and "China" in first_row
    assert not browser_page.failures
    assert [e for e in browser_page.errors if "400" not in e] == []  # the malformed query's 400 is expected


def test_query_page_shows_labels_as_text_not_markup(limited, query_page):
    browser_page = query_page(limited)
    page = browser_page.page
    browser_page.run("SELECT ?label WHERE { ?s rdfs:label ?label } ORDER BY ?label")
    page.locator("#table tbody tr").nth(len(HOSTILE_LABELS) - 1).wait_for(timeout=20_000)
    shown = page.locator("#table tbody td").all_inner_texts()
    assert sorted(shown) == sorted(HOSTILE_LABELS)
    assert page.locator("#table script, #table img").count() == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 1  # the page's own query.js
    assert browser_page.dialogs == [] and browser_page.errors == [] and not browser_page.failures


def test_query_page_shows_error_messages_as_text_not_markup(limited, query_page):
    from playwright.sync_api import expect

    browser_page = query_page(limited)
    page = browser_page.page
    browser_page.run('SELEKT "<img src=x onerror=alert(3)>" <script>alert(4)</script>')
    expect(page.locator("#status")).to_have_text(re.compile(r"^400: malformed query"), timeout=20_000)
    assert page.locator("#status *").count() == 0
    assert browser_page.dialogs == []
    assert [e for e in browser_page.errors if "400" not in e] == []


def _quads(count: int) -> list[ox.Quad]:
    graph = ox.NamedNode("https://w3id.org/cckg/id/graph/counted")
    return [ox.Quad(ox.NamedNode(f"urn:n:{i}"), ox.NamedNode("urn:value"), ox.Literal(str(i)), graph)
            for i in range(count)]


def test_in_memory_answers_as_on_disk_and_sees_a_rebuild(tmp_path, server_process):
    from kg.store import write_store

    write_store(_quads(30), tmp_path / STORE_DIR)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:value> ?o }"
    with server_process(kg_serve(tmp_path, "--in-memory")) as memory, server_process(kg_serve(tmp_path)) as disk:
        answers = [client(base, count).queryAndConvert()["results"]["bindings"][0]["n"]["value"]
                   for base in (memory, disk)]
        assert answers == ["30", "30"]
        write_store(_quads(45), tmp_path / STORE_DIR)  # `kg build` swaps a new store in
        assert client(memory, count).queryAndConvert()["results"]["bindings"][0]["n"]["value"] == "45"


def test_in_memory_is_refused_for_a_server_url():
    result = subprocess.run([sys.executable, "-m", "kg.cli", "serve", "http://127.0.0.1:9", "--in-memory"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 3
    assert result.stderr.splitlines() == ["error: http://127.0.0.1:9: a copy in memory is made of a build folder's "
                                          "store, not a server's"]


def test_in_memory_endpoint_queries_a_copy_never_the_files(tmp_path):
    from kg.server import SparqlEndpoint
    from kg.store import write_store

    write_store(_quads(3), tmp_path / STORE_DIR)
    extra = _quads(4)[3]
    with pytest.raises(RuntimeError, match="read-write"):  # the store on disk is opened read-only
        SparqlEndpoint(tmp_path).store().add(extra)
    SparqlEndpoint(tmp_path, in_memory=True).store().add(extra)  # a copy: writable, and nothing reaches the files
    assert len(ox.Store.read_only(str(tmp_path / STORE_DIR))) == 3
