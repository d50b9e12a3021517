"""Aid flows: every stated act of giving in a sentence, with donor, recipient and what.

Each rule branch below handles one English construction and is named after it. All
branches produce a `_Frame` (donors, recipients, the tokens naming what was given, and
whether it was only promised); `extract_aid_flows` turns frames into `AidFlow` records,
one per donor and recipient pair.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache

from spacy.tokens import Span, Token

from kg.extract.actors import ActorReader, main_country
from kg.extract.quantities import find_money, parse_quantity
from kg.gazetteer import Gazetteer, load_gazetteer
from kg.types import DELIVERED, PLEDGED, ActorRef, AidFlow, AidItem, CommercialFlow, Evidence, Money

_SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
_OBJECTS = {"dobj", "obj", "attr", "oprd"}
_RECIPIENT_PREPS = {"to", "for", "toward", "towards"}
#: Verbs whose object is helped: that object receives what a verb beside them gives.
_HELP_VERBS = {"help", "assist", "support", "aid"}
_ITEM_MODIFIER_STOP = {"numerous", "several", "many", "various", "first", "second", "third", "new",
                       "further", "more", "other", "additional", "total", "urgently", "much", "such",
                       "large", "huge", "significant", "generous", "needed", "urgent", "own"}
_QUANTITY_DEPS = {"nummod", "quantmod"}
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
    acts = _acts(frames)
    flows: dict[tuple[str, str, int], AidFlow] = {}
    money = [(start, end, m) for start, end, m in find_money(sent.text)]
    for frame in frames:
        items = _items(frame.things, reader)
        if len(frame.recipients) > 1:
            # "two medical teams touched down in Ethiopia and Burkina Faso": one each
            items = [replace(i, quantity=Decimal(1), quantity_text=None) if i.quantity == len(frame.recipients)
                     and i.quantity_max is None else i for i in items]
        amount = _amount_near(frame, sent, money)
        aid_types = _aid_types(items, frame, amount, gaz)
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
    # an act with no stated recipient counts only where the sentence names none for that donor
    stated = {donor for donor, recipient, _ in flows if recipient != UNSTATED_RECIPIENT.key}
    yield from (f for (donor, recipient, _), f in flows.items()
                if recipient != UNSTATED_RECIPIENT.key or donor not in stated)


def _acts(frames: list[_Frame]) -> dict[int, int]:
    """Trigger index -> the act it belongs to: the nearest trigger above it, not crossing a
    coordination. "donated US$1 million and sent supplies" are two acts; "sent masks in
    donations" is one."""
    triggers = {frame.trigger.i for frame in frames}
    acts = {}
    for frame in frames:
        act = token = frame.trigger
        while token.dep_ != "conj" and token.head.i != token.i:
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
    money = find_money(sent.text)
    for verb in sent:
        lemma = verb.lemma_.lower()
        if verb.pos_ != "VERB" or lemma not in gaz.words("commercial_verbs") or _negated(verb, gaz):
            continue
        things = [c for c in verb.children if c.dep_ in _OBJECTS and reader.actor(c) is None]
        subjects = _subject_actors(verb, reader)
        if lemma in gaz.words("buying_verbs"):
            # "Mexico purchased two million masks from China"
            buyers = subjects
            suppliers = [a for prep in _preps(verb, *things) if prep.lower_ == "from"
                         for p in prep.children if p.dep_ == "pobj" for a in reader.actors(p)]
        else:
            # "Egypt exported ventilators to Jordan"
            suppliers, buyers = subjects, _recipients(verb, things, reader)
        amount = _amount_near(_Frame(verb), sent, money)
        for supplier in suppliers:
            for buyer in (b for b in buyers if b.key != supplier.key):
                yield CommercialFlow(supplier=supplier, buyer=buyer, evidence=(evidence,),
                                     items=tuple(_items(things, reader)), amount=amount, date=date)


def _trigger_candidates(sent: Span, gaz: Gazetteer) -> list[Token]:
    """The tokens of a sentence that `_frame` may read an act off, in order: verbs of
    giving, receiving or arriving, aid nouns, and nouns with a "by" or an aid-noun
    compound. Sorting them out first spares the rules a walk of every token's tree."""
    verbs = _trigger_verbs(gaz)
    aid_nouns = gaz.words("aid_nouns")
    picked: set[int] = set()
    for token in sent:
        lemma = token.lemma_.lower()
        if _verbal(token):
            if lemma in verbs:
                picked.add(token.i)
            continue
        if token.pos_ == "NOUN" and lemma in aid_nouns:
            picked.add(token.i)
        if token.dep_ == "prep" and token.lower_ == "by" or token.dep_ == "compound" and lemma in aid_nouns:
            head = token.head
            if head.pos_ == "NOUN" and not _verbal(head) and head.i != token.i:
                picked.add(head.i)
    doc = sent.doc
    return [doc[i] for i in sorted(picked)]


