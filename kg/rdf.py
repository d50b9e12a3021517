"""RDF mapping: resolved records -> quads under the cckg ontology.

The only module that knows the ontology's shape. IRIs are derived from content (actor
keys, document hashes, offsets), never from counters or the clock, so the same input
gives the same IRIs and triples. No blank nodes are made, so sorted N-Triples of two
builds compare byte for byte. Each document's facts go into a named graph of their own;
actors, shared by all documents, go into the actors graph.

A build's tens of thousands of quads are made without rdflib terms (IRI checks and literal
casting cost more than the rest of the mapping): `graph_quads` gives each term as a *key*,
the string rdflib's `n3()` writes for it (`<https://...>`, `"text"@en`,
`"3"^^<http://www.w3.org/2001/XMLSchema#integer>`), and `Terms` keeps the Oxigraph term of
each key, made once. Keys hash and compare as plain strings, and sorting quads of keys
sorts them as rdflib terms sorted by `n3()` did, so the files written from them keep their
bytes. `to_quads` gives the same quads as rdflib terms, for the callers that want those.
The literals are those rdflib would make of the same values: `Literal(3,
datatype=XSD.integer)` and the literal made here have the same lexical form and datatype.
"""
from __future__ import annotations

import hashlib
import marshal
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg.gazetteer import slug
from kg.namespace import (ACTOR_CLASSES, AID_TYPE_CONCEPTS, CCKG, ID, INTERACTION_CLASSES, SCHEMA,
                          STATUS_INDIVIDUALS, WIKIDATA)
from kg.resolve import ResolvedFacts
from kg.types import (EXTRACTOR_VERSION, ActorRef, AidFlow, CommercialFlow, Evidence, Interaction, Position,
                      SourceDocument)

Triple = tuple[URIRef, URIRef, URIRef | Literal]
Quad = tuple[URIRef, URIRef, URIRef | Literal, URIRef]
#: A quad (subject, predicate, object, graph) of term keys (see the module's doc).
KeyQuad = tuple[str, str, str, str]
KeyTriple = tuple[str, str, str]
OxTerm = ox.NamedNode | ox.Literal

#: The named graph of the actors, shared by all documents.
ACTORS_GRAPH = ID["graph/actors"]
#: The named graph holding the ontology itself, so queries can follow rdfs:subClassOf.
ONTOLOGY_GRAPH = ID["graph/ontology"]
ONTOLOGY_FILE = Path(__file__).resolve().parent.parent / "ontology" / "cckg.ttl"

_ID = str(ID)
_XSD_STRING = str(XSD.string)

# ---- term keys ----

#: The Oxigraph term of each key of the vocabulary (shared by every build).
_VOCABULARY: dict[str, ox.NamedNode] = {}


def _v(iri: str) -> str:
    """The key of a vocabulary IRI, its Oxigraph term kept once for all."""
    key = f"<{iri}>"
    if key not in _VOCABULARY:
        _VOCABULARY[key] = ox.NamedNode(str(iri))
    return key


class _K:
    """Keys of the vocabulary."""

    type = _v(RDF.type)
    label = _v(RDFS.label)
    alt_label = _v(SKOS.altLabel)
    same_as = _v(OWL.sameAs)
    derived_from = _v(PROV.wasDerivedFrom)
    title = _v(DCTERMS.title)
    publisher = _v(DCTERMS.publisher)
    date = _v(DCTERMS.date)
    source = _v(DCTERMS.source)
    value = _v(SCHEMA.value)
    currency = _v(SCHEMA.currency)
    monetary_amount = _v(SCHEMA.MonetaryAmount)
    actors_graph = _v(ACTORS_GRAPH)
    ontology_graph = _v(ONTOLOGY_GRAPH)
    actor_classes = {kind: _v(iri) for kind, iri in ACTOR_CLASSES.items()}
    aid_types = {name: _v(iri) for name, iri in AID_TYPE_CONCEPTS.items()}
    interaction_classes = {kind: _v(iri) for kind, iri in INTERACTION_CLASSES.items()}
    statuses = {status: _v(iri) for status, iri in STATUS_INDIVIDUALS.items()}


