"""Actors and positions: who a noun phrase stands for, and who holds which office.

`ActorReader` turns the head token of a noun phrase into an `ActorRef`: a gazetteer entity
("ROK"), a country's government ("the Chinese government"), a person ("Xi Jinping"), an
organization ("the Chinese Embassy in the ROK"), a place, a group ("18 African countries"),
or a pronoun that refers back to the last actor that acted ("it", "its").
`extract_positions` finds titles of office held by persons.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from kg.extract.quantities import parse_quantity
from kg.gazetteer import Gazetteer, Leader, load_cities, load_gazetteer, normalize_name, slug
from kg.extract.parsed import entity_of, prep_objects, sentence_entities, title_tokens
from kg.nlp import TITLES_KEY
from kg.types import ActorRef, Evidence, Position

_PRONOUNS = {"it", "its", "they", "their", "them", "itself"}
_PERSON_PRONOUNS = {"he", "his", "him", "she", "her"}
_DETERMINERS = {"the", "a", "an", "its", "their", "this", "these", "those", "some"}
_TITLE_GLUE = {"and", "former", "then", "of", "for", "'s", "’s", "ruling", "acting"}
_ACTING_FOR_STATE = {"head_of_state", "head_of_government", "minister", "diplomat"}
_STATE_TITLE_KINDS = {"head_of_state", "head_of_government", "minister", "royal", "legislator"}
_NOT_THE_HOLDER = {"former", "then", "late", "ex", "acting", "interim", "future", "next"}
_HONORIFICS = {"mr", "mrs", "ms", "dr", "u", "h.e.", "his", "her", "excellency"}


@dataclass
class ReadingContext:
    """What the reader remembers while going through one document, sentence by sentence."""

    last_actor: ActorRef | None = None  # the last actor that acted: "it" refers to it
    last_donor: ActorRef | None = None  # of the paragraph's last act with both parties stated
    last_recipient: ActorRef | None = None
    last_giver: ActorRef | None = None  # of the paragraph's last act, its recipient stated or not

    def new_paragraph(self) -> None:
        """Forget what only carries within a paragraph."""
        self.last_donor = self.last_recipient = self.last_giver = None
    last_person: ActorRef | None = None  # "he" / "she"
    year: int | None = None  # the document's year: who held an office then
    persons: dict[str, ActorRef] = field(default_factory=dict)  # surname or given name -> full-name person
    country_mentions: Counter[str] = field(default_factory=Counter)  # country key -> times named
    offices: dict[str, ActorRef] = field(default_factory=dict)  # person key -> country of a stated office
    unplaced: list[tuple[ActorRef, str, Evidence]] = field(default_factory=list)  # titles of no stated holder
    recent_countries: list[str] = field(default_factory=list)  # country keys, the last named last
    sentence_countries: frozenset[str] = frozenset()  # the countries the current sentence names


def _place_country(name: str) -> str | None:
    """ISO3 of the country of a city, for places the gazetteer lacks."""
    return load_cities().get(name)


class ActorReader:
    """Reads actors off parsed tokens, with the gazetteer and a per-document context."""

    def __init__(self, gaz: Gazetteer | None = None) -> None:
        self.gaz = gaz or load_gazetteer()
        self.context = ReadingContext()

    # --- public -----------------------------------------------------------------------
    def actor(self, head: Token) -> ActorRef | None:
        """The actor a noun phrase headed by `head` stands for, or None if it is no actor."""
        if head.lower_ in _PRONOUNS:
            return self._antecedent(head)
        if head.lower_ in _PERSON_PRONOUNS:
            return self.context.last_person
        if head.ent_type_:
            found = self._entity_actor(entity_of(head), head)
            if found is not None:
                return found
        lemma = head.lemma_.lower()
        if lemma in self.gaz.words("place_nouns"):
            # "the town of Crema", "the city of Hechi"
            named = [p for p in prep_objects(head, "of") if p.pos_ == "PROPN"]
            if named:
                name = entity_of(named[0]).text if named[0].ent_type_ else named[0].text
                return self.gaz.lookup(name) or self._place(name)
        if lemma in self.gaz.words("state_nouns") or head.lower_ in self.gaz.words("state_nouns"):
            # "the government of Siem Reap Province" is the province's, not its country's
            local = next((a for p in prep_objects(head, "of") if p.ent_type_ and (a := self.actor(p)) is not None
                          and a.kind == "subnational"), None)
            if local is not None:
                return local
            country = self._country_modifier(head)
            if country is not None:
                return country
        if head.lower_ in self.gaz.words("group_nouns"):
            return self._group(head)
        if lemma in self.gaz.words("organization_nouns"):
            country = self._country_modifier(head)
            if country is not None:
                return self._organization(_phrase_text(head), country.iso3)
        return None

    def actors(self, head: Token) -> list[ActorRef]:
        """The actors of a head and of its coordinated heads ("Ghana and Ethiopia").

        A group named with its members stands for the members: "Chinese companies, such as
        Alibaba Foundation and Huawei" -> the two companies.
        """
        if head.lemma_.lower() in _QUANTIFIER_NOUNS and (counted := prep_objects(head, "of")):
            return self.actors(counted[0])  # "a number of Japanese cities": the cities
        members = [m for noun in (head, *head.conjuncts) for prep in noun.children
                   if prep.dep_ == "prep" and prep.lower_ in {"as", "like", "including"}
                   for pobj in prep.children if pobj.dep_ == "pobj" for m in (pobj, *pobj.conjuncts)]
        if head.lower_ in self.gaz.words("group_nouns") and members:
            found_members = [a for m in members if (a := self.actor(m)) is not None]
            if found_members:
                return found_members
        if head.lemma_.lower() in self.gaz.words("place_nouns"):
            # "the prefectures of Tokyo and Oita"
            places = [a for p in prep_objects(head, "of")[:1] for t in (p, *p.conjuncts) if (a := self.actor(t)) is not None]
            if len(places) > 1:
                return places
        found = []
        for token in (head, *head.conjuncts):
            actor = self.actor(token)
            if actor is not None and actor.key not in {a.key for a in found}:
                found.append(actor)
        return found

    def country_of(self, actor: ActorRef) -> ActorRef | None:
        """The country an actor is or belongs to (a person: the country of an office held)."""
        if actor.kind == "country":
            return actor
        if actor.kind == "person":
            return self.context.offices.get(actor.key) or self._known_office_country(actor)
        if actor.iso3:
            return self.gaz.actors.get(f"country:{actor.iso3}")
        return None

    def side(self, actor: ActorRef) -> str:
        """The key of the party an actor acts for: its country, or itself when of none."""
        return (self.country_of(actor) or actor).key

    def place(self, head: Token) -> ActorRef | None:
        """The country of a place: "arrived in Islamabad", "landed at an air base near Rome"."""
        actor = self.actor(head)
        if actor is not None:
            return self.country_of(actor) or actor
        if head.lemma_.lower() in {"country", "nation"} and any(c.lower_ == "the" for c in head.children) \
                and not any(c.dep_ in {"poss", "prep", "compound"} for c in head.children):
            # "travelled to the war-torn country": the country named last before this sentence
            key = next((k for k in reversed(self.context.recent_countries) if k not in self.context.sentence_countries), None)
            return self.gaz.actors.get(key) if key else None
        name = entity_of(head).text if head.ent_type_ else head.text
        # a word after a named place is a facility of it ("Phnom Penh Airport"), not a town "Airport"
        named_before = not head.ent_type_ and any(c.dep_ == "compound" and c.ent_type_ for c in head.children)
        country = None if named_before else _place_country(name)
        if not country and head.ent_type_ == "FAC":
            # "Phnom Penh International Airport": the city a facility is named after
            words = _strip_det(name).split()
            country = next((c for n in range(len(words) - 1, 0, -1) if (c := _place_country(" ".join(words[:n])))), None)
        if country:
            return self.gaz.actors.get(f"country:{country}")
        inner = next((t for t in head.subtree if t.i != head.i and t.ent_type_ in {"GPE", "LOC"}), None)
        return self.place(inner) if inner is not None else None

    def remember(self, actor: ActorRef | None) -> None:
        """Note the actor that just acted, for the pronouns of the sentences that follow."""
        if actor is None:
            return
        if actor.kind == "person":
            self.context.last_person = actor
        elif actor.kind != "group":
            self.context.last_actor = actor

    def person(self, span: Span) -> ActorRef | None:
        """A person from a PERSON entity, titles and honorifics stripped."""
        tokens = [t for t in span if not t.is_punct or t.text in "-."]
        # a known office holder's name, as the ruler matched it, holds no title ("Sheikh Hasina")
        known_name = span.ent_id_.startswith("person:")
        titles = set() if known_name else title_tokens(span.doc)
        while tokens and (tokens[0].i in titles or tokens[0].lower_.rstrip(".") in _HONORIFICS
                          or tokens[0].ent_id_ and not known_name):
            tokens = tokens[1:]
        while tokens and tokens[-1].lower_ in {"'s", "’s", "'"}:
            tokens = tokens[:-1]
        name = " ".join(t.text for t in tokens).replace(" - ", "-").strip()
        if not name or not any(c.isupper() for c in name) or len(name) < 2 or any(c.isdigit() for c in name):
            return None  # "COVID-19" is no person
        if self.gaz.lookup(name) is not None:
            return None  # a country or organization that the model took for a person
        known = self.context.persons.get(name)
        if known is not None:
            return known
        leader = self.gaz.leaders.get(normalize_name(name))
        if leader is not None:  # "Berdymukhamedov", "Javad Zarif": one person however written
            actor = _leader_actor(leader, name)
            self.context.persons.setdefault(name, actor)
            return actor
        actor = ActorRef(key=f"person:{slug(name)}", kind="person", label=name, names=(name,))
        if len(tokens) > 1:
            for part in (tokens[0].text, tokens[-1].text):
                self.context.persons.setdefault(part, actor)
        return actor

    def known_office(self, person: ActorRef, title: str) -> ActorRef | None:
        """The country or organization whose `title` a known office holder held."""
        wanted = self.gaz.titles.get(normalize_name(title))
        for held, holder in self._offices(person):
            if held == (wanted.title if wanted else title):
                return self.gaz.actors.get(holder)
        return None

    def as_office_holder(self, person: ActorRef, title: Span, of: ActorRef) -> ActorRef:
        """The person under the title of an office with one holder at a time, when the table
        knows the holder in the document's year and not the name: "Philippine Foreign
        Minister Rochin" is a name written back from another script for the foreign minister
        of the day. A former or acting holder keeps the name as written."""
        if self.context.year is None or self.gaz.leaders.get(normalize_name(person.label)) is not None:
            return person
        doc = title.doc
        if any(t.lower_ in _NOT_THE_HOLDER for t in doc[max(0, title.start - 3):title.start]):
            return person
        known = self.gaz.titles.get(normalize_name(title.id_ or title.text))
        office = known.title if known else (title.id_ or title.text)
        after = doc[title.end:title.end + 3]
        if len(after) > 1 and after[0].lower_ == "to":
            # "Ambassador to China": the country an envoy is sent to is part of the office
            country = next((t.ent_id_ for t in after[1:] if t.ent_id_.startswith("country:")), None)
            if country is not None:
                office = f"{office} to {self.gaz.actors[country].label}"
        leader = self.gaz.sole_holder(office, of.key, self.context.year)
        if leader is None:
            return person
        actor = _leader_actor(leader, *person.names)
        for written in [*person.names, *(k for k, v in self.context.persons.items() if v.key == person.key)]:
            self.context.persons[written] = actor
        return actor

    # --- private ----------------------------------------------------------------------
    def _offices(self, person: ActorRef) -> tuple[tuple[str, str], ...]:
        """(title, holder key) of each office a known office holder held; none for others."""
        leader = self.gaz.leaders.get(normalize_name(person.label))
        return leader.offices if leader else ()

    def _known_office_country(self, person: ActorRef) -> ActorRef | None:
        return next((self.gaz.actors[h] for _, h in self._offices(person) if h.startswith("country:")), None)

    def _antecedent(self, pronoun: Token) -> ActorRef | None:
        """What "it" / "its" / "they" refers to: the nearest country or organization named
        before it in the sentence ("shown by Pakistan when it donated"), else the last actor
        that acted in an earlier sentence."""
        for token in reversed(pronoun.sent[:pronoun.i - pronoun.sent.start]):
            if token.ent_id_ and token.ent_type_ in {"GPE", "ORG"} and token.dep_ != "compound":
                actor = self.gaz.actors.get(token.ent_id_)
                if actor is not None and actor.kind in {"country", "organization"}:
                    return actor
        return self.context.last_actor

    def _entity_actor(self, ent: Span, head: Token) -> ActorRef | None:
        if ent.label_ == "PERSON":
            return self.person(ent)
        if ent.ent_id_:
            actor = self.gaz.actors.get(ent.ent_id_)
            if actor is None:
                return None
            if ent.label_ == "NORP" and head.i == ent.root.i and head.head.lemma_.lower() not in self.gaz.words("state_nouns"):
                return actor if head.dep_ in {"nsubj", "nsubjpass", "pobj", "dobj", "conj"} else None
            return _with_name(actor, ent.text)
        if ent.label_ == "ORG":
            # the country in the name or owning it: "Chinese Embassy", "China's Red Cross"
            owners = [*ent, *(c for c in ent.root.children if c.dep_ in {"poss", "amod", "compound"} and c.i < ent.start)]
            country = next((self.gaz.actors[t.ent_id_] for t in owners if t.ent_id_.startswith("country:")), None) \
                or next((c for t in ent if t.is_title and (c := self.gaz.country_of_name(t.text))), None)
            before = ent.doc[ent.start - 1] if ent.start else None
            name = _strip_det(ent.text)
            place_first = before is not None and before.ent_type_ == "GPE" and before.dep_ == "compound" \
                and ent.start <= before.head.i < ent.end and self.gaz.lookup(name) is None
            if place_first and not before.ent_id_.startswith("country:"):
                # a town or province that begins the name is part of it: "Shanghai Overseas
                # Friendship Association" (the parser's entity leaves it out)
                name = ent.doc[entity_of(before).start:ent.end].text
            actor = self._organization(name, country.iso3 if country else None)
            if actor is not None and (before is not None and before.ent_type_ == "NORP" or place_first):
                # known too as written with its country: "Costa Rican Social Security Fund",
                # "China Construction Bank"
                actor = _with_name(actor, ent.doc[entity_of(before).start:ent.end].text)
            return actor
        if ent.label_ == "GPE" or ent.label_ in {"FAC", "LOC"} and ent[-1].lower_ in self.gaz.words("place_nouns"):
            return self._place(ent.text)
        if ent.label_ == "NORP":
            return self.gaz.demonym(ent.text)
        return None

    def _place(self, name: str) -> ActorRef | None:
        """A city or region the gazetteer lacks, from the world's cities, with its country."""
        name = _strip_det(name)
        words = name.split()
        # "Siem Reap Province", "Hechi City": the place with its administrative word
        stem = " ".join(words[:-1]) if len(words) > 1 and words[-1].lower() in self.gaz.words("place_nouns") else name
        iso3 = _place_country(name) or _place_country(stem)
        if not iso3:
            return None
        return ActorRef(key=f"subnational:{iso3}:{slug(name)}", kind="subnational", label=name,
                        names=(name,), iso3=iso3)

    def _country_modifier(self, head: Token) -> ActorRef | None:
        """The country named in a noun's modifiers: "Chinese government", "government of Japan"."""
        for child in head.children:
            if child.dep_ in {"amod", "compound", "poss", "nmod", "npadvmod"}:
                ent = entity_of(child) if child.ent_type_ else None
                if ent is not None and ent.ent_id_ in self.gaz.actors:
                    actor = self.gaz.actors[ent.ent_id_]
                    return self.country_of(actor) or actor
                if child.lower_ in _PRONOUNS and self.context.last_actor is not None:
                    return self.country_of(self.context.last_actor)
            if child.dep_ == "prep" and child.lower_ == "of":
                for obj in child.children:
                    if obj.dep_ == "pobj" and obj.ent_id_ in self.gaz.actors:
                        actor = self.gaz.actors[obj.ent_id_]
                        return self.country_of(actor) or actor
        return None

    def _organization(self, name: str, iso3: str | None) -> ActorRef | None:
        name = _strip_det(name)
        known = self.gaz.lookup(name)
        if known is not None:
            return _with_name(known, name)
        if len(name) < 3 or name.lower() in {"embassy", "government", "ministry"} \
                or normalize_name(name) in self.gaz.words("not_actor_names"):
            return None  # "COVID-19" is no organization
        # one "Red Cross" per country: the owner is part of an unknown organization's identity
        named_country = any(self.gaz.country_of_name(word) for word in re.split(r"[\s-]+", name) if word[:1].isupper())
        key = f"org:{iso3}:{slug(name)}" if iso3 and not named_country else f"org:{slug(name)}"
        label = name if key.count(":") == 1 else f"{name} ({self.gaz.actors[f'country:{iso3}'].label})"
        return ActorRef(key=key, kind="organization", label=label, names=(name,), iso3=iso3)

    def _group(self, head: Token) -> ActorRef | None:
        """A counted or named set of actors: "18 African countries", "neighboring countries".

        Vague sets ("other countries", "many nations") are no actor: nothing can be said of
        who they are.
        """
        lefts = [t for t in head.lefts if t.dep_ in {"nummod", "amod", "compound", "nmod"}]
        international = head.lower_ == "community" and any(t.lower_ == "international" for t in head.lefts)
        number = next((t for t in lefts if t.dep_ == "nummod" or t.like_num), None)
        qualified = any(t.ent_type_ in {"NORP", "GPE", "LOC"} or t.lower_ in self.gaz.words("group_qualifiers")
                        for t in lefts)
        # "countries in West Asia and North Africa": a region named after the noun
        region = next((p for p in head.children if p.dep_ == "prep" and p.lower_ in {"in", "from"}
                       and any(t.ent_type_ in {"GPE", "LOC", "NORP"} for t in p.subtree)), None)
        if not (number is not None or qualified or international or region is not None):
            return None
        words = [t for left in head.lefts for t in left.subtree if t.lower_ not in _DETERMINERS]
        tail = f" {' '.join(t.text for t in region.subtree)}" if region is not None else ""
        label = " ".join(t.text for t in [*words, head]).replace(" - ", "-") + tail
        # "as many as 79 countries" is also known as "79 countries"
        bare = " ".join(t.text for left in lefts for t in left.subtree
                        if left is not number or t.like_num or t.lower_ in self.gaz.number_words)
        bare = f"{bare} {head.text}".strip().replace(" - ", "-") + tail
        size = None
        if number is not None:
            value, _, _ = parse_quantity(" ".join(t.text for t in number.subtree), self.gaz)
            size = int(value) if value is not None and value == int(value) else None
        country = self._country_modifier(head)
        return ActorRef(key=f"group:{slug(bare)}", kind="group", label=bare, names=tuple(dict.fromkeys((label, bare))),
                        group_size=size, iso3=country.iso3 if country else None)