def _verbal(token: Token) -> bool:
    return token.pos_ in {"VERB", "AUX"} or token.tag_.startswith("VB")


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
        return None if _negated(token, gaz) else read(token, reader)
    if token.pos_ != "NOUN" or _negated(token, gaz):
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
    if verb.dep_ in {"xcomp", "conj"} and _governed_by(verb.head, gaz.words("commercial_verbs"), depth=0):
        return None
    frame = _Frame(verb, pledged=_pledged(verb, gaz))
    passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in verb.children) or (
        verb.dep_ in {"acl", "amod"} and verb.tag_ == "VBN")
    if passive:
        # passive with by-agent: "supplies donated by the Chinese government"
        frame.donors = _agent(verb, reader)
        things = [c for c in verb.children if c.dep_ == "nsubjpass"]
        if verb.dep_ in {"acl", "amod"}:
            things.append(verb.head)
        frame.things = things
    else:
        # active: the subject gives the object (or what the object carries: "sent planes carrying doctors")
        frame.donors = _subject_actors(verb, reader)
        frame.things = [c for c in verb.children if c.dep_ in _OBJECTS]
    frame.recipients = _recipients(verb, frame.things, reader)
    if passive and not frame.donors and verb.dep_ == "acl":
        # "a Chinese team of medical experts sent to support Iraq": the team's country sends
        frame.donors = _nationality(verb.head, reader, outside=verb)
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
        frame.donors, frame.recipients = _subject_actors(verb.head, reader), helped
    if frame.things and not _names_aid(frame.things, gaz):
        frame.things = [t for thing in frame.things for t in _cargo(thing, gaz)] or frame.things
    frame.things += [p for c in _preps(verb) if c.lower_ == "to" for p in c.children
                     if p.dep_ == "pobj" and reader.actor(p) is None and _names_aid([p], gaz)]
    # hand-over on behalf of a donor: "handed over kits, donated by the Jack Ma Foundation, to Cambodia"
    handed = {t.i for thing in frame.things[:1] for t in (thing, *thing.conjuncts)} | {
        p.i for c in _preps(verb) if c.lower_ in _RECIPIENT_PREPS for p in c.children if p.dep_ == "pobj"}
    on_behalf = [a for clause in verb.subtree if clause.dep_ in {"acl", "relcl"} and clause.head.i in handed
                 and clause.lemma_.lower() in gaz.words("give_verbs") for a in _agent(clause, reader)]
    if on_behalf and not passive:
        frame.donors = on_behalf
    # "X provided Y with Z": the object is the recipient, "with" names the thing
    if not frame.recipients:
        for obj in [t for t in frame.things if reader.actor(t) is not None]:
            with_objects = [p for c in verb.children if c.dep_ == "prep" and c.lower_ == "with"
                            for p in c.children if p.dep_ == "pobj"]
            if with_objects:
                frame.recipients = reader.actors(obj)
                frame.things = with_objects
        for dative in (c for c in verb.children if c.dep_ == "dative"):
            # double object: "gave China masks"
            frame.recipients = reader.actors(dative) or frame.recipients
    if not frame.recipients and not passive:
        # "donated test reagents, shared experience, and helped Japan and the ROK source supplies"
        helped = [o for other in _coordinated(verb) if other.lemma_.lower() in _HELP_VERBS for o in (
            *(c for c in other.children if c.dep_ == "dobj"),  # "helped Japan"
            *(s for c in other.children if c.dep_ in {"ccomp", "xcomp"} for s in c.children if s.dep_ == "nsubj"))]
        frame.recipients = [a for o in helped for a in reader.actors(o)]
    frame.things = [t for t in frame.things if reader.actor(t) is None]
    if frame.things and all(t.lemma_.lower() in gaz.words("not_aid_nouns")
                            for thing in frame.things for t in (thing, *thing.conjuncts)):
        return None  # "sent their gratitude", "offered sympathy"
    if verb.lemma_.lower() in gaz.words("weak_give_verbs") and not _names_aid(frame.things, gaz):
        return None
    _carry_over(frame, passive, reader)
    if frame.donors and not frame.recipients and _names_gift(frame, gaz) and _says_no_recipient(verb):
        frame.recipients = [UNSTATED_RECIPIENT]  # "Laos donated US$700,000": see `place_open_acts`
    return frame if frame.donors and frame.recipients else None


def _coordinated(verb: Token) -> list[Token]:
    """The verbs coordinated with `verb` ("donated ..., shared ... and helped ..."), but itself."""
    first = verb
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head
    return [v for v in (first, *first.conjuncts) if v.i != verb.i]