class _C:
    """Keys of the cckg ontology's terms."""


for _name in ("Document", "fileName", "copyFileName", "contentHash", "extractorVersion", "sentenceCount",
              "citesSource", "iso3", "country", "groupSize", "AidFlow", "donor", "recipient", "status", "aidType",
              "date", "disputed", "item", "AidItem", "quantity", "quantityMax", "unit", "quantityText",
              "approximate", "amount", "CommercialFlow", "supplier", "buyer", "participant", "initiator", "host",
              "holdsPosition", "Position", "title", "positionOf", "inferred", "Mention", "text", "inDocument",
              "startChar", "endChar"):
    setattr(_C, _name, _v(CCKG[_name]))

_INTEGER, _DECIMAL, _BOOLEAN = str(XSD.integer), str(XSD.decimal), str(XSD.boolean)


def _quoted(value: str) -> str:
    """A literal's text as rdflib's `Literal._quote_encode` writes it."""
    if "\n" in value:
        encoded = value.replace("\\", "\\\\")
        if '"""' in value:
            encoded = encoded.replace('"""', '\\"\\"\\"')
        if encoded[-1] == '"' and encoded[-2] != "\\":
            encoded = encoded[:-1] + "\\" + '"'
        return '"""%s"""' % encoded.replace("\r", "\\r")
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r")


