"""Saved queries: the analysts' questions of `ontology/queries/*.rq`, run with bound parameters.

Each saved query is a plain SPARQL file that any SPARQL client can run. Its leading comment
says what it asks and declares its parameters, one line each::

    # All aid a given country received: who gave what, how much, when, and where each fact was read.
    # param: country (actor, default "Pakistan") the recipient: a name, another name or ISO3 code

A parameter is a variable of the query (`?country`). Its value is looked up to an RDF term
(an actor's IRI from one of its names, a document's IRI from its file name or title, or a
plain string) and bound with a `VALUES` clause opening the query's `WHERE` block (terms
serialized by rdflib), never pasted into the query text. Where a parameter is left unbound,
the query answers for every value.

An answer comes a page at a time: `PAGE_SIZE` rows unless asked otherwise (`limit=0` for all
of them, `offset` for the next page), by a `LIMIT`/`OFFSET` added to the query's text, and the
page says whether more rows follow it (`Page.more`).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.query import Result

from kg.errors import QueryError
from kg.graph import KnowledgeGraph

#: Where the saved queries live.
QUERY_DIR = Path(__file__).resolve().parent.parent / "ontology" / "queries"

_PARAM_LINE = re.compile(
    r"param:\s*(?P<name>[A-Za-z_]\w*)\s*\(\s*(?P<kind>\w+)\s*"
    r"(?:,\s*default\s*\"(?P<default>[^\"]*)\")?\s*\)\s*(?P<help>.*)")

# Every name of every actor (document), for a lookup that ignores case; `{exact}` is empty
# there. With `{exact}` a `VALUES ?name` clause, the names written just so: the engine starts
# from those few literals instead of reading every name of the graph.
_ACTOR_NAMES = """
SELECT ?actor ?name ?rank WHERE {{
  {exact}
  VALUES ?class {{ cckg:Country cckg:Organization cckg:SubnationalGovernment cckg:Person cckg:ActorGroup }}
  ?actor a ?class .
  {{ ?actor rdfs:label ?name BIND(0 AS ?rank) }}
  UNION {{ ?actor skos:altLabel ?name BIND(1 AS ?rank) }}
  UNION {{ ?actor cckg:iso3 ?name BIND(2 AS ?rank) }}
}}"""
_DOCUMENT_NAMES = """
SELECT ?document ?name ?rank WHERE {{
  {exact}
  ?document a cckg:Document .
  {{ ?document cckg:fileName ?name BIND(0 AS ?rank) }}
  UNION {{ ?document dcterms:title ?name BIND(1 AS ?rank) }}
}}"""


@dataclass(frozen=True)
class QueryParam:
    """A parameter of a saved query: the variable it binds and how its value is read.

    `kind` is "actor" (a name, another name or ISO3 code, looked up to the actor's IRI),
    "document" (a file name or title, looked up to the document's IRI) or "text" (a string).
    """

    name: str
    kind: str
    default: str | None = None
    help: str = ""


@dataclass(frozen=True)
class SavedQuery:
    """A saved query: its name (the file's stem), the question it answers, its parameters and text."""

    name: str
    question: str
    params: tuple[QueryParam, ...]
    sparql: str


def parse_saved_query(name: str, text: str) -> SavedQuery:
    """Read a saved query's header comment: its question (first paragraph) and its parameters.

    Examples:
        >>> query = parse_saved_query("aid-received", '''# All aid a country received.
        ... # param: country (actor, default "Japan") the recipient, e.g. "JPN"
        ... #
        ... # One row per flow.
        ... SELECT ?flow WHERE { ?flow cckg:recipient ?country }''')
        >>> query.question
        'All aid a country received.'
        >>> query.params
        (QueryParam(name='country', kind='actor', default='Japan', help='the recipient, e.g. "JPN"'),)

    Raises:
        QueryError: a parameter line is malformed or names an unknown kind.
    """
    question_lines: list[str] = []
    params: list[QueryParam] = []
    in_question = True
    for line in _header_lines(text):
        if line.startswith("param:"):
            params.append(_parse_param(name, line))
        elif not line:
            in_question = in_question and not question_lines
        elif in_question:
            question_lines.append(line)
    return SavedQuery(name, " ".join(question_lines), tuple(params), text)


def _header_lines(text: str) -> Iterable[str]:
    """The leading comment lines of a query, without their `#`."""
    for line in text.splitlines():
        if not line.startswith("#"):
            return
        yield line.lstrip("#").strip()


def _parse_param(query_name: str, line: str) -> QueryParam:
    match = _PARAM_LINE.fullmatch(line)
    if match is None or match["kind"] not in _RESOLVERS:
        raise QueryError(f"saved query {query_name}: bad parameter line {line!r} "
                         f"(expected 'param: NAME (KIND, default \"VALUE\") help', KIND one of {sorted(_RESOLVERS)})")
    return QueryParam(match["name"], match["kind"], match["default"], match["help"].strip())


def saved_queries(directory: Path = QUERY_DIR) -> list[SavedQuery]:
    """Every saved query of `directory`, sorted by name.

    Examples:
        >>> names = [query.name for query in saved_queries()]
        >>> "aid-received" in names and len(names) >= 12
        True
    """
    return [parse_saved_query(path.stem, path.read_text(encoding="utf-8"))
            for path in sorted(Path(directory).glob("*.rq"))]


def load_saved_query(name: str, directory: Path = QUERY_DIR) -> SavedQuery:
    """The saved query called `name` (the file name without `.rq`).

    Examples:
        >>> load_saved_query("aid-received").params[0].name
        'country'

    Raises:
        QueryError: there is no saved query of that name.
    """
    path = Path(directory) / f"{name}.rq"
    if not re.fullmatch(r"[\w-]+", name) or not path.is_file():
        known = ", ".join(query.name for query in saved_queries(directory))
        raise QueryError(f"no saved query named {name!r} (saved queries: {known})")
    return parse_saved_query(name, path.read_text(encoding="utf-8"))


def parse_param_options(options: Iterable[str]) -> dict[str, str]:
    """Turn `--param KEY=VALUE` options into a dict.

    Examples:
        >>> parse_param_options(["country=South Korea", "document=a=b.txt"])
        {'country': 'South Korea', 'document': 'a=b.txt'}

    Raises:
        QueryError: an option has no `=`.
    """
    values = {}
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"--param {option!r}: expected KEY=VALUE")
        values[key.strip()] = value.strip()
    return values


def bind_params(graph: KnowledgeGraph, query: SavedQuery, values: Mapping[str, str] | None = None,
                ) -> dict[str, URIRef | Literal]:
    """The RDF terms to bind a saved query's parameters to: given values, else the defaults.

    Raises:
        QueryError: a value names a parameter the query does not have, or names nothing in the graph.
    """
    values = dict(values or {})
    unknown = set(values) - {param.name for param in query.params}
    if unknown:
        declared = ", ".join(param.name for param in query.params) or "none"
        raise QueryError(f"saved query {query.name} has no parameter {sorted(unknown)[0]!r} (parameters: {declared})")
    bindings = {}
    for param in query.params:
        value = values.get(param.name, param.default)
        if value is not None:
            bindings[param.name] = _RESOLVERS[param.kind](graph, param, value)
    return bindings


#: Rows of a saved query's answer given at once unless asked otherwise (`limit=0`: all of them).
PAGE_SIZE = 1000


class Page(Result):
    """A page of a saved query's answer: its rows (an rdflib `Result`), where the page starts,
    and whether more rows follow it.

    Attributes:
        limit: the most rows of the page (0: no limit, the page is the whole answer).
        offset: the rows of the answer skipped before the page.
        more: rows follow the page: ask again with `offset=offset + limit`.
    """

    def __init__(self, result: Result, limit: int, offset: int):
        super().__init__(result.type)
        self.vars = result.vars
        rows = list(result.bindings)
        self.limit, self.offset = limit, offset
        self.more = bool(limit) and len(rows) > limit
        self.bindings = rows[:limit] if limit else rows


def run_saved_query(graph: KnowledgeGraph, name: str, values: Mapping[str, str] | None = None,
                    *, limit: int = PAGE_SIZE, offset: int = 0, directory: Path = QUERY_DIR) -> Page:
    """Run the saved query `name` on `graph`, its parameters bound safely from `values`: the
    page of `limit` rows (`PAGE_SIZE` unless asked otherwise; 0: all of them) after the first
    `offset` rows of the answer, in the query's order.

    Examples:
        >>> from kg.store import memory_dataset
        >>> page = run_saved_query(KnowledgeGraph(memory_dataset([])), "aid-by-month", limit=10)
        >>> len(page), page.more
        (0, False)

    Raises:
        QueryError: no such query, a bad parameter, a value that names nothing in the graph,
            or a negative limit or offset.
    """
    query = load_saved_query(name, directory)
    text = page_sparql(bound_sparql(query, bind_params(graph, query, values)), limit, offset)
    return Page(graph.query(text), limit, offset)


def page_sparql(sparql: str, limit: int = PAGE_SIZE, offset: int = 0) -> str:
    """A query's text asking for one page of its answer: `LIMIT limit + 1` (one row more, to
    tell whether rows follow the page) and `OFFSET offset`, placed before a trailing `VALUES`
    clause. A limit of 0 asks for every row after `offset`. The query must have no top-level
    `LIMIT` or `OFFSET` of its own (saved queries leave paging to whoever runs them).

    Examples:
        >>> print(page_sparql("SELECT ?f WHERE { ?f a ?c } ORDER BY ?f", 10, 20))
        SELECT ?f WHERE { ?f a ?c } ORDER BY ?f
        LIMIT 11 OFFSET 20
        >>> page_sparql("SELECT ?f WHERE { ?f a ?c }", 0)
        'SELECT ?f WHERE { ?f a ?c }'

    Raises:
        QueryError: a negative limit or offset.
    """
    if limit < 0 or offset < 0:
        raise QueryError(f"limit and offset must be 0 or more (got limit {limit}, offset {offset})")
    modifiers = " ".join(([f"LIMIT {limit + 1}"] if limit else []) + ([f"OFFSET {offset}"] if offset else []))
    if not modifiers:
        return sparql
    values = _TRAILING_VALUES.search(sparql)
    cut = values.start() if values else len(sparql)
    return f"{sparql[:cut].rstrip()}\n{modifiers}{sparql[cut:]}"


def bound_sparql(query: SavedQuery, bindings: Mapping[str, URIRef | Literal]) -> str:
    """The query's text with `bindings` in a `VALUES` clause opening its outermost `WHERE`
    block, and each subquery's `WHERE` block that projects a bound variable.

    There, an engine starts from the bound values: Oxigraph pushes neither a trailing `VALUES`
    into the groups and optional parts before it, nor an outer binding into a subquery, which
    it evaluates for every value before joining. A subquery that projects the variable joins on
    it, so binding it inside too keeps the answer. The terms are serialized by rdflib, so no
    value can change the query's structure. Without a `WHERE` block, the clause trails the query.

    Examples:
        >>> query = parse_saved_query("q", "# Q.\\nSELECT ?f WHERE { ?f cckg:recipient ?country }")
        >>> print(bound_sparql(query, {"country": URIRef("https://w3id.org/cckg/id/country/JPN")}))
        # Q.
        SELECT ?f WHERE {
          VALUES (?country) { (<https://w3id.org/cckg/id/country/JPN>) }
         ?f cckg:recipient ?country }
    """
    if not bindings:
        return query.sparql
    names = list(bindings)
    if any(not re.fullmatch(r"[A-Za-z_]\w*", n) for n in names):
        raise QueryError(f"bad variable name among {names}")
    terms = [term if isinstance(term, (URIRef, Literal)) else Literal(term) for term in bindings.values()]
    if any(isinstance(term, URIRef) and _BAD_IRI.search(term) for term in terms):
        raise QueryError(f"not an IRI among {[str(t) for t in terms]}")
    values = f"VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(t.n3() for t in terms)}) }}"
    inner = {n: f"VALUES (?{n}) {{ ({t.n3()}) }}" for n, t in zip(names, terms)}
    parts, offset, outermost = [], 0, True
    for line in query.sparql.splitlines(keepends=True):
        where = None if line.lstrip().startswith("#") else _WHERE.search(line)
        if where:
            cut = offset + where.end()
            if outermost:
                parts.append((cut, values))
                outermost = False
            else:  # a subquery: bind the variables its SELECT projects
                select = query.sparql[query.sparql.rfind("SELECT", 0, cut):cut]
                projected = [inner[n] for n in names if re.search(rf"\?{n}\b", select)]
                if projected:
                    parts.append((cut, " ".join(projected)))
        offset += len(line)
    if not parts:
        return f"{query.sparql}\n{values}"
    text, last = [], 0
    for cut, clause in parts:
        text.append(f"{query.sparql[last:cut]}\n  {clause}\n")
        last = cut
    return "".join(text) + query.sparql[last:]


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
#: The `VALUES` clause `bound_sparql` puts after a query without a `WHERE` block.
_TRAILING_VALUES = re.compile(r"\n(VALUES \([^\n]*)\Z")
#: Characters an IRI may not hold (RFC 3987, SPARQL's IRIREF).
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _resolve_actor(graph: KnowledgeGraph, param: QueryParam, value: str) -> URIRef:
    """An actor's IRI from its name, another name or ISO3 code (case does not matter)."""
    return _lookup(graph, _ACTOR_NAMES, param, value, "actor")


def _resolve_document(graph: KnowledgeGraph, param: QueryParam, value: str) -> URIRef:
    """A document's IRI from its file name or title (case does not matter)."""
    return _lookup(graph, _DOCUMENT_NAMES, param, value, "document")


def _resolve_text(graph: KnowledgeGraph, param: QueryParam, value: str) -> Literal:
    return Literal(value)


def _lookup(graph: KnowledgeGraph, names_query: str, param: QueryParam, value: str, what: str) -> URIRef:
    """The resource one of whose names is `value`: labels before other names, then by IRI;
    a name written exactly so before one that differs from it only by case."""
    if value.startswith(("http://", "https://")):
        if _BAD_IRI.search(value):
            raise QueryError(f"--param {param.name}={value!r}: not an IRI")
        return URIRef(value)
    # Names written just as given first (as a plain or English string, the forms the graph's
    # names take): a lookup of a few literals, where reading every name of a large graph to
    # compare them ignoring case takes a second. Only where none is, case is ignored.
    exact = f"VALUES ?name {{ {Literal(value.strip()).n3()} {Literal(value.strip(), lang='en').n3()} }}"
    matches = sorted((int(row[2]), str(row[0])) for row in graph.query(names_query.format(exact=exact)))
    if not matches:
        wanted = value.strip().casefold()
        matches = sorted((int(row[2]), str(row[0])) for row in graph.query(names_query.format(exact=""))
                         if str(row[1]).casefold() == wanted)
    if not matches:
        raise QueryError(f"--param {param.name}={value!r}: no {what} of that name in the graph")
    return URIRef(matches[0][1])


_RESOLVERS: dict[str, Callable[[KnowledgeGraph, QueryParam, str], URIRef | Literal]] = {
    "actor": _resolve_actor, "document": _resolve_document, "text": _resolve_text,
}
