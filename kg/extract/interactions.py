"""Interactions: phone calls, visits, meetings, letters, video conferences and statements.

A sentence names a contact through a trigger word of `kg/rules/interactions.yaml`. The
participants are the persons and actors named in the sentence, with each person's country
where the sentence gives it ("French President Emmanuel Macron"). A visit has a visitor
(the subject, or the owner of "visit") and a host ("visit to China", "visited China").
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Span, Token

from kg.extract.actors import ActorReader
from kg.extract.parsed import prep_objects, sentence_entities, title_tokens
from kg.gazetteer import RULES_DIR, read_rules
from kg.types import PLEDGED, ActorRef, AidFlow, Evidence, Interaction, Position

#: Kinds that tell more of a meeting than "meeting" does.
_MORE_THAN_A_MEETING = {"video_conference", "joint_statement"}
#: The kind of a statement of support, tried after every kind of contact.
STATEMENT = "statement_of_support"
_COUNTABLE = {"country", "organization", "subnational", "person"}


@lru_cache(maxsize=1)
def load_triggers() -> dict[str, dict[str, list[str]]]:
    """The trigger words of each interaction kind, in the order kinds are tried."""
    return read_rules(RULES_DIR / "interactions.yaml")


def extract_interactions(sent: Span, reader: ActorReader, evidence: Evidence,
                         positions: list[Position], *, date: str | None = None) -> Iterator[Interaction]:
    """Interactions stated in one parsed sentence.

    Args:
        sent: the parsed sentence.
        reader: reads actors off tokens.
        evidence: where the sentence lies.
        positions: positions found in the same sentence (to add each person's country).
        date: the date the sentence is about.
    """
    triggers = _find_triggers(sent, reader) or _statement(sent, reader)
    if not triggers:
        return
    participants = _participants(sent, reader, positions)
    for kind, trigger in triggers:
        if kind == "visit":
            yield from _visits(trigger, sent, reader, participants, evidence, date)
            continue
        if len(participants) < 2:
            continue  # a contact needs two parties: a party's own meeting is none
        initiators = [a for a in _clause_subjects(trigger, reader) if a.kind == "person"]
        if kind == STATEMENT:
            initiators = _persons_in_subject(trigger, reader) or initiators
        callees = _callees(trigger, reader) if kind == "phone_call" else []
        callers = [a for a in initiators if a.key not in {c.key for c in callees}]
        if len(callees) > 1 and len(callers) == 1:
            # "X called A and B", "in phone calls with A and B, X ...": a call with each
            yield from _one_each(kind, callers[0], callees, participants, positions, evidence, date)
            continue
        if len(initiators) < 2 or kind not in _SAID_BY_EACH and not _separately(trigger):
            # "X and Y held talks", "X and Y issued a joint statement": one contact of them all
            yield Interaction(kind=kind, participants=tuple(participants), evidence=(evidence,),
                              initiator=initiators[0] if initiators else None, date=date)
            continue
        # "X and Y have both written to Z", "X, Y and Z held separate meetings with him": one each
        for initiator in initiators:
            others = [p for p in participants if p.key not in {i.key for i in initiators} - {initiator.key}]
            yield Interaction(kind=kind, participants=tuple(others), evidence=(evidence,),
                              initiator=initiator, date=date)


#: Quotation marks that open a quoted sentence.
_QUOTES_OPEN = ('"', "“", "‘")


def quoted_pledges(sent: Span, flows: list[AidFlow], evidence: Evidence, *,
                   date: str | None = None) -> Iterator[Interaction]:
    """A promise of aid in someone's quoted words ("China will send more teams to Italy.")
    states the giver's support for the receiver: one statement per pair promised.

    Args:
        sent: the parsed sentence.
        flows: the aid flows read from that sentence.
        evidence: where the sentence lies.
        date: the date the sentence is about.
    """
    pairs = {(f.donor.key, f.recipient.key): f for f in flows if f.status == PLEDGED}
    if not pairs or not sent.text.lstrip().startswith(_QUOTES_OPEN):
        return
    for flow in pairs.values():
        yield Interaction(kind=STATEMENT, participants=(flow.donor, flow.recipient), evidence=(evidence,),
                          initiator=flow.donor, date=date)


#: Kinds that each of several subjects does for itself: "X and Y have thanked Z" are two statements.
_SAID_BY_EACH = {"letter", STATEMENT}


def _separately(trigger: Token) -> bool:
    """Whether the clause says its subjects acted apart: "held separate meetings", "each wrote"."""
    clause = _clause_verb(trigger)
    return any(t.lower_ in {"separate", "separately", "respectively", "each", "individually"}
               for t in (*clause.children, *trigger.children))


def _one_each(kind: str, initiator: ActorRef, others: list[ActorRef], participants: list[ActorRef],
              positions: list[Position], evidence: Evidence, date: str | None) -> Iterator[Interaction]:
    """One interaction of `initiator` with each of `others`, each with the sentence's other
    participants but the rest of `others` and the countries only they stand for."""
    home = {p.person.key: p.of.key for p in positions}
    for other in others:
        rest = [o for o in others if o.key != other.key]
        kept = {initiator.key, other.key, home.get(initiator.key), home.get(other.key)}
        dropped = {o.key for o in rest} | {home[o.key] for o in rest if o.key in home}
        yield Interaction(kind=kind, participants=tuple(p for p in participants if p.key in kept or p.key not in dropped),
                          evidence=(evidence,), initiator=initiator, date=date)


def _callees(verb: Token, reader: ActorReader) -> list[ActorRef]:
    """The persons called or spoken with: "called A and B", "spoke with A and B"."""
    heads = [c for c in verb.children if c.dep_ in {"dobj", "oprd"}]
    heads += prep_objects(verb, "with", "to")
    tokens = [t for head in heads for t in (head, *head.conjuncts)]
    for prep in (c for c in verb.children if c.dep_ == "prep" and c.lower_ in {"with", "to"}):
        # the names up to the clause's end, however the parser joined them: "in phone calls
        # with A and B, X expressed ..." may come out with A as the subject of "expressed"
        end = next((t.i for t in verb.doc[prep.i + 1:verb.sent.end] if t.is_punct and t.text in {",", ";", "."}),
                   verb.sent.end)
        tokens += [t for t in verb.doc[prep.i + 1:end] if t.ent_type_ == "PERSON"]
    found: dict[str, ActorRef] = {}
    for token in tokens:
        actor = reader.actor(token)
        if actor is not None and actor.kind == "person":
            found.setdefault(actor.key, actor)
    return list(found.values())


def _persons_in_subject(trigger: Token, reader: ActorReader) -> list[ActorRef]:
    """Every named person in the subject of a trigger's clause, however the parser hangs
    them: "President X and Foreign Minister Y have thanked China" is said by both."""
    found: dict[str, ActorRef] = {}
    for subject in (c for c in _clause_verb(trigger).children if c.dep_ in {"nsubj", "nsubjpass"}):
        for token in subject.subtree:
            if token.ent_type_ == "PERSON" and (actor := reader.actor(token)) is not None and actor.kind == "person":
                found.setdefault(actor.key, actor)
    return list(found.values())


def _clause_verb(trigger: Token) -> Token:
    """The verb of the clause a trigger word belongs to (the word itself if a verb)."""
    verb = trigger
    while verb.pos_ not in {"VERB", "AUX"} and verb.head.i != verb.i:
        verb = verb.head
    return verb


def _clause_subjects(trigger: Token, reader: ActorReader) -> list[ActorRef]:
    """The actors of the subject of the clause a trigger word belongs to."""
    subjects = [c for c in _clause_verb(trigger).children if c.dep_ in {"nsubj", "nsubjpass"}]
    return reader.actors(subjects[0]) if subjects else []


def _find_triggers(sent: Span, reader: ActorReader) -> list[tuple[str, Token]]:
    """(kind, trigger token) for each kind named in the sentence, phrases first."""
    lowered = sent.text.lower()
    found: list[tuple[str, Token]] = []
    used: set[int] = set()
    # only verbs and nouns trigger (a word of some kind at that); a negated one ("did not
    # meet") never does
    verbs, nouns = _any_trigger_words()
    any_phrase = _any_trigger_phrase().search(lowered) is not None
    candidates = [(t, lemma, pos) for t in sent if (pos := t.pos_) in {"VERB", "NOUN"}
                  and (lemma := t.lemma_.lower()) in (verbs if pos == "VERB" else nouns)]
    for kind, trigger in _kind_triggers().items():
        if kind == STATEMENT and found:
            break  # sympathy offered in a call or a meeting is part of that contact
        if kind == "meeting" and any(k in _MORE_THAN_A_MEETING for k, _ in found):
            continue  # a meeting held by video, or told by the statement it issued, is that
        for phrase, pattern in trigger.phrases if any_phrase else ():
            match = pattern.search(lowered) if phrase in lowered else None
            if match:
                token = sent.char_span(match.start(), match.end(), alignment_mode="expand")
                if token is not None and not _one_way_or_another(token.root):
                    found.append((kind, token.root))
                    used.update(range(token.start, token.end))
                    break
        else:
            for token, lemma, pos in candidates:
                words_of_pos = trigger.verbs if pos == "VERB" else trigger.nouns
                if token.i in used or (lemma not in words_of_pos and not (pos == "VERB" and lemma in trigger.calling)):
                    continue
                if any(c.dep_ == "neg" for c in token.children) or _one_way_or_another(token):
                    continue
                if kind == "phone_call" and pos == "NOUN" and any(c.dep_ == "prep" and c.lower_ == "for" for c in token.children):
                    continue  # "calls for cooperation" are appeals
                if kind == "letter" and pos == "VERB" and not any(
                        c.dep_ in {"prep", "dative"} and c.lower_ == "to" for c in token.children):
                    continue  # "poems written on the boxes", "the newspaper wrote": no letter without "to"
                if lemma in words_of_pos or _calls_a_person(token, trigger.words):
                    found.append((kind, token))
                    used.add(token.i)
                    break
    return found


@dataclass(frozen=True)
class _KindTriggers:
    """The trigger words of one kind of interaction, as `_find_triggers` looks them up."""

    words: dict[str, list[str]]  # as the rules give them
    phrases: tuple[tuple[str, re.Pattern[str]], ...]  # each phrase with its whole-word pattern
    verbs: frozenset[str]
    nouns: frozenset[str]
    calling: frozenset[str]  # verbs of a phone call made to a person ("called President X")


@lru_cache(maxsize=1)
def _kind_triggers() -> dict[str, _KindTriggers]:
    """The triggers of each kind, in the order kinds are tried."""
    return {kind: _KindTriggers(
        words=words, phrases=_phrase_patterns(kind), verbs=frozenset(words.get("verbs", ())),
        nouns=frozenset(words.get("nouns", ())),
        calling=frozenset(words.get("person_verbs", ())) | frozenset(words.get("talk_verbs", ()))
        if kind == "phone_call" else frozenset())
        for kind, words in load_triggers().items()}


@lru_cache(maxsize=1)
def _any_trigger_phrase() -> re.Pattern[str]:
    """Finds a phrase of some kind in a sentence: most sentences have none, and one search
    spares them a look for each phrase of each kind."""
    phrases = sorted({phrase for kind in _kind_triggers().values() for phrase, _ in kind.phrases}, key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in phrases) or r"(?!)")


@lru_cache(maxsize=1)
def _any_trigger_words() -> tuple[frozenset[str], frozenset[str]]:
    """The verbs and the nouns that trigger some kind of interaction."""
    kinds = _kind_triggers().values()
    return frozenset().union(*(k.verbs | k.calling for k in kinds)), frozenset().union(*(k.nouns for k in kinds))


def _one_way_or_another(token: Token) -> bool:
    """A means of contact named as one of alternatives ("voiced support by correspondence or
    phone calls", "via phone or other means") tells how words went, not one contact."""
    while token.dep_ == "compound":  # "phone" of "phone calls"
        token = token.head
    first = token.head if token.dep_ == "conj" else token
    return token.pos_ == "NOUN" and any(c.dep_ == "cc" and c.lower_ == "or" for c in first.children)


@lru_cache(maxsize=None)
def _phrase_patterns(kind: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each trigger phrase of a kind with its whole-word pattern (plural too: "video
    conferences"), in the rules' order."""
    return tuple((phrase, re.compile(rf"\b{re.escape(phrase)}s?\b")) for phrase in load_triggers()[kind].get("phrases", []))


def _statement(sent: Span, reader: ActorReader) -> list[tuple[str, Token]]:
    """A named speaker's words about another party: "Serbian President Vucic said China ...".

    The speaker is the subject of a verb of saying or feeling (`statement_verbs`) and is a
    person, country or organization; another country or organization is named in what
    the speaker says. A news attribution that closes a report ("..., the minister said")
    is no statement of its own.
    """
    words = load_triggers()[STATEMENT]
    for token in sent:
        if token.lower_ == "according" and (said := _according_to(token, reader)) is not None:
            speakers, said = said
        elif token.pos_ == "VERB" and token.lemma_.lower() in words.get("statement_verbs", []):
            if any(c.dep_ == "neg" for c in token.children):
                continue
            said = [c for c in token.children if c.dep_ in {"ccomp", "xcomp", "dobj", "prep", "advcl"} and c.i > token.i]
            if not said and any(c.dep_ == "nsubj" and c.i > token.i and c.ent_type_ == "PERSON" for c in token.children):
                # "..., said Ivica Dacic, president of ...": words put before their named speaker
                said = [c for c in token.children if c.dep_ == "ccomp" and c.i < token.i]
            if token.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "as" for c in token.children):
                said = [token.head]  # "As the former prime minister stated, China has ..."
            speakers = _speakers(token, reader)
        else:
            continue
        if not said or not speakers or any(s.kind == "group" for s in speakers):
            continue
        home = {h.key for s in speakers if (h := reader.country_of(s))} | {s.key for s in speakers}
        others = [t for c in said for t in c.subtree
                  if t.ent_id_ and t.ent_id_ not in home and t.ent_id_.split(":")[0] in {"country", "org"}]
        if others:
            return [(STATEMENT, token)]
    return []


def _speakers(verb: Token, reader: ActorReader) -> list[ActorRef]:
    """Who says: the verb's subject, or for a verb joined to another without one ("vowed
    ..., and expressed his confidence", "passed a resolution, expressing support") that
    verb's subject."""
    for _ in range(3):
        subjects = [c for c in verb.children if c.dep_ == "nsubj"]
        if subjects:  # the parser may take a stray word for a second subject: "The then ... Mahathir"
            # or name the speaker beside a title: "Mongolia's Deputy Prime Minister, X, pointed out"
            return next((found for subject in subjects if (found := reader.actors(subject) or [
                a for c in subject.children if c.dep_ == "appos" for a in reader.actors(c)])), [])
        if verb.dep_ not in {"conj", "advcl", "xcomp"} or verb.head.i == verb.i:
            return []
        verb = verb.head
    return []


def _according_to(token: Token, reader: ActorReader) -> tuple[list[ActorRef], list[Token]] | None:
    """ "According to X, <clause>": X's words are the clause."""
    sources = [p for c in token.children if c.lower_ == "to" for p in c.children if p.dep_ == "pobj"]
    if not sources or token.head.i == token.i:
        return None
    return reader.actors(sources[0]), [token.head]


def _calls_a_person(verb: Token, words: dict[str, list[str]]) -> bool:
    """ "called President X" (a call to a person, not "called for" / "called it"), "spoke with X"."""
    lemma = verb.lemma_.lower()
    if lemma in words.get("person_verbs", []):
        # "called President X", "called Philippine Foreign Minister Y": a named or titled person
        titled = title_tokens(verb.doc)
        return any(c.dep_ in {"dobj", "oprd"} and any(t.ent_type_ == "PERSON" or t.i in titled for t in c.subtree)
                   for c in verb.children)
    if lemma in words.get("talk_verbs", []):
        return any(c.dep_ == "prep" and c.lower_ in {"with", "to"} and any(p.ent_type_ == "PERSON" for p in c.children)
                   for c in verb.children)
    return False


def _participants(sent: Span, reader: ActorReader, positions: list[Position]) -> list[ActorRef]:
    found: dict[str, ActorRef] = {}
    titled = title_tokens(sent.doc)
    for ent in sentence_entities(sent):
        if ent.root.i in titled:
            continue  # "State" of "Secretary of State"
        actor = reader.person(ent) if ent.label_ == "PERSON" else reader.actor(ent.root)
        if actor is not None and actor.kind == "subnational" and ent.root.dep_ == "pobj" \
                and ent.root.head.lower_ in {"in", "at"}:
            continue  # where they met ("met in Brussels") is no party to the meeting
        if actor is not None and actor.kind in _COUNTABLE:
            found.setdefault(actor.key, actor)
    for position in positions:
        found.setdefault(position.of.key, position.of)
    for prep in (t for t in sent if t.dep_ == "prep" and t.lower_ == "with"):
        # groups met with: "a video conference with countries in West Asia"
        for obj in (c for c in prep.children if c.dep_ == "pobj"):
            for actor in reader.actors(obj):
                found.setdefault(actor.key, actor)
    for token in sent:
        if token.lower_ in {"he", "she", "him", "her"} and token.pos_ == "PRON" and reader.context.last_person:
            found.setdefault(reader.context.last_person.key, reader.context.last_person)
    return list(found.values())


def _visits(trigger: Token, sent: Span, reader: ActorReader, participants: list[ActorRef],
            evidence: Evidence, date: str | None) -> Iterator[Interaction]:
    """One visit per visitor: "leaders from Cambodia, Mongolia and Pakistan ... visits to China"."""
    hosts = [a for p in prep_objects(trigger, "to", "in") for a in reader.actors(p)]
    hosts += [a for c in trigger.children if c.dep_ in {"dobj", "obj"} for a in reader.actors(c)]
    host = next((reader.country_of(h) or h for h in hosts), None)
    visitors = [a for c in trigger.children if c.dep_ in {"nsubj", "poss"} for a in reader.actors(c)]
    if not visitors:
        governor = trigger.head
        while governor.pos_ not in {"VERB", "AUX"} and governor.head.i != governor.i:
            governor = governor.head  # "leaders ... going ahead with visits to China"
        subjects = [c for c in governor.children if c.dep_ == "nsubj"]
        visitors = [a for s in subjects for a in reader.actors(s)]
        for subject in subjects:
            for prep in (c for c in subject.children if c.dep_ == "prep" and c.lower_ in {"from", "of"}):
                visitors += [a for p in prep.children if p.dep_ == "pobj" for a in reader.actors(p)]
    if host is None:
        return  # a visit with no stated destination says too little
    visitors = [v for v in visitors if v.key != host.key]
    if not visitors:
        others = [p for p in participants if host is None or p.key != host.key]
        if host is None or not others:
            return
        visitors = others[:1]
    for visitor in visitors:
        members = [visitor] + ([host] if host else [])
        country = reader.country_of(visitor)
        if country is not None and country.key not in {m.key for m in members}:
            members.append(country)
        yield Interaction(kind="visit", participants=tuple(members), evidence=(evidence,),
                          initiator=visitor, host=host, date=date)
