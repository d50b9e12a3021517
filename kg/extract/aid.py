"""Aid flows: every stated act of giving in a sentence, with donor, recipient and what.

Each rule branch below handles one English construction and is named after it. All
branches produce a `_Frame` (donors, recipients, the tokens naming what was given, and
whether it was only promised); `extract_aid_flows` turns frames into `AidFlow` records,
one per donor and recipient pair.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache

from spacy.tokens import Span, Token

from kg.extract.actors import ActorReader, main_country
from kg.extract.items import names_aid, read_items, types_of_aid
from kg.extract.parsed import prep_objects
from kg.extract.quantities import find_money
from kg.extract.roles import (HELP_VERBS, OBJECTS, RECIPIENT_PREPS, SUBJECTS, actors_inside, agent_actors, governed_by,
                              is_negated, is_pledged, nationality_of, preps_of, recipient_actors, recipients_of,
                              subject_actors)
from kg.gazetteer import Gazetteer
from kg.types import DELIVERED, PLEDGED, ActorRef, AidFlow, AidItem, CommercialFlow, Evidence, Money

#: Stands for the recipient of an act that names none, until `place_open_acts` places it.
UNSTATED_RECIPIENT = ActorRef(key="unstated:recipient", kind="group", label="(unstated recipient)")


@dataclass
class _Frame:
    """One act of giving as read off the parse, before it becomes records."""

    trigger: Token
    donors: list[ActorRef] = field(default_factory=list)
    recipients: list[ActorRef] = field(default_factory=list)
    things: list[Token] = field(default_factory=list)
    pledged: bool = False
    carried: bool = False  # donor or recipient carried over from an earlier sentence


def extract_aid_flows(sent: Span, reader: ActorReader, evidence: Evidence, *,
                      year: int | None = None, date: str | None = None) -> Iterator[AidFlow]:
    """Aid flows stated in one parsed sentence.

    Args:
        sent: the sentence, parsed by the cckg pipeline.
        reader: reads actors off tokens and remembers the last actor for "it".
        evidence: where the sentence lies in its document.
        year: the document's year, to complete dates.
        date: the date the sentence is about (its own, or carried from its paragraph).
    """
    gaz = reader.gaz
    frames = [frame for token in _trigger_candidates(sent, gaz) if (frame := _frame(token, reader)) is not None]
    if not frames:
        return
    acts = _acts(frames)
    flows: dict[tuple[str, str, int], AidFlow] = {}
    money = find_money(sent.text)
    for frame in frames:
        items = read_items(frame.things, reader)
        if len(frame.recipients) > 1:
            # "two medical teams touched down in Ethiopia and Burkina Faso": one each
            items = [replace(i, quantity=Decimal(1), quantity_text=None) if i.quantity == len(frame.recipients)
                     and i.quantity_max is None else i for i in items]
        amount = _amount_near(frame, sent, money)
        aid_types = types_of_aid(items, amount, gaz)
        for donor in frame.donors:
            for recipient in frame.recipients:
                if donor.key == recipient.key:
                    continue
                key = (donor.key, recipient.key, acts[frame.trigger.i])
                status = PLEDGED if frame.pledged else DELIVERED
                if key in flows:  # frames of one act: "sent masks in donations to X"
                    flows[key] = _merge(flows[key], items, aid_types, amount)
                    continue
                flows[key] = AidFlow(donor=donor, recipient=recipient, evidence=(evidence,),
                                     aid_types=aid_types, items=tuple(items), amount=amount, date=date,
                                     status=status, act=sum(k[:2] == key[:2] for k in flows))
        if frame.donors and frame.recipients[0] is not UNSTATED_RECIPIENT and not frame.carried:
            reader.context.last_donor, reader.context.last_recipient = frame.donors[0], frame.recipients[0]
        if frame.donors:
            reader.remember(frame.donors[0])
            reader.context.last_giver = frame.donors[0]
    # an act with no stated recipient counts only where the sentence names none for that donor
    stated = {donor for donor, recipient, _ in flows if recipient != UNSTATED_RECIPIENT.key}
    yield from (f for (donor, recipient, _), f in flows.items()
                if recipient != UNSTATED_RECIPIENT.key or donor not in stated)


def _acts(frames: list[_Frame]) -> dict[int, int]:
    """Trigger index -> the act it belongs to: the nearest trigger above it, not crossing a
    coordination or "before"/"after". "donated US$1 million and sent supplies" are two acts;
    "sent masks in donations" is one."""
    triggers = {frame.trigger.i for frame in frames}
    acts = {}
    for frame in frames:
        act = token = frame.trigger
        while token.dep_ != "conj" and token.head.i != token.i and not (
                token.dep_ == "pcomp" and token.head.lower_ in {"before", "after"}):  # an act before or after
            token = token.head
            if token.i in triggers:
                act = token
        acts[frame.trigger.i] = act.i
    return acts


def place_open_acts(flows: list[AidFlow], reader: ActorReader) -> list[AidFlow]:
    """Give acts with no stated recipient to the document's main country, if it has one.

    A report about one country's outbreak tells of the help it got without repeating its
    name: "The Indonesian government donated emergency medical aid." Such an act goes to
    the country the document names clearly most often, unless the donor is of that
    country; with no such country, it is dropped.
    """
    main = main_country(reader)
    placed = []
    for flow in flows:
        if flow.recipient.key != UNSTATED_RECIPIENT.key:
            placed.append(flow)
        elif main is not None and (reader.country_of(flow.donor) or flow.donor).key != main.key:
            placed.append(replace(flow, recipient=main))
    return placed


def extract_commercial_flows(sent: Span, reader: ActorReader, evidence: Evidence, *,
                             date: str | None = None) -> Iterator[CommercialFlow]:
    """Sales and commercial exports in a sentence: "X exported ventilators to Y", "Y bought masks from X".

    They are never aid; the graph keeps them as commercial flows so that a shipment one
    source calls a donation and another a purchase can be marked disputed.
    """
    gaz = reader.gaz
    for verb in sent:
        if verb.pos_ != "VERB":
            continue
        lemma = verb.lemma_.lower()
        if lemma not in gaz.words("commercial_verbs") or is_negated(verb, gaz):
            continue
        money = find_money(sent.text)  # the same list for each verb (cached)
        things = [c for c in verb.children if c.dep_ in OBJECTS and reader.actor(c) is None]
        subjects = subject_actors(verb, reader)
        if lemma in gaz.words("buying_verbs"):
            # "Mexico purchased two million masks from China"
            buyers = subjects
            suppliers = [a for prep in preps_of(verb, *things) if prep.lower_ == "from"
                         for p in prep.children if p.dep_ == "pobj" for a in reader.actors(p)]
        else:
            # "Egypt exported ventilators to Jordan"
            suppliers, buyers = subjects, recipients_of(verb, things, reader)
        amount = _amount_near(_Frame(verb), sent, money)
        for supplier in suppliers:
            for buyer in (b for b in buyers if b.key != supplier.key):
                yield CommercialFlow(supplier=supplier, buyer=buyer, evidence=(evidence,),
                                     items=tuple(read_items(things, reader)), amount=amount, date=date)


def _trigger_candidates(sent: Span, gaz: Gazetteer) -> list[Token]:
    """The tokens of a sentence that `_frame` may read an act off, in order: verbs of
    giving, receiving or arriving, aid nouns, and nouns with a "by" or an aid-noun
    compound. Sorting them out first spares the rules a walk of every token's tree."""
    verbs = _trigger_verbs(gaz)
    aid_nouns = gaz.words("aid_nouns")
    picked: set[int] = set()
    for token in sent:
        lemma = token.lemma_.lower()
        pos = token.pos_
        if pos in _VERBAL_POS or token.tag_.startswith("VB"):  # `_verbal`, written out for speed
            if lemma in verbs:
                picked.add(token.i)
            continue
        if pos == "NOUN" and lemma in aid_nouns:
            picked.add(token.i)
        dep = token.dep_
        if dep == "prep" and token.lower_ == "by" or dep == "compound" and lemma in aid_nouns:
            head = token.head
            if head.pos_ == "NOUN" and not _verbal(head) and head.i != token.i:
                picked.add(head.i)
    doc = sent.doc
    return [doc[i] for i in sorted(picked)]


