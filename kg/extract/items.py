"""What an act of giving gives: the items named, with quantities and units, and the aid types.

`read_items` turns the tokens a rule found ("2 million face masks and 100 thousand sets of
suits") into `AidItem` records; `names_aid` says whether tokens name anything given as
aid at all. The aid-items table (`kg/data/aid_items.tsv`) gives each item its aid type
and default unit.
"""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from spacy.tokens import Token

from kg.extract.actors import ActorReader
from kg.extract.parsed import prep_objects
from kg.extract.quantities import parse_quantity
from kg.gazetteer import Gazetteer, load_gazetteer
from kg.types import AidItem, Money

#: Modifiers that are no part of an item's name ("several masks", "urgently needed suits").
_ITEM_MODIFIER_STOP = {"numerous", "several", "many", "various", "first", "second", "third", "new",
                       "further", "more", "other", "additional", "total", "urgently", "much", "such",
                       "large", "huge", "significant", "generous", "needed", "urgent", "own"}
_QUANTITY_DEPS = {"nummod", "quantmod"}


def names_aid(things: list[Token], gaz: Gazetteer) -> bool:
    """True when some token names a thing given as aid (a known aid item or aid noun),
    looking through measure words: "20 tons of supplies"."""
    for thing in things:
        for token in (thing, *thing.conjuncts):
            words = {token.lemma_.lower(), token.lower_, item_label(token).lower()}
            if words & gaz.words("aid_nouns") or aid_entry(item_label(token), gaz) is not None:
                return True
            if any(item_label(token).lower().endswith(" " + term) for term in ("team", "teams", "experts", "supplies")):
                return True
            if token.lemma_.lower() in gaz.units or token.lemma_.lower() in gaz.words("container_nouns") \
                    or token.lemma_.lower() == "team":  # "teams of experts"
                inner = prep_objects(token, "of")
                if inner and names_aid(inner, gaz):
                    return True
    return False


