"""Property tests (Hypothesis) of the ingest and extract stages on random input.

Ingest must read any bytes or text into a document, or refuse it with `InputError`; its
paragraphs must point into the text. Extraction must never fail, and every fact it emits
must carry its actors and evidence whose offsets slice the document's text to exactly the
evidence's text. The sentences mixed into the documents come from the seed documents,
read at test time. Runs are derandomized, so CI sees the same examples every time.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.extract import extract_document
from kg.ingest import decode, html_to_text, parse_text
from kg.types import DocumentFacts, Evidence, SourceDocument

from conftest import SEEDS

INGEST = settings(max_examples=150, deadline=None, derandomize=True, database=None)
EXTRACT = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


@lru_cache(maxsize=1)
def seed_sentences() -> tuple[str, ...]:
    """The sentences (and headings) of the seed documents, roughly split."""
    pieces = []
    for path in sorted(SEEDS.glob("*.txt")):
        pieces.extend(_SENTENCE_END.split(path.read_text(encoding="utf-8")))
    return tuple(p.strip() for p in pieces if p.strip())


seed_sentence = st.sampled_from(seed_sentences())
noise = st.text(st.characters(codec="utf-8"), max_size=40)
separator = st.sampled_from([" ", "  ", "\n", "\n\n", "\r\n", "\t", "\n\n\n", " \u00a0", "\u2028"])
#: What documents put inside sentences: footnote marks, line breaks, invisible and combining
#: characters, other scripts, emoji, datelines, quotes.
glitch = st.sampled_from(["¹", "²³", "[12]", "\n", "\u200b", "\u00ad", "\u0301", "\ufeff", "中国", "🇨🇳", "😷",
                          "BEIJING, May 17 (Xinhua) -- ", "“", "”", "’s", " -- ", "…", "\t", "  ", "$", "€5"])


@st.composite
def mangled_sentence(draw) -> str:
    """A seed sentence with a few glitches or random characters put in at random places."""
    sentence = draw(seed_sentence)
    for insert in draw(st.lists(st.one_of(glitch, noise), max_size=3)):
        at = draw(st.integers(0, len(sentence)))
        sentence = sentence[:at] + insert + sentence[at:]
    return sentence


@st.composite
def seed_passage(draw) -> str:
    """A few consecutive seed sentences, so that dates and pronouns carry from one to the next."""
    sentences = seed_sentences()
    start = draw(st.integers(0, len(sentences) - 1))
    return " ".join(sentences[start:start + draw(st.integers(1, 8))])


markup = st.sampled_from(["<p>", "</p>", "<br>", "<script>", "</script>", "<b>", "</div>", "<!--", "-->",
                          "&amp;", "&#0;", "&#x110000;", "&nbsp;", "<html><body>", "<style>", "<", ">", "</",
                          "<![CDATA[", "<!DOCTYPE html>", "<a href='x", "&"])


@st.composite
def mixed_text(draw, *, noise_weight: int = 1) -> str:
    """Seed sentences, with random Unicode between and inside them, joined by random breaks."""
    parts = draw(st.lists(st.one_of(seed_sentence, seed_passage(), mangled_sentence(), *[noise] * noise_weight),
                          min_size=1, max_size=12))
    separators = draw(st.lists(separator, min_size=len(parts), max_size=len(parts)))
    return "".join(part + sep for part, sep in zip(parts, separators))


def check_document(doc: SourceDocument) -> None:
    """Paragraphs lie in the text, in order, apart (but for what lies in the break a page
    makes in one), and start and end on no space; so do the parts a break leaves."""
    end, breaks = 0, []
    for paragraph in doc.paragraphs:
        inside_a_break = any(start <= paragraph.start and paragraph.end <= stop for start, stop in breaks)
        assert inside_a_break or end <= paragraph.start
        assert paragraph.start < paragraph.end <= len(doc.text)
        edges = [paragraph.start, *(i for b in paragraph.breaks for i in b), paragraph.end]
        assert edges == sorted(edges)
        for start, stop in zip(edges[::2], edges[1::2]):  # the parts of the paragraph
            assert start < stop and not doc.text[start].isspace() and not doc.text[stop - 1].isspace()
        if not inside_a_break:
            end, breaks = paragraph.end, list(paragraph.breaks)


def check_evidence(doc: SourceDocument, evidence: tuple[Evidence, ...]) -> None:
    assert evidence, "a fact without evidence"
    for mention in evidence:
        assert 0 <= mention.start < mention.end <= len(doc.text)
        assert doc.text[mention.start:mention.end] == mention.text
        assert mention.file_name == doc.file_name and mention.content_hash == doc.content_hash


def check_facts(facts: DocumentFacts) -> None:
    doc = facts.document
    for flow in facts.aid_flows:
        assert flow.donor.key and flow.recipient.key and flow.donor.key != flow.recipient.key
        check_evidence(doc, flow.evidence)
    for flow in facts.commercial_flows:
        assert flow.supplier.key and flow.buyer.key
        check_evidence(doc, flow.evidence)
    for interaction in facts.interactions:
        assert interaction.participants and all(p.key for p in interaction.participants)
        check_evidence(doc, interaction.evidence)
    for position in facts.positions:
        assert position.person.key and position.of.key
        check_evidence(doc, position.evidence)


def read_or_refuse(text: str) -> SourceDocument | None:
    """The document of `text`, or None where ingest refuses it with `InputError`."""
    try:
        doc = parse_text(text, "fuzz.txt", {"date": "2020-04-01"})
    except InputError:
        return None
    check_document(doc)
    return doc


# ingest


@INGEST
@given(st.binary(max_size=600))
def test_any_bytes_decode_or_are_refused(data):
    try:
        text, encoding = decode(data, "fuzz.txt")
    except InputError as err:
        assert err.path == "fuzz.txt" and err.problem
        return
    assert isinstance(text, str) and encoding
    read_or_refuse(text)


@INGEST
@given(mixed_text().map(lambda text: text.encode("utf-8")))
@example("\ufeffA report opening with an invisible U+FEFF.".encode("utf-8"))
def test_utf8_text_decodes_to_itself(data):
    if not data.strip():
        return
    if data.startswith("\ufeff".encode("utf-8")):  # a text opening with U+FEFF opens with UTF-8's byte order mark
        assert decode(data, "fuzz.txt") == (data.decode("utf-8-sig"), "utf-8-sig")
    else:
        assert decode(data, "fuzz.txt") == (data.decode("utf-8"), "utf-8")


@INGEST
@given(st.lists(st.one_of(markup, noise, seed_sentence), max_size=20).map("".join))
def test_html_to_text_never_fails(markup_text):
    text = html_to_text(markup_text)
    assert isinstance(text, str)
    read_or_refuse(text)


@INGEST
@given(st.one_of(st.text(max_size=300), mixed_text(noise_weight=3)))
def test_any_text_reads_into_paragraphs_or_is_refused(text):
    read_or_refuse(text)


# extraction


@pytest.fixture(scope="module")
def pipeline(nlp):
    """The spaCy pipeline, loaded once (`kg.nlp.load_pipeline` caches it per process)."""
    return nlp


@pytest.mark.slow
@EXTRACT
@given(text=mixed_text())
def test_extraction_of_mixed_seed_sentences_keeps_its_evidence(pipeline, text):
    doc = read_or_refuse(text)
    if doc is not None:
        check_facts(extract_document(doc, pipeline))


@pytest.mark.slow
@EXTRACT
@given(text=st.lists(st.one_of(seed_sentence, mangled_sentence(), noise), min_size=1, max_size=6)
       .map(lambda parts: "Title\n\n" + " ".join(parts) + "\n"))
def test_extraction_of_one_noisy_paragraph_keeps_its_evidence(pipeline, text):
    doc = read_or_refuse(text)
    if doc is not None:
        check_facts(extract_document(doc, pipeline))