def _verbal(token: Token) -> bool:
    return token.pos_ in _VERBAL_POS or token.tag_.startswith("VB")


_VERBAL_POS = frozenset({"VERB", "AUX"})


@lru_cache(maxsize=1)
def _trigger_verbs(gaz: Gazetteer) -> frozenset[str]:
    return gaz.words("give_verbs") | gaz.words("receive_verbs") | gaz.words("arrive_verbs")


def _frame(token: Token, reader: ActorReader) -> _Frame | None:
    """The act of giving `token` triggers, if it triggers one."""
    gaz = reader.gaz
    lemma = token.lemma_.lower()
    if _verbal(token):
        if lemma in gaz.words("give_verbs"):
            read = _give
        elif lemma in gaz.words("receive_verbs"):
            read = _receive
        elif lemma in gaz.words("arrive_verbs"):
            read = _arrival
        else:
            return None
        return None if is_negated(token, gaz) else read(token, reader)
    if token.pos_ != "NOUN" or is_negated(token, gaz):
        return None
    if (gapped := _gapped(token, reader)) is not None:
        return gapped
    if lemma in gaz.words("aid_nouns") or any(
            c.dep_ == "compound" and c.lemma_.lower() in gaz.words("aid_nouns") for c in token.children):
        return _aid_noun(token, reader)  # "its donation to X", "an aid package for X"
    return None