def extract_positions(sent: Span, reader: ActorReader, evidence: Evidence) -> Iterator[Position]:
    """Titles held by named persons in a sentence.

    Handles "Cambodian Prime Minister Hun Sen", "Prime Minister Hun Sen of Cambodia",
    "Hun Sen, Prime Minister of Cambodia", "WHO Director-General Tedros", "Afghanistan's
    Chief Executive", "State Councilor and Foreign Minister Wang Yi".
    """
    doc = sent.doc
    titles = sorted((s for s in doc.spans.get(TITLES_KEY, []) if sent.start <= s.start < sent.end),
                    key=lambda s: s.start)
    previous_holder: tuple[int, ActorRef] | None = None  # (end of the last placed chain, its holder)
    for ent in sentence_entities(sent):
        if ent.label_ != "PERSON":
            continue
        person = reader.person(ent)
        if person is None:
            continue
        holders = _holders(doc, ent, titles, reader)
        if holders and all(of is None for _, of in holders) and previous_holder is not None \
                and _joined_by_and(doc, previous_holder[0], holders[0][0].start):
            # "Singapore President Halimah Yacob and Prime Minister Lee Hsien Loong": one country
            holders = [(title, previous_holder[1]) for title, _ in holders]
        for title, of in holders:
            name = title.id_ or title.text
            inferred = False
            if of is None:
                # "Prime Minister Imran Khan": a known office holder's office
                of, inferred = reader.known_office(person, name), True
            if of is None:
                reader.context.unplaced.append((person, name, evidence))
                continue
            if not inferred and _next_to(title, ent):
                # only a title written next to the name: one across "of <holder>" may be misread
                person = reader.as_office_holder(person, title, of)
            if (home := reader.country_of(of)) is not None:
                reader.context.offices.setdefault(person.key, home)
            previous_holder = (ent.end, of)
            yield Position(person=person, title=name, of=of, evidence=(evidence,), inferred=inferred)
        if holders:
            reader.remember(person)


