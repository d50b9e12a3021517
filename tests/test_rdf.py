"""RDF mapping: records -> triples, deterministic IRIs, provenance, literal types."""
from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
from oxrdflib._converter import to_ox
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import PROV

from kg.gazetteer import load_gazetteer
from kg.namespace import CCKG, ID
from kg.rdf import (QuadSet, RdflibTerms, Terms, aid_flow_iri, build_quads, date_literal, ontology_quads,
                    rdflib_n3, to_quads)
from kg.resolve import resolve
from kg.types import AidFlow, AidItem, DocumentFacts, Evidence, Money, Paragraph, SourceDocument

TEXT = "Norway donated 3,000 ventilators and US$2 million to Peru on March 3."


def facts():
    gaz = load_gazetteer()
    doc = SourceDocument(file_name="n.txt", text=TEXT, content_hash="ab" * 32,
                         paragraphs=(Paragraph(0, len(TEXT)),), title="Norway helps Peru", date="2020-03-04")
    evidence = Evidence("n.txt", doc.content_hash, TEXT, 0, len(TEXT))
    flow = AidFlow(gaz.lookup("Norway"), gaz.lookup("Peru"), (evidence,), aid_types=("cash", "equipment"),
                   items=(AidItem("ventilators", Decimal(3000), unit="piece", quantity_text="3,000"),),
                   amount=Money(Decimal(2000000), "USD", "US$2 million"), date="2020-03-03")
    return resolve([DocumentFacts(doc, 1, aid_flows=(flow,))])


def graph_of(resolved):
    graph = Graph()
    for s, p, o, _ in to_quads(resolved):
        graph.add((s, p, o))
    return graph


def test_flow_triples_follow_the_contract():
    graph = graph_of(facts())
    [flow] = graph.subjects(RDF.type, CCKG.AidFlow)
    assert graph.value(flow, CCKG.donor) == ID["country/NOR"]
    assert graph.value(flow, CCKG.recipient) == ID["country/PER"]
    assert graph.value(flow, CCKG.status) == CCKG.Delivered
    assert set(graph.objects(flow, CCKG.aidType)) == {CCKG.Cash, CCKG.Equipment}
    assert graph.value(flow, CCKG.date) == Literal("2020-03-03", datatype=XSD.date)
    item = graph.value(flow, CCKG.item)
    assert graph.value(item, CCKG.quantity) == Literal(Decimal(3000), datatype=XSD.decimal)
    amount = graph.value(flow, CCKG.amount)
    assert str(graph.value(amount, CCKG.quantityText)) == "US$2 million"
    assert str(graph.value(ID["country/NOR"], CCKG.iso3)) == "NOR"


def test_every_fact_has_a_mention_with_offsets():
    graph = graph_of(facts())
    [flow] = graph.subjects(RDF.type, CCKG.AidFlow)
    mention = graph.value(flow, PROV.wasDerivedFrom)
    assert str(graph.value(mention, CCKG.text)) == TEXT
    assert (int(graph.value(mention, CCKG.startChar)), int(graph.value(mention, CCKG.endChar))) == (0, len(TEXT))
    document = graph.value(mention, CCKG.inDocument)
    assert str(graph.value(document, CCKG.fileName)) == "n.txt"


def test_same_records_give_the_same_graph():
    first, second = graph_of(facts()), graph_of(facts())
    assert isomorphic(first, second)
    _, only_first, only_second = graph_diff(to_isomorphic(first), to_isomorphic(second))
    assert len(only_first) == len(only_second) == 0
    assert aid_flow_iri(facts().aid_flows[0]) == aid_flow_iri(facts().aid_flows[0])


def test_date_precision_sets_the_datatype():
    assert date_literal("2020").datatype == XSD.gYear
    assert date_literal("2020-05").datatype == XSD.gYearMonth
    assert date_literal("2020-05-17").datatype == XSD.date


TRICKY_TEXTS = ["plain", 'say "hi"', "back\\slash", "tab\there", "line\nbreak", 'ends with quote"', 'quote"\n"',
                'three """ quotes\n', "carriage\rreturn", "both\r\nends", "ünïcödé ✓", "", " ", "a\\\"b\nc\\"]


def rdflib_terms():
    """Terms of every kind the mapping makes, as rdflib makes them."""
    terms = [URIRef("https://w3id.org/cckg/id/a"), URIRef("https://w3id.org/cckg/id/a/b"), URIRef("urn:x")]
    terms += [Literal(t) for t in TRICKY_TEXTS] + [Literal(t, lang="en") for t in TRICKY_TEXTS]
    terms += [Literal(n, datatype=XSD.integer) for n in (0, 7, 10, -3, 123456789)]
    terms += [Literal(d, datatype=XSD.decimal) for d in (Decimal(3000), Decimal("1.50"), Decimal("1E+3"), Decimal("0.25"))]
    terms += [Literal(True), date_literal("2020"), date_literal("2020-03"), date_literal("2020-03-04")]
    return terms


def test_term_keys_are_rdflib_n3_and_sort_as_rdflib_terms_do():
    terms = Terms()
    keys = {}
    for term in rdflib_terms():
        key = terms.rdflib(term)
        assert RdflibTerms(terms).term(key) == term  # the same term back
        assert rdflib_n3(terms[key]) == term.n3()
        assert key == term.n3() or "\n" in str(term) and key.startswith(term.n3() + "\0")
        keys[term] = key
    assert sorted(keys, key=lambda t: t.n3()) == sorted(keys, key=keys.get)


def test_literals_have_rdflib_lexical_forms():
    terms = Terms()
    for value in (0, 42, -7):
        assert str(terms[terms.integer(value)]) == str(to_ox(Literal(value, datatype=XSD.integer)))
    for value in (Decimal(3000), Decimal("2.50"), Decimal("1E+6"), Decimal("-0.001")):
        assert str(terms[terms.decimal(value)]) == str(to_ox(Literal(value, datatype=XSD.decimal)))
    for value in ("2020", "2020-05", "2020-05-17", "2020-05-17T10:00"):
        assert str(terms[terms.date(value)]) == str(to_ox(date_literal(value)))
    assert str(terms[terms.true()]) == str(to_ox(Literal(True)))


def test_oxigraph_quads_are_the_rdflib_quads():
    resolved = facts()
    quads = build_quads(resolved)
    rdflib_quads = set(to_quads(resolved)) | set(ontology_quads())
    assert {q for q in quads.ox_quads()} == {to_ox(q) for q in rdflib_quads}
    assert quads.rdflib_quads() == sorted(rdflib_quads, key=lambda q: tuple(t.n3() for t in q))
    expected = list(dict.fromkeys(q[:3] for q in quads.rdflib_quads()))
    assert len(quads.triples) == len(expected) == len({q[:3] for q in rdflib_quads})
    assert list(quads.ox_triples()) == [ox.Triple(*map(to_ox, triple)) for triple in expected]
    assert set(quads.graph_digests) == {str(q[3]) for q in rdflib_quads}


def test_graph_digests_depend_on_the_quads_only():
    quads = build_quads(facts())
    copied = QuadSet([tuple("".join(list(key)) for key in quad) for quad in reversed(quads.quads)], quads.terms)
    assert copied.quads == quads.quads and copied.graph_digests == quads.graph_digests
    fewer = QuadSet(quads.quads[1:], quads.terms)
    changed = {g for g in quads.graph_digests if fewer.graph_digests.get(g) != quads.graph_digests[g]}
    assert changed == {quads.quads[0][3][1:-1]}