def rdflib_n3(term: OxTerm) -> str:
    """What rdflib's `n3()` writes for the same term.

    Examples:
        >>> rdflib_n3(ox.Literal('say "hi"'))
        '"say \\\\"hi\\\\""'
        >>> rdflib_n3(ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
        '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    quoted = _quoted(term.value)
    if term.language:
        return f"{quoted}@{term.language}"
    datatype = term.datatype.value
    return quoted if datatype == _XSD_STRING else f"{quoted}^^<{datatype}>"


class Terms:
    """The terms of a graph being made: the key of each, and its Oxigraph term made once.

    A key is the term's `n3()`; a literal whose text has a line break (which `n3()` writes
    between triple quotes, a form two texts could share) has its text added after a NUL,
    which keeps both the order and the keys one to one with the terms.
    """

    def __init__(self):
        #: The Oxigraph term of each key.
        self.table: dict[str, OxTerm] = dict(_VOCABULARY)
        self._integers: dict[int, str] = {}
        self._dates: dict[str, str] = {}

    def __getitem__(self, key: str) -> OxTerm:
        """The Oxigraph term of `key`."""
        return self.table[key]

    def iri(self, iri: str) -> str:
        key = f"<{iri}>"
        if key not in self.table:
            self.table[key] = ox.NamedNode(iri)
        return key

    def text(self, value: str) -> str:
        """A plain string, as `Literal(value)`."""
        key = _quoted(value) if "\n" not in value else f"{_quoted(value)}\0{value}"
        if key not in self.table:
            self.table[key] = ox.Literal(value)
        return key

    def english(self, value: str) -> str:
        """A string in English, as `Literal(value, lang="en")`."""
        key = f"{_quoted(value)}@en" if "\n" not in value else f"{_quoted(value)}@en\0{value}"
        if key not in self.table:
            self.table[key] = ox.Literal(value, language="en")
        return key

    def typed(self, lexical: str, datatype: str) -> str:
        """A literal of its lexical form and datatype IRI, as rdflib writes it (no
        datatype for xsd:string)."""
        suffix = "" if datatype == _XSD_STRING else f"^^<{datatype}>"
        key = f"{_quoted(lexical)}{suffix}"
        if "\n" in lexical:
            key = f"{key}\0{lexical}"
        if key not in self.table:
            self.table[key] = ox.Literal(lexical, datatype=ox.NamedNode(datatype))
        return key

    def term(self, term: OxTerm) -> str:
        """The key of an Oxigraph term."""
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if term.language:
            key = f"{rdflib_n3(term)}\0{term.value}" if "\n" in term.value else rdflib_n3(term)
            if key not in self.table:
                self.table[key] = term
            return key
        return self.typed(term.value, term.datatype.value)

    def integer(self, value: int) -> str:
        """An xsd:integer, as `Literal(value, datatype=XSD.integer)`."""
        if type(value) is not int:
            return self.rdflib(Literal(value, datatype=XSD.integer))
        key = self._integers.get(value)
        if key is None:
            key = self._integers[value] = self.typed(str(value), _INTEGER)
        return key

    def decimal(self, value: Decimal) -> str:
        """An xsd:decimal, as `Literal(value, datatype=XSD.decimal)`."""
        if type(value) is not Decimal:
            return self.rdflib(Literal(value, datatype=XSD.decimal))
        return self.typed(f"{value:f}", _DECIMAL)

    def true(self) -> str:
        return self.typed("true", _BOOLEAN)

    def date(self, value: str) -> str:
        """`date_literal(value)`."""
        key = self._dates.get(value)
        if key is None:
            key = self._dates[value] = self.rdflib(date_literal(value))
        return key

    def rdflib(self, term: URIRef | Literal) -> str:
        """The key of an rdflib term."""
        if isinstance(term, URIRef):
            return self.iri(str(term))
        if term.language:
            return self.term(ox.Literal(str(term), language=term.language))
        return self.typed(str(term), str(term.datatype or _XSD_STRING))


# ---- the mapping ----

def ontology_quads() -> Iterator[Quad]:
    """The ontology's triples, in their own named graph.

    Its blank nodes (OWL lists, disjointness axioms) are named by a digest of what they
    state, so two builds give the same triples.
    """
    graph = Graph().parse(ONTOLOGY_FILE, format="turtle")
    names: dict[BNode, URIRef] = {}

    def content(node) -> str:
        if not isinstance(node, BNode):
            return node.n3()
        return "[" + ";".join(sorted(f"{p.n3()} {content(o)}" for p, o in graph.predicate_objects(node))) + "]"

    def named(term):
        if isinstance(term, BNode):
            return names.setdefault(term, ID[f"ontology-node/{_digest(content(term))}"])
        return term

    for s, p, o in graph:
        yield named(s), p, named(o), ONTOLOGY_GRAPH


@lru_cache(maxsize=1)
def _ontology_oxigraph() -> tuple[tuple[OxTerm, OxTerm, OxTerm], ...]:
    """`ontology_quads`' triples as Oxigraph terms, read with Oxigraph's parser."""
    triples = [(t.subject, t.predicate, t.object) for t in ox.parse(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE)]
    statements: dict[ox.BlankNode, list[tuple]] = {}
    for s, p, o in triples:
        if isinstance(s, ox.BlankNode):
            statements.setdefault(s, []).append((p, o))
    contents: dict[ox.BlankNode, str] = {}

    def content(node) -> str:
        if not isinstance(node, ox.BlankNode):
            return rdflib_n3(node)
        if node not in contents:
            contents[node] = "[" + ";".join(sorted(f"{rdflib_n3(p)} {content(o)}"
                                                   for p, o in statements.get(node, ()))) + "]"
        return contents[node]

    def named(term):
        if isinstance(term, ox.BlankNode):
            return ox.NamedNode(f"{_ID}ontology-node/{_digest(content(term))}")
        return term

    return tuple((named(s), p, named(o)) for s, p, o in triples)


def ontology_key_quads(terms: Terms) -> Iterator[KeyQuad]:
    """`ontology_quads` as keys of `terms`."""
    graph = _K.ontology_graph
    for s, p, o in _ontology_oxigraph():
        yield terms.term(s), terms.term(p), terms.term(o), graph


def document_iri(document_hash: str) -> URIRef:
    return URIRef(_document_iri(document_hash))


def document_graph(document_hash: str) -> URIRef:
    """The named graph holding one document's facts."""
    return URIRef(_document_graph(document_hash))


def _document_iri(document_hash: str) -> str:
    return f"{_ID}doc/{document_hash[:16]}"


def _document_graph(document_hash: str) -> str:
    return f"{_ID}graph/{document_hash[:16]}"


