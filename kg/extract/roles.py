"""Who gives and who receives: the actors around a word of giving, read off the parse.

The rule branches of `kg.extract.aid` ask the same questions of many constructions: who is
the subject of this verb (climbing to a governing verb when it has none), who is the agent
of a passive, whom do its "to" and "for" phrases name, is it negated or only promised.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.tokens import Token

from kg.extract.actors import ActorReader
from kg.extract.items import names_aid
from kg.gazetteer import Gazetteer
from kg.types import ActorRef

SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
OBJECTS = {"dobj", "obj", "attr", "oprd"}
RECIPIENT_PREPS = {"to", "for", "toward", "towards"}
#: Verbs whose object is helped: that object receives what is given with them.
HELP_VERBS = {"help", "assist", "support", "aid"}


def subject_actors(verb: Token, reader: ActorReader) -> list[ActorRef]:
    """The actors doing what `verb` says, climbing to the governing verb when it has no subject."""
    current = verb
    for _ in range(6):  # "is willing to work with X ... and offer support": four verbs up
        subjects = [c for c in current.children if c.dep_ in {"nsubj", "csubj"}] or [
            # an actor's name the parser took for a modifier before the verb: "USAID provided ..."
            c for c in current.children if c.dep_ in {"advmod", "npadvmod", "dep"} and c.i < current.i
            and c.ent_type_ in {"ORG", "GPE"} and c.pos_ in {"ADV", "PROPN", "NOUN"}]
        if subjects and subjects[0].lower_ in {"which", "who", "that"} and current.dep_ == "relcl":
            return reader.actors(current.head)  # "Sri Lanka, which received doses from India"
        for subject in subjects:
            found = reader.actors(subject) or actors_inside(subject, reader)
            if found and all(a.kind == "person" for a in found):
                # "Wang and Li, members of a Chinese medical team, trained ...": the team's country
                # (the parser may make "members" a second subject beside the names)
                found = [a for m in (*subject.children, *subjects) if m.dep_ in {"appos", "nsubj"}
                         and m.lemma_.lower() == "member" for a in actors_inside(m, reader)][:1] or found
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
    if noun.dep_ in OBJECTS and verb.pos_ == "VERB":
        speakers = [a for c in verb.children if c.dep_ == "nsubj" for a in reader.actors(c)] or (
            [a for c in verb.head.children if c.dep_ == "nsubj" for a in reader.actors(c)] if verb.dep_ == "conj" else [])
        if speakers:
            # "his country": the country of the one speaking
            return [reader.country_of(a) or a for a in speakers] if owner is not pronoun else speakers
    return reader.actors(owner) if owner is pronoun else []


def agent_actors(verb: Token, reader: ActorReader) -> list[ActorRef]:
    return [a for c in verb.children if c.dep_ == "agent"
            for p in c.children if p.dep_ == "pobj" for a in reader.actors(p)]


def actors_inside(phrase: Token, reader: ActorReader) -> list[ActorRef]:
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


def nationality_of(noun: Token, reader: ActorReader, outside: Token) -> list[ActorRef]:
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


def preps_of(*heads: Token) -> Iterator[Token]:
    for head in heads:
        # the parser labels some recipient "to" phrases as datives: "sent a team to X"
        yield from (c for c in head.children if c.dep_ in {"prep", "dative"} and c.pos_ == "ADP")


def recipients_of(verb: Token, things: list[Token], reader: ActorReader, *, deep: bool = False) -> list[ActorRef]:
    """Who receives: "to Y", "for Y", "to help Y" beside a verb or its object."""
    found: list[ActorRef] = []
    # "planes carrying doctors to Italy": the carrier's clause may hold the recipient
    heads = [verb, *things, *(c for t in things for c in t.children if c.dep_ == "acl")]
    if deep:
        heads = [t for t in verb.subtree]
    for prep in preps_of(*heads):
        if prep.lower_ in RECIPIENT_PREPS:
            for obj in (c for c in prep.children if c.dep_ == "pobj"):
                found += [a for a in recipient_actors(obj, reader) if a not in found]
    if not found:
        # "sent without delay to the Iranian side": the parser hangs "to" on the phrase before
        for inner in (o for prep in preps_of(verb) if prep.lower_ not in RECIPIENT_PREPS
                      for o in prep.children if o.dep_ == "pobj"):
            for obj in (o for prep in preps_of(inner) if prep.lower_ == "to" for o in prep.children if o.dep_ == "pobj"):
                found += [a for a in recipient_actors(obj, reader) if a not in found]
    if not found:
        # purpose clause: "to help Wuhan", "as part of an effort to help Wuhan", "to assist Pakistan's efforts"
        for clause in (c for c in verb.subtree if c.dep_ in {"advcl", "xcomp", "acl", "relcl"} and c.i != verb.i):
            if clause.lemma_.lower() in HELP_VERBS:
                for obj in (c for c in clause.children if c.dep_ in OBJECTS | {"nsubj", "ccomp"}):
                    found += recipient_actors(obj, reader) or [
                        a for sub in obj.children if sub.dep_ == "nsubj" for a in reader.actors(sub)]
                if found:
                    break
    if not found and things and names_aid(things, reader.gaz):
        # "sent teams of experts who volunteered to go ... to Iran, Iraq and Pakistan": a
        # country the object's clauses send it to
        found = [a for thing in things for prep in preps_of(*thing.subtree) if prep.lower_ == "to"
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


def recipient_actors(head: Token, reader: ActorReader) -> list[ActorRef]:
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


def governed_by(token: Token, lemmas: frozenset[str], depth: int = 3) -> bool:
    """True when `token` or a word governing it (up to `depth` steps up) has one of `lemmas`."""
    current = token
    for _ in range(depth + 1):
        if current.lemma_.lower() in lemmas:
            return True
        if current.head.i == current.i:
            return False
        current = current.head
    return False


def is_negated(token: Token, gaz: Gazetteer) -> bool:
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


def is_pledged(token: Token, gaz: Gazetteer) -> bool:
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
