"""Extract: from a parsed document to typed records, one extractor per fact type.

`extract_document` walks a document's paragraphs through the spaCy pipeline sentence by
sentence and runs the extractors on each sentence: positions first (so interactions know
each person's country), then aid flows, then interactions. It carries a date from one
sentence of a paragraph to the next ("On March 21 ... The team ...") and remembers the last
actor for pronouns.
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Span

from dataclasses import replace

from kg.extract.actors import ActorReader, count_countries, extract_positions, place_unplaced, states_served
from kg.extract.aid import extract_aid_flows, extract_commercial_flows, place_open_acts
from kg.extract.interactions import extract_interactions, quoted_pledges
from kg.extract.parsed import sentence_entities
from kg.extract.quantities import parse_date, shift_date, weekday_date
from kg.types import EXTRACTOR_VERSION, DocumentFacts, Evidence, Paragraph, SourceDocument

__all__ = ["EXTRACTOR_VERSION", "extract_document", "sentence_date"]


def extract_document(document: SourceDocument, nlp: Language, *, batch_size: int = 64) -> DocumentFacts:
    """Every aid flow, interaction and position stated in one document."""
    reader = ActorReader()
    reader.context.year = document.year
    flows, interactions, positions, trade = [], [], [], []
    sentences = 0
    texts = (_paragraph_text(document, p) for p in document.paragraphs)
    date = None
    for paragraph, parsed in zip(document.paragraphs, nlp.pipe(texts, batch_size=batch_size)):
        first = document.text[paragraph.start]
        # a lower-case start goes on across a page break, and the footnotes of the page
        # ("¹ Ministry of ...") come between without ending the paragraph
        if not first.islower() and first not in _FOOTNOTE_STARTS:
            date = None
            reader.context.new_paragraph()
        for sent in parsed.sents:
            if not sent.text.strip():
                continue
            sentences += 1
            count_countries(sent, reader)
            evidence = _evidence(document, paragraph, sent)
            date = sentence_date(sent, document.year, document.date) or shift_date(date, sent.text) or date
            found_positions = list(extract_positions(sent, reader, evidence))
            positions.extend(found_positions)
            found_flows = list(extract_aid_flows(sent, reader, evidence, year=document.year, date=date))
            flows.extend(found_flows)
            trade.extend(extract_commercial_flows(sent, reader, evidence, date=date))
            interactions.extend(extract_interactions(sent, reader, evidence, found_positions, date=date))
            interactions.extend(quoted_pledges(sent, found_flows, evidence, date=date))
            _remember_subject(sent, reader)
    positions.extend(place_unplaced(reader))
    served = states_served(positions, reader.gaz)
    flows = [replace(f, donor=served.get(f.donor.key, f.donor)) for f in place_open_acts(flows, reader)]
    flows = [f for f in flows if not _domestic(f.donor, f.recipient, reader)]
    return DocumentFacts(document=document, sentence_count=sentences, aid_flows=tuple(flows),
                         interactions=tuple(interactions), positions=tuple(positions),
                         commercial_flows=tuple(trade))


def _domestic(donor, recipient, reader: ActorReader) -> bool:
    """True for a transfer within one country ("the Chinese government gave to the Red Cross
    Society of China"): no cooperation between countries."""
    return reader.side(donor) == reader.side(recipient)


def sentence_date(sent: Span, year: int | None, published: str | None = None) -> str | None:
    """The first date a sentence states, completed with the document's year; a weekday
    ("on Wednesday") is the last such day up to the document's publication date."""
    for ent in sentence_entities(sent):
        if ent.label_ == "DATE":
            date = parse_date(ent.text, year) or weekday_date(ent.text, published)
            if date:
                return date
    return None


_FOOTNOTE_STARTS = frozenset("¹²³⁴⁵⁶⁷⁸⁹⁰")
#: The fewest words a part of a sentence cut by a page break needs to stand for the sentence.
_PART_WORDS = 6
#: Read as spaces: line breaks, footnote marks and Markdown emphasis ("**X offered ...**").
_PARSED_AS_SPACES = str.maketrans({c: " " for c in "\n¹²³⁴⁵⁶⁷⁸⁹⁰*"})


#: A news dateline opening a paragraph: "BEIJING, May 17 (Xinhua) -- ", "TOKYO (Reuters) - ".
_DATELINE = re.compile(r"^[A-Z][A-Z .'’-]{2,40}(?:,[^()\n]{0,40})?(?:\s*\([A-Za-z .]{2,30}\))?\s*[-–—]{1,2}\s+")


def _paragraph_text(document: SourceDocument, paragraph: Paragraph) -> str:
    # a line break inside a paragraph is only the page's width, a footnote mark glued to a
    # full stop hides the sentence end from the parser, Markdown's emphasis is no word, a
    # dateline is no part of the first sentence, and a page's footnotes and captions are no
    # part of the sentence they cut: all are parsed as spaces (same length, offsets hold)
    start = paragraph.start
    text = document.text[start:paragraph.end].translate(_PARSED_AS_SPACES)
    for break_start, break_end in paragraph.breaks:
        text = text[:break_start - start] + " " * (break_end - break_start) + text[break_end - start:]
    dateline = _DATELINE.match(text)
    return " " * dateline.end() + text[dateline.end():] if dateline else text


def _evidence(document: SourceDocument, paragraph: Paragraph, sent: Span) -> Evidence:
    start = paragraph.start + sent.start_char
    end = paragraph.start + sent.end_char
    for break_start, break_end in paragraph.breaks:
        if start < break_start and break_end < end:
            # a sentence cut by a page break (the text between its parts is the page's
            # footnotes): the part with its main verb stands for it, unless a few words are
            # all that part holds ("It also brought | together from the hospitals and delivered ...")
            parts = [(start, break_start), (break_end, end)]
            main = 0 if paragraph.start + sent.root.idx < break_start else 1
            if len(document.text[slice(*parts[main])].split()) < _PART_WORDS:
                main = 1 - main
            start, end = parts[main]
    while end > start and document.text[end - 1].isspace():
        end -= 1
    return Evidence(file_name=document.file_name, content_hash=document.content_hash,
                    text=document.text[start:end], start=start, end=end)


def _remember_subject(sent: Span, reader: ActorReader) -> None:
    """Remember the main clause's subject when it is an actor: the next "it" may be it."""
    root = sent.root
    for child in root.children:
        if child.dep_ in {"nsubj", "nsubjpass"}:
            actor = reader.actor(child)
            if actor is not None and child.lower_ not in {"it", "its", "they"}:
                reader.remember(actor)
            return