def actor_iri(actor: ActorRef) -> URIRef:
    """The IRI of an actor, from its key ("country:KOR" -> .../country/KOR).

    Examples:
        >>> str(actor_iri(ActorRef(key="country:KOR", kind="country", label="South Korea")))
        'https://w3id.org/cckg/id/country/KOR'
    """
    return URIRef(_actor_iri(actor.key))


def _actor_iri(key: str) -> str:
    return _ID + key.replace(":", "/")


def mention_iri(evidence: Evidence) -> URIRef:
    return URIRef(_mention_iri(evidence))


def _mention_iri(evidence: Evidence) -> str:
    return f"{_ID}mention/{evidence.content_hash[:16]}-{evidence.start}-{evidence.end}"


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def to_quads(facts: ResolvedFacts, copies: Mapping[str, Sequence[SourceDocument]] | None = None) -> Iterator[Quad]:
    """Every quad of the graph of a resolved corpus, as rdflib terms (see `graph_quads`)."""
    terms = Terms()
    convert = RdflibTerms(terms)
    for quad in graph_quads(facts, copies, terms):
        yield convert.quad(quad)


def build_quads(facts: ResolvedFacts, copies: Mapping[str, Sequence[SourceDocument]] | None = None) -> QuadSet:
    """The graph of a resolved corpus with the ontology's quads, each quad once, in order."""
    terms = Terms()
    quads = set(graph_quads(facts, copies, terms))
    quads.update(ontology_key_quads(terms))
    return QuadSet(quads, terms)


def graph_quads(facts: ResolvedFacts, copies: Mapping[str, Sequence[SourceDocument]] | None = None,
                terms: Terms | None = None) -> Iterator[KeyQuad]:
    """Every quad of the graph of a resolved corpus (not the ontology's), as keys of `terms`.

    A quad may come more than once (a mention shared by two facts).

    Args:
        facts: the resolved corpus.
        copies: other files with the same text as a document, by content hash; their
            names and URLs are recorded on the document, their facts are the document's.
        terms: where the keys' terms are kept.
    """
    copies = copies or {}
    terms = terms if terms is not None else Terms()
    for document in facts.documents:
        graph = terms.iri(_document_graph(document.content_hash))
        for triple in document_triples(document, facts.sentence_counts.get(document.file_name, 0), terms):
            yield (*triple, graph)
        for copy in copies.get(document.content_hash, ()):
            iri = terms.iri(_document_iri(document.content_hash))
            yield iri, _C.copyFileName, terms.text(copy.file_name), graph
            if copy.url:
                yield iri, _K.source, terms.iri(copy.url), graph
    actors_graph = _K.actors_graph
    for actor in facts.actors.values():
        for triple in actor_triples(actor, facts.actors, terms):
            yield (*triple, actors_graph)
    facts_and_mappings = [(facts.aid_flows, aid_flow_triples), (facts.commercial_flows, commercial_flow_triples),
                          (facts.interactions, interaction_triples), (facts.positions, position_triples)]
    for records, to_triples in facts_and_mappings:
        for record in records:
            # a fact lives in the graph of the first document it was read from
            graph = terms.iri(_document_graph(record.evidence[0].content_hash))
            for triple in to_triples(record, terms):
                yield (*triple, graph)
            yield from _evidence_quads(record.evidence, terms)


def document_triples(document: SourceDocument, sentence_count: int, terms: Terms) -> Iterator[KeyTriple]:
    iri = terms.iri(_document_iri(document.content_hash))
    yield iri, _K.type, _C.Document
    yield iri, _C.fileName, terms.text(document.file_name)
    yield iri, _C.contentHash, terms.text(document.content_hash)
    yield iri, _C.extractorVersion, terms.text(EXTRACTOR_VERSION)
    yield iri, _C.sentenceCount, terms.integer(sentence_count)
    if document.title:
        yield iri, _K.title, terms.text(document.title)
    if document.publisher:
        yield iri, _K.publisher, terms.text(document.publisher)
    if document.date:
        yield iri, _K.date, terms.date(document.date)
    if document.url:
        yield iri, _K.source, terms.iri(document.url)
    for url in document.cited_sources:
        yield iri, _C.citesSource, terms.iri(url)


