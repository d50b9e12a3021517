"""Aid flows in every common English phrasing, on sentences written for these tests.

Each case is a text and the flows it must yield, as (donor, recipient, status) with the
quantities and amount where the text gives them. None of these sentences comes from the
seed documents.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from kg.extract import extract_document
from kg.ingest import parse_text


def flows_of(nlp, text, date="2021-06-01"):
    doc = parse_text(text, "case.txt", {"date": date})
    return extract_document(doc, nlp).aid_flows


def summary(flows):
    return sorted((f.donor.label, f.recipient.label, f.status) for f in flows)


CASES = [
    # active voice
    ("Norway donated 3,000 ventilators to Peru.", [("Norway", "Peru", "delivered")]),
    ("The Japanese government sent 20,000 protective suits to Vietnam on April 3.",
     [("Japan", "Vietnam", "delivered")]),
    # passive with by-agent
    ("Medical supplies donated by the German government arrived in Lima.", [("Germany", "Peru", "delivered")]),
    ("Two million masks were donated to Kenya by India.", [("India", "Kenya", "delivered")]),
    # agentless passive: whose aid it is gives it ("Iran's letter" is no aid)
    ("Germany's ventilators were flown to Italy on April 2.", [("Germany", "Italy", "delivered")]),
    ("Iran's letter was sent to China on April 2.", []),
    ("Italy's latest versions of its treatment guidelines were sent to Spain.", [("Italy", "Spain", "delivered")]),
    # whom a gift helps, told by a participle beside it
    ("Norway made large donations, giving strong support to Peru's fight against the virus.",
     [("Norway", "Peru", "delivered")]),
    ("Norway and Peru should make a joint contribution to defeating the virus.", []),
    # a gerund after a gift: another gift to the same recipient ("a request" is no aid received)
    ("Norway gave test kits to Peru after receiving a request from Lima, before donating 300 ventilators.",
     [("Norway", "Peru", "delivered"), ("Norway", "Peru", "delivered")]),
    # in an account of what a giver gave, whom it "also supported" received more of it
    ("Norway has provided medical supplies and technical assistance. It has also supported the African Union "
     "and the World Food Programme.",
     [("Norway", "African Union", "delivered"), ("Norway", "World Food Programme", "delivered")]),
    ("Norway sent 300 ventilators to Peru. It is also supporting the UN's humanitarian response plan.",
     [("Norway", "Peru", "delivered"), ("Norway", "United Nations", "delivered")]),
    # ...but support with no giving told, "in" a role, or as a quality, is a stance
    ("Norway supported the African Union.", []),
    ("Norway donated masks to Peru. Norway also supports the World Health Organization in playing its role.",
     [("Norway", "Peru", "delivered")]),
    ("Norway donated masks to Peru. The Norwegian people are sincere in supporting Peru's recovery.",
     [("Norway", "Peru", "delivered")]),
    # a place of the giver's own country is only where the gift came from
    ("The Chinese government sent 200 doctors from Sichuan to Italy.", [("China", "Italy", "delivered")]),
    # a country's officials act for it
    ("Japanese officials delivered 5,000 masks to Vietnam.", [("Japan", "Vietnam", "delivered")]),
    # recipient first
    ("Chile received 500 oxygen concentrators from Canada.", [("Canada", "Chile", "delivered")]),
    # arrival
    ("A Cuban medical team arrived in Rome on March 22.", [("Cuba", "Italy", "delivered")]),
    ("A team of Cuban doctors came to Andorra on March 29.", [("Cuba", "Andorra", "delivered")]),
    # an arrival naming no giver and no place is the paragraph's last act's
    ('On May 2, a Cuban medical team arrived in Lima. Written on the boxes of medical supplies that arrived '
     'on the same flight were the words "Always together".',
     [("Cuba", "Peru", "delivered"), ("Cuba", "Peru", "delivered")]),
    ("The medical supplies that arrived on the same flight were stored in a warehouse.", []),
    # gifts that "came from" those named went where the last act's did; a place that
    # begins an organization's name is part of it
    ("Norway sent 300 ventilators to Peru. Generous donations also came from the private sector, chief among "
     "which are the Oslo Shipping Association and the Bergen Fisheries Council.",
     [("Norway", "Peru", "delivered"), ("Oslo Shipping Association", "Peru", "delivered"),
      ("Bergen Fisheries Council", "Peru", "delivered")]),
    # a carrier's "from" is where it flew from; whom its cargo is from gives
    ("On May 2, a plane from Frankfurt landed in Nairobi with a team of twelve experts from the German Red Cross.",
     [("German Red Cross", "Kenya", "delivered")]),
    # pledges
    ("Australia will provide vaccines to Fiji.", [("Australia", "Fiji", "pledged")]),
    ("Turkey stands ready to provide assistance to Iraq.", [("Turkey", "Iraq", "pledged")]),
    ("The EU pledged 10 million euros to Ghana.", [("European Union", "Ghana", "pledged")]),
    # coordination of recipients
    ("Qatar donated masks, gloves and ventilators to Sudan and Ethiopia.",
     [("Qatar", "Ethiopia", "delivered"), ("Qatar", "Sudan", "delivered")]),
    # pronoun carried over
    ("Russia sent test kits to Serbia. It also sent a medical team to Bosnia and Herzegovina.",
     [("Russia", "Bosnia and Herzegovina", "delivered"), ("Russia", "Serbia", "delivered")]),
    # same donor, recipient carried from the paragraph's last act
    ("Norway sent 300 ventilators to Peru on May 2. It also donated US$2 million.",
     [("Norway", "Peru", "delivered"), ("Norway", "Peru", "delivered")]),
    # agentless passive: the donor of the paragraph's last act
    ("Norway sent 300 ventilators to Peru. More test kits were sent to Chile.",
     [("Norway", "Chile", "delivered"), ("Norway", "Peru", "delivered")]),
    # noun of giving
    ("Brazil's donation to Bolivia included 40 tons of rice.", [("Brazil", "Bolivia", "delivered")]),
    # double object and provide-with
    ("France provided Senegal with 1,000 test kits.", [("France", "Senegal", "delivered")]),
    # money verbs and purpose clauses
    ("The EU has mobilised 15 million euros to support Ukraine.", [("European Union", "Ukraine", "delivered")]),
    ("Japan on Tuesday donated $3 million to Nepal.", [("Japan", "Nepal", "delivered")]),
    # announced package: a promise
    ("Germany announced a 50 million euro aid package for Kenya.", [("Germany", "Kenya", "pledged")]),
    # what a carrier carries
    ("Russia dispatched 15 military planes carrying doctors and equipment to Italy.", [("Russia", "Italy", "delivered")]),
    ("Kenya approved emergency grant aid of $2 million for Somalia.", [("Kenya", "Somalia", "pledged")]),
    ("The shipment was handed over to Somalia by the Turkish ambassador.", [("Turkey", "Somalia", "delivered")]),
    # places named through a place noun, and arrivals near a place
    ("Cuba sent a brigade of 52 doctors to the town of Crema.", [("Cuba", "Crema", "delivered")]),
    ("Nine Russian planes carrying disinfection equipment landed at an air base near Rome.",
     [("Russia", "Italy", "delivered")]),
    # an organization's plan stands for the organization
    ("The European Commission will allocate 25 million euros to the WHO's response plan.",
     [("European Commission", "World Health Organization", "pledged")]),
    # relative clause of receiving
    ("Ecuador, which received 500,000 doses from Chile, thanked its neighbour.", [("Chile", "Ecuador", "delivered")]),
    # an initiative stands for the organization running it
    ("The United States pledged $4 billion to the COVAX vaccine-sharing initiative.",
     [("United States", "COVAX", "pledged")]),
    # a carrier arriving
    ("A plane carrying 20 tons of supplies from Turkey landed in Madrid.", [("Turkey", "Spain", "delivered")]),
    # hand-over on behalf of another donor
    ("The Indian ambassador handed over 5,000 vaccine doses, donated by the Tata Trusts, to Bhutan.",
     [("Tata Trusts", "Bhutan", "delivered")]),
    # recipient in need
    ("Canada pledged to provide the assistance Haiti needs.", [("Canada", "Haiti", "pledged")]),
    # helping someone do something: the helped one receives
    ("Turkey helped Libya build a field hospital.", [("Turkey", "Libya", "delivered")]),
    # two acts joined in one sentence are two flows; one act told twice is one
    ("Norway donated US$2 million to Peru and sent a medical team to Peru.",
     [("Norway", "Peru", "delivered"), ("Norway", "Peru", "delivered")]),
    ("Norway sent 300 ventilators in donations to Peru.", [("Norway", "Peru", "delivered")]),
    # a gift beside another act: the act around it tells the recipient
    ("Canada sent 2,000 gowns to Haiti, plus gloves donated by the provinces of Ontario and Quebec.",
     [("Canada", "Haiti", "delivered"), ("Ontario", "Haiti", "delivered"), ("Quebec", "Haiti", "delivered")]),
    # helping someone in doing: the helped one receives what is made
    ("Norway has donated masks to Peru, and will support Peru in building a field hospital.",
     [("Norway", "Peru", "delivered"), ("Norway", "Peru", "pledged")]),
    # the countries a sent team goes to, however far the parser hangs them
    ("Cuba has sent teams of doctors who volunteered to go in order to assist with treatment to Peru and Chile.",
     [("Cuba", "Chile", "delivered"), ("Cuba", "Peru", "delivered")]),
    # a team that went somewhere
    ("The medical team the Turkish government sent to the Balkans went to Albania.",
     [("Turkey", "Albania", "delivered")]),
    # a readiness or willingness to give is a promise by its owner
    ("Kenyan President Uhuru Kenyatta stressed his country's readiness to send medical supplies to Uganda.",
     [("Kenya", "Uganda", "pledged")]),
    ("Chilean President Sebastian Pinera praised Peru, and stated their willingness to offer assistance to Bolivia.",
     [("Chile", "Bolivia", "pledged")]),
    # a team sent: the team's country sends; its members act for it
    ("Anna Berg and Lars Holm, members of a Swedish team of medical experts sent to support Kenya, "
     "trained nurses in Nairobi.", [("Sweden", "Kenya", "delivered")]),
    # a province's government receives, not its country
    ("The Chilean Embassy in Lima donated 30 ventilators to the government of Arequipa Province.",
     [("Chilean Embassy in Lima", "Arequipa Province", "delivered")]),
    # a recipient carried over to a giver of the same country
    ("Canada has sent 200 ventilators to Peru. The city of Toronto also sent medical supplies by air.",
     [("Canada", "Peru", "delivered"), ("Toronto", "Peru", "delivered")]),
    # "to" hung by the parser on the phrase before it
    ("Norway sent test kits without delay to the Peruvian side.", [("Norway", "Peru", "delivered")]),
    # a paragraph cut by a page's footnotes goes on after them
    ("Canada sent 200 ventilators to Peru on Monday.\n\n¹ Ministry of Health, press release, May 2.\n\n"
     "treatment guidelines are also sent to the Bolivian side.",
     [("Canada", "Bolivia", "delivered"), ("Canada", "Peru", "delivered")]),
    # "the country": the one named last before the sentence; a team that goes to help
    ("Peru has been hit by floods as well. A Chilean team travelled to the stricken country to assist it.",
     [("Chile", "Peru", "delivered")]),
    # a promise four verbs down from its subject
    ("The Chilean side is willing to work with Peru to tackle the outbreak and offer all-round assistance to Peru.",
     [("Chile", "Peru", "pledged")]),
    # an idiom of helping
    ("Norway and Denmark were among the first to extend a helping hand to Italy.",
     [("Denmark", "Italy", "delivered"), ("Norway", "Italy", "delivered")]),
    # a gift told with "be"
    ("The first batch of donations from Norway was 20 thousand masks to the city of Arequipa.",
     [("Norway", "Arequipa", "delivered")]),
    # acts beside one that names whom it helps
    ("The Norwegian government donated test kits, shared its experience and helped Peru and Chile buy ventilators.",
     [("Norway", "Chile", "delivered"), ("Norway", "Chile", "delivered"),  # two acts: kits and experience
      ("Norway", "Peru", "delivered"), ("Norway", "Peru", "delivered")]),
    # a gift with its verb left out
    ("Peru received the vaccines donated by Chile, the ventilators by Brazil and the masks given by Mexico.",
     [("Brazil", "Peru", "delivered"), ("Chile", "Peru", "delivered"), ("Mexico", "Peru", "delivered")]),
]


@pytest.mark.slow
@pytest.mark.parametrize("text, expected", CASES)
def test_phrasing(nlp, text, expected):
    assert summary(flows_of(nlp, text)) == sorted(expected)


NOT_AID = [
    "Iceland sent its gratitude to Norway for the masks.",
    "Oman offered sympathy to Yemen.",
    "Chile has offered numerous rounds of staunch support to Peru.",
    "The leaders of Chile and Argentina sent consolation and support to Bolivia.",
    "In a call with his Portuguese counterpart, the Spanish minister pledged Spain's best efforts to help Portugal.",
    "Peru received a request from Chile.",
    "Egypt exported 5,000 ventilators to Jordan.",
    "Mexico purchased two million masks from China.",
    "Spain refused to send doctors to Morocco.",
    "Sweden did not send any aid to Denmark.",
    "The minister praised the response of the health workers.",
    # a transfer within one country is no cooperation between countries
    "The Spanish government donated 5,000 masks to the Spanish Red Cross.",
]


@pytest.mark.slow
@pytest.mark.parametrize("text", NOT_AID)
def test_not_aid(nlp, text):
    assert flows_of(nlp, text) == ()


@pytest.mark.slow
def test_nothing_carries_across_paragraphs(nlp):
    flows = flows_of(nlp, "Norway sent 300 ventilators to Peru.\n\nIt also donated US$2 million to the fund.")
    assert summary(flows) == [("Norway", "Peru", "delivered")]


CUT_BY_A_PAGE = """Aid news of the week