def _enclosing_recipients(verb: Token, reader: ActorReader) -> list[ActorRef]:
    """The recipients of the act of giving whose object phrase holds `verb`."""
    token = verb.head
    for _ in range(6):
        if token.head.i == token.i:
            return []
        token = token.head
        if token.pos_ == "VERB" and token.lemma_.lower() in reader.gaz.words("give_verbs"):
            return _recipients(token, [c for c in token.children if c.dep_ in _OBJECTS], reader)
        if token.pos_ == "VERB" and token.lemma_.lower() in reader.gaz.words("receive_verbs"):
            return _subject_actors(token, reader)  # "Peru received the vaccines donated by Chile"
    return []


def _gapped(noun: Token, reader: ActorReader) -> _Frame | None:
    """A gift whose verb is left out: "the rice donated by Myanmar, the tea by Sri Lanka"
    reads the verb of a gift beside it (coordinated, in apposition, or an object of the
    same verb)."""
    if noun.head.pos_ == "VERB" and noun.dep_ not in _OBJECTS:
        return None
    donors = [a for c in noun.children if c.dep_ == "prep" and c.lower_ == "by"
              for p in c.children if p.dep_ == "pobj" for a in reader.actors(p)]
    if not donors or not _names_aid([noun], reader.gaz):
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
    helped = [a for c in verb.children if c.dep_ in _OBJECTS for a in reader.actors(c)]
    doing = [p for c in verb.children if c.dep_ == "prep" and c.lower_ in {"in", "with"}
             for p in c.children if p.dep_ in {"pcomp", "pobj"}]
    things = [o for d in doing for v in (d, *d.conjuncts) for o in v.children if o.dep_ in _OBJECTS | {"pobj"}] + [
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
        c for c in verb.head.children if c.dep_ in _OBJECTS and c.i < verb.i]
    return [a for subject in subjects for a in reader.actors(subject)]


def _says_no_recipient(verb: Token) -> bool:
    """An act with its own subject or agent and no phrase naming a recipient, actor or not
    ("offered assistance to their sister cities" names one)."""
    # a verb joined to one with a subject shares it: "Laos donated cash and sent supplies"
    giver = verb.head if verb.dep_ == "conj" else verb
    own_giver = any(c.dep_ in {"nsubj", "nsubjpass", "agent"} for c in giver.children)
    return own_giver and not any(p.lower_ in _RECIPIENT_PREPS for p in _preps(verb))


