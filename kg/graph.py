"""`KnowledgeGraph`: a built graph, its summary, and the ways to read it."""
from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDFS, SKOS, XSD
from rdflib.query import Result, ResultRow
from rdflib.term import Variable

from kg.errors import QueryError, StoreError
from kg.namespace import CCKG, ID, SCHEMA, WIKIDATA
from kg.publish import recover_if_idle
from kg.rdf import Quad
from kg.store import STORE_DIR, open_dataset, oxigraph_store

#: Serialization formats of `kg build --format` and their file suffixes.
EXPORT_FORMATS = {"ttl": "turtle", "nt": "nt", "trig": "trig", "jsonld": "json-ld"}
PREFIXES = {prefix: str(namespace) for prefix, namespace in {
    "cckg": CCKG._NS, "id": ID, "prov": PROV, "schema": SCHEMA, "skos": SKOS,
    "dcterms": DCTERMS, "owl": OWL, "rdfs": RDFS, "xsd": XSD, "wd": WIKIDATA}.items()}
SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


@dataclass
class BuildSummary:
    """What a build made: the numbers `kg build` prints."""

    documents: int = 0
    sentences: int = 0
    actors_by_kind: dict[str, int] = field(default_factory=dict)
    aid_flows: int = 0
    commercial_flows: int = 0
    interactions: int = 0
    positions: int = 0
    triples: int = 0
    seconds: float = 0.0
    extracted: int = 0  # documents extracted by this build (the others came from the cache)
    rejected: list[str] = field(default_factory=list)  # "path: problem" of each file left out
    copies: list[str] = field(default_factory=list)  # files whose text another file had already


class KnowledgeGraph:
    """A built knowledge graph, backed by an Oxigraph store and read through rdflib.

    Examples:
        >>> from kg.store import memory_dataset
        >>> graph = KnowledgeGraph(memory_dataset([]))
        >>> len(graph)
        0
    """

    def __init__(self, dataset: Dataset, *, path: Path | None = None, summary: BuildSummary | None = None,
                 url: str | None = None):
        self.dataset = dataset
        self.path = path
        self.summary = summary
        self.url = url  # a SPARQL server's (`kg.remote`): queries go to its endpoint
        for prefix, namespace in PREFIXES.items():
            dataset.bind(prefix, namespace)

    @classmethod
    def open(cls, build_dir: str | Path, *, in_memory: bool = False) -> KnowledgeGraph:
        """Open the graph that `kg build` wrote into `build_dir` (`in_memory`: a copy of it
        in memory, for many queries over a large graph; see `kg.store.open_dataset`), or
        the graph on the SPARQL server whose URL `build_dir` is (`kg build --store URL`).

        Raises:
            StoreError: there is no store in `build_dir`, or no server answers at its URL;
                `in_memory` asked of a server.
        """
        from kg.remote import is_url, remote_dataset, remote_query

        if is_url(build_dir):
            if in_memory:
                raise StoreError(f"{build_dir}: a copy in memory is made of a build folder's store, not a server's")
            remote_query(str(build_dir), "ASK {}")  # fail now, as for a folder without a store, not at first use
            return cls(remote_dataset(str(build_dir)), url=str(build_dir))
        build_dir = Path(build_dir)
        recover_if_idle(build_dir)
        return cls(open_dataset(build_dir / STORE_DIR, in_memory=in_memory), path=build_dir)

    def __len__(self) -> int:
        return len(self.dataset)

    def query(self, sparql: str, bindings: Mapping[str, object] | None = None) -> Result:
        """Run a SPARQL query; `bindings` bind variables to values safely (no string pasting).

        Values are turned into RDF terms and serialized by rdflib into a trailing
        `VALUES` clause, so no value can change the query's structure. The cckg, prov,
        schema, skos, dcterms, owl, rdfs, xsd and wd prefixes are predeclared.

        Raises:
            QueryError: the query is malformed.
        """
        if bindings:
            names = list(bindings)
            if any(not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n) for n in names):
                raise QueryError(f"bad variable name among {names}")
            terms = [v if isinstance(v, (URIRef, Literal)) else Literal(v) for v in bindings.values()]
            sparql = (f"{sparql}\nVALUES ({' '.join('?' + n for n in names)}) "
                      f"{{ ({' '.join(t.n3() for t in terms)}) }}")
        try:
            if self.url is not None:
                return _remote_result(self.url, sparql)
            inner = oxigraph_store(self.dataset)
            if inner is not None and getattr(self.dataset, "default_union", False):
                return _select_on(inner, sparql, {**dict(self.dataset.namespaces()), **PREFIXES})
            return self.dataset.query(sparql, initNs=PREFIXES)
        except (SyntaxError, ValueError, RuntimeError) as err:
            raise QueryError(f"malformed query: {' '.join(str(err).split())}") from err

    def triples(self) -> Iterable[tuple]:
        """Every triple of the union of all named graphs."""
        if self.url is not None:  # one CONSTRUCT, not rdflib's SPARQLStore (which hides why a request failed)
            return _remote_result(self.url, "CONSTRUCT WHERE { ?s ?p ?o }").graph.triples((None, None, None))
        return self.dataset.triples((None, None, None))