# --- rule branches ------------------------------------------------------------------------
def _give(verb: Token, reader: ActorReader) -> _Frame | None:
    """Active "X donated masks to Y", passive "masks donated by X to Y", "X provided Y with Z"."""
    gaz = reader.gaz
    if verb.dep_ in {"xcomp", "conj"} and governed_by(verb.head, gaz.words("commercial_verbs"), depth=0):
        return None
    frame = _Frame(verb, pledged=is_pledged(verb, gaz))
    passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in verb.children) or (
        verb.dep_ in {"acl", "amod"} and verb.tag_ == "VBN")
    if passive:
        # passive with by-agent: "supplies donated by the Chinese government"
        frame.donors = agent_actors(verb, reader)
        things = [c for c in verb.children if c.dep_ == "nsubjpass"]
        if verb.dep_ in {"acl", "amod"}:
            things.append(verb.head)
        frame.things = things
        if not frame.donors and names_aid(things, reader.gaz):
            # "China's treatment guidelines are sent to Iran": whose aid it is gives it
            frame.donors = [a for thing in things for c in thing.children if c.dep_ == "poss" for a in reader.actors(c)]
    else:
        # active: the subject gives the object (or what the object carries: "sent planes carrying doctors")
        frame.donors = subject_actors(verb, reader)
        frame.things = [c for c in verb.children if c.dep_ in OBJECTS]
        sources = [a for thing in frame.things for p in prep_objects(thing, "from") for a in reader.actors(p)]
        if sources and all(reader.side(a) != reader.side(d) for a in sources for d in frame.donors):
            # "vowed assistance from Russia's authorities": whom it comes from gives it (a
            # place of the giver's own country is only where it came from: "doctors from Hubei")
            frame.donors = sources
    frame.recipients = recipients_of(verb, frame.things, reader)
    if passive and not frame.donors and verb.dep_ == "acl":
        # "a Chinese team of medical experts sent to support Iraq": the team's country sends
        frame.donors = nationality_of(verb.head, reader, outside=verb)
    if passive and not frame.recipients and verb.dep_ in {"acl", "amod"}:
        # "sent masks to China, plus gloves donated by Oita": the giving around it tells to whom
        frame.recipients = _enclosing_recipients(verb, reader)
    helping = _helping_in(verb, reader)
    if helping is not None:
        # "will support Pakistan in building a hospital": the object receives what the gerund makes
        frame.recipients, frame.things = helping
    helped = _helped(verb, reader)
    if helped:
        # "China helped Myanmar set up a laboratory": the helper gives, the helped receives
        frame.donors, frame.recipients = subject_actors(verb.head, reader), helped
    if frame.things and not names_aid(frame.things, gaz):
        frame.things = [t for thing in frame.things for t in _cargo(thing, gaz)] or frame.things
    frame.things += [p for c in preps_of(verb) if c.lower_ == "to" for p in c.children
                     if p.dep_ == "pobj" and reader.actor(p) is None and names_aid([p], gaz)]
    # hand-over on behalf of a donor: "handed over kits, donated by the Jack Ma Foundation, to Cambodia"
    handed = {t.i for thing in frame.things[:1] for t in (thing, *thing.conjuncts)} | {
        p.i for c in preps_of(verb) if c.lower_ in RECIPIENT_PREPS for p in c.children if p.dep_ == "pobj"}
    on_behalf = [a for clause in verb.subtree if clause.dep_ in {"acl", "relcl"} and clause.head.i in handed
                 and clause.lemma_.lower() in gaz.words("give_verbs") for a in agent_actors(clause, reader)]
    if on_behalf and not passive:
        frame.donors = on_behalf
    # "X provided Y with Z": the object is the recipient, "with" names the thing
    if not frame.recipients:
        for obj in [t for t in frame.things if reader.actor(t) is not None]:
            with_objects = prep_objects(verb, "with")
            if with_objects:
                frame.recipients = reader.actors(obj)
                frame.things = with_objects
        for dative in (c for c in verb.children if c.dep_ == "dative"):
            # double object: "gave China masks"
            frame.recipients = reader.actors(dative) or frame.recipients
    if not frame.recipients and not passive:
        # "donated test reagents, shared experience, and helped Japan and the ROK source supplies"
        helped = [o for other in verb.conjuncts if other.lemma_.lower() in HELP_VERBS for o in (
            *(c for c in other.children if c.dep_ == "dobj"),  # "helped Japan"
            *(s for c in other.children if c.dep_ in {"ccomp", "xcomp"} for s in c.children if s.dep_ == "nsubj"))]
        frame.recipients = [a for o in helped for a in reader.actors(o)]
    if not frame.recipients and not passive and verb.tag_ == "VBG":
        # "made a donation to Japan, before donating 5,000 suits": a gerund hanging on a
        # clause gives to whom that clause's giving goes
        main = verb.head.head if verb.dep_ == "pcomp" and verb.head.dep_ == "prep" else (
            verb.head if verb.dep_ == "advcl" else None)
        if main is not None and main.pos_ == "VERB" and (
                main.lemma_.lower() in gaz.words("give_verbs") | gaz.words("light_give_verbs")):
            frame.recipients = recipients_of(main, [c for c in main.children if c.dep_ in OBJECTS], reader)
    supported = _supported_again(verb, frame, passive, reader)
    if supported:
        frame.recipients, frame.things = supported, []
    frame.things = [t for t in frame.things if reader.actor(t) is None]
    if _no_aid(frame.things, gaz):
        return None  # "sent their gratitude", "offered sympathy"
    if verb.lemma_.lower() in gaz.words("weak_give_verbs") and not names_aid(frame.things, gaz) and not supported:
        return None
    _carry_over(frame, passive, reader)
    if frame.donors and not frame.recipients and _names_gift(frame, gaz) and _says_no_recipient(verb, gaz):
        frame.recipients = [UNSTATED_RECIPIENT]  # "Laos donated US$700,000": see `place_open_acts`
    return frame if frame.donors and frame.recipients else None


