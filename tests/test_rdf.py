"""RDF mapping: records -> triples, deterministic IRIs, provenance, literal types."""
from __future__ import annotations

from decimal import Decimal

from rdflib import RDF, XSD, Graph, Literal
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import PROV

from kg.gazetteer import load_gazetteer
from kg.namespace import CCKG, ID
from kg.rdf import aid_flow_iri, date_literal, to_quads
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
