"""A remote store: any SPARQL 1.1 server with the Graph Store Protocol (`kg build --store URL`).

The graph goes to the server as one named graph per document (plus the shared actors and
ontology graphs), each sent with an HTTP `PUT` of N-Triples. What was sent is remembered
beside the extraction cache (a digest per graph and server), so a rebuild sends only the
graphs whose content changed and `DELETE`s the graphs of documents no longer there.
Reading goes through the server's SPARQL query endpoint (`remote_query`: `kg.open_graph(URL)`
and every command given the URL instead of a build folder); the server must answer queries
over the union of its graphs (Oxigraph: `serve --union-default-graph`; Fuseki:
`unionDefaultGraph`; GraphDB does by default).

URLs: an Oxigraph server's base (`http://host:7878`, meaning `/store` and `/query`), or a
Graph Store endpoint: Fuseki's `http://host:3030/ds/data`, GraphDB's
`http://host:7200/repositories/REPO/rdf-graphs/service`.
"""
from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from kg.errors import QueryError, StoreError
from kg.namespace import ID
from kg.rdf import OxTerm, Quad
from kg.store import rdflib_to_ox

TIMEOUT_S = 60
#: What `remote_query` accepts: SPARQL JSON for SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE.
RESULTS_JSON = "application/sparql-results+json"
RESULTS_GRAPH = "application/n-triples"


def is_url(location: object) -> bool:
    """Whether a store location is a server's URL rather than a folder.

    Examples:
        >>> is_url("http://127.0.0.1:7878"), is_url("build/")
        (True, False)
    """
    return str(location).startswith(("http://", "https://"))


@dataclass(frozen=True)
class Endpoints:
    """A server's Graph Store Protocol and SPARQL query endpoints."""

    store: str
    query: str

    @classmethod
    def of(cls, url: str) -> Endpoints:
        """The endpoints a `--store` URL names.

        Examples:
            >>> Endpoints.of("http://h:7878/")
            Endpoints(store='http://h:7878/store', query='http://h:7878/query')
            >>> Endpoints.of("http://h:3030/ds/data").query
            'http://h:3030/ds/query'
            >>> Endpoints.of("http://h:7200/repositories/kg/rdf-graphs/service").query
            'http://h:7200/repositories/kg'
        """
        url = url.rstrip("/")
        if url.endswith("/rdf-graphs/service"):
            return cls(url, url[: -len("/rdf-graphs/service")])
        for suffix in ("/store", "/data"):
            if url.endswith(suffix):
                return cls(url, url[: -len(suffix)] + "/query")
        return cls(f"{url}/store", f"{url}/query")


def push_graphs(quads: Iterable[Quad | tuple[OxTerm, ...]], url: str, state_dir: Path | None = None) -> dict[str, int]:
    """Send the graph to the server at `url`, one named graph per document.

    Args:
        quads: the graph's quads, of rdflib or Oxigraph terms.
        url: the server (see the module's doc for the URL forms).
        state_dir: where to remember what was sent (None: send every graph).

    Returns:
        Counts: graphs "sent", "unchanged" and "deleted".

    Raises:
        StoreError: the server cannot be reached or refuses a request.
    """
    endpoints = Endpoints.of(url)
    bodies = _graph_bodies(quads)
    state_file = state_dir / f"remote-{hashlib.sha256(endpoints.store.encode()).hexdigest()[:16]}.json" \
        if state_dir is not None else None
    sent_before = _read_state(state_file)
    digests = {g: hashlib.sha256(body).hexdigest() for g, body in bodies.items()}
    counts = {"sent": 0, "unchanged": 0, "deleted": 0}
    on_server = set(_server_graphs(endpoints))
    for graph in sorted(on_server | set(sent_before)):
        if graph not in bodies and graph.startswith(str(ID)):
            _request("DELETE", endpoints.store, graph, missing_ok=True)
            counts["deleted"] += 1
    for graph, body in sorted(bodies.items()):
        # sent before, and still there: a server emptied or a graph dropped since gets it again
        if sent_before.get(graph) == digests[graph] and graph in on_server:
            counts["unchanged"] += 1
            continue
        _request("PUT", endpoints.store, graph, body)
        counts["sent"] += 1
    _write_state(state_file, digests)
    return counts


def put_graphs(url: str, quads: Iterable[Quad | tuple[OxTerm, ...]], graphs: Iterable[str]) -> None:
    """Make the named `graphs` (IRIs) on the server at `url` hold the `quads` given for them
    (of rdflib's or Oxigraph's terms; none: the graph is emptied), leaving its other graphs
    as they are.

    Raises:
        StoreError: the server cannot be reached or refuses a request.
    """
    store = Endpoints.of(url).store
    bodies = _graph_bodies(quads)
    for graph in sorted(graphs):
        _request("PUT", store, graph, bodies.get(graph, b""))