def _holders(doc, ent: Span, titles: list[Span], reader: ActorReader) -> list[tuple[Span, ActorRef | None]]:
    """Each title of a person with the country or organization it is of, where the text says."""
    chain = _title_chain_before(titles, ent)
    if chain:
        of = (_holder_before(doc, chain[0].start, reader) or _of_after(doc, ent.end, reader)
              or _of_after(doc, chain[-1].end, reader))  # "the Mayor of Seoul Park Won-soon"
        return [(title, of) for title in chain]
    # appositive titles each with their own holder: "Ban Ki-moon, Chairman of the Boao Forum
    # for Asia and former Secretary-General of the United Nations"
    chain = _title_after(titles, ent)
    first = _holder_before(doc, chain[0].start, reader, within=ent.end) if chain else None
    return [(title, _of_after(doc, title.end, reader) or first) for title in chain]


def _next_to(title: Span, ent: Span) -> bool:
    """True when a title is written right before a name (honorifics and an envoy's "to
    <country>" aside: "Ambassador to China Zhang") or right after it."""
    if title.start >= ent.end:
        return True
    gap = [t for t in title.doc[title.end:ent.start] if t.lower_.rstrip(".") not in _HONORIFICS]
    return not gap or (gap[0].lower_ == "to" and all(t.ent_type_ == "GPE" or t.lower_ == "the" for t in gap[1:]))


