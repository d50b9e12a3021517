"""RDF mapping: resolved records -> quads under the cckg ontology.

The only module that knows the ontology's shape. IRIs are derived from content (actor
keys, document hashes, offsets), never from counters or the clock, so the same input
gives the same IRIs and triples. No blank nodes are made, so sorted N-Triples of two
builds compare byte for byte. Each document's facts go into a named graph of their own;
actors, shared by all documents, go into the actors graph.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence

from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg.extract import EXTRACTOR_VERSION
from kg.gazetteer import slug
from kg.namespace import (ACTOR_CLASSES, AID_TYPE_CONCEPTS, CCKG, ID, INTERACTION_CLASSES, SCHEMA,
                          STATUS_INDIVIDUALS, WIKIDATA)
from kg.resolve import ResolvedFacts
from kg.types import ActorRef, AidFlow, CommercialFlow, Evidence, Interaction, Position, SourceDocument

Triple = tuple[URIRef, URIRef, URIRef | Literal]
Quad = tuple[URIRef, URIRef, URIRef | Literal, URIRef]

#: The named graph of the actors, shared by all documents.
ACTORS_GRAPH = ID["graph/actors"]
#: The named graph holding the ontology itself, so queries can follow rdfs:subClassOf.
ONTOLOGY_GRAPH = ID["graph/ontology"]
ONTOLOGY_FILE = Path(__file__).resolve().parent.parent / "ontology" / "cckg.ttl"


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


def document_iri(document_hash: str) -> URIRef:
    return ID[f"doc/{document_hash[:16]}"]


def document_graph(document_hash: str) -> URIRef:
    """The named graph holding one document's facts."""
    return ID[f"graph/{document_hash[:16]}"]


def actor_iri(actor: ActorRef) -> URIRef:
    """The IRI of an actor, from its key ("country:KOR" -> .../country/KOR).

    Examples:
        >>> str(actor_iri(ActorRef(key="country:KOR", kind="country", label="South Korea")))
        'https://w3id.org/cckg/id/country/KOR'
    """
    return ID[actor.key.replace(":", "/")]


def mention_iri(evidence: Evidence) -> URIRef:
    return ID[f"mention/{evidence.content_hash[:16]}-{evidence.start}-{evidence.end}"]


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def to_quads(facts: ResolvedFacts, copies: Mapping[str, Sequence[SourceDocument]] | None = None) -> Iterator[Quad]:
    """Every quad of the graph of a resolved corpus.

    Args:
        facts: the resolved corpus.
        copies: other files with the same text as a document, by content hash; their
            names and URLs are recorded on the document, their facts are the document's.
    """
    copies = copies or {}
    for document in facts.documents:
        graph = document_graph(document.content_hash)
        for triple in document_triples(document, facts.sentence_counts.get(document.file_name, 0)):
            yield (*triple, graph)
        for copy in copies.get(document.content_hash, ()):
            yield document_iri(document.content_hash), CCKG.copyFileName, Literal(copy.file_name), graph
            if copy.url:
                yield document_iri(document.content_hash), DCTERMS.source, URIRef(copy.url), graph
    for actor in facts.actors.values():
        for triple in actor_triples(actor, facts.actors):
            yield (*triple, ACTORS_GRAPH)
    facts_and_mappings = [(facts.aid_flows, aid_flow_triples), (facts.commercial_flows, commercial_flow_triples),
                          (facts.interactions, interaction_triples), (facts.positions, position_triples)]
    for records, to_triples in facts_and_mappings:
        for record in records:
            # a fact lives in the graph of the first document it was read from
            graph = document_graph(record.evidence[0].content_hash)
            for triple in to_triples(record):
                yield (*triple, graph)
            yield from _evidence_quads(record.evidence)


def document_triples(document: SourceDocument, sentence_count: int) -> Iterator[Triple]:
    iri = document_iri(document.content_hash)
    yield iri, RDF.type, CCKG.Document
    yield iri, CCKG.fileName, Literal(document.file_name)
    yield iri, CCKG.contentHash, Literal(document.content_hash)
    yield iri, CCKG.extractorVersion, Literal(EXTRACTOR_VERSION)
    yield iri, CCKG.sentenceCount, Literal(sentence_count, datatype=XSD.integer)
    if document.title:
        yield iri, DCTERMS.title, Literal(document.title)
    if document.publisher:
        yield iri, DCTERMS.publisher, Literal(document.publisher)
    if document.date:
        yield iri, DCTERMS.date, date_literal(document.date)
    if document.url:
        yield iri, DCTERMS.source, URIRef(document.url)
    for url in document.cited_sources:
        yield iri, CCKG.citesSource, URIRef(url)


def actor_triples(actor: ActorRef, actors: dict[str, ActorRef]) -> Iterator[Triple]:
    iri = actor_iri(actor)
    yield iri, RDF.type, ACTOR_CLASSES[actor.kind]
    yield iri, RDFS.label, Literal(actor.label, lang="en")
    for name in sorted(set(actor.names) - {actor.label}):
        yield iri, SKOS.altLabel, Literal(name, lang="en")
    if actor.kind == "country" and actor.iso3:
        yield iri, CCKG.iso3, Literal(actor.iso3)
    elif actor.iso3 and f"country:{actor.iso3}" in actors:
        yield iri, CCKG.country, actor_iri(actors[f"country:{actor.iso3}"])
    if actor.wikidata:
        yield iri, OWL.sameAs, WIKIDATA[actor.wikidata]
    if actor.group_size is not None:
        yield iri, CCKG.groupSize, Literal(actor.group_size, datatype=XSD.integer)


