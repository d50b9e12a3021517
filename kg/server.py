"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint over a built store, and a query page.

Routes:

* `GET /sparql?query=...`, `POST /sparql` (form field `query`, or a body of type
  `application/sparql-query`): answers queries. SELECT and ASK results come as SPARQL JSON,
  XML, CSV or TSV, CONSTRUCT and DESCRIBE graphs as Turtle, N-Triples, RDF/XML or JSON-LD,
  chosen by the `Accept` header (or a `format` parameter). The default graph is the union of
  all named graphs unless `default-graph-uri` says otherwise.
* Updates (`application/sparql-update`, an `update` field, or a query that is an update) get
  403: the endpoint is read-only. A malformed query gets 400 with the parser's message.
* `GET /` is the query page (`kg/web/`, no internet needed); `GET /queries.json` lists the
  saved queries that the page offers as examples.

The store is opened read-only with pyoxigraph, and opened again when `kg build` swaps in a
new one.
"""
from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from kg.errors import StoreError
from kg.graph import PREFIXES
from kg.saved_queries import saved_queries
from kg.store import STORE_DIR

WEB_DIR = Path(__file__).resolve().parent / "web"
#: Static files of the query page: URL path -> (file under kg/web/, media type).
PAGE_FILES = {
    "/": ("query.html", "text/html; charset=utf-8"),
    "/query.js": ("query.js", "text/javascript; charset=utf-8"),
    "/query.css": ("query.css", "text/css; charset=utf-8"),
}
#: Media types of SELECT and ASK results; the first is the default.
RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
#: Media types of CONSTRUCT and DESCRIBE results; the first is the default.
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "text/n3": ox.RdfFormat.TURTLE,
    "text/rdf+n3": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
#: Short names for the `format` (or `output`) request parameter.
FORMAT_NAMES = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
    "ttl": "text/turtle", "nt": "application/n-triples", "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml", "jsonld": "application/ld+json",
}
_PROLOGUE = re.compile(r"^(?:\s*(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>))*", re.IGNORECASE)
#: Prefixes of Turtle answers (not `id:`, whose local names would need escaped slashes).
GRAPH_PREFIXES = {p: ns for p, ns in PREFIXES.items() if p != "id"}
_UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, media type and body."""

    status: int
    content_type: str
    body: bytes

    @classmethod
    def text(cls, status: int, message: str) -> Reply:
        return cls(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


class SparqlEndpoint:
    """Answers SPARQL queries on the store of a build folder, read-only.

    Examples:
        >>> pick_media_type("text/csv;q=0.5, application/sparql-results+json", RESULT_FORMATS)
        'application/sparql-results+json'
    """

    def __init__(self, build_dir: str | Path):
        self.store_path = Path(build_dir) / STORE_DIR
        self._lock = threading.Lock()
        self._store: ox.Store | None = None
        self._store_id: tuple[int, int] | None = None
        self.store()  # fail now, not at the first request, where there is no store

    def store(self) -> ox.Store:
        """The store, opened again where `kg build` has swapped in a new one since."""
        try:
            info = os.stat(self.store_path)
        except OSError as err:
            raise StoreError(f"{self.store_path}: no graph store here (run `kg build` first)") from err
        with self._lock:
            if self._store is None or self._store_id != (info.st_dev, info.st_ino):
                try:
                    self._store = ox.Store.read_only(str(self.store_path))
                except OSError as err:
                    raise StoreError(f"{self.store_path}: cannot open the graph store ({err})") from err
                self._store_id = (info.st_dev, info.st_ino)
            return self._store

    def answer(self, query: str, accept: str = "", *, default_graphs: list[str] = (),
               named_graphs: list[str] = ()) -> Reply:
        """Run `query` and serialize its results in the best format `accept` allows."""
        graphs = {"default_graph": [ox.NamedNode(g) for g in default_graphs]} if default_graphs else \
            {"use_default_graph_as_union": True}
        if named_graphs:
            graphs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            results = self.store().query(query, **graphs)
        except SyntaxError as err:
            if looks_like_update(query):
                return refuse_update()
            return Reply.text(HTTPStatus.BAD_REQUEST, f"malformed query: {err}")
        except ValueError as err:  # e.g. a bad IRI in default-graph-uri
            return Reply.text(HTTPStatus.BAD_REQUEST, f"bad request: {err}")
        return self._serialize(results, accept)

    def _serialize(self, results, accept: str) -> Reply:
        formats = GRAPH_FORMATS if isinstance(results, ox.QueryTriples) else RESULT_FORMATS
        media_type = pick_media_type(accept, formats)
        if media_type is None:
            return Reply.text(HTTPStatus.NOT_ACCEPTABLE, f"cannot answer in {accept!r}; "
                              f"can answer in {', '.join(formats)}")
        if formats is GRAPH_FORMATS:
            body = ox.serialize(results, format=formats[media_type], prefixes=GRAPH_PREFIXES)
        else:
            body = results.serialize(format=formats[media_type])
        charset = "; charset=utf-8" if media_type.startswith("text/") else ""
        return Reply(HTTPStatus.OK, media_type + charset, body)


def pick_media_type(accept: str, formats: dict) -> str | None:
    """The media type of `formats` that an `Accept` header likes best (on a tie, the first of `formats`).

    Each offer gets the quality of the most specific range matching it (`text/csv`, then
    `text/*`, then `*/*`). A missing header gets the first of `formats`.

    Examples:
        >>> pick_media_type("", GRAPH_FORMATS)
        'text/turtle'
        >>> pick_media_type("application/turtle,text/turtle", GRAPH_FORMATS)
        'text/turtle'
        >>> pick_media_type("application/n-triples, */*;q=0.1", GRAPH_FORMATS)
        'application/n-triples'
        >>> pick_media_type("image/png", RESULT_FORMATS) is None
        True
    """
    ranges = dict(_accepted_ranges(accept))
    if not ranges:
        return next(iter(formats))
    best, best_quality = None, 0.0
    for offer in formats:
        family = offer.split("/")[0] + "/*"
        quality = ranges.get(offer, ranges.get(family, ranges.get("*/*", 0.0)))
        if quality > best_quality:
            best, best_quality = offer, quality
    return best


def _accepted_ranges(accept: str) -> Iterable[tuple[str, float]]:
    """(media range, quality) of each part of an `Accept` header."""
    for part in accept.split(","):
        media_range, *attributes = [piece.strip() for piece in part.split(";")]
        if media_range:
            quality = next((_quality(a[2:]) for a in attributes if a.startswith("q=")), 1.0)
            yield media_range.lower(), quality


def _quality(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def looks_like_update(text: str) -> bool:
    """Whether a request text is a SPARQL update rather than a query: its first keyword
    after comments and the prologue (`PREFIX`, `BASE`) is an update's.

    Examples:
        >>> looks_like_update("PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c }")
        True
        >>> looks_like_update("PREFIX o: <http://e/o#>\\nDELETE WHERE { ?s o:p ?o }")
        True
        >>> looks_like_update("# delete nothing\\nSELECT * WHERE { ?s ?p ?o }")
        False
    """
    without_iris = re.sub(r"<[^<>\s]*>", "<>", text)  # an IRI may hold a "#"
    without_comments = re.sub(r"(?m)#.*$", " ", without_iris)
    body = _PROLOGUE.sub("", without_comments)
    first = re.match(r"\s*([A-Za-z]+)", body)
    return bool(first) and first[1].upper() in _UPDATE_KEYWORDS


def refuse_update() -> Reply:
    """The answer to every update: this endpoint is read-only."""
    return Reply.text(HTTPStatus.FORBIDDEN, "updates are refused: this SPARQL endpoint is read-only "
                      "(rebuild the graph with `kg build` to change it)")


def saved_queries_json() -> bytes:
    """The saved queries as JSON, for the query page's examples."""
    entries = [{"name": q.name, "question": q.question, "sparql": q.sparql,
                "params": [{"name": p.name, "kind": p.kind, "default": p.default, "help": p.help} for p in q.params]}
               for q in saved_queries()]
    return json.dumps({"queries": entries, "prefixes": PREFIXES}, ensure_ascii=False).encode("utf-8")


class SparqlRequestHandler(BaseHTTPRequestHandler):
    """Turns HTTP requests into calls of the server's `SparqlEndpoint`."""

    server_version = "cckg-sparql/0.1"
    endpoint: SparqlEndpoint  # set on the class made by `make_server`
    quiet = False

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        url = urlsplit(self.path)
        fields = parse_qs(url.query)
        if url.path == "/sparql" and ("query" in fields or "update" in fields):
            self._send(self._answer_fields(fields))
        elif url.path in PAGE_FILES or url.path == "/sparql":
            name, media_type = PAGE_FILES.get(url.path, PAGE_FILES["/"])
            self._send(Reply(HTTPStatus.OK, media_type, (WEB_DIR / name).read_bytes()))
        elif url.path == "/queries.json":
            self._send(Reply(HTTPStatus.OK, "application/json", saved_queries_json()))
        else:
            self._send(Reply.text(HTTPStatus.NOT_FOUND, f"nothing at {url.path}; the endpoint is /sparql"))

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        if url.path != "/sparql":
            self._send(Reply.text(HTTPStatus.NOT_FOUND, f"nothing at {url.path}; the endpoint is /sparql"))
            return
        fields = parse_qs(url.query)
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8", "replace")
        if content_type == "application/sparql-update":
            self._send(refuse_update())
        elif content_type == "application/sparql-query":
            self._send(self._answer_fields({**fields, "query": [body]}))
        elif content_type == "application/x-www-form-urlencoded":
            self._send(self._answer_fields({**fields, **parse_qs(body)}))
        else:
            self._send(Reply.text(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                                  "POST a query as application/sparql-query or application/x-www-form-urlencoded"))

    def do_PUT(self) -> None:  # noqa: N802 - the graph store protocol's writes are refused too
        self._send(refuse_update())

    do_DELETE = do_PATCH = do_PUT

    def _answer_fields(self, fields: dict[str, list[str]]) -> Reply:
        if "update" in fields:
            return refuse_update()
        queries = fields.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            return Reply.text(HTTPStatus.BAD_REQUEST, "give exactly one non-empty `query`")
        accept = self.headers.get("Accept", "")
        requested = (fields.get("format") or fields.get("output") or [""])[0].lower()
        if requested in FORMAT_NAMES and (not accept or accept.strip() == "*/*"):
            accept = FORMAT_NAMES[requested]
        return self.endpoint.answer(queries[0], accept, default_graphs=fields.get("default-graph-uri", []),
                                    named_graphs=fields.get("named-graph-uri", []))

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's name
        if not self.quiet:
            super().log_message(format, *args)


def make_server(build_dir: str | Path, host: str = "127.0.0.1", port: int = 7878, *,
                quiet: bool = False) -> ThreadingHTTPServer:
    """An HTTP server answering SPARQL on the graph of `build_dir` (call `serve_forever()`).

    Raises:
        StoreError: there is no store in `build_dir`.
    """
    endpoint = SparqlEndpoint(build_dir)
    handler = type("BoundSparqlRequestHandler", (SparqlRequestHandler,), {"endpoint": endpoint, "quiet": quiet})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
