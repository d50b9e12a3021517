"""Lookups into a parsed document, computed once per document.

The extractors ask the same questions of a `Doc` many times per sentence: which entity
is this token part of, which entities lie in this sentence, which tokens are part of a
title. spaCy answers each by building every entity `Span` of the document again
(`doc.ents`), which made these lookups a large share of extraction time. `DocIndex.of`
builds the answers once for the document being extracted and keeps only that one.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from kg.nlp import TITLES_KEY


class DocIndex:
    """The entities and title tokens of one parsed document.

    Examples:
        >>> import spacy
        >>> doc = spacy.blank("en")("Japan helped Viet Nam")
        >>> doc.ents = [Span(doc, 0, 1, "GPE"), Span(doc, 2, 4, "GPE")]
        >>> entity_of(doc[3]).text
        'Viet Nam'
        >>> entity_of(doc[1]).text
        'helped'
        >>> [e.text for e in sentence_entities(doc[1:4])]
        ['Viet Nam']
    """

    _last: DocIndex | None = None

    def __init__(self, doc: Doc):
        self.doc = doc
        self.entities: tuple[Span, ...] = tuple(doc.ents)
        self.entity_at: dict[int, Span] = {i: ent for ent in self.entities for i in range(ent.start, ent.end)}
        self.title_tokens: frozenset[int] = frozenset(
            i for span in doc.spans.get(TITLES_KEY, []) for i in range(span.start, span.end))

    @classmethod
    def of(cls, doc: Doc) -> DocIndex:
        """The index of `doc`; documents are extracted one after another, so only the
        latest is kept (and a new `Doc` always gets a new index)."""
        last = cls._last
        if last is None or last.doc is not doc:
            last = cls._last = cls(doc)
        return last


def entity_of(token: Token) -> Span:
    """The entity span a token is part of, or the token alone as a span."""
    ent = DocIndex.of(token.doc).entity_at.get(token.i)
    return ent if ent is not None else token.doc[token.i:token.i + 1]


def sentence_entities(sent: Span) -> list[Span]:
    """The entities inside a span, as `Span.ents` gives them."""
    return [e for e in DocIndex.of(sent.doc).entities if e.start >= sent.start and e.end <= sent.end]


def prep_objects(head: Token, *words: str) -> list[Token]:
    """The objects of the prepositions `words` that `head` governs, in order: the objects of
    "of" in "the prefectures of [Tokyo] and [Oita]" are `prep_objects(prefectures, "of")`."""
    return [p for c in head.children if c.dep_ == "prep" and c.lower_ in words for p in c.children if p.dep_ == "pobj"]


def title_tokens(doc: Doc) -> frozenset[int]:
    """Indices of the tokens that are part of a title of office."""
    return DocIndex.of(doc).title_tokens