def aid_flow_iri(flow: AidFlow) -> URIRef:
    first = flow.evidence[0]
    # a second act between the same pair in one sentence ("donated US$1 million and sent a
    # team") is the first one's IRI numbered: ".../aid/<digest>-2"
    suffix = f"-{flow.act + 1}" if flow.act else ""
    return ID[f"aid/{_digest(flow.donor.key, flow.recipient.key, first.content_hash, first.start)}{suffix}"]


def aid_flow_triples(flow: AidFlow) -> Iterator[Triple]:
    iri = aid_flow_iri(flow)
    yield iri, RDF.type, CCKG.AidFlow
    yield iri, CCKG.donor, actor_iri(flow.donor)
    yield iri, CCKG.recipient, actor_iri(flow.recipient)
    yield iri, CCKG.status, STATUS_INDIVIDUALS[flow.status]
    for aid_type in flow.aid_types:
        yield iri, CCKG.aidType, AID_TYPE_CONCEPTS[aid_type]
    if flow.date:
        yield iri, CCKG.date, date_literal(flow.date)
    if flow.disputed:
        yield iri, CCKG.disputed, Literal(True)
    yield from _goods_triples(iri, flow.items, flow.amount)
    for evidence in flow.evidence:
        yield iri, PROV.wasDerivedFrom, mention_iri(evidence)


def _goods_triples(iri: URIRef, items, amount) -> Iterator[Triple]:
    """The items and money of a flow, aid or commercial."""
    for n, item in enumerate(items):
        item_iri = URIRef(f"{iri}/item/{n}")
        yield iri, CCKG.item, item_iri
        yield item_iri, RDF.type, CCKG.AidItem
        yield item_iri, RDFS.label, Literal(item.label)
        if item.quantity is not None:
            yield item_iri, CCKG.quantity, Literal(item.quantity, datatype=XSD.decimal)
        if item.quantity_max is not None:
            yield item_iri, CCKG.quantityMax, Literal(item.quantity_max, datatype=XSD.decimal)
        if item.unit:
            yield item_iri, CCKG.unit, Literal(item.unit)
        if item.quantity_text:
            yield item_iri, CCKG.quantityText, Literal(item.quantity_text)
        if item.approximate:
            yield item_iri, CCKG.approximate, Literal(True)
    if amount is not None:
        amount_iri = URIRef(f"{iri}/amount")
        yield iri, CCKG.amount, amount_iri
        yield amount_iri, RDF.type, SCHEMA.MonetaryAmount
        yield amount_iri, SCHEMA.value, Literal(amount.value, datatype=XSD.decimal)
        if amount.currency:
            yield amount_iri, SCHEMA.currency, Literal(amount.currency)
        yield amount_iri, CCKG.quantityText, Literal(amount.text)
        if amount.approximate:
            yield amount_iri, CCKG.approximate, Literal(True)


def commercial_flow_triples(sale: CommercialFlow) -> Iterator[Triple]:
    first = sale.evidence[0]
    iri = ID[f"trade/{_digest(sale.supplier.key, sale.buyer.key, first.content_hash, first.start)}"]
    yield iri, RDF.type, CCKG.CommercialFlow
    yield iri, CCKG.supplier, actor_iri(sale.supplier)
    yield iri, CCKG.buyer, actor_iri(sale.buyer)
    if sale.date:
        yield iri, CCKG.date, date_literal(sale.date)
    yield from _goods_triples(iri, sale.items, sale.amount)
    for evidence in sale.evidence:
        yield iri, PROV.wasDerivedFrom, mention_iri(evidence)


def interaction_iri(interaction: Interaction) -> URIRef:
    first = interaction.evidence[0]
    keys = ",".join(sorted(p.key for p in interaction.participants))
    return ID[f"interaction/{_digest(interaction.kind, keys, first.content_hash, first.start)}"]


def interaction_triples(interaction: Interaction) -> Iterator[Triple]:
    iri = interaction_iri(interaction)
    yield iri, RDF.type, INTERACTION_CLASSES[interaction.kind]
    for participant in interaction.participants:
        yield iri, CCKG.participant, actor_iri(participant)
    if interaction.initiator:
        yield iri, CCKG.initiator, actor_iri(interaction.initiator)
    if interaction.host:
        yield iri, CCKG.host, actor_iri(interaction.host)
    if interaction.date:
        yield iri, CCKG.date, date_literal(interaction.date)
    for evidence in interaction.evidence:
        yield iri, PROV.wasDerivedFrom, mention_iri(evidence)


def position_iri(position: Position) -> URIRef:
    return ID[f"position/{slug(position.person.key)}/{slug(position.title)}/{slug(position.of.key)}"]


def position_triples(position: Position) -> Iterator[Triple]:
    iri = position_iri(position)
    yield actor_iri(position.person), CCKG.holdsPosition, iri
    yield iri, RDF.type, CCKG.Position
    yield iri, CCKG.title, Literal(position.title)
    yield iri, CCKG.positionOf, actor_iri(position.of)
    if position.inferred:
        yield iri, CCKG.inferred, Literal(True)
    for evidence in position.evidence:
        yield iri, PROV.wasDerivedFrom, mention_iri(evidence)


def _evidence_quads(evidence: tuple[Evidence, ...]) -> Iterator[Quad]:
    for item in evidence:
        iri = mention_iri(item)
        graph = document_graph(item.content_hash)
        yield iri, RDF.type, CCKG.Mention, graph
        yield iri, CCKG.text, Literal(item.text), graph
        yield iri, CCKG.inDocument, document_iri(item.content_hash), graph
        yield iri, CCKG.startChar, Literal(item.start, datatype=XSD.integer), graph
        yield iri, CCKG.endChar, Literal(item.end, datatype=XSD.integer), graph


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
