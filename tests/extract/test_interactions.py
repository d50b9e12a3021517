"""Interactions: calls, visits, meetings, letters and conferences, on sentences of our own."""
from __future__ import annotations

import pytest

from kg.extract import extract_document
from kg.ingest import parse_text


def interactions_of(nlp, text):
    doc = parse_text(text, "case.txt", {"date": "2021"})
    return extract_document(doc, nlp).interactions


@pytest.mark.slow
@pytest.mark.parametrize("text, kind, names", [
    ("In a phone call on March 3, German Chancellor Angela Merkel spoke with French President Emmanuel Macron.",
     "phone_call", {"Angela Merkel", "Emmanuel Macron", "Germany", "France"}),
    ("Spanish Prime Minister Pedro Sanchez met with Moroccan King Mohammed VI in Rabat.",
     "meeting", {"Pedro Sanchez", "Spain", "Morocco"}),
    ("Chilean President Sebastian Pinera held a video conference with Argentine President Alberto Fernandez.",
     "video_conference", {"Sebastian Pinera", "Alberto Fernandez", "Chile", "Argentina"}),
    ("Greek Prime Minister Kyriakos Mitsotakis sent a letter to Italian Prime Minister Giuseppe Conte.",
     "letter", {"Kyriakos Mitsotakis", "Giuseppe Conte", "Greece", "Italy"}),
])
def test_kinds_and_participants(nlp, text, kind, names):
    [interaction] = [i for i in interactions_of(nlp, text) if i.kind == kind]
    # a known person may be labelled with the usual spelling ("Sebastián Piñera"): any of their names counts
    assert names <= {name for p in interaction.participants for name in (p.label, *p.names)}


@pytest.mark.slow
def test_visit_has_visitor_and_host(nlp):
    [visit] = interactions_of(nlp, "Ghanaian President Nana Akufo-Addo paid a visit to Nigeria on May 2.")
    assert visit.kind == "visit"
    assert visit.host.label == "Nigeria"
    assert visit.initiator.label == "Nana Akufo-Addo"
    assert visit.date == "2021-05-02"


@pytest.mark.slow
def test_no_contact_no_interaction(nlp):
    assert interactions_of(nlp, "The virus spread quickly across the region in the spring.") == ()


@pytest.mark.slow
def test_leader_speaking_of_another_country_is_a_statement(nlp):
    [statement] = interactions_of(nlp, "Serbian President Aleksandar Vucic said that Norway is a true friend.")
    assert statement.kind == "statement_of_support"
    assert {"Aleksandar Vucic", "Serbia", "Norway"} <= {n for p in statement.participants for n in (p.label, *p.names)}


@pytest.mark.slow
def test_speaking_of_ones_own_country_is_no_statement(nlp):
    text = "Norwegian Prime Minister Erna Solberg said that Norway will act fast."
    assert [i for i in interactions_of(nlp, text) if i.kind == "statement_of_support"] == []


@pytest.mark.slow
def test_visit_without_destination_is_dropped(nlp):
    assert interactions_of(nlp, "The visit of Ghanaian President Nana Akufo-Addo came at a special moment.") == ()


@pytest.mark.slow
def test_one_letter_per_sender(nlp):
    text = ("Danish Prime Minister Mette Frederiksen and Finnish Prime Minister Sanna Marin "
            "have both written to Swedish Prime Minister Stefan Lofven.")
    letters = [i for i in interactions_of(nlp, text) if i.kind == "letter"]
    assert {i.initiator.label for i in letters} == {"Mette Frederiksen", "Sanna Marin"}


@pytest.mark.slow
def test_news_attribution_is_no_statement(nlp):
    text = "Norway delivered 300 ventilators to Peru on Monday, Norwegian Foreign Minister Ine Eriksen Soreide said."
    assert [i for i in interactions_of(nlp, text) if i.kind == "statement_of_support"] == []


@pytest.mark.slow
def test_conference_with_a_regional_group(nlp):
    [call] = interactions_of(nlp, "On March 26, Norway held a video conference with countries in West Africa.")
    assert call.kind == "video_conference"
    assert {p.label for p in call.participants} == {"Norway", "countries in West Africa"}


def names_of(interaction):
    return {n for p in interaction.participants for n in (p.label, *p.names)}