def _no_aid(things: list[Token], gaz: Gazetteer) -> bool:
    """Whether what is given is named and is all words, feelings or requests, no aid
    (looking through measures: "numerous rounds of staunch support")."""
    said = [t for thing in things for t in (thing, *thing.conjuncts)]
    said = [o for t in said for o in (prep_objects(t, "of") if t.lemma_.lower() in gaz.words("container_nouns") else [t])]
    return bool(said) and all(t.lemma_.lower() in gaz.words("not_aid_nouns") for t in said)


def _enclosing_recipients(verb: Token, reader: ActorReader) -> list[ActorRef]:
    """The recipients of the act of giving whose object phrase holds `verb`."""
    token = verb.head
    for _ in range(6):
        if token.head.i == token.i:
            return []
        token = token.head
        if token.pos_ == "VERB" and token.lemma_.lower() in reader.gaz.words("give_verbs"):
            return recipients_of(token, [c for c in token.children if c.dep_ in OBJECTS], reader)
        if token.pos_ == "VERB" and token.lemma_.lower() in reader.gaz.words("receive_verbs"):
            return subject_actors(token, reader)  # "Peru received the vaccines donated by Chile"
    return []


def _gapped(noun: Token, reader: ActorReader) -> _Frame | None:
    """A gift whose verb is left out: "the rice donated by Myanmar, the tea by Sri Lanka"
    reads the verb of a gift beside it (coordinated, in apposition, or an object of the
    same verb)."""
    if noun.head.pos_ == "VERB" and noun.dep_ not in OBJECTS:
        return None
    donors = [a for p in prep_objects(noun, "by") for a in reader.actors(p)]
    if not donors or not names_aid([noun], reader.gaz):
        return None
    near = {*(t.i for t in noun.conjuncts), noun.head.i,
            *(t.i for t in noun.head.children if t.dep_ == noun.dep_ and t.i != noun.i)}
    for token in (noun.doc[i] for i in sorted(near)):
        if token.pos_ == "NOUN" or token.i == noun.head.i and noun.dep_ == "appos":
            given = next((c for c in token.children if c.dep_ == "acl" and c.tag_ == "VBN"
                          and c.lemma_.lower() in reader.gaz.words("give_verbs")), None)
            if given is None and token.dep_ == "pobj" and token.head.dep_ == "agent":
                given = token.head.head  # "donated by Myanmar, the tea by Sri Lanka"
            told = _give(given, reader) if given is not None and given.i != noun.i else None
            if told is not None:
                return _Frame(noun, donors=donors, recipients=told.recipients, things=[noun], pledged=told.pledged)
    return None