def _joined_by_and(doc, end: int, start: int) -> bool:
    """True when only "and" lies between two spans: "X President A and Prime Minister B"."""
    return start - end == 1 and doc[end].lower_ == "and"


def _title_chain_before(titles: list[Span], ent: Span) -> list[Span]:
    """Titles written just before a name, joined by "and" ("State Councilor and Foreign Minister")."""
    chain: list[Span] = []
    end = ent.start
    while end > 0 and ent.doc[end - 1].lower_.rstrip(".") in _HONORIFICS:
        end -= 1  # "President U Win Myint", "Minister Dr. Ali"
    if end > 0 and ent.doc[end - 1].text == "," and any(t.end == end - 1 for t in titles):
        end -= 1  # appositive: "Mongolia's Deputy Prime Minister, Ulziisaikhan Enkhtuvshin"
    for title in reversed(titles):
        if title.end == end or (title.end == end - 1 and title.doc[end - 1].lower_ in {"and", ","}) and chain:
            chain.insert(0, title)
            end = title.start
        elif title.end > end:
            continue
        else:
            break
    # "the Mayor of Seoul Park Won-soon", "The President of the Costa Rican Social Security
    # Fund, Dr. Roman Macaya Hayes": the title ends before "of <holder>"
    if not chain:
        gap_end = end - 1 if end > ent.start - 3 and ent.doc[end - 1].text == "," else end
        for title in reversed(titles):
            gap = title.doc[title.end:gap_end]
            if gap and len(gap) <= 10 and gap[0].lower_ in {"of", "to"} \
                    and all(t.ent_type_ not in {"", "PERSON"} or t.lower_ in {"of", "to", "the"} for t in gap) \
                    and sum(not t.ent_type_ for t in gap) <= 3:
                return [title]
    return chain