@pytest.mark.slow
@pytest.mark.parametrize("text, caller, called", [
    ("Dutch Foreign Minister Stef Blok called Belgian Foreign Minister Philippe Goffin "
     "and Luxembourg Foreign Minister Jean Asselborn.", "Stef Blok", ("Philippe Goffin", "Jean Asselborn")),
    # the people called named first, in a phrase the parser joins to the caller
    ("In phone calls with Swedish Foreign Minister Ann Linde and Finnish Foreign Minister Pekka Haavisto, "
     "Norwegian Foreign Minister Ine Eriksen Soreide expressed Norway's support.",
     "Ine Eriksen Soreide", ("Ann Linde", "Pekka Haavisto")),
])
def test_a_call_with_each_person_called(nlp, text, caller, called):
    calls = [i for i in interactions_of(nlp, text) if i.kind == "phone_call"]
    assert len(calls) == 2
    assert all(caller in names_of(c) for c in calls)
    assert sorted((called[0] in names_of(c), called[1] in names_of(c)) for c in calls) == [(False, True), (True, False)]


@pytest.mark.slow
def test_called_the_president_of_a_country(nlp):
    text = "Portuguese Prime Minister Antonio Costa called President of Brazil Jair Bolsonaro on Tuesday."
    [call] = [i for i in interactions_of(nlp, text) if i.kind == "phone_call"]
    assert {"Jair Bolsonaro", "Brazil"} <= names_of(call)


@pytest.mark.parametrize("text, speaker, other", [
    ("According to Kenyan President Uhuru Kenyatta, Ethiopia has shown great leadership.", "Uhuru Kenyatta", "Ethiopia"),
    ("As former Danish Prime Minister Lars Rasmussen stated, Germany has acted with great responsibility.",
     "Lars Rasmussen", "Germany"),
    ("Peruvian President Martin Vizcarra vowed to keep borders open, and expressed his confidence that Chile "
     "would overcome the outbreak.", "Martin Vizcarra", "Chile"),
    ("Ghanaian President Nana Akufo-Addo sent the Ghanaian people's gratitude to Nigeria for its help.",
     "Nana Akufo-Addo", "Nigeria"),
    ("Uruguay's Foreign Minister, Ernesto Talvi, pointed out that the support of Argentina was vital.",
     "Ernesto Talvi", "Argentina"),
    ("Ecuador's medical teams did remarkable work that deserves the respect of every nation, said Ivan Duque, "
     "president of Colombia.", "Ivan Duque", "Ecuador"),
])
@pytest.mark.slow
def test_ways_of_stating_support(nlp, text, speaker, other):
    statements = [i for i in interactions_of(nlp, text) if i.kind == "statement_of_support"]
    assert len(statements) == 1
    assert {speaker, other} <= names_of(statements[0])


@pytest.mark.slow
def test_sympathy_offered_in_a_call_is_part_of_the_call(nlp):
    text = "During a phone call with Spanish Prime Minister Pedro Sanchez, Portuguese Prime Minister Antonio Costa offered sympathy."
    assert {i.kind for i in interactions_of(nlp, text)} == {"phone_call"}


@pytest.mark.slow
@pytest.mark.parametrize("text, kinds", [
    ("**Kenyan President Uhuru Kenyatta offered sympathy to Ugandan President Yoweri Museveni** by phone.",
     {"phone_call"}),
    ("Colombian President Ivan Duque expressed support for Bolivia by phone.", {"phone_call"}),
    ("The Chilean government voiced sympathy and support to Peru by letters or phone calls.",
     {"statement_of_support"}),
    ("Colombian President Ivan Duque expressed support for Bolivia via phone or other means.",
     {"statement_of_support"}),
])
def test_a_means_of_contact_is_a_contact_only_when_it_is_one(nlp, text, kinds):
    # a call by phone is one; "by letters or phone calls" only tells how words of support went
    assert {i.kind for i in interactions_of(nlp, text)} == kinds


@pytest.mark.slow
@pytest.mark.parametrize("text, kind, countries", [
    ("Several Chilean senators voiced sympathy and support to Peru.", "statement_of_support", {"Chile", "Peru"}),
    ("Chilean lawmakers held a video conference with Peruvian legislators.", "video_conference", {"Chile", "Peru"}),
    ("Indian diplomats expressed support for Nepal.", "statement_of_support", {"India", "Nepal"}),
])
def test_a_countrys_officials_stand_for_it(nlp, text, kind, countries):
    [interaction] = interactions_of(nlp, text)
    assert interaction.kind == kind
    assert {p.label for p in interaction.participants} == countries