def _names_gift(frame: _Frame, gaz: Gazetteer) -> bool:
    """Whether a frame names what was given: aid words, or money."""
    return _names_aid(frame.things, gaz) or any(
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
            and all(_side(d, reader) == _side(last_donor, reader) for d in frame.donors) \
            and all(_side(d, reader) != _side(last_recipient, reader) for d in frame.donors):
        # the same donor, or one of its country ("China sent ... to Pakistan. Xinjiang sent supplies.")
        frame.recipients, frame.carried = [last_recipient], True
    elif passive and not frame.donors and frame.recipients and last_donor is not None \
            and all(r.key != last_donor.key for r in frame.recipients):
        frame.donors, frame.carried = [last_donor], True


def _side(actor: ActorRef, reader: ActorReader) -> str:
    """The country an actor acts for (itself when it is none's)."""
    return (reader.country_of(actor) or actor).key


def _receive(verb: Token, reader: ActorReader) -> _Frame | None:
    """Recipient first: "Iran received test kits from China"."""
    frame = _Frame(verb, pledged=_pledged(verb, reader.gaz))
    frame.recipients = _subject_actors(verb, reader)
    frame.things = [c for c in verb.children if c.dep_ in _OBJECTS]
    for prep in _preps(verb, *frame.things):
        if prep.lower_ == "from":
            frame.donors += [a for p in prep.children if p.dep_ == "pobj" for a in reader.actors(p)]
    return frame if frame.donors and frame.recipients else None


def _arrival(verb: Token, reader: ActorReader) -> _Frame | None:
    """Arrival: "a Chinese medical team arrived in Islamabad" (the team's country gives)."""
    subjects = [c for c in verb.children if c.dep_ in _SUBJECTS]
    if not subjects:
        return None
    subject = subjects[0]
    if reader.actor(subject) is not None:
        return None
    things = [subject] if _names_aid([subject], reader.gaz) else _cargo(subject, reader.gaz)
    if not things:
        return None
    things += _cargo(verb, reader.gaz)  # "the team landed with 8.1 tons of supplies"
    frame = _Frame(verb, pledged=_pledged(verb, reader.gaz), things=things)
    frame.donors = _actors_inside(subject, reader)
    sent_to = _recipients(subject, [], reader, deep=True)
    places = [p for c in verb.children if c.dep_ == "prep" and c.lower_ in reader.gaz.words("arrival_preps")
              for p in c.children if p.dep_ == "pobj"]
    places += [c for c in verb.children if c.dep_ in _OBJECTS]
    # "touched down in Ethiopia and Burkina Faso", "reached Islamabad"
    frame.recipients = sent_to or [a for p in places for t in (p, *p.conjuncts) if (a := reader.place(t))]
    last_donor, last_recipient = reader.context.last_donor, reader.context.last_recipient
    if not frame.donors and last_donor is not None and last_recipient is not None \
            and [r.key for r in frame.recipients] == [last_recipient.key]:
        # "A Chinese team touched down in Cambodia. The seven-member team landed at Phnom Penh airport"
        frame.donors, frame.carried = [last_donor], True
    if not frame.donors:
        return None
    return frame if frame.recipients else None


def _cargo(carrier: Token, gaz: Gazetteer) -> list[Token]:
    """What a carrier brings: "a plane carrying 20 tons of supplies", "a flight with doctors"."""
    return [o for c in carrier.children if c.dep_ in {"acl", "prep"}
            for o in c.children if o.dep_ in {"dobj", "pobj"} and _names_aid([o], gaz)]


def _aid_noun(noun: Token, reader: ActorReader) -> _Frame | None:
    """Noun of giving: "its donation to China", "Chinese aid to Italy", "aid from Japan"."""
    gaz = reader.gaz
    if noun.head.lemma_.lower() in gaz.words("give_verbs") and noun.dep_ in _OBJECTS:
        return None  # the verb's own frame covers it
    if _governed_by(noun, gaz.words("commercial_verbs")):
        return None  # "exported supplies to 200 countries" is trade, not aid
    governor = noun.head
    pledged = noun.dep_ in _OBJECTS and (governor.lemma_.lower() in gaz.words("pledge_markers") or _pledged(governor, gaz))
    # "step up its donation to China with a gift of 30,000 sheep"
    gifts = [p for c in governor.children if c.dep_ == "prep" and c.lower_ == "with"
             for p in c.children if p.dep_ == "pobj" and _names_aid([p], gaz)] if noun.dep_ in _OBJECTS else []
    frame = _Frame(noun, pledged=pledged, things=[*gifts, noun] if gifts else [noun])
    # "made donations to China", "step up its donation to China": "to" may hang on the verb
    holders = [noun, noun.head] if noun.dep_ in _OBJECTS else [noun]
    recipients = [a for c in _preps(*holders) if c.lower_ in _RECIPIENT_PREPS
                  for p in c.children if p.dep_ == "pobj" for a in _recipient_actors(p, reader)]
    if not recipients:
        return _copula_gift(noun, reader)
    frame.recipients = recipients
    donors = [a for c in noun.children if c.dep_ == "prep" and c.lower_ in {"from", "by"}
              for p in c.children if p.dep_ == "pobj" for a in reader.actors(p)]
    donors += [a for c in noun.children if c.dep_ in {"poss", "amod", "compound"} and c.lower_ not in {"its", "their"}
               for a in [reader.actor(c)] if a]
    if not donors and noun.dep_ in _OBJECTS | {"pobj"}:
        governor = noun.head if noun.dep_ in _OBJECTS else noun.head.head
        donors = _subject_actors(governor, reader)
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
    things = [c for c in copula.children if c.dep_ == "attr" and _names_aid([c], reader.gaz)]
    donors = [a for c in _preps(subject, noun) if c.lower_ in {"from", "by"}
              for p in c.children if p.dep_ == "pobj" for a in reader.actors(p)]
    recipients = [a for c in _preps(copula, *things) if c.lower_ in _RECIPIENT_PREPS
                  for p in c.children if p.dep_ == "pobj" for a in _recipient_actors(p, reader)]
    if not (things and donors and recipients):
        return None
    frame = _Frame(noun, things=things)
    frame.donors, frame.recipients = donors, recipients
    return frame


# --- helpers ------------------------------------------------------------------------------
def _subject_actors(verb: Token, reader: ActorReader) -> list[ActorRef]:
    """The actors doing what `verb` says, climbing to the governing verb when it has no subject."""
    current = verb
    for _ in range(6):  # "is willing to work with X ... and offer support": four verbs up
        subjects = [c for c in current.children if c.dep_ in {"nsubj", "csubj"}]
        if subjects and subjects[0].lower_ in {"which", "who", "that"} and current.dep_ == "relcl":
            return reader.actors(current.head)  # "Sri Lanka, which received doses from India"
        for subject in subjects:
            found = reader.actors(subject) or _actors_inside(subject, reader)
            if found and all(a.kind == "person" for a in found):
                # "Wang and Li, members of a Chinese medical team, trained ...": the team's country
                # (the parser may make "members" a second subject beside the names)
                found = [a for m in (*subject.children, *subjects) if m.dep_ in {"appos", "nsubj"}
                         and m.lemma_.lower() == "member" for a in _actors_inside(m, reader)][:1] or found
            if found:
                return found
        if subjects:
            return []
        owner = next((c for c in current.head.children if c.dep_ == "poss"), None) if current.dep_ == "acl" else None
        if owner is not None and current.head.pos_ == "NOUN":
            # "his country's readiness to send", "their willingness to offer": whose it is
            return _owner_actors(owner, reader)
        if current.dep_ in {"acl", "relcl"} and current.head.dep_ in {"attr", "nsubj"}:
            # "Japan is the first country to send aid": the copula's subject acts
            noun = current.head
            copula = noun.head if noun.dep_ == "attr" else None
            if copula is not None:
                subjects = [c for c in copula.children if c.dep_ == "nsubj"]
                if subjects:
                    return reader.actors(subjects[0])
            return reader.actors(noun)
        if current.dep_ in {"xcomp", "conj", "advcl", "pcomp", "acomp", "ccomp", "relcl"} or current.dep_ == "prep":
            if current.dep_ == "relcl":
                return reader.actors(current.head)
            current = current.head
            continue
        break
    return []


def _owner_actors(owner: Token, reader: ActorReader) -> list[ActorRef]:
    """The actor a possessive names. A possessive pronoun, or "his country", on the object of
    a verb is the side of that verb's subject: "Modi stated their willingness" -> Modi."""
    pronoun = owner if owner.lower_ in {"his", "her", "their", "its"} else next(
        (c for c in owner.children if c.dep_ == "poss" and c.lower_ in {"his", "her", "their", "its"}), None)
    if pronoun is None:
        return reader.actors(owner)
    noun = owner.head
    verb = noun.head
    if noun.dep_ in _OBJECTS and verb.pos_ == "VERB":
        speakers = [a for c in verb.children if c.dep_ == "nsubj" for a in reader.actors(c)] or (
            [a for c in verb.head.children if c.dep_ == "nsubj" for a in reader.actors(c)] if verb.dep_ == "conj" else [])
        if speakers:
            # "his country": the country of the one speaking
            return [reader.country_of(a) or a for a in speakers] if owner is not pronoun else speakers
    return reader.actors(owner) if owner is pronoun else []


def _agent(verb: Token, reader: ActorReader) -> list[ActorRef]:
    return [a for c in verb.children if c.dep_ == "agent"
            for p in c.children if p.dep_ == "pobj" for a in reader.actors(p)]


def _actors_inside(phrase: Token, reader: ActorReader) -> list[ActorRef]:
    """Actors named inside a noun phrase that is itself no actor.

    "the charter airplanes sent by the ROK government" -> South Korea;
    "a team of Chinese medical experts" -> China.
    """
    for token in phrase.subtree:
        if token.dep_ == "agent":
            found = [a for p in token.children if p.dep_ == "pobj" for a in reader.actors(p)]
            if found:
                return found
    found = _modifier_actors(phrase.subtree, reader)
    if found:
        return found
    for token in phrase.subtree:
        if token.dep_ == "pobj" and token.head.lower_ == "from":
            found = reader.actors(token)
            if found:
                return found
    return []


def _nationality(noun: Token, reader: ActorReader, outside: Token) -> list[ActorRef]:
    """The country a noun phrase names as its own ("a Chinese team of experts"), not looking
    into the clause `outside` ("... sent to support Iraq")."""
    if noun.dep_ == "pobj" and noun.head.lower_ == "of" and noun.head.head.pos_ == "NOUN":
        noun = noun.head.head  # "a Chinese team of [medical experts]"
    skip = {t.i for t in outside.subtree}
    return _modifier_actors((t for t in noun.subtree if t.i not in skip), reader)


def _modifier_actors(tokens: Iterable[Token], reader: ActorReader) -> list[ActorRef]:
    """The first country or organization named as a modifier among `tokens` ("Chinese", "the ROK's")."""
    for token in tokens:
        if token.dep_ in {"amod", "compound", "poss", "nmod"} and token.ent_type_ in {"NORP", "GPE", "ORG"}:
            actor = reader.actor(token) or (reader.gaz.demonym(token.text) if token.ent_type_ == "NORP" else None)
            if actor is not None:
                return [actor]
    return []


def _preps(*heads: Token) -> Iterator[Token]:
    for head in heads:
        # the parser labels some recipient "to" phrases as datives: "sent a team to X"
        yield from (c for c in head.children if c.dep_ in {"prep", "dative"} and c.pos_ == "ADP")


def _recipients(verb: Token, things: list[Token], reader: ActorReader, *, deep: bool = False) -> list[ActorRef]:
    """Who receives: "to Y", "for Y", "to help Y" beside a verb or its object."""
    found: list[ActorRef] = []
    # "planes carrying doctors to Italy": the carrier's clause may hold the recipient
    heads = [verb, *things, *(c for t in things for c in t.children if c.dep_ == "acl")]
    if deep:
        heads = [t for t in verb.subtree]
    for prep in _preps(*heads):
        if prep.lower_ in _RECIPIENT_PREPS:
            for obj in (c for c in prep.children if c.dep_ == "pobj"):
                found += [a for a in _recipient_actors(obj, reader) if a not in found]
    if not found:
        # "sent without delay to the Iranian side": the parser hangs "to" on the phrase before
        for inner in (o for prep in _preps(verb) if prep.lower_ not in _RECIPIENT_PREPS
                      for o in prep.children if o.dep_ == "pobj"):
            for obj in (o for prep in _preps(inner) if prep.lower_ == "to" for o in prep.children if o.dep_ == "pobj"):
                found += [a for a in _recipient_actors(obj, reader) if a not in found]
    if not found:
        # purpose clause: "to help Wuhan", "as part of an effort to help Wuhan", "to assist Pakistan's efforts"
        for clause in (c for c in verb.subtree if c.dep_ in {"advcl", "xcomp", "acl", "relcl"} and c.i != verb.i):
            if clause.lemma_.lower() in {"help", "assist", "support", "aid"}:
                for obj in (c for c in clause.children if c.dep_ in _OBJECTS | {"nsubj", "ccomp"}):
                    found += _recipient_actors(obj, reader) or [
                        a for sub in obj.children if sub.dep_ == "nsubj" for a in reader.actors(sub)]
                if found:
                    break
    if not found and things and _names_aid(things, reader.gaz):
        # "sent teams of experts who volunteered to go ... to Iran, Iraq and Pakistan": a
        # country the object's clauses send it to
        found = [a for thing in things for prep in _preps(*thing.subtree) if prep.lower_ == "to"
                 for obj in prep.children if obj.dep_ == "pobj" for a in reader.actors(obj)
                 if a.kind == "country" and not any(
                     t.lemma_.lower() in reader.gaz.words("give_verbs") - reader.gaz.words("weak_give_verbs")
                     for t in prep.ancestors if t.i != verb.i and t.i > thing.i)]
    if not found:
        # the one in need: "the aid and assistance China needs"
        for thing in things:
            for clause in (c for c in thing.children if c.dep_ == "relcl" and c.lemma_.lower() in {"need", "require", "request"}):
                found += [a for c in clause.children if c.dep_ == "nsubj" for a in reader.actors(c)]
    return found


def _recipient_actors(head: Token, reader: ActorReader) -> list[ActorRef]:
    """Actors of a recipient phrase; "the ROK's efforts", "Africa's fight" stand for their owner."""
    found = reader.actors(head)
    if found:
        return found
    if head.lemma_.lower() in reader.gaz.words("effort_nouns"):
        # "the ROK's efforts", "the COVAX vaccine-sharing initiative": the owner named before the noun
        owners = [t for left in head.lefts for t in left.subtree if t.ent_id_ and t.ent_type_ in {"GPE", "ORG"}]
        return [a for t in owners[:1] for a in [reader.actor(t)] if a]
    # a parse that hangs the recipient on the thing: "donated to [the ROK] 5.1 million masks",
    # or names it in apposition: "to their sister [Chinese cities]"
    return [a for c in head.children if c.dep_ in {"nmod", "compound"} and c.ent_type_ in {"GPE", "ORG"}
            or c.dep_ == "appos" for a in reader.actors(c)]


def _governed_by(token: Token, lemmas: frozenset[str], depth: int = 3) -> bool:
    """True when `token` or a word governing it (up to `depth` steps up) has one of `lemmas`."""
    current = token
    for _ in range(depth + 1):
        if current.lemma_.lower() in lemmas:
            return True
        if current.head.i == current.i:
            return False
        current = current.head
    return False


def _negated(token: Token, gaz: Gazetteer) -> bool:
    """True for "did not send", "refused to provide", "rejected calls for aid"."""
    if any(c.dep_ == "neg" for c in token.children):
        return True
    head = token.head
    for _ in range(2):
        if head.lemma_.lower() in gaz.words("refusal_verbs") or any(c.dep_ == "neg" for c in head.children) and head.pos_ == "VERB" and token.dep_ == "xcomp":
            return head.lemma_.lower() in gaz.words("refusal_verbs") or token.dep_ == "xcomp"
        if head.head.i == head.i:
            break
        head = head.head
    return False


def _pledged(token: Token, gaz: Gazetteer) -> bool:
    """True when the act is promised: "will send", "pledged to provide", "ready to offer"."""
    if token.lemma_.lower() in gaz.words("pledge_verbs"):
        return True
    current = token
    for _ in range(5):  # "is willing to work with X ... and offer": "willing" is four up
        if any(c.dep_ == "aux" and c.lower_ in {"will", "would", "shall", "'ll"} for c in current.children):
            return True
        if current.i != token.i and current.lemma_.lower() in gaz.words("pledge_markers"):
            return True
        if current.dep_ not in {"xcomp", "acomp", "advcl", "conj", "acl", "pcomp", "prep"} or current.head.i == current.i:
            return False
        current = current.head
    return False


def _names_aid(things: list[Token], gaz: Gazetteer) -> bool:
    """True when some token names a thing given as aid (a known aid item or aid noun),
    looking through measure words: "20 tons of supplies"."""
    for thing in things:
        for token in (thing, *thing.conjuncts):
            words = {token.lemma_.lower(), token.lower_, _label(token).lower()}
            if words & gaz.words("aid_nouns") or _aid_entry(_label(token), gaz) is not None:
                return True
            if any(_label(token).lower().endswith(" " + term) for term in ("team", "teams", "experts", "supplies")):
                return True
            if token.lemma_.lower() in gaz.units or token.lemma_.lower() in gaz.words("container_nouns") \
                    or token.lemma_.lower() == "team":  # "teams of experts"
                inner = [p for c in token.children if c.dep_ == "prep" and c.lower_ == "of"
                         for p in c.children if p.dep_ == "pobj"]
                if inner and _names_aid(inner, gaz):
                    return True
    return False


def _items(things: list[Token], reader: ActorReader) -> list[AidItem]:
    """The things given, with quantities: "2 million face masks and 100 thousand sets of suits"."""
    gaz = reader.gaz
    items: list[AidItem] = []
    seen: set[int] = set()
    queue = [t for thing in things for t in (thing, *thing.conjuncts)]
    while queue:
        token = queue.pop(0)
        if token.i in seen or token.pos_ not in {"NOUN", "PROPN", "NUM", "X", "ADJ"} or token.ent_type_ == "MONEY" \
                or _is_currency(token, gaz):
            continue
        seen.add(token.i)
        of_objects = [p for c in token.children if c.dep_ == "prep" and c.lower_ == "of"
                      for p in c.children if p.dep_ == "pobj"]
        including = [p for c in token.children if c.dep_ == "prep" and c.lower_ in {"including", "like", "such"}
                     for p in c.subtree if p.dep_ == "pobj" or (p.dep_ == "conj" and p.head.dep_ == "pobj")]
        queue.extend(including)
        lemma = token.lemma_.lower()
        if not of_objects and (lemma in gaz.units or token.lower_ in gaz.units):
            # "23 tons or 2.27 million sets of medical items": a measure borrows its sibling's thing
            of_objects = [p for sibling in token.conjuncts for c in sibling.children
                          if c.dep_ == "prep" and c.lower_ == "of" for p in c.children if p.dep_ == "pobj"][:1]
        if of_objects and lemma in gaz.number_words:
            # vague count: "hundreds of thousands of masks"
            text = token.doc[min(t.i for t in token.subtree):token.i + 1].text
            for obj in (o for of in of_objects for o in (of, *of.conjuncts)):
                seen.add(obj.i)
                items.append(AidItem(label=_label(obj), quantity_text=text, approximate=True))
            continue
        counted = _quantity(token, gaz)[0] is not None
        if of_objects and (lemma in gaz.units or token.lower_ in gaz.units) and (
                counted or lemma not in gaz.words("container_nouns")):
            # measure word: "23 tons of medical supplies", "100 thousand sets of protective clothing"
            for obj in of_objects:
                seen.add(obj.i)
                value, high, approx, text = _quantity(token, gaz)
                items.append(AidItem(label=_label(obj), quantity=value, quantity_max=high,
                                     unit=gaz.units.get(token.lower_) or gaz.units.get(lemma),
                                     quantity_text=text, approximate=approx))
            continue
        if of_objects and (lemma in gaz.words("aid_nouns") or lemma in gaz.words("container_nouns") or lemma == "team"
                           and of_objects[0].lemma_.lower() not in gaz.words("group_nouns")):
            # container noun: "a gift of 30,000 sheep", "a batch of masks"
            if lemma != "team":
                queue[:0] = [t for obj in of_objects for t in (obj, *obj.conjuncts)]
                continue
        if reader.actor(token) is not None:
            continue
        value, high, approx, text = _quantity(token, gaz)
        label = _label(token)
        unit = None
        article = next((c for c in token.children if c.dep_ == "det" and c.lower_ in {"a", "an"}), None)
        if value is None and article is not None and token.tag_ == "NN" and _default_unit(label, gaz) \
                and lemma not in gaz.words("aid_nouns") | gaz.words("container_nouns"):
            value, text = Decimal(1), article.text  # "set up a test laboratory": one laboratory
        if value is not None:
            unit = _default_unit(label, gaz) or "piece"
        elif (size := _headcount(token, gaz)) is not None:
            value, text, unit = size[0], size[1], "person"  # "the seven-member team": seven people
        for measure in (p for c in token.children if c.dep_ == "prep" and c.lower_ == "for"
                        for p in c.children if p.dep_ == "pobj" and p.lemma_.lower() in gaz.units):
            # "test kits for 60-70 thousand samples": counted in what they serve
            value, high, approx, text = _quantity(measure, gaz)
            unit = gaz.units[measure.lemma_.lower()] if value is not None else unit
        items.append(AidItem(label=label, quantity=value, quantity_max=high, unit=unit,
                             quantity_text=text, approximate=approx))
    return items


def _headcount(team: Token, gaz: Gazetteer) -> tuple[Decimal, str] | None:
    """The size a team's modifier gives: "a seven-member team", "a 20-strong team"."""
    for modifier in (c for c in team.children if c.dep_ in {"compound", "amod"} and c.lower_ in {"member", "strong", "person"}):
        number = next((n for n in modifier.children if n.dep_ == "nummod"), None)
        if number is not None:
            value = parse_quantity(number.text, gaz)[0]
            if value is not None:
                return value, number.text
    return None


def _is_currency(token: Token, gaz: Gazetteer) -> bool:
    """True for a currency word ("euros", "yuan", "USD"): money is an amount, not an item."""
    return token.text in gaz.currencies or token.lower_ in _currency_words(gaz)


@lru_cache(maxsize=1)
def _currency_words(gaz: Gazetteer) -> frozenset[str]:
    return frozenset(form.lower() for form in gaz.currencies if " " not in form)


def _quantity(token: Token, gaz: Gazetteer):
    """(value, upper bound, approximate, text) of the number modifying a noun."""
    numbers = [c for c in token.children if c.dep_ in _QUANTITY_DEPS or (c.dep_ == "amod" and c.like_num)]
    if not numbers:
        return None, None, False, None
    start = min(t.i for n in numbers for t in n.subtree)
    end = max(t.i for n in numbers for t in n.subtree)
    span = token.doc[start:end + 1]
    value, high, approx = parse_quantity(span.text, gaz)
    return value, high, approx, span.text


def _label(token: Token) -> str:
    """The name of a thing: the noun with its compound and descriptive modifiers."""
    words = [t for t in token.lefts if t.dep_ in {"compound", "amod", "nmod"} and not t.like_num
             and t.lower_ not in _ITEM_MODIFIER_STOP and t.ent_type_ not in {"NORP", "GPE", "CARDINAL", "MONEY"}
             and not _is_currency(t, load_gazetteer())]
    words = [w for w in words if not any(c.like_num for c in w.subtree)]
    text = " ".join([*(" ".join(x.text for x in w.subtree if x.dep_ != "punct" or x.text == "-") for w in words), token.text])
    return text.replace(" - ", "-").replace(" -", "-").lower()


def _default_unit(label: str, gaz: Gazetteer) -> str | None:
    entry = _aid_entry(label, gaz)
    return entry[1] or None if entry else None


def _aid_entry(label: str, gaz: Gazetteer) -> tuple[str, str] | None:
    """The aid-items table row for a label, trying the whole label, then shorter tails."""
    words = label.lower().split()
    for i in range(len(words)):
        tail = " ".join(words[i:])
        for form in (tail, tail[:-1] if tail.endswith("s") else tail, tail[:-2] if tail.endswith("es") else tail):
            if form in gaz.aid_items:
                return gaz.aid_items[form]
    return None


def _aid_types(items: list[AidItem], frame: _Frame, amount: Money | None, gaz: Gazetteer) -> tuple[str, ...]:
    types = []
    for item in items:
        entry = _aid_entry(item.label, gaz)
        if entry and entry[0] not in types:
            types.append(entry[0])
    if amount is not None and "cash" not in types:
        types.append("cash")
    return tuple(sorted(types)) or ("in_kind_other",)


def _amount_near(frame: _Frame, sent: Span, money: list[tuple[int, int, Money]]) -> Money | None:
    """The money stated in the part of the sentence that the trigger governs."""
    if not money:
        return None
    subtree = list(frame.trigger.subtree)
    start = subtree[0].idx - sent.start_char
    end = subtree[-1].idx + len(subtree[-1]) - sent.start_char
    inside = [m for s, e, m in money if s >= start and e <= end]
    return inside[0] if inside else None


def _merge(flow: AidFlow, items: list[AidItem], aid_types: tuple[str, ...], amount: Money | None) -> AidFlow:
    labels = {i.label for i in flow.items}
    merged_items = (*flow.items, *(i for i in items if i.label not in labels))
    merged_types = tuple(sorted(set(flow.aid_types) | set(aid_types) - {"in_kind_other"})) or ("in_kind_other",)
    if len(merged_types) > 1 and "in_kind_other" in merged_types:
        merged_types = tuple(t for t in merged_types if t != "in_kind_other")
    return replace(flow, aid_types=merged_types, items=merged_items, amount=flow.amount or amount)