Norway fought its own outbreak for weeks without any help from abroad. {beginning}

¹ Ministry statement, March 1, 2021, https://example.org/statement.html.

A photo caption between the pages of the report.

{rest} More would follow.
"""
GATHERED = "protective suits from its hospitals and delivered them to Peru on Monday."


@pytest.mark.slow
@pytest.mark.parametrize("beginning, rest, cited", [
    # the part with the sentence's main verb stands for it...
    ("Even so, the Norwegian government quickly gathered", GATHERED, "beginning"),
    ("Even so, Norway's test kits and", "protective suits were all sent to Peru on Monday.", "rest"),
    # ...unless a few words are all it holds
    ("Then it also gathered", GATHERED, "rest"),
])
def test_a_sentence_cut_by_a_page_break_is_read_whole_and_cited_by_its_main_part(nlp, beginning, rest, cited):
    doc = parse_text(CUT_BY_A_PAGE.format(beginning=beginning, rest=rest), "case.txt", {"date": "2021-03-02"})
    [flow] = extract_document(doc, nlp).aid_flows
    assert (flow.donor.label, flow.recipient.label, flow.date) == ("Norway", "Peru", "2021-03-01")
    [evidence] = flow.evidence
    assert evidence.text == {"beginning": beginning, "rest": rest}[cited] == doc.text[evidence.start:evidence.end]


ITALY_REPORT = ("Italy fought the virus alone for weeks. By March, Italy had more cases than any other "
                "country in Europe, and Italian hospitals in Lombardy were full.\n\n"
                "The Albanian government donated 30 doctors and nurses. Italian companies donated a million masks.\n\n"
                "Rome thanked Italy's friends.")


@pytest.mark.slow
@pytest.mark.parametrize("sentence, flow", [
    ("The Albanian government made large cash donations.", ("Albania", "Italy", "delivered")),
    ("Albanian Prime Minister Edi Rama praised Italian doctors and stated his willingness to offer medical assistance.",
     ("Albania", "Italy", "pledged")),
    # whom the aid comes from gives it
    ("Peru's leader welcomed the news and pledged quick assistance from Albania's government.",
     ("Albania", "Italy", "pledged")),
])
def test_more_acts_with_no_recipient_in_a_report_about_one_country(nlp, sentence, flow):
    report = ITALY_REPORT.split("\n\n")[0] + "\n\n" + sentence
    assert summary(flows_of(nlp, report)) == [flow]


@pytest.mark.slow
def test_an_act_with_no_recipient_goes_to_the_country_the_report_is_about(nlp):
    # the Albanian gift names no recipient: it is Italy's, the country the report is about;
    # the Italian companies' gift stays unplaced (they are of that country)
    assert summary(flows_of(nlp, ITALY_REPORT)) == [("Albania", "Italy", "delivered")]


@pytest.mark.slow
def test_an_act_with_no_recipient_and_no_main_country_is_dropped(nlp):
    text = "Norway and Peru held talks on trade. Peru and Norway agreed to meet again.\n\nSweden donated 300 ventilators."
    assert flows_of(nlp, text) == ()


@pytest.mark.slow
def test_items_quantities_and_units(nlp):
    [flow] = flows_of(nlp, "Norway donated 2 million face masks and 100 thousand sets of protective clothing to Peru.")
    got = {(i.label, i.quantity, i.unit) for i in flow.items}
    assert ("face masks", Decimal(2000000), "piece") in got
    assert ("protective clothing", Decimal(100000), "set") in got
    assert "medical_supplies" in flow.aid_types


@pytest.mark.slow
def test_items_along_with_others(nlp):
    [flow] = flows_of(nlp, "On May 2, a plane from Havana touched down in Lima with ten doctors from Cuba "
                           "together with 5 tons of medicines.")
    assert (flow.donor.label, flow.recipient.label) == ("Cuba", "Peru")
    assert {(i.label, i.quantity, i.unit) for i in flow.items} == {
        ("doctors", Decimal(10), "person"), ("medicines", Decimal(5), "ton")}


@pytest.mark.slow
def test_one_facility_and_one_team_each(nlp):
    [flow] = flows_of(nlp, "Japan helped Kenya build a field hospital.")
    assert [(i.label, i.quantity) for i in flow.items] == [("field hospital", Decimal(1))]
    flows = flows_of(nlp, "Two Cuban medical teams landed in Peru and Chile.")
    assert {(f.recipient.label, i.quantity) for f in flows for i in f.items} == {("Peru", 1), ("Chile", 1)}


@pytest.mark.slow
@pytest.mark.parametrize("text, donor, status, value", [
    # a sum "in aid": the verb over the sum gives it, to whom that verb says
    ("The US State Department announced an additional $50 million in humanitarian aid to Ukraine.",
     "State Department (United States)", "pledged", 50_000_000),
    ("Canada delivered $10 million in aid to Haiti.", "Canada", "delivered", 10_000_000),
    # a name the parser takes for a modifier before the verb is still its subject
    ("USAID provided $5 million to Nepal.", "United States Agency for International Development", "delivered", 5_000_000),
])
def test_sums_of_aid(nlp, text, donor, status, value):
    [flow] = flows_of(nlp, text)
    assert (flow.donor.label, flow.status, flow.amount.value, flow.amount.currency) == (donor, status, value, "USD")


@pytest.mark.slow
def test_money_and_cash_type(nlp):
    [flow] = flows_of(nlp, "Kuwait donated US$1.5 million to Yemen.")
    assert flow.amount.value == Decimal(1500000) and flow.amount.currency == "USD"
    assert "cash" in flow.aid_types


@pytest.mark.slow
def test_date_from_sentence_and_carried_from_paragraph(nlp):
    flows = flows_of(nlp, "On May 4, officials met in Accra. Norway donated 3,000 ventilators to Ghana.")
    assert [f.date for f in flows] == ["2021-05-04"]


@pytest.mark.slow
def test_relative_date_counts_from_the_last_one(nlp):
    flows = flows_of(nlp, "On May 4, Norway sent masks to Ghana. Two weeks later, Norway sent ventilators to Togo.")
    assert sorted((f.recipient.label, f.date) for f in flows) == [("Ghana", "2021-05-04"), ("Togo", "2021-05-18")]


@pytest.mark.slow
def test_dateline_and_weekday(nlp):
    text = "LIMA, May 7, 2021 (Reuters) - Norway delivered 300 ventilators to Peru on Wednesday, officials said."
    [flow] = flows_of(nlp, text, date="2021-05-07")  # a Friday
    assert (flow.donor.label, flow.recipient.label, flow.date) == ("Norway", "Peru", "2021-05-05")


@pytest.mark.slow
def test_gift_named_beside_a_donation(nlp):
    [flow] = flows_of(nlp, "Chad will increase its donation to Niger with a gift of 2,000 goats.")
    assert flow.status == "pledged"
    assert [(i.label, i.quantity, i.unit) for i in flow.items if i.quantity] == [("goats", Decimal(2000), "head")]


@pytest.mark.slow
def test_evidence_slices_the_document(nlp):
    text = "Headline\n\nNorway donated 3,000 ventilators to Peru. Nothing else happened."
    doc = parse_text(text, "case.txt")
    [flow] = extract_document(doc, nlp).aid_flows
    [evidence] = flow.evidence
    assert text[evidence.start:evidence.end] == evidence.text == "Norway donated 3,000 ventilators to Peru."


@pytest.mark.slow
@pytest.mark.parametrize("text, supplier, buyer", [
    ("Egypt exported 5,000 ventilators to Jordan.", "Egypt", "Jordan"),
    ("Mexico purchased two million masks from China.", "China", "Mexico"),
])
def test_sales_are_commercial_flows(nlp, text, supplier, buyer):
    doc = parse_text(text, "case.txt", {"date": "2021"})
    facts = extract_document(doc, nlp)
    assert facts.aid_flows == ()
    [sale] = facts.commercial_flows
    assert (sale.supplier.label, sale.buyer.label) == (supplier, buyer)


@pytest.mark.slow
def test_unknown_organizations_of_two_countries_stay_apart(nlp):
    flows = flows_of(nlp, "Norway's Red Cross sent masks to Chile. Sweden's Red Cross sent masks to Peru.")
    assert len({f.donor.key for f in flows}) == 2


@pytest.mark.slow
def test_an_arrival_told_again_keeps_its_giver_and_counts_the_team(nlp):
    text = ("A Cuban medical team touched down in Italy on March 22. "
            "The 52-member team landed in the morning at Milan Malpensa Airport with 10 tons of supplies.")
    flows = flows_of(nlp, text)
    assert summary(flows) == [("Cuba", "Italy", "delivered"), ("Cuba", "Italy", "delivered")]
    items = {(i.quantity, i.unit) for i in flows[1].items}
    assert (Decimal(52), "person") in items
    assert any(quantity == Decimal(10) for quantity, _ in items)


@pytest.mark.slow
def test_a_number_of_cities_is_a_group_of_cities(nlp):
    [flow] = flows_of(nlp, "Quite a number of Norwegian cities offered assistance to their sister Peruvian cities.")
    assert (flow.donor.kind, flow.donor.label) == ("group", "Norwegian cities")
    assert (flow.recipient.kind, flow.recipient.label) == ("group", "Peruvian cities")