def _title_after(titles: list[Span], ent: Span) -> list[Span]:
    """Appositive titles: "Hun Sen, Prime Minister of Cambodia", "Maduro, the Venezuelan president",
    "Ban Ki-moon, Chairman of the Boao Forum for Asia and former Secretary-General of the UN"."""
    doc = ent.doc
    if ent.end >= len(doc) or doc[ent.end].text != ",":
        return []
    chain: list[Span] = []
    pos = ent.end + 1
    for title in titles:
        if title.start < pos:
            continue
        gap = doc[pos:title.start]
        # the first title comes right after the comma; a later one after "of <holder> and"
        limit = 3 if not chain else 12
        if len(gap) <= limit and all(t.lower_ in _DETERMINERS | _TITLE_GLUE or t.ent_type_ in {"NORP", "GPE", "ORG", "LOC"}
                                     for t in gap) and (not chain or any(t.lower_ == "and" for t in gap)):
            chain.append(title)
            pos = title.end
        else:
            break
    return chain


def _holder_before(doc, index: int, reader: ActorReader, within: int | None = None) -> ActorRef | None:
    """A country or organization named just before a title ("Cambodian", "the ROK's", "WHO")."""
    i = index - 1
    if i >= 0 and doc[i].lower_ in {"'s", "’s"}:
        i -= 1
    while i >= 0 and doc[i].lower_ in {"former", "then", "the"}:
        i -= 1
    if i < 0 or (within is not None and i < within) or not doc[i].ent_type_:
        return None
    ent = entity_of(doc[i])
    if ent.label_ == "PERSON":
        return None
    return reader._entity_actor(ent, ent.root) if not ent.ent_id_ else reader.gaz.actors.get(ent.ent_id_)