@pytest.mark.slow
def test_a_joint_contact_of_several_is_one_unless_told_apart(nlp):
    joint = ("Japanese Prime Minister Yoshihide Suga and Australian Prime Minister Scott Morrison issued a joint "
             "statement on vaccine cooperation.")
    [statement] = interactions_of(nlp, joint)
    assert {"Yoshihide Suga", "Scott Morrison", "Japan", "Australia"} <= names_of(statement)
    apart = ("Kenyan President Uhuru Kenyatta and Ugandan President Yoweri Museveni held separate meetings "
             "with Chinese Foreign Minister Wang Yi.")
    assert sorted(i.initiator.label for i in interactions_of(nlp, apart)) == ["Uhuru Kenyatta", "Yoweri Museveni"]


@pytest.mark.slow
def test_where_they_met_and_words_of_a_title_are_no_parties(nlp):
    [meeting] = interactions_of(nlp, "EU High Representative Josep Borrell met Indian External Affairs Minister "
                                     "S. Jaishankar in Brussels.")
    assert "Brussels" not in names_of(meeting)
    [call] = interactions_of(nlp, "US Secretary of State Antony Blinken spoke by phone with Ukrainian Foreign "
                                  "Minister Dmytro Kuleba.")
    assert {p.label for p in call.participants} == {"United States", "Antony Blinken", "Ukraine", "Dmytro Kuleba"}


@pytest.mark.slow
def test_a_quoted_promise_of_aid_states_support(nlp):
    quoted = ('The Chilean president spoke warmly of the friendship between the peoples:\n\n'
              '"Chile will send additional medical teams to Peru." "Chile stands ready to provide ventilators to Bolivia."')
    statements = [i for i in interactions_of(nlp, quoted) if i.kind == "statement_of_support"]
    assert sorted(tuple(p.label for p in s.participants) for s in statements) == [("Chile", "Bolivia"), ("Chile", "Peru")]
    # told, not quoted, a promise is only an aid flow
    assert interactions_of(nlp, "Chile will send additional medical teams to Peru.") == ()


@pytest.mark.slow
def test_each_speaker_of_a_joint_thanks_states_it(nlp):
    text = "Peruvian President Martin Vizcarra and Foreign Minister Gustavo Meza-Cuadra have thanked Chile for its support."
    statements = [i for i in interactions_of(nlp, text) if i.kind == "statement_of_support"]
    speakers = [{s.initiator.label, *s.initiator.names} for s in statements]
    assert len(speakers) == 2
    assert any("Martin Vizcarra" in names for names in speakers) and any("Gustavo Meza-Cuadra" in names for names in speakers)


@pytest.mark.slow
def test_calls_for_something_are_appeals_not_phone_calls(nlp):
    text = "French President Emmanuel Macron has made repeated calls for cooperation with Germany and Italy."
    assert [i for i in interactions_of(nlp, text) if i.kind == "phone_call"] == []


@pytest.mark.slow
def test_plural_trigger_phrase(nlp):
    text = "Since April, Norway has held over 30 video conferences with Sweden and Denmark."
    [conference] = [i for i in interactions_of(nlp, text) if i.kind == "video_conference"]
    assert {"Norway", "Sweden", "Denmark"} <= names_of(conference)


@pytest.mark.slow
def test_writing_to_no_one_is_no_letter(nlp):
    for text in ("Poems written on the boxes of masks that arrived in Peru from Chile moved many readers.",
                 "Norway's Aftenposten newspaper wrote in an editorial that Sweden had acted late."):
        assert [i for i in interactions_of(nlp, text) if i.kind == "letter"] == []


@pytest.mark.slow
def test_a_meeting_held_by_video_is_one_video_conference_and_the_disease_is_no_party(nlp):
    text = "Norway and Sweden joined a special Foreign Ministers' video conference on COVID-19 at Denmark's initiative."
    found = interactions_of(nlp, text)
    assert [i.kind for i in found] == ["video_conference"]
    assert not any("COVID" in n for n in names_of(found[0]))


@pytest.mark.slow
def test_a_meeting_told_by_its_joint_press_communique(nlp):
    text = "The Nordic Foreign Ministers' Meeting led to a joint press communique of Norway, Sweden and Finland."
    assert [i.kind for i in interactions_of(nlp, text)] == ["joint_statement"]
