"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint over a built store (or a SPARQL server), and a query page.

Routes:

* `GET /sparql?query=...`, `POST /sparql` (form field `query`, or a body of type
  `application/sparql-query`): answers queries. SELECT and ASK results come as SPARQL JSON,
  XML, CSV or TSV, CONSTRUCT and DESCRIBE graphs as Turtle, N-Triples, RDF/XML or JSON-LD,
  chosen by the `Accept` header (or a `format` parameter). The default graph is the union of
  all named graphs unless `default-graph-uri` says otherwise.
* Updates (`application/sparql-update`, an `update` field, or a query that is an update, LOAD
  included) and Graph Store Protocol writes (PUT, DELETE, PATCH, or a POST of RDF) get 403:
  the endpoint is read-only. A malformed query gets 400 with the parser's message.
* Each query has a time limit (503 when it runs past it; the query is stopped) and a limit on
  the rows (or triples) of its answer (422 when the answer would be longer; never cut short).
* `GET /` is the query page (`kg/web/`, no internet needed); `GET /queries.json` lists the
  saved queries that the page offers as examples.

Nothing else is served: no path is ever mapped onto a file, so no file outside the query
page can be read through the server. The store is opened read-only with pyoxigraph (or
copied into memory, `--in-memory`), in worker processes (see `QueryWorkers`), and opened
again when `kg build` swaps in a new one. Given a SPARQL server's URL instead of a build
folder, the workers send each query there and check and write its answer as their own.
"""
from __future__ import annotations

import itertools
import json
import multiprocessing
import multiprocessing.connection
import multiprocessing.process
import os
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from kg.errors import QueryError, StoreError
from kg.graph import PREFIXES
from kg.remote import RESULTS_GRAPH, is_url, remote_query
from kg.saved_queries import saved_queries
from kg.store import STORE_DIR, memory_copy

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
#: Media types of a Graph Store Protocol write (a POST of RDF), refused like every other write.
RDF_MEDIA_TYPES = (set(GRAPH_FORMATS) - {"text/plain"}) | {"application/trig", "application/n-quads", "text/x-nquads"}
#: The limits `kg serve` puts on each query unless told otherwise.
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ROWS = 100_000
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
    """Answers SPARQL queries on the store of a build folder, read-only, or on the SPARQL
    server whose URL `build_dir` is (`kg build --store URL`): the query is sent there, and
    its answer checked and written here as a local one is.

    Examples:
        >>> pick_media_type("text/csv;q=0.5, application/sparql-results+json", RESULT_FORMATS)
        'application/sparql-results+json'
    """

    def __init__(self, build_dir: str | Path, *, max_rows: int | None = None, in_memory: bool = False):
        self.url = str(build_dir) if is_url(build_dir) else None
        self.store_path = None if self.url else Path(build_dir) / STORE_DIR
        self.max_rows = max_rows
        self.in_memory = in_memory
        self._lock = threading.Lock()
        self._store: ox.Store | None = None
        self._store_id: tuple[int, int] | None = None
        # fail now, not at the first request, where there is no store or no server
        if self.url:
            remote_query(self.url, "ASK {}")
        else:
            self.store()

    def store(self) -> ox.Store:
        """The store (`in_memory`: a copy of it in memory), opened (and copied) again where
        `kg build` has swapped in a new one since."""
        try:
            info = os.stat(self.store_path)
        except OSError as err:
            raise StoreError(f"{self.store_path}: no graph store here (run `kg build` first)") from err
        with self._lock:
            if self._store is None or self._store_id != (info.st_dev, info.st_ino):
                try:
                    self._store = ox.Store.read_only(str(self.store_path))
                    if self.in_memory:
                        self._store = memory_copy(self._store)
                except OSError as err:
                    raise StoreError(f"{self.store_path}: cannot open the graph store ({err})") from err
                self._store_id = (info.st_dev, info.st_ino)
            return self._store

    def answer(self, query: str, accept: str = "", *, default_graphs: list[str] = (),
               named_graphs: list[str] = ()) -> Reply:
        """Run `query` and serialize its results in the best format `accept` allows.

        An answer of more than `max_rows` rows (or triples) is an error, not a cut-short answer.
        """
        if self.url:
            return self._answer_remote(query, accept, default_graphs, named_graphs)
        graphs = {"default_graph": [ox.NamedNode(g) for g in default_graphs]} if default_graphs else \
            {"use_default_graph_as_union": True}
        if named_graphs:
            graphs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            results = self.store().query(query, **graphs)
        except StoreError as err:
            return Reply.text(HTTPStatus.SERVICE_UNAVAILABLE, str(err))
        except SyntaxError as err:
            if looks_like_update(query):
                return refuse_update()
            return Reply.text(HTTPStatus.BAD_REQUEST, f"malformed query: {err}")
        except ValueError as err:  # e.g. a bad IRI in default-graph-uri
            return Reply.text(HTTPStatus.BAD_REQUEST, f"bad request: {err}")
        return self._serialize(results, accept)

    def _answer_remote(self, query: str, accept: str, default_graphs: list[str], named_graphs: list[str]) -> Reply:
        if looks_like_update(query):  # the server's query endpoint would refuse it too, less plainly
            return refuse_update()
        try:
            media_type, body = remote_query(self.url, query, default_graphs=default_graphs, named_graphs=named_graphs)
            results = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES)) if media_type == RESULTS_GRAPH else \
                ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except QueryError as err:
            return Reply.text(HTTPStatus.BAD_REQUEST, str(err))
        except StoreError as err:
            return Reply.text(HTTPStatus.BAD_GATEWAY, str(err))
        except (SyntaxError, ValueError) as err:
            return Reply.text(HTTPStatus.BAD_GATEWAY, f"{self.url}: the server's answer cannot be read ({err})")
        return self._serialize(results, accept)

    def _serialize(self, results, accept: str) -> Reply:
        # a graph: a CONSTRUCT's or DESCRIBE's triples (pyoxigraph's, or a server's, parsed)
        graph = not isinstance(results, (ox.QuerySolutions, ox.QueryBoolean))
        formats = GRAPH_FORMATS if graph else RESULT_FORMATS
        media_type = pick_media_type(accept, formats)
        if media_type is None:
            return Reply.text(HTTPStatus.NOT_ACCEPTABLE, f"cannot answer in {accept!r}; "
                              f"can answer in {', '.join(formats)}")
        if isinstance(results, ox.QueryBoolean) or self.max_rows is None:
            body = ox.serialize(results, format=formats[media_type], prefixes=GRAPH_PREFIXES) \
                if formats is GRAPH_FORMATS else results.serialize(format=formats[media_type])
        else:
            variables = None if formats is GRAPH_FORMATS else results.variables
            rows = list(itertools.islice(results, self.max_rows + 1))
            if len(rows) > self.max_rows:
                return Reply.text(HTTPStatus.UNPROCESSABLE_ENTITY, (
                    f"the answer has more than {self.max_rows:,} {'triples' if variables is None else 'rows'}, "
                    "the limit of this endpoint (kg serve --max-rows); add a LIMIT, or ask for less"))
            body = ox.serialize(rows, format=formats[media_type], prefixes=GRAPH_PREFIXES) \
                if variables is None else _serialize_solutions(variables, rows, formats[media_type])
        charset = "; charset=utf-8" if media_type.startswith("text/") else ""
        return Reply(HTTPStatus.OK, media_type + charset, body)


def _serialize_solutions(variables: list[ox.Variable], rows: list[ox.QuerySolution],
                         result_format: ox.QueryResultsFormat) -> bytes:
    """SELECT results already read (pyoxigraph serializes only an unread iterator): written
    as SPARQL JSON here, and turned into another format by pyoxigraph."""
    names = [variable.value for variable in variables]
    bindings = [{name: _term_json(row[name]) for name in names if row[name] is not None} for row in rows]
    body = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}, ensure_ascii=False).encode("utf-8")
    if result_format == ox.QueryResultsFormat.JSON:
        return body
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=result_format)


def _term_json(term) -> dict:
    """One RDF term as SPARQL 1.1 JSON results write it."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _term_json(term.subject),
                                            "predicate": _term_json(term.predicate),
                                            "object": _term_json(term.object)}}
    literal = {"type": "literal", "value": term.value}
    if term.language:
        literal["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        literal["datatype"] = term.datatype.value
    return literal


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


class QueryWorkers:
    """Answers queries in worker processes, each within a time limit.

    pyoxigraph cannot cancel a query, and a Python thread cannot be stopped: a query that
    sorts, groups or counts a cross product computes in its first step, for hours, and a
    thread left with it would hold a core long after its answer was given up. A process can
    be killed. So each query runs in a worker process (which keeps the store open between
    queries, so a query pays no start-up); the request's thread waits for the answer until
    the deadline, and past it kills the worker and answers 503. The next query that finds
    no idle worker starts one (forked from a `forkserver` that has `kg.server` imported, so
    that takes milliseconds). At most `size` queries run at once; a request that finds them
    all busy waits, within its own time limit.

    Args:
        build_dir: the folder written by `kg build` (or a SPARQL server's URL).
        timeout: seconds each query may run.
        max_rows: the most rows (or triples) an answer may have; `None`: no limit.
        size: the most queries run at once.
        in_memory: each worker answers from a copy of the store in memory, made when it
            starts (and again after a rebuild): queries that read much of a large graph run
            several times faster, for that copy's time and memory in every worker.

    Raises:
        StoreError: there is no store in `build_dir`.
    """

    def __init__(self, build_dir: str | Path, *, timeout: float = DEFAULT_TIMEOUT,
                 max_rows: int | None = DEFAULT_MAX_ROWS, size: int = 4, in_memory: bool = False):
        if in_memory and is_url(build_dir):
            raise StoreError(f"{build_dir}: a copy in memory is made of a build folder's store, not a server's")
        SparqlEndpoint(build_dir)  # fail now, not at the first request, where there is no store
        self.build_dir, self.timeout, self.max_rows, self.size = str(build_dir), timeout, max_rows, size
        self.in_memory = in_memory
        methods = multiprocessing.get_all_start_methods()
        self._context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            self._context.set_forkserver_preload(["kg.server"])
        # never written to: a worker reads end-of-file from it once this process is gone
        self._lifeline, self._lifeline_end = self._context.Pipe(duplex=False)
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._running: set[_Worker] = set()

    def answer(self, query: str, accept: str = "", *, default_graphs: list[str] = (),
               named_graphs: list[str] = ()) -> Reply:
        """`SparqlEndpoint.answer`, in a worker process, stopped at the time limit."""
        if not self._slots.acquire(timeout=self.timeout):
            return Reply.text(HTTPStatus.SERVICE_UNAVAILABLE, f"busy: {self.size} queries are running "
                              f"and none ended within {self.timeout:g} s; try again later")
        try:
            worker = self._take()
            if isinstance(worker, Reply):
                return worker
            return self._ask(worker, (query, accept, list(default_graphs), list(named_graphs)))
        finally:
            self._slots.release()

    def start(self) -> None:
        """Start a worker now, so that the first query does not wait for one."""
        worker = self._take()
        if isinstance(worker, _Worker):
            self._give_back(worker)

    def close(self) -> None:
        """Stop every worker, running or idle."""
        with self._lock:
            workers, self._idle, self._running = [*self._idle, *self._running], [], set()
        for worker in workers:
            worker.stop()
        self._lifeline_end.close()

    def _ask(self, worker: _Worker, request: tuple) -> Reply:
        deadline = time.monotonic() + self.timeout
        try:
            worker.connection.send(request)
            if worker.connection.poll(max(0.0, deadline - time.monotonic())):
                reply = worker.connection.recv()
                self._give_back(worker)
                return reply
        except (EOFError, OSError):
            self._discard(worker)
            return Reply.text(HTTPStatus.INTERNAL_SERVER_ERROR, "the query's worker process died; try again")
        self._discard(worker)
        return Reply.text(HTTPStatus.SERVICE_UNAVAILABLE, (
            f"the query ran longer than {self.timeout:g} s, the time limit of this endpoint "
            "(kg serve --timeout), and was stopped; narrow it down or add a LIMIT"))

    def _take(self) -> _Worker | Reply:
        with self._lock:
            worker = self._idle.pop() if self._idle else None
            if worker is not None:
                self._running.add(worker)
                return worker
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve_queries, args=(child, self._lifeline, self.build_dir,
                                                                     self.max_rows, self.in_memory),
                                        name="kg-serve-query", daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._running.add(worker)
        try:
            ready = parent.recv() if parent.poll(_MEMORY_WORKER_START_SECONDS if self.in_memory
                                                 else _WORKER_START_SECONDS) else \
                Reply.text(HTTPStatus.SERVICE_UNAVAILABLE, "a query worker did not start in time; try again")
        except (EOFError, OSError):
            ready = Reply.text(HTTPStatus.INTERNAL_SERVER_ERROR, "a query worker could not start")
        if isinstance(ready, Reply):
            self._discard(worker)
            return ready
        return worker

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            self._running.discard(worker)
            self._idle.append(worker)

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._running.discard(worker)
        worker.stop()


#: Seconds a new worker process may take to open the store.
_WORKER_START_SECONDS = 60
#: The same for a worker that copies the store into memory (some 9 s per million triples).
_MEMORY_WORKER_START_SECONDS = 600


@dataclass(frozen=True, eq=False)
class _Worker:
    """A worker process of `QueryWorkers` and the parent's end of its pipe."""

    process: multiprocessing.process.BaseProcess
    connection: multiprocessing.connection.Connection

    def stop(self) -> None:
        self.process.kill()
        self.process.join(10)
        self.connection.close()


def _serve_queries(connection, lifeline, build_dir: str, max_rows: int | None, in_memory: bool = False) -> None:
    """A worker process: answer each request of the pipe until the server closes it or goes away.

    It first sends `None` when the store is open (or the `Reply` saying why it is not).
    """
    _exit_when_orphaned(lifeline)
    try:
        endpoint = SparqlEndpoint(build_dir, max_rows=max_rows, in_memory=in_memory)
    except StoreError as err:
        connection.send(Reply.text(HTTPStatus.SERVICE_UNAVAILABLE, str(err)))
        return
    connection.send(None)
    while True:
        try:
            query, accept, default_graphs, named_graphs = connection.recv()
        except (EOFError, OSError):
            return
        try:
            reply = endpoint.answer(query, accept, default_graphs=default_graphs, named_graphs=named_graphs)
        except Exception as err:  # noqa: BLE001 - the worker must live on to answer the next query
            reply = Reply.text(HTTPStatus.INTERNAL_SERVER_ERROR, f"the query failed: {err}")
        connection.send(reply)


def _exit_when_orphaned(lifeline) -> None:
    """Exit the worker, mid-query too, when the server is gone (killed with no chance to stop
    its workers): a thread waits for the end of the server's lifeline pipe (pyoxigraph lets
    it run while it computes). Not the parent's process id: the parent of a worker is the
    forkserver, which lives as long as its children."""

    def watch() -> None:
        try:
            lifeline.recv()
        except (EOFError, OSError):
            pass
        os._exit(0)

    threading.Thread(target=watch, name="kg-serve-orphan-watch", daemon=True).start()


class SparqlRequestHandler(BaseHTTPRequestHandler):
    """Turns HTTP requests into calls of the server's `SparqlEndpoint`."""

    server_version = "cckg-sparql/0.1"
    endpoint: QueryWorkers  # set on the class made by `make_server`
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
        params = parse_qs(url.query, keep_blank_values=True)
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type in RDF_MEDIA_TYPES or "graph" in params or "default" in params:
            self.do_PUT()  # a Graph Store Protocol write, wherever it is sent
            return
        if url.path != "/sparql":
            self._send(Reply.text(HTTPStatus.NOT_FOUND, f"nothing at {url.path}; the endpoint is /sparql"))
            return
        fields = parse_qs(url.query)
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
        self.rfile.read(min(int(self.headers.get("Content-Length") or 0), 1 << 20))  # so the client reads the 403
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


class SparqlServer(ThreadingHTTPServer):
    """The HTTP server of `make_server`: starts a query worker before it serves, stops them all when closed."""

    daemon_threads = True
    queries: QueryWorkers

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self.queries.start()
        super().serve_forever(poll_interval)

    def server_close(self) -> None:
        super().server_close()
        self.queries.close()


def make_server(build_dir: str | Path, host: str = "127.0.0.1", port: int = 7878, *, quiet: bool = False,
                timeout: float = DEFAULT_TIMEOUT, max_rows: int | None = DEFAULT_MAX_ROWS,
                in_memory: bool = False) -> SparqlServer:
    """An HTTP server answering SPARQL on the graph of `build_dir` (call `serve_forever()`).

    It listens on this machine only (127.0.0.1) unless `host` says otherwise. Each query may
    run `timeout` seconds and answer `max_rows` rows (or triples), from a copy of the store
    in memory with `in_memory`; see `QueryWorkers`.

    Raises:
        StoreError: there is no store in `build_dir`.
    """
    queries = QueryWorkers(build_dir, timeout=timeout, max_rows=max_rows, in_memory=in_memory)
    handler = type("BoundSparqlRequestHandler", (SparqlRequestHandler,), {"endpoint": queries, "quiet": quiet})
    server = SparqlServer((host, port), handler)
    server.queries = queries
    return server
