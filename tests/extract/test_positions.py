"""Positions: titles of office held by named persons, on sentences of our own."""
from __future__ import annotations

import pytest

from kg.extract import extract_document
from kg.ingest import parse_text


def positions_of(nlp, text):
    doc = parse_text(text, "case.txt", {"date": "2021"})
    return sorted({(p.person.label, p.title, p.of.label) for p in extract_document(doc, nlp).positions})


CASES = [
    ("Norwegian Prime Minister Erna Solberg spoke to the press.", [("Erna Solberg", "Prime Minister", "Norway")]),
    ("Prime Minister Justin Trudeau of Canada spoke to the press.", [("Justin Trudeau", "Prime Minister", "Canada")]),
    ("Jacinda Ardern, Prime Minister of New Zealand, spoke to the press.",
     [("Jacinda Ardern", "Prime Minister", "New Zealand")]),
    ("WHO Director-General Tedros Adhanom Ghebreyesus thanked the donors.",
     [("Tedros Adhanom Ghebreyesus", "Director-General", "World Health Organization")]),
    ("Kenya's Health Minister Mutahi Kagwe received the vaccines.",
     [("Mutahi Kagwe", "Health Minister", "Kenya")]),
    # coordinated: the second title shares the first one's country
    ("Danish Queen Margrethe and Prime Minister Mette Frederiksen spoke.",
     [("Margrethe II", "Queen", "Denmark"), ("Mette Frederiksen", "Prime Minister", "Denmark")]),
    # appositive chain, each title with its own holder
    ("Helen Clark, Chair of the Group of Twenty and former Prime Minister of New Zealand, spoke.",
     [("Helen Clark", "Chair", "Group of Twenty"), ("Helen Clark", "Prime Minister", "New Zealand")]),
    # title before "of" with an adjective
    ("Taro Kono, secretary-general of the ruling Liberal Democratic Party, spoke.",
     [("Taro Kono", "Secretary-General", "Liberal Democratic Party")]),
    # an organization the place-name ruler cut short is read whole
    ("Jan Novak, president of the Socialist Party of Slovakia, spoke.",
     [("Jan Novak", "President", "Socialist Party of Slovakia")]),
    # an honorific between title and name
    ("Myanmar President U Win Myint spoke.", [("Win Myint", "President", "Myanmar")]),
    # a known office holder: the title's country without being stated; names written many ways
    ("Prime Minister Justin Trudeau spoke to the press.", [("Justin Trudeau", "Prime Minister", "Canada")]),
    ("Turkish President Erdogan spoke to the press.", [("Recep Tayyip Erdoğan", "President", "Turkey")]),
    # a title of an organization, then the name: an organization the model did not know
    ("The President of the Chilean Mutual Security Association, Dr. Pedro Vargas, opened the meeting.",
     [("Pedro Vargas", "President", "Mutual Security Association (Chile)")]),
    ("Chairman of Kenya-Uganda Friendship Society Jane Wanjiru spoke.",
     [("Jane Wanjiru", "Chairman", "Kenya-Uganda Friendship Society")]),
    # a party office of a known holder is the party's
    ("General Secretary Nguyen Phu Trong spoke.", [("Nguyen Phu Trong", "General Secretary", "Communist Party of Vietnam")]),
    # a name the table does not know, under a one-holder office: the holder of the day
    ("Italian Foreign Minister Luiji Dimayo spoke to the press.", [("Luigi Di Maio", "Foreign Minister", "Italy")]),
    ("The Canadian Ambassador to China Dominik Baton spoke.", [("Dominic Barton", "Ambassador", "Canada")]),
    # ... but a former holder is someone else
    ("Former Italian Foreign Minister Marco Rossini spoke.", [("Marco Rossini", "Foreign Minister", "Italy")]),
]


@pytest.mark.slow
@pytest.mark.parametrize("text, expected", CASES)
def test_positions(nlp, text, expected):
    assert positions_of(nlp, text) == expected


@pytest.mark.slow
def test_two_titles_joined_by_and(nlp):
    got = positions_of(nlp, "Indian External Affairs Minister and Deputy Leader Subrahmanyam Jaishankar arrived.")
    assert {p[2] for p in got} == {"India"}
    assert len(got) >= 1