def _of_after(doc, index: int, reader: ActorReader) -> ActorRef | None:
    """The holder after "of": "Prime Minister Hun Sen of Cambodia", "President of Laos"."""
    if index < len(doc) and doc[index].lower_ == "of":
        j = index + 1
        while j < len(doc) and j < index + 4 and not doc[j].ent_type_ and doc[j].pos_ in {"DET", "ADJ", "VERB"}:
            j += 1  # "of the ruling Liberal Democratic Party"
        if j < len(doc) and doc[j].ent_type_:
            ent = entity_of(doc[j])
            if ent.label_ == "NORP" and ent.end < len(doc) and doc[ent.end].ent_type_ == "ORG":
                ent = entity_of(doc[ent.end])  # "of the Costa Rican Social Security Fund"
            if ent.label_ != "PERSON":
                return reader.gaz.actors.get(ent.ent_id_) if ent.ent_id_ else reader._entity_actor(ent, ent.root)
    return None


#: Nouns that count what follows "of": "a number of cities", "dozens of companies".
_QUANTIFIER_NOUNS = {"number", "lot", "host", "dozen", "dozens", "hundreds", "thousands", "scores", "majority", "handful"}


def _leader_actor(leader: Leader, *written: str) -> ActorRef:
    """A known office holder as an actor, with the names the text wrote and the table's."""
    return ActorRef(key=leader.key, kind="person", label=leader.name,
                    names=tuple(dict.fromkeys((leader.name, *written, *leader.aliases))))