def actor_triples(actor: ActorRef, actors: dict[str, ActorRef], terms: Terms) -> Iterator[KeyTriple]:
    iri = terms.iri(_actor_iri(actor.key))
    yield iri, _K.type, _K.actor_classes[actor.kind]
    yield iri, _K.label, terms.english(actor.label)
    for name in sorted(set(actor.names) - {actor.label}):
        yield iri, _K.alt_label, terms.english(name)
    if actor.kind == "country" and actor.iso3:
        yield iri, _C.iso3, terms.text(actor.iso3)
    elif actor.iso3 and f"country:{actor.iso3}" in actors:
        yield iri, _C.country, terms.iri(_actor_iri(actors[f"country:{actor.iso3}"].key))
    if actor.wikidata:
        yield iri, _K.same_as, terms.iri(str(WIKIDATA[actor.wikidata]))
    if actor.group_size is not None:
        yield iri, _C.groupSize, terms.integer(actor.group_size)


def aid_flow_iri(flow: AidFlow) -> URIRef:
    return URIRef(_aid_flow_iri(flow))


def _aid_flow_iri(flow: AidFlow) -> str:
    first = flow.evidence[0]
    # a second act between the same pair in one sentence ("donated US$1 million and sent a
    # team") is the first one's IRI numbered: ".../aid/<digest>_2"; "_" sorts after the "/"
    # of the first act's items, so a sorted listing (kg.ttl) keeps the acts in the sentence's order
    suffix = f"_{flow.act + 1}" if flow.act else ""
    return f"{_ID}aid/{_digest(flow.donor.key, flow.recipient.key, first.content_hash, first.start)}{suffix}"


def aid_flow_triples(flow: AidFlow, terms: Terms) -> Iterator[KeyTriple]:
    iri_text = _aid_flow_iri(flow)
    iri = terms.iri(iri_text)
    yield iri, _K.type, _C.AidFlow
    yield iri, _C.donor, terms.iri(_actor_iri(flow.donor.key))
    yield iri, _C.recipient, terms.iri(_actor_iri(flow.recipient.key))
    yield iri, _C.status, _K.statuses[flow.status]
    for aid_type in flow.aid_types:
        yield iri, _C.aidType, _K.aid_types[aid_type]
    if flow.date:
        yield iri, _C.date, terms.date(flow.date)
    if flow.disputed:
        yield iri, _C.disputed, terms.true()
    yield from _goods_triples(iri, iri_text, flow.items, flow.amount, terms)
    for evidence in flow.evidence:
        yield iri, _K.derived_from, terms.iri(_mention_iri(evidence))


def _goods_triples(iri: str, iri_text: str, items, amount, terms: Terms) -> Iterator[KeyTriple]:
    """The items and money of a flow, aid or commercial."""
    for n, item in enumerate(items):
        item_iri = terms.iri(f"{iri_text}/item/{n}")
        yield iri, _C.item, item_iri
        yield item_iri, _K.type, _C.AidItem
        yield item_iri, _K.label, terms.text(item.label)
        if item.quantity is not None:
            yield item_iri, _C.quantity, terms.decimal(item.quantity)
        if item.quantity_max is not None:
            yield item_iri, _C.quantityMax, terms.decimal(item.quantity_max)
        if item.unit:
            yield item_iri, _C.unit, terms.text(item.unit)
        if item.quantity_text:
            yield item_iri, _C.quantityText, terms.text(item.quantity_text)
        if item.approximate:
            yield item_iri, _C.approximate, terms.true()
    if amount is not None:
        amount_iri = terms.iri(f"{iri_text}/amount")
        yield iri, _C.amount, amount_iri
        yield amount_iri, _K.type, _K.monetary_amount
        yield amount_iri, _K.value, terms.decimal(amount.value)
        if amount.currency:
            yield amount_iri, _K.currency, terms.text(amount.currency)
        yield amount_iri, _C.quantityText, terms.text(amount.text)
        if amount.approximate:
            yield amount_iri, _C.approximate, terms.true()