def _remote_result(url: str, sparql: str) -> Result:
    """Run `sparql` on the server at `url`, as an rdflib Result.

    The cckg prefixes that the query uses without declaring are declared before it, on its
    first line, so that the server's messages still give the query's own line numbers.
    """
    from kg.remote import RESULTS_GRAPH, remote_query

    declared = set(re.findall(r"(?i)\bPREFIX\s+([\w-]*):", sparql))
    prologue = "".join(f"PREFIX {prefix}: <{namespace}> " for prefix, namespace in PREFIXES.items()
                       if prefix not in declared and re.search(rf"(?<![\w-]){re.escape(prefix)}:", sparql))
    media_type, body = remote_query(url, prologue + sparql)
    if media_type == RESULTS_GRAPH:
        result = Result("CONSTRUCT")
        result.graph = Graph().parse(data=body.decode("utf-8"), format="nt")
        return result
    return Result.parse(io.BytesIO(body), format="json")


def _select_on(store, sparql: str, prefixes: Mapping[str, str]) -> Result:
    """Run `sparql` on an Oxigraph store, its default graph the union of all graphs.

    A SELECT's rows come as rdflib terms converted as they are read, each distinct term
    once per query (labels and IRIs repeat from row to row): converting every term anew, as
    oxrdflib does, costs more than the query itself on large results.
    """
    from oxrdflib._converter import from_ox

    answer = store.query(sparql, use_default_graph_as_union=True, prefixes=dict(prefixes))
    if isinstance(answer, ox.QueryBoolean):
        result = Result("ASK")
        result.askAnswer = bool(answer)
        return result
    if isinstance(answer, ox.QueryTriples):
        result = Result("CONSTRUCT")
        result.graph = Graph()
        result.graph += (from_ox(triple) for triple in answer)
        return result
    terms: dict = {None: None}
    known = terms.get

    def term(value):
        converted = known(value)
        if converted is None and value is not None:
            converted = terms[value] = from_ox(value)
        return converted

    return SelectRows([Variable(v.value) for v in answer.variables],
                      (tuple(map(term, solution)) for solution in answer))


class SelectRows(Result):
    """A SELECT's answer whose rows are read as tuples of rdflib terms, in the order of `vars`.

    It is an rdflib `Result`: iterating gives `ResultRow`s and `bindings` the rows as dicts,
    each made only when asked for (a `ResultRow` is made straight from its tuple, its labels
    shared by all rows, instead of from a dict per row as rdflib does).
    """

    def __init__(self, variables: list[Variable], rows: Iterable[tuple]):
        super().__init__("SELECT")
        self.vars = variables
        self._labels = {str(v): n for n, v in enumerate(variables)}
        self._pending: Iterable[tuple] | None = iter(rows)
        self._rows: list[tuple] = []
        self._dicts: list[dict] | None = None

    def _read(self) -> Iterable[tuple]:
        """The rows, read from the source (and kept) as they are asked for: an iteration
        left half-way leaves the others every row."""
        if self._pending is None:
            yield from self._rows
            return
        n = 0
        while True:
            if n < len(self._rows):
                yield self._rows[n]
                n += 1
                continue
            if self._pending is None:
                return
            row = next(self._pending, None)
            if row is None:
                self._pending = None
                return
            self._rows.append(row)

    def _all(self) -> list[tuple]:
        for _ in self._read():
            pass
        return self._rows

    @property
    def bindings(self) -> list[dict]:
        if self._dicts is None:
            names = self.vars
            self._dicts = [dict(zip(names, row)) for row in self._all()]
        return self._dicts

    @bindings.setter
    def bindings(self, rows) -> None:
        self._dicts = list(rows)
        self._rows = [tuple(row.get(v) for v in self.vars) for row in self._dicts]
        self._pending = None

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self):
        if not self.vars:  # rdflib gives no row for an empty binding
            return
        labels, new = self._labels, tuple.__new__
        for values in self._read():
            row = new(ResultRow, values)
            row.labels = labels
            yield row


def write_exports(quads: list[Quad], out_dir: Path, formats: Iterable[str]) -> list[Path]:
    """Write the graph as files (`kg.ttl`, `kg.nt`, `kg.trig`, `kg.jsonld`), each atomically."""
    written = []
    for fmt in formats:
        target = out_dir / f"kg.{fmt}"
        temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        temporary.write_text(serialize(quads, fmt), encoding="utf-8")
        os.replace(temporary, target)
        written.append(target)
    return written


def serialize(quads: list[Quad], fmt: str) -> str:
    """The quads in one of `EXPORT_FORMATS`; N-Triples come sorted, one line per triple."""
    if fmt == "nt":
        return sorted_ntriples(quads)
    if fmt == "trig":
        dataset = Dataset()
        _bind(dataset)
        for s, p, o, g in quads:
            dataset.graph(g).add((s, p, o))
        return dataset.serialize(format="trig")
    graph = Graph()
    _bind(graph)
    for s, p, o, _ in quads:
        graph.add((s, p, o))
    if fmt == "jsonld":
        return graph.serialize(format="json-ld", context={p: str(n) for p, n in PREFIXES.items()}, sort_keys=True)
    return graph.serialize(format=EXPORT_FORMATS[fmt])


def sorted_ntriples(quads: Iterable[Quad]) -> str:
    """The distinct triples of `quads` as sorted N-Triples: equal graphs give equal bytes."""
    lines = {f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o, _ in quads}
    return "".join(sorted(lines))


def _bind(graph: Graph) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