def _graph_bodies(quads: Iterable[Quad | tuple[OxTerm, ...]]) -> dict[str, bytes]:
    """Each named graph's distinct triples as N-Triples, sorted (the same graph, the same bytes)."""
    graphs: dict[str, set[str]] = defaultdict(set)
    text = _NTriplesTerms()
    for s, p, o, g in quads:
        graphs[text.iri(g)].add(f"{text(s)} {text(p)} {text(o)} .\n")
    return {g: "".join(sorted(lines)).encode("utf-8") for g, lines in graphs.items()}


class _NTriplesTerms:
    """Terms written as N-Triples, each distinct term once (rdflib's through Oxigraph's)."""

    def __init__(self):
        self._text: dict[OxTerm, str] = {}
        self._to_ox = rdflib_to_ox()

    def __call__(self, term) -> str:
        if not isinstance(term, (ox.NamedNode, ox.Literal)):
            term = self._to_ox(term)
        written = self._text.get(term)
        if written is None:
            written = self._text[term] = str(term)
        return written

    def iri(self, term) -> str:
        return term.value if isinstance(term, ox.NamedNode) else str(term)


def remote_query(url: str, sparql: str, *, default_graphs: Iterable[str] = (),
                 named_graphs: Iterable[str] = ()) -> tuple[str, bytes]:
    """Run a query on the SPARQL endpoint of the server at `url` (SPARQL 1.1 Protocol, POST).

    Returns:
        The answer's media type (`RESULTS_JSON` or `RESULTS_GRAPH`) and body.

    Raises:
        QueryError: the server finds the query malformed (its message is given).
        StoreError: the server cannot be reached or fails otherwise.
    """
    endpoint = Endpoints.of(url).query
    fields = [("query", sparql), *(("default-graph-uri", g) for g in default_graphs),
              *(("named-graph-uri", g) for g in named_graphs)]
    request = urllib.request.Request(endpoint, data=urllib.parse.urlencode(fields).encode("utf-8"), headers={
        "Accept": f"{RESULTS_JSON}, {RESULTS_GRAPH};q=0.9",
        "Content-Type": "application/x-www-form-urlencoded"})
    try:
        media_type, body = _open(request, endpoint)
    except _Refused as err:
        if err.code == 400:
            raise QueryError(f"malformed query: {err.said or err.reason}") from err
        raise StoreError(f"{endpoint}: the server refused the query ({err.code} {err.reason}"
                         f"{': ' + err.said if err.said else ''})") from err
    if media_type not in {RESULTS_JSON, "application/json", RESULTS_GRAPH, "text/plain"}:
        raise StoreError(f"{endpoint}: the server answered in {media_type}, not SPARQL JSON results or N-Triples")
    return (RESULTS_GRAPH if media_type in {RESULTS_GRAPH, "text/plain"} else RESULTS_JSON), body


def remote_dataset(url: str) -> Dataset:
    """The graph on the server at `url`, read through its SPARQL endpoint (read-only)."""
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(Endpoints.of(url).query, returnFormat="json", timeout=TIMEOUT_S)
    return Dataset(store=store, default_union=True)


def _server_graphs(endpoints: Endpoints) -> list[str]:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    request = urllib.request.Request(
        f"{endpoints.query}?{urllib.parse.urlencode({'query': query})}",
        headers={"Accept": "application/sparql-results+json"})
    rows = json.loads(_open(request, endpoints.query)[1])["results"]["bindings"]
    return [row["g"]["value"] for row in rows]


def _request(method: str, store: str, graph: str, body: bytes | None = None, *, missing_ok: bool = False) -> None:
    request = urllib.request.Request(f"{store}?{urllib.parse.urlencode({'graph': graph})}", data=body,
                                     method=method, headers={"Content-Type": "application/n-triples"})
    try:
        _open(request, store)
    except _Refused as err:
        if not (missing_ok and err.code == 404):
            raise


class _Refused(StoreError):
    """The server answered a request with an HTTP error: its status, and its own words
    (a plain-text or JSON body, whitespace folded; not a web page's markup)."""

    def __init__(self, url: str, request: urllib.request.Request, err: urllib.error.HTTPError):
        self.code, self.reason = err.code, err.reason
        html = err.headers is not None and err.headers.get_content_type() == "text/html"
        self.said = "" if html else " ".join(err.read().decode("utf-8", "replace").split())[:500]
        super().__init__(f"{url}: the server refused {request.get_method()} ({err.code} {err.reason})")


def _open(request: urllib.request.Request, url: str) -> tuple[str, bytes]:
    """The media type and body of the server's answer to `request`.

    Raises:
        _Refused: the server answered with an HTTP error.
        StoreError: the server cannot be reached.
    """
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as err:
        raise _Refused(url, request, err) from err
    except (urllib.error.URLError, OSError) as err:
        raise StoreError(f"{url}: cannot reach the graph server ({getattr(err, 'reason', err)})") from err


def _read_state(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_state(path: Path | None, digests: dict[str, str]) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_text(json.dumps(digests, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)