def _helping_in(verb: Token, reader: ActorReader) -> tuple[list[ActorRef], list[Token]] | None:
    """(helped actors, things) of "support X in building Y", "assist X with the purchase of Y"."""
    if verb.lemma_.lower() not in {"help", "assist", "support"}:
        return None
    helped = [a for c in verb.children if c.dep_ in OBJECTS for a in reader.actors(c)]
    doing = [p for c in verb.children if c.dep_ == "prep" and c.lower_ in {"in", "with"}
             for p in c.children if p.dep_ in {"pcomp", "pobj"}]
    things = [o for d in doing for v in (d, *d.conjuncts) for o in v.children if o.dep_ in OBJECTS | {"pobj"}] + [
        o for d in doing for p in d.children if p.dep_ == "prep" and p.lower_ == "of"
        for o in p.children if o.dep_ == "pobj"]  # "with the establishment of a lab"
    if not helped or not things:
        return None
    return helped, things


def _helped(verb: Token, reader: ActorReader) -> list[ActorRef]:
    """The actors helped to do what `verb` says: "helped Myanmar set up", "assist Iraq to build"."""
    if verb.dep_ not in {"ccomp", "xcomp"} or verb.head.lemma_.lower() not in {"help", "assist", "support"}:
        return []
    subjects = [c for c in verb.children if c.dep_ == "nsubj"] or [
        c for c in verb.head.children if c.dep_ in OBJECTS and c.i < verb.i]
    return [a for subject in subjects for a in reader.actors(subject)]


def _supported_again(verb: Token, frame: _Frame, passive: bool, reader: ActorReader) -> list[ActorRef]:
    """Whom a giver "also supported" in an account of what it gave: "It has provided supplies
    and expertise. It has also supported the African Union and ASEAN." A giver that has not
    given in the paragraph, or supports someone "in" doing something ("supported the WHO in
    fulfilling its role") or is said to be "sincere in supporting" someone, states a stance,
    not a gift."""
    giver = reader.context.last_giver
    told = any(c.dep_ == "nsubj" for c in verb.children) or verb.dep_ == "conj"  # a clause of its own
    if passive or not told or frame.recipients or verb.lemma_.lower() not in HELP_VERBS or giver is None \
            or not frame.donors or any(d.key != giver.key for d in frame.donors) \
            or any(c.dep_ == "prep" and c.lower_ == "in" for c in verb.children):
        return []
    return [a for thing in frame.things for a in recipient_actors(thing, reader)]


