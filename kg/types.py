"""Plain records passed between pipeline stages.

Every stage of the pipeline (ingest -> nlp -> extract -> resolve -> rdf -> store) speaks
in these frozen dataclasses. This module imports neither spaCy nor rdflib, so records can
be built by hand in tests and notebooks, pickled to worker processes, and compared by value.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

#: Actor kinds, as used in actor keys ("country:KOR") and in the ontology's classes.
ACTOR_KINDS = ("country", "organization", "subnational", "person", "group")

#: Aid types of the contract's AidTypeScheme, in snake case.
AID_TYPES = (
    "medical_supplies", "cash", "medical_team", "expertise", "food", "animals",
    "equipment", "debt_relief", "vaccine", "training", "in_kind_other",
)

#: Interaction kinds, mapped one-to-one onto the ontology's Interaction subclasses.
INTERACTION_KINDS = (
    "phone_call", "visit", "meeting", "letter", "video_conference",
    "statement_of_support", "joint_statement",
)

#: Flow statuses.
DELIVERED, PLEDGED = "delivered", "pledged"

#: The version of the extractors (`kg.extract`), raised whenever they change what they
#: produce; stored with each document, and part of its cache key. Kept here, with the
#: records they produce, so that the graph's writers import no spaCy.
EXTRACTOR_VERSION = "0.1.0"


@dataclass(frozen=True)
class Paragraph:
    """A run of prose in a document, as character offsets into the document's text.

    A paragraph cut by a page break goes on after the page's footnotes and captions: those
    stretches between its halves are its `breaks`, never read as part of it.
    """

    start: int
    end: int
    breaks: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class SourceDocument:
    """One input document after ingest: its decoded text and what is known about it.

    `text` is the whole decoded text; offsets everywhere else point into it. `paragraphs`
    cover the prose only: page furniture (image file names, footnote citation lines,
    navigation words) lies between them and is never read for facts.
    """

    file_name: str
    text: str
    content_hash: str
    paragraphs: tuple[Paragraph, ...]
    title: str | None = None
    publisher: str | None = None
    date: str | None = None  # ISO date (or year-month / year) of publication
    url: str | None = None
    cited_sources: tuple[str, ...] = ()
    encoding: str = "utf-8"

    @property
    def year(self) -> int | None:
        """The publication year, used to complete dates such as "March 28"."""
        return int(self.date[:4]) if self.date else None


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: one sentence of one document."""

    file_name: str
    content_hash: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class ActorRef:
    """A real-world actor as resolved from a mention.

    `key` is the canonical identity ("country:KOR", "org:who", "person:xi-jinping",
    "subnational:CHN:hubei", "group:18-african-countries"); two refs with the same key are
    the same actor. `names` are the surface forms met in text.
    """

    key: str
    kind: str
    label: str
    names: tuple[str, ...] = ()
    iso3: str | None = None  # for countries: own code; for others: the country they belong to
    wikidata: str | None = None
    group_size: int | None = None


@dataclass(frozen=True)
class AidItem:
    """A thing given, with its quantity as stated."""

    label: str
    quantity: Decimal | None = None
    quantity_max: Decimal | None = None
    unit: str | None = None
    quantity_text: str | None = None
    approximate: bool = False


@dataclass(frozen=True)
class Money:
    """A monetary amount with its ISO 4217 currency."""

    value: Decimal
    currency: str | None
    text: str
    approximate: bool = False


@dataclass(frozen=True)
class AidFlow:
    """One act of giving from a donor to a recipient, read from one or more sentences."""

    donor: ActorRef
    recipient: ActorRef
    evidence: tuple[Evidence, ...]
    aid_types: tuple[str, ...] = ("in_kind_other",)
    items: tuple[AidItem, ...] = ()
    amount: Money | None = None
    date: str | None = None
    status: str = DELIVERED
    disputed: bool = False
    act: int = 0  # which act between the same donor and recipient in its first sentence


@dataclass(frozen=True)
class CommercialFlow:
    """A sale or commercial export: never aid, kept apart so aid statistics do not count it."""

    supplier: ActorRef
    buyer: ActorRef
    evidence: tuple[Evidence, ...]
    items: tuple[AidItem, ...] = ()
    amount: Money | None = None
    date: str | None = None


@dataclass(frozen=True)
class Interaction:
    """A diplomatic contact: a call, visit, meeting, letter, conference or statement."""

    kind: str
    participants: tuple[ActorRef, ...]
    evidence: tuple[Evidence, ...]
    initiator: ActorRef | None = None
    host: ActorRef | None = None
    date: str | None = None


@dataclass(frozen=True)
class Position:
    """A person holding a title of a country or organization."""

    person: ActorRef
    title: str
    of: ActorRef
    evidence: tuple[Evidence, ...]
    inferred: bool = False  # the text gives no holder; `of` is the document's main country


@dataclass(frozen=True)
class DocumentFacts:
    """Everything extracted from one document."""

    document: SourceDocument
    sentence_count: int
    aid_flows: tuple[AidFlow, ...] = ()
    interactions: tuple[Interaction, ...] = ()
    positions: tuple[Position, ...] = ()
    commercial_flows: tuple[CommercialFlow, ...] = ()
