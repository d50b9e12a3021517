"""Interactions: phone calls, visits, meetings, letters, video conferences and statements.

A sentence names a contact through a trigger word of `kg/rules/interactions.yaml`. The
participants are the persons and actors named in the sentence, with each person's country
where the sentence gives it ("French President Emmanuel Macron"). A visit has a visitor
(the subject, or the owner of "visit") and a host ("visit to China", "visited China").
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import yaml
from spacy.tokens import Span, Token

from kg.extract.actors import ActorReader
from kg.extract.parsed import sentence_entities, title_tokens
from kg.gazetteer import RULES_DIR
from kg.types import ActorRef, Evidence, Interaction, Position

_COUNTABLE = {"country", "organization", "subnational", "person"}


@lru_cache(maxsize=1)
def load_triggers() -> dict[str, dict[str, list[str]]]:
    """The trigger words of each interaction kind, in the order kinds are tried."""
    return yaml.safe_load((RULES_DIR / "interactions.yaml").read_text(encoding="utf-8"))


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
        if len(initiators) < 2:
            yield Interaction(kind=kind, participants=tuple(participants), evidence=(evidence,),
                              initiator=initiators[0] if initiators else None, date=date)
            continue
        # "X and Y have both written to Z", "X, Y and Z held separate meetings with him": one each
        for initiator in initiators:
            others = [p for p in participants if p.key not in {i.key for i in initiators} - {initiator.key}]
            yield Interaction(kind=kind, participants=tuple(others), evidence=(evidence,),
                              initiator=initiator, date=date)


def _clause_subjects(trigger: Token, reader: ActorReader) -> list[ActorRef]:
    """The actors of the subject of the clause a trigger word belongs to."""
    verb = trigger
    while verb.pos_ not in {"VERB", "AUX"} and verb.head.i != verb.i:
        verb = verb.head
    subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
    return reader.actors(subjects[0]) if subjects else []


def _find_triggers(sent: Span, reader: ActorReader) -> list[tuple[str, Token]]:
    """(kind, trigger token) for each kind named in the sentence, phrases first."""
    lowered = sent.text.lower()
    found: list[tuple[str, Token]] = []
    used: set[int] = set()
    # only verbs and nouns trigger; a negated one ("did not meet") never does
    candidates = [(t, t.lemma_.lower(), t.pos_) for t in sent if t.pos_ in {"VERB", "NOUN"}]
    for kind, words in load_triggers().items():
        for phrase, pattern in _phrase_patterns(kind):
            match = pattern.search(lowered) if phrase in lowered else None
            if match:
                token = sent.char_span(match.start(), match.end(), alignment_mode="expand")
                if token is not None:
                    found.append((kind, token.root))
                    used.update(range(token.start, token.end))
                    break
        else:
            calling = set(words.get("person_verbs", [])) | set(words.get("talk_verbs", [])) if kind == "phone_call" else set()
            for token, lemma, pos in candidates:
                words_of_pos = words.get("verbs", []) if pos == "VERB" else words.get("nouns", [])
                if token.i in used or (lemma not in words_of_pos and not (pos == "VERB" and lemma in calling)):
                    continue
                if any(c.dep_ == "neg" for c in token.children):
                    continue
                if lemma in words_of_pos or _calls_a_person(token, words):
                    found.append((kind, token))
                    used.add(token.i)
                    break
    return found


@lru_cache(maxsize=None)
def _phrase_patterns(kind: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each trigger phrase of a kind with its whole-word pattern, in the rules' order."""
    return tuple((phrase, re.compile(rf"\b{re.escape(phrase)}\b")) for phrase in load_triggers()[kind].get("phrases", []))


def _statement(sent: Span, reader: ActorReader) -> list[tuple[str, Token]]:
    """A named speaker's words about another party: "Serbian President Vucic said China ...".

    The speaker is the subject of a verb of saying or feeling (`statement_verbs`) and is a
    person, country or organization; another country or organization is named in what
    the speaker says. A news attribution that closes a report ("..., the minister said")
    is no statement of its own.
    """
    words = load_triggers()["statement_of_support"]
    for token in sent:
        if token.pos_ != "VERB" or token.lemma_.lower() not in words.get("statement_verbs", []):
            continue
        if any(c.dep_ == "neg" for c in token.children):
            continue
        said = [c for c in token.children if c.dep_ in {"ccomp", "xcomp", "dobj", "prep", "advcl"} and c.i > token.i]
        subjects = [c for c in token.children if c.dep_ == "nsubj"]
        speakers = reader.actors(subjects[0]) if subjects else []
        if not said or not speakers or any(s.kind == "group" for s in speakers):
            continue
        home = {h.key for s in speakers if (h := reader.country_of(s))} | {s.key for s in speakers}
        others = [t for c in said for t in c.subtree
                  if t.ent_id_ and t.ent_id_ not in home and t.ent_id_.split(":")[0] in {"country", "org"}]
        if others:
            return [("statement_of_support", token)]
    return []


def _calls_a_person(verb: Token, words: dict[str, list[str]]) -> bool:
    """ "called President X" (a call to a person, not "called for" / "called it"), "spoke with X"."""
    lemma = verb.lemma_.lower()
    if lemma in words.get("person_verbs", []):
        # "called President X", "called Philippine Foreign Minister Y": a named or titled person
        titled = title_tokens(verb.doc)
        return any(c.dep_ == "dobj" and any(t.ent_type_ == "PERSON" or t.i in titled for t in c.subtree)
                   for c in verb.children)
    if lemma in words.get("talk_verbs", []):
        return any(c.dep_ == "prep" and c.lower_ in {"with", "to"} and any(p.ent_type_ == "PERSON" for p in c.children)
                   for c in verb.children)
    return False


def _participants(sent: Span, reader: ActorReader, positions: list[Position]) -> list[ActorRef]:
    found: dict[str, ActorRef] = {}
    for ent in sentence_entities(sent):
        actor = reader.person(ent) if ent.label_ == "PERSON" else reader.actor(ent.root)
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
    hosts = [a for c in trigger.children if c.dep_ == "prep" and c.lower_ in {"to", "in"}
             for p in c.children if p.dep_ == "pobj" for a in reader.actors(p)]
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