def _says_no_recipient(verb: Token, gaz: Gazetteer) -> bool:
    """An act with its own subject or agent and no phrase naming a recipient, actor or not
    ("offered assistance to their sister cities" names one)."""
    giver = verb
    for _ in range(3):
        if any(c.dep_ in {"nsubj", "nsubjpass", "agent"} for c in giver.children):
            break
        if giver.dep_ == "conj":
            giver = giver.head  # a verb joined to one with a subject shares it: "Laos donated cash and sent supplies"
        elif giver.dep_ == "acl" and giver.head.lemma_.lower() in gaz.words("pledge_markers"):
            giver = giver.head.head  # "stated their willingness to offer support"
        else:
            break
    own_giver = any(c.dep_ in {"nsubj", "nsubjpass", "agent"} for c in giver.children)
    return own_giver and not any(p.lower_ in RECIPIENT_PREPS for p in preps_of(verb))


def _names_gift(frame: _Frame, gaz: Gazetteer) -> bool:
    """Whether a frame names what was given: aid words, or money."""
    return names_aid(frame.things, gaz) or any(
        t.ent_type_ == "MONEY" for thing in frame.things for t in thing.subtree)


def _carry_over(frame: _Frame, passive: bool, reader: ActorReader) -> None:
    """Complete an act from the paragraph's last act, when it names what was given.

    "Japan sent masks to China. It also donated US$1 million." -> the same donor gives to
    the same recipient; "Test kits have also been sent to Laos." (no agent) -> the donor of
    the last act.
    """
    gaz = reader.gaz
    if frame.trigger.lemma_.lower() in gaz.words("weak_give_verbs") or frame.trigger.dep_ in {"acl", "amod"}:
        return  # a participle describing a thing ("teams sent by X") leaves its clause to tell the rest
    if not _names_gift(frame, gaz):
        return
    last_recipient, last_donor = reader.context.last_recipient, reader.context.last_donor
    if not frame.recipients and last_recipient is not None and last_donor is not None and frame.donors \
            and all(reader.side(d) == reader.side(last_donor) for d in frame.donors) \
            and all(reader.side(d) != reader.side(last_recipient) for d in frame.donors):
        # the same donor, or one of its country ("China sent ... to Pakistan. Xinjiang sent supplies.")
        frame.recipients, frame.carried = [last_recipient], True
    elif passive and not frame.donors and frame.recipients and last_donor is not None \
            and all(r.key != last_donor.key for r in frame.recipients):
        frame.donors, frame.carried = [last_donor], True


def _receive(verb: Token, reader: ActorReader) -> _Frame | None:
    """Recipient first: "Iran received test kits from China"."""
    frame = _Frame(verb, pledged=is_pledged(verb, reader.gaz))
    frame.recipients = subject_actors(verb, reader)
    frame.things = [c for c in verb.children if c.dep_ in OBJECTS]
    if _no_aid(frame.things, reader.gaz):
        return None  # "received a request from X"
    for prep in preps_of(verb, *frame.things):
        if prep.lower_ == "from":
            frame.donors += [a for p in prep.children if p.dep_ == "pobj" for a in reader.actors(p)]
    return frame if frame.donors and frame.recipients else None