def read_items(things: list[Token], reader: ActorReader) -> list[AidItem]:
    """The things given, with quantities: "2 million face masks and 100 thousand sets of suits"."""
    gaz = reader.gaz
    items: list[AidItem] = []
    seen: set[int] = set()
    queue = [t for thing in things for t in (thing, *thing.conjuncts)]
    while queue:
        token = queue.pop(0)
        if token.i in seen or token.pos_ not in {"NOUN", "PROPN", "NUM", "X", "ADJ"} or token.ent_type_ == "MONEY" \
                or is_currency(token, gaz):
            continue
        seen.add(token.i)
        of_objects = prep_objects(token, "of")
        including = [p for c in token.children if c.dep_ == "prep" and c.lower_ in {"including", "like", "such"}
                     for p in c.subtree if p.dep_ == "pobj" or (p.dep_ == "conj" and p.head.dep_ == "pobj")]
        queue.extend(including)
        # "a team of experts along with 31 tons of supplies", "masks together with gloves"
        queue.extend(p for c in token.children if c.dep_ == "prep" and c.lower_ in {"along", "together"}
                     for p in prep_objects(c, "with"))
        lemma = token.lemma_.lower()
        if not of_objects and (lemma in gaz.units or token.lower_ in gaz.units):
            # "23 tons or 2.27 million sets of medical items": a measure borrows its sibling's thing
            of_objects = [p for sibling in token.conjuncts for p in prep_objects(sibling, "of")][:1]
        if of_objects and lemma in gaz.number_words:
            # vague count: "hundreds of thousands of masks"
            text = token.doc[min(t.i for t in token.subtree):token.i + 1].text
            for obj in (o for of in of_objects for o in (of, *of.conjuncts)):
                seen.add(obj.i)
                items.append(AidItem(label=item_label(obj), quantity_text=text, approximate=True))
            continue
        counted = quantity_of(token, gaz)[0] is not None
        if of_objects and (lemma in gaz.units or token.lower_ in gaz.units) and (
                counted or lemma not in gaz.words("container_nouns")):
            # measure word: "23 tons of medical supplies", "100 thousand sets of protective clothing"
            for obj in of_objects:
                seen.add(obj.i)
                value, high, approx, text = quantity_of(token, gaz)
                items.append(AidItem(label=item_label(obj), quantity=value, quantity_max=high,
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
        value, high, approx, text = quantity_of(token, gaz)
        label = item_label(token)
        unit = None
        article = next((c for c in token.children if c.dep_ == "det" and c.lower_ in {"a", "an"}), None)
        if value is None and article is not None and token.tag_ == "NN" and _default_unit(label, gaz) \
                and lemma not in gaz.words("aid_nouns") | gaz.words("container_nouns"):
            value, text = Decimal(1), article.text  # "set up a test laboratory": one laboratory
        if value is not None:
            unit = _default_unit(label, gaz) or "piece"
        elif (size := headcount_of(token, gaz)) is not None:
            value, text, unit = size[0], size[1], "person"  # "the seven-member team": seven people
        for measure in (p for p in prep_objects(token, "for") if p.lemma_.lower() in gaz.units):
            # "test kits for 60-70 thousand samples": counted in what they serve
            value, high, approx, text = quantity_of(measure, gaz)
            unit = gaz.units[measure.lemma_.lower()] if value is not None else unit
        items.append(AidItem(label=label, quantity=value, quantity_max=high, unit=unit,
                             quantity_text=text, approximate=approx))
    return items


def headcount_of(team: Token, gaz: Gazetteer) -> tuple[Decimal, str] | None:
    """The size a team's modifier gives: "a seven-member team", "a 20-strong team"."""
    for modifier in (c for c in team.children if c.dep_ in {"compound", "amod"} and c.lower_ in {"member", "strong", "person"}):
        number = next((n for n in modifier.children if n.dep_ == "nummod"), None)
        if number is not None:
            value = parse_quantity(number.text, gaz)[0]
            if value is not None:
                return value, number.text
    return None


def is_currency(token: Token, gaz: Gazetteer) -> bool:
    """True for a currency word ("euros", "yuan", "USD"): money is an amount, not an item."""
    return token.text in gaz.currencies or token.lower_ in _currency_words(gaz)


@lru_cache(maxsize=1)
def _currency_words(gaz: Gazetteer) -> frozenset[str]:
    return frozenset(form.lower() for form in gaz.currencies if " " not in form)


def quantity_of(token: Token, gaz: Gazetteer):
    """(value, upper bound, approximate, text) of the number modifying a noun."""
    numbers = [c for c in token.children if c.dep_ in _QUANTITY_DEPS or (c.dep_ == "amod" and c.like_num)]
    if not numbers:
        return None, None, False, None
    start = min(t.i for n in numbers for t in n.subtree)
    end = max(t.i for n in numbers for t in n.subtree)
    span = token.doc[start:end + 1]
    value, high, approx = parse_quantity(span.text, gaz)
    return value, high, approx, span.text


def item_label(token: Token) -> str:
    """The name of a thing: the noun with its compound and descriptive modifiers."""
    words = [t for t in token.lefts if t.dep_ in {"compound", "amod", "nmod"} and not t.like_num
             and t.lower_ not in _ITEM_MODIFIER_STOP and t.ent_type_ not in {"NORP", "GPE", "CARDINAL", "MONEY"}
             and not is_currency(t, load_gazetteer())]
    words = [w for w in words if not any(c.like_num for c in w.subtree)]
    text = " ".join([*(" ".join(x.text for x in w.subtree if x.dep_ != "punct" or x.text == "-") for w in words), token.text])
    return text.replace(" - ", "-").replace(" -", "-").lower()


def _default_unit(label: str, gaz: Gazetteer) -> str | None:
    entry = aid_entry(label, gaz)
    return entry[1] or None if entry else None


def aid_entry(label: str, gaz: Gazetteer) -> tuple[str, str] | None:
    """The aid-items table row for a label, trying the whole label, then shorter tails."""
    words = label.lower().split()
    for i in range(len(words)):
        tail = " ".join(words[i:])
        for form in (tail, tail[:-1] if tail.endswith("s") else tail, tail[:-2] if tail.endswith("es") else tail):
            if form in gaz.aid_items:
                return gaz.aid_items[form]
    return None


def types_of_aid(items: list[AidItem], amount: Money | None, gaz: Gazetteer) -> tuple[str, ...]:
    types = []
    for item in items:
        entry = aid_entry(item.label, gaz)
        if entry and entry[0] not in types:
            types.append(entry[0])
    if amount is not None and "cash" not in types:
        types.append("cash")
    return tuple(sorted(types)) or ("in_kind_other",)