def commercial_flow_triples(sale: CommercialFlow, terms: Terms) -> Iterator[KeyTriple]:
    first = sale.evidence[0]
    iri_text = f"{_ID}trade/{_digest(sale.supplier.key, sale.buyer.key, first.content_hash, first.start)}"
    iri = terms.iri(iri_text)
    yield iri, _K.type, _C.CommercialFlow
    yield iri, _C.supplier, terms.iri(_actor_iri(sale.supplier.key))
    yield iri, _C.buyer, terms.iri(_actor_iri(sale.buyer.key))
    if sale.date:
        yield iri, _C.date, terms.date(sale.date)
    yield from _goods_triples(iri, iri_text, sale.items, sale.amount, terms)
    for evidence in sale.evidence:
        yield iri, _K.derived_from, terms.iri(_mention_iri(evidence))


def interaction_iri(interaction: Interaction) -> URIRef:
    return URIRef(_interaction_iri(interaction))


def _interaction_iri(interaction: Interaction) -> str:
    first = interaction.evidence[0]
    keys = ",".join(sorted(p.key for p in interaction.participants))
    return f"{_ID}interaction/{_digest(interaction.kind, keys, first.content_hash, first.start)}"


def interaction_triples(interaction: Interaction, terms: Terms) -> Iterator[KeyTriple]:
    iri = terms.iri(_interaction_iri(interaction))
    yield iri, _K.type, _K.interaction_classes[interaction.kind]
    for participant in interaction.participants:
        yield iri, _C.participant, terms.iri(_actor_iri(participant.key))
    if interaction.initiator:
        yield iri, _C.initiator, terms.iri(_actor_iri(interaction.initiator.key))
    if interaction.host:
        yield iri, _C.host, terms.iri(_actor_iri(interaction.host.key))
    if interaction.date:
        yield iri, _C.date, terms.date(interaction.date)
    for evidence in interaction.evidence:
        yield iri, _K.derived_from, terms.iri(_mention_iri(evidence))


def position_iri(position: Position) -> URIRef:
    return URIRef(_position_iri(position))


def _position_iri(position: Position) -> str:
    return f"{_ID}position/{slug(position.person.key)}/{slug(position.title)}/{slug(position.of.key)}"


def position_triples(position: Position, terms: Terms) -> Iterator[KeyTriple]:
    iri = terms.iri(_position_iri(position))
    yield terms.iri(_actor_iri(position.person.key)), _C.holdsPosition, iri
    yield iri, _K.type, _C.Position
    yield iri, _C.title, terms.text(position.title)
    yield iri, _C.positionOf, terms.iri(_actor_iri(position.of.key))
    if position.inferred:
        yield iri, _C.inferred, terms.true()
    for evidence in position.evidence:
        yield iri, _K.derived_from, terms.iri(_mention_iri(evidence))


def _evidence_quads(evidence: tuple[Evidence, ...], terms: Terms) -> Iterator[KeyQuad]:
    for item in evidence:
        iri = terms.iri(_mention_iri(item))
        graph = terms.iri(_document_graph(item.content_hash))
        yield iri, _K.type, _C.Mention, graph
        yield iri, _C.text, terms.text(item.text), graph
        yield iri, _C.inDocument, terms.iri(_document_iri(item.content_hash)), graph
        yield iri, _C.startChar, terms.integer(item.start), graph
        yield iri, _C.endChar, terms.integer(item.end), graph


def date_literal(value: str) -> Literal:
    """A date as xsd:date, xsd:gYearMonth or xsd:gYear, by how much of it is known.

    Examples:
        >>> date_literal("2020-03").datatype == XSD.gYearMonth
        True
    """
    if len(value) == 4:
        return Literal(value, datatype=XSD.gYear)
    if len(value) == 7:
        return Literal(value, datatype=XSD.gYearMonth)
    return Literal(value[:10], datatype=XSD.date)


# ---- a built graph's quads, and the forms its outputs take ----