def _arrival(verb: Token, reader: ActorReader) -> _Frame | None:
    """Arrival: "a Chinese medical team arrived in Islamabad" (the team's country gives)."""
    subjects = [c for c in verb.children if c.dep_ in SUBJECTS]
    if not subjects:
        return None
    subject = subjects[0]
    if verb.dep_ == "relcl" and subject.lower_ in {"that", "which"}:
        subject = verb.head  # "the shipment of supplies that arrived on the same flight"
    if reader.actor(subject) is not None:
        return None
    things = [subject] if names_aid([subject], reader.gaz) else _cargo(subject, reader.gaz)
    # "the team landed with 8.1 tons of supplies", "a plane touched down with a team of experts"
    things += _cargo(verb, reader.gaz)
    if not things:
        return None
    frame = _Frame(verb, pledged=is_pledged(verb, reader.gaz), things=things)
    # whom the cargo is from gives it ("a plane from Shanghai ... with experts from the Red
    # Cross Society of China": the plane's "from" is only where it flew from)
    frame.donors = [a for thing in things if thing is not subject for c in thing.subtree
                    if c.dep_ == "prep" and c.lower_ == "from" for p in c.children if p.dep_ == "pobj"
                    for a in reader.actors(p)] or actors_inside(subject, reader)
    sources = [] if frame.donors else _sources(verb, reader)
    frame.donors = frame.donors or sources
    sent_to = recipients_of(subject, [], reader, deep=True)
    places = prep_objects(verb, *reader.gaz.words("arrival_preps"))
    places += [c for c in verb.children if c.dep_ in OBJECTS]
    # "touched down in Ethiopia and Burkina Faso", "reached Islamabad"
    frame.recipients = sent_to or [a for p in places for t in (p, *p.conjuncts) if (a := reader.place(t))]
    last_donor, last_recipient = reader.context.last_donor, reader.context.last_recipient
    if not frame.donors and last_donor is not None and last_recipient is not None \
            and [r.key for r in frame.recipients] == [last_recipient.key]:
        # "A Chinese team touched down in Cambodia. The seven-member team landed at Phnom Penh airport"
        frame.donors, frame.carried = [last_donor], True
    if (not frame.donors or sources) and not frame.recipients and not places and last_donor is not None \
            and last_recipient is not None:
        # "... arrived in Belgrade. The supplies that arrived on the same flight ...": an arrival
        # naming no giver and no place is the last act's; gifts that "came from" someone named
        # went where the last act's did
        frame.donors, frame.recipients, frame.carried = frame.donors or [last_donor], [last_recipient], True
    if not frame.donors:
        return None
    return frame if frame.recipients else None


def _sources(verb: Token, reader: ActorReader) -> list[ActorRef]:
    """Whom gifts "came from": the actors named, or those listed in the phrase ("from the
    business sector, chief among which are A and B", "from companies such as A")."""
    found: dict[str, ActorRef] = {}
    for source in prep_objects(verb, "from"):
        named = reader.actors(source) or [a for t in source.subtree if t.i != source.i
                                          and t.dep_ in {"nsubj", "conj", "appos", "pobj", "attr"}
                                          for a in [reader.actor(t)] if a is not None]
        for actor in named:
            found.setdefault(actor.key, actor)
    return list(found.values())


def _cargo(carrier: Token, gaz: Gazetteer) -> list[Token]:
    """What a carrier brings: "a plane carrying 20 tons of supplies", "a flight with doctors"."""
    return [o for c in carrier.children if c.dep_ in {"acl", "prep"}
            for o in c.children if o.dep_ in {"dobj", "pobj"} and names_aid([o], gaz)]


def _aid_noun(noun: Token, reader: ActorReader) -> _Frame | None:
    """Noun of giving: "its donation to China", "Chinese aid to Italy", "aid from Japan"."""
    gaz = reader.gaz
    if noun.head.lemma_.lower() in gaz.words("give_verbs") and noun.dep_ in OBJECTS:
        return None  # the verb's own frame covers it
    if governed_by(noun, gaz.words("commercial_verbs")):
        return None  # "exported supplies to 200 countries" is trade, not aid
    governor = noun.head
    pledged = noun.dep_ in OBJECTS and (governor.lemma_.lower() in gaz.words("pledge_markers") or is_pledged(governor, gaz))
    # "step up its donation to China with a gift of 30,000 sheep"
    gifts = [p for p in prep_objects(governor, "with") if names_aid([p], gaz)] if noun.dep_ in OBJECTS else []
    frame = _Frame(noun, pledged=pledged, things=[*gifts, noun] if gifts else [noun])
    # "made donations to China", "step up its donation to China": "to" may hang on the verb
    holders = [noun, noun.head] if noun.dep_ in OBJECTS else [noun]
    sum_given = _sum_in(noun)
    giving = sum_given.head if sum_given is not None and sum_given.pos_ == "NUM" and sum_given.dep_ in OBJECTS \
        and sum_given.head.pos_ == "VERB" else None
    if giving is not None:
        # "announced $50 million in humanitarian aid to Ukraine": the verb over the sum gives
        holders.append(giving)
        frame.pledged = frame.pledged or giving.lemma_.lower() in gaz.words("pledge_markers") \
            or is_pledged(giving, gaz)
    recipients = [a for c in preps_of(*holders) if c.lower_ in RECIPIENT_PREPS
                  for p in c.children if p.dep_ == "pobj" for a in recipient_actors(p, reader)]
    light = noun.dep_ in OBJECTS and governor.lemma_.lower() in gaz.words("light_give_verbs")
    if light and not recipients:
        # "made donations, giving strong support to China's fight": whom the giving helps
        recipients = [a for c in governor.children if c.dep_ == "advcl" and c.tag_ == "VBG"
                      for a in recipients_of(c, [o for o in c.children if o.dep_ in OBJECTS], reader)]
    if light and not recipients and _says_no_recipient(governor, gaz) and not any(
            p.lower_ in RECIPIENT_PREPS for p in preps_of(noun)):  # "a contribution to securing victory"
        recipients = [UNSTATED_RECIPIENT]  # "Myanmar made cash donations": see `place_open_acts`
    if not recipients:
        return _copula_gift(noun, reader)
    frame.recipients = recipients
    donors = [a for p in prep_objects(noun, "from", "by") for a in reader.actors(p)]
    donors += [a for c in noun.children if c.dep_ in {"poss", "amod", "compound"} and c.lower_ not in {"its", "their"}
               for a in [reader.actor(c)] if a]
    if not donors and noun.dep_ in OBJECTS | {"pobj"}:
        governor = giving or (noun.head if noun.dep_ in OBJECTS else noun.head.head)
        donors = subject_actors(governor, reader)
    if not donors:
        donors = [a for c in noun.children if c.dep_ == "poss" for a in [reader.actor(c)] if a]
    frame.donors = donors
    return frame if frame.donors else None