def _phrase_text(head: Token) -> str:
    tokens = [t for t in head.subtree if t.i <= head.i or t.dep_ in {"prep", "pobj", "compound"}]
    return " ".join(t.text for t in tokens if t.lower_ not in _DETERMINERS)


def _strip_det(text: str) -> str:
    text = re.sub(r"^(?:the|a|an)\s+", "", text.strip(), flags=re.I)
    return re.sub(r"\s*['’]s?$", "", text)


def _with_name(actor: ActorRef, name: str) -> ActorRef:
    """The actor, noting the name it was met under."""
    name = _strip_det(name)
    if not name or name in actor.names:
        return actor
    return ActorRef(key=actor.key, kind=actor.kind, label=actor.label, names=(*actor.names, name),
                    iso3=actor.iso3, wikidata=actor.wikidata, group_size=actor.group_size)


def place_unplaced(reader: ActorReader) -> Iterator[Position]:
    """Give titles of state with no stated holder to the document's most named country.

    "Premier Li Keqiang" in an article about one country's diplomacy is that country's
    premier. Only offices of state are placed so (not heads of organizations), and only
    when one country is named clearly more often than any other.
    """
    country = main_country(reader)
    if country is None:
        return
    for person, title, evidence in reader.context.unplaced:
        kind = reader.gaz.titles.get(normalize_name(title))
        if kind is not None and kind.kind in _STATE_TITLE_KINDS:
            yield Position(person=person, title=title, of=country, evidence=(evidence,), inferred=True)


def main_country(reader: ActorReader) -> ActorRef | None:
    """The country a document is about: named clearly more often (twice) than any other."""
    counts = reader.context.country_mentions.most_common(2)
    if not counts or (len(counts) == 2 and counts[1][1] * 2 > counts[0][1]):
        return None
    return reader.gaz.actors[counts[0][0]]


def states_served(positions: list[Position], gaz: Gazetteer) -> dict[str, ActorRef]:
    """Person key -> the state each office holder acts for when giving.

    Heads of state and government, ministers and diplomats give for their state
    ("Ambassador Wang handed over kits" is the state's gift); a monarch's gift stays the
    monarch's.
    """
    served = {}
    for position in positions:
        title = gaz.titles.get(normalize_name(position.title))
        if title is not None and title.kind in _ACTING_FOR_STATE and position.of.kind == "country":
            served.setdefault(position.person.key, position.of)
    return served


def count_countries(sent: Span, reader: ActorReader) -> None:
    """Count the countries a sentence names (for `place_unplaced`), and note them as the
    ones named last (for "the country")."""
    context = reader.context
    named = [ent.ent_id_ for ent in sentence_entities(sent) if ent.ent_id_.startswith("country:")]
    for key in named:
        context.country_mentions[key] += 1
        if key in context.recent_countries:
            context.recent_countries.remove(key)
        context.recent_countries.append(key)
    context.sentence_countries = frozenset(named)
