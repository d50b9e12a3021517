"""Resolution: one actor per entity, repeated acts merged."""
from __future__ import annotations

from decimal import Decimal

from kg.gazetteer import load_gazetteer
from kg.resolve import resolve
from kg.types import (ActorRef, AidFlow, AidItem, CommercialFlow, DocumentFacts, Evidence, Paragraph,
                      SourceDocument)


def document(name, text="x"):
    return SourceDocument(file_name=name, text=text, content_hash=name * 8, paragraphs=(Paragraph(0, 1),))


def evidence(doc, start=0):
    return Evidence(doc.file_name, doc.content_hash, "x", start, start + 1)


def test_names_of_one_country_become_one_actor():
    gaz = load_gazetteer()
    assert gaz.lookup("ROK").key == gaz.lookup("Republic of Korea").key == gaz.lookup("South Korea").key
    assert gaz.lookup("DPRK").iso3 == "PRK"


def test_short_person_name_joins_the_full_name():
    doc = document("a")
    full = ActorRef("person:lee-kuan", "person", "Lee Kuan", ("Lee Kuan",))
    short = ActorRef("person:kuan", "person", "Kuan", ("Kuan",))
    norway = load_gazetteer().lookup("Norway")
    flows = (AidFlow(full, norway, (evidence(doc),)), AidFlow(short, norway, (evidence(doc, 5),)))
    resolved = resolve([DocumentFacts(doc, 1, aid_flows=flows)])
    assert {f.donor.key for f in resolved.aid_flows} == {"person:lee-kuan"}
    assert "Kuan" in resolved.actors["person:lee-kuan"].names


def test_two_short_names_of_one_person_both_stay_its_names():
    doc = document("a")
    full = ActorRef("person:lee-kuan", "person", "Lee Kuan", ("Lee Kuan",))
    first = ActorRef("person:lee", "person", "Lee", ("Lee",))
    last = ActorRef("person:kuan", "person", "Kuan", ("Kuan",))
    norway = load_gazetteer().lookup("Norway")
    flows = tuple(AidFlow(person, norway, (evidence(doc, start),))
                  for start, person in enumerate((full, first, last)))
    resolved = resolve([DocumentFacts(doc, 1, aid_flows=flows)])
    assert resolved.actors["person:lee-kuan"].names == ("Lee Kuan", "Lee", "Kuan")


def test_same_act_in_two_documents_is_one_flow_with_two_mentions():
    gaz = load_gazetteer()
    a, b = document("a"), document("b")
    item = (AidItem("masks", Decimal(5000), unit="piece"),)
    flow_a = AidFlow(gaz.lookup("Norway"), gaz.lookup("Peru"), (evidence(a),), items=item, date="2020-03-01")
    flow_b = AidFlow(gaz.lookup("Norway"), gaz.lookup("Peru"), (evidence(b),), items=item, date="2020-03-01")
    resolved = resolve([DocumentFacts(a, 1, aid_flows=(flow_a,)), DocumentFacts(b, 1, aid_flows=(flow_b,))])
    [flow] = resolved.aid_flows
    assert {e.file_name for e in flow.evidence} == {"a", "b"}


def test_subnational_brings_its_country():
    gaz = load_gazetteer()
    doc = document("a")
    city = ActorRef("subnational:PER:cusco", "subnational", "Cusco", ("Cusco",), iso3="PER")
    resolved = resolve([DocumentFacts(doc, 1, aid_flows=(AidFlow(gaz.lookup("Norway"), city, (evidence(doc),)),))])
    assert "country:PER" in resolved.actors


def test_aid_also_reported_as_a_sale_is_disputed():
    gaz = load_gazetteer()
    a, b = document("a"), document("b")
    masks = (AidItem("masks", Decimal(5000), unit="piece"),)
    gift = AidFlow(gaz.lookup("Norway"), gaz.lookup("Peru"), (evidence(a),), items=masks)
    sale = CommercialFlow(gaz.lookup("Norway"), gaz.lookup("Peru"), (evidence(b),), items=masks)
    resolved = resolve([DocumentFacts(a, 1, aid_flows=(gift,)), DocumentFacts(b, 1, commercial_flows=(sale,))])
    [flow] = resolved.aid_flows
    assert flow.disputed
    assert len(resolved.commercial_flows) == 1