def _copula_gift(noun: Token, reader: ActorReader) -> _Frame | None:
    """A gift told with "be": "The first batch of donations from X was 50,000 masks to Y"."""
    subject = noun.head.head if noun.dep_ == "pobj" and noun.head.lower_ == "of" else noun
    copula = subject.head
    if subject.dep_ != "nsubj" or copula.lemma_ != "be":
        return None
    things = [c for c in copula.children if c.dep_ == "attr" and names_aid([c], reader.gaz)]
    donors = [a for c in preps_of(subject, noun) if c.lower_ in {"from", "by"}
              for p in c.children if p.dep_ == "pobj" for a in reader.actors(p)]
    recipients = [a for c in preps_of(copula, *things) if c.lower_ in RECIPIENT_PREPS
                  for p in c.children if p.dep_ == "pobj" for a in recipient_actors(p, reader)]
    if not (things and donors and recipients):
        return None
    frame = _Frame(noun, things=things)
    frame.donors, frame.recipients = donors, recipients
    return frame




def _amount_near(frame: _Frame, sent: Span, money: list[tuple[int, int, Money]]) -> Money | None:
    """The money stated in the part of the sentence that the trigger governs."""
    if not money:
        return None
    governing = frame.trigger
    if (sum_given := _sum_in(governing)) is not None and sum_given.ent_type_ == "MONEY":
        governing = sum_given  # "$50 million in humanitarian aid"
    subtree = list(governing.subtree)
    start = subtree[0].idx - sent.start_char
    end = subtree[-1].idx + len(subtree[-1]) - sent.start_char
    inside = [m for s, e, m in money if s >= start and e <= end]
    return inside[0] if inside else None


def _sum_in(noun: Token) -> Token | None:
    """The sum that a noun of giving is the form of: "$50 million" of "$50 million in aid"."""
    return noun.head.head if noun.dep_ == "pobj" and noun.head.lower_ == "in" else None


def _merge(flow: AidFlow, items: list[AidItem], aid_types: tuple[str, ...], amount: Money | None) -> AidFlow:
    labels = {i.label for i in flow.items}
    merged_items = (*flow.items, *(i for i in items if i.label not in labels))
    merged_types = tuple(sorted(set(flow.aid_types) | set(aid_types) - {"in_kind_other"})) or ("in_kind_other",)
    if len(merged_types) > 1 and "in_kind_other" in merged_types:
        merged_types = tuple(t for t in merged_types if t != "in_kind_other")
    return replace(flow, aid_types=merged_types, items=merged_items, amount=flow.amount or amount)