class QuadSet:
    """The distinct quads of a graph, as keys, sorted: by subject, predicate, object and
    graph, each by `n3()`, the order rdflib terms sort in (so the files written from them
    are those rdflib-sorted quads gave)."""

    def __init__(self, quads: Iterable[KeyQuad], terms: Terms):
        # sorted subject by subject: sorting strings is much quicker than sorting tuples
        by_subject: dict[str, list[KeyQuad]] = {}
        for quad in set(quads):
            found = by_subject.get(quad[0])
            if found is None:
                by_subject[quad[0]] = [quad]
            else:
                found.append(quad)
        self.quads: list[KeyQuad] = []
        for subject in sorted(by_subject):
            found = by_subject[subject]
            if len(found) > 1:
                found.sort()
            self.quads += found
        self.terms = terms

    def __len__(self) -> int:
        return len(self.quads)

    @cached_property
    def _triple_starts(self) -> list[int]:
        """Where each distinct triple first comes (a triple in two graphs comes as
        neighbouring quads)."""
        starts = []
        last = None
        for n, (s, p, o, _) in enumerate(self.quads):
            if (s, p, o) != last:
                last = (s, p, o)
                starts.append(n)
        return starts

    @property
    def triples(self) -> list[KeyTriple]:
        """The distinct triples, in order."""
        return [self.quads[n][:3] for n in self._triple_starts]

    @property
    def triple_count(self) -> int:
        """How many distinct triples there are."""
        return len(self._triple_starts)

    def ox_quads(self, graphs: Iterable[str] | None = None) -> Iterator[ox.Quad]:
        """The quads as Oxigraph's, only those of the named `graphs` (IRIs) if given.

        Made one at a time as they are read: an Oxigraph quad holds its own copy of its
        terms, and a list of them all would be the largest thing a big build keeps."""
        term = self.terms.table
        wanted = None if graphs is None else {f"<{g}>" for g in graphs}
        return (ox.Quad(term[s], term[p], term[o], term[g]) for s, p, o, g in self.quads
                if wanted is None or g in wanted)

    def ox_triples(self) -> Iterator[ox.Triple]:
        """The distinct triples as Oxigraph's, in order, made one at a time."""
        term, quads = self.terms.table, self.quads
        return (ox.Triple(term[quads[n][0]], term[quads[n][1]], term[quads[n][2]]) for n in self._triple_starts)

    def oxigraph_terms(self) -> list[tuple[OxTerm, OxTerm, OxTerm, OxTerm]]:
        """The quads as tuples of Oxigraph terms."""
        term = self.terms.table
        return [(term[s], term[p], term[o], term[g]) for s, p, o, g in self.quads]

    def rdflib_quads(self) -> list[Quad]:
        """The quads as rdflib's, in order."""
        convert = RdflibTerms(self.terms)
        return [convert.quad(q) for q in self.quads]

    @cached_property
    def graph_digests(self) -> dict[str, str]:
        """A digest of each named graph's quads, by graph IRI."""
        graphs: dict[str, list[KeyTriple]] = {}
        for s, p, o, g in self.quads:
            found = graphs.get(g)
            if found is None:
                found = graphs[g] = []
            found.append((s, p, o))
        # marshal's version 2 writes values only (later versions mark shared and interned
        # strings, which equal quads need not be)
        return {g[1:-1]: hashlib.sha256(marshal.dumps(triples, 2)).hexdigest()[:32] for g, triples in graphs.items()}


class RdflibTerms:
    """Keys (of `terms`) as rdflib terms, each distinct key converted once.

    A plain string literal becomes `Literal(text)` (no datatype), as the mapping made it
    with rdflib.
    """

    def __init__(self, terms: Terms):
        self._terms = terms
        self._converted: dict[str, URIRef | Literal] = {}

    def term(self, key: str) -> URIRef | Literal:
        converted = self._converted.get(key)
        if converted is None:
            term = self._terms[key]
            if isinstance(term, ox.NamedNode):
                converted = URIRef(term.value)
            elif term.language:
                converted = Literal(term.value, lang=term.language)
            elif term.datatype.value == _XSD_STRING:
                converted = Literal(term.value)
            else:
                converted = Literal(term.value, datatype=URIRef(term.datatype.value))
            self._converted[key] = converted
        return converted

    def quad(self, quad: KeyQuad) -> Quad:
        term = self.term
        return term(quad[0]), term(quad[1]), term(quad[2]), term(quad[3])
