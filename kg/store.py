"""The store: an embedded, persistent Oxigraph store, spoken to through rdflib (oxrdflib).

A build writes a complete new store beside the old one and swaps it in only when it is
complete, so an interrupted build leaves the previous graph readable and unchanged. A
rebuild need not write every quad again: `update_store` copies the previous store (hard
links: its files are immutable) and rewrites only the named graphs whose quads changed,
which `StoreState` tells, digest by digest, as long as the previous store is still the one
it recorded.
"""
from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset

from kg.errors import StoreError
from kg.rdf import Quad

STORE_DIR = "store"
#: Quads given to the store's bulk loader at a time (its memory grows with what it is given).
_LOAD_SLICE = 50_000
#: A store rewritten graph by graph gains a few small files each time; past this many it
#: is compacted (a store written anew has about ten).
COMPACT_PAST_FILES = 64


def write_store(quads: Iterable[Quad | ox.Quad], path: Path) -> int:
    """Write `quads` (rdflib's or Oxigraph's) into a new store at `path`, replacing any
    store there only when done.

    Returns:
        The number of quads written.
    """
    path = Path(path)
    staging = _staging(path)
    store = ox.Store(str(staging))
    written = 0
    # in slices: the bulk loader holds (and sorts) all it is given in memory before writing
    stream = _as_ox_quads(quads)
    while chunk := list(itertools.islice(stream, _LOAD_SLICE)):
        store.bulk_extend(chunk)
        written += len(chunk)
    store.flush()
    store.optimize()
    del store
    _swap(staging, path)
    return written


def update_store(source: Path, path: Path, quads: Iterable[ox.Quad], graphs: Iterable[str]) -> int:
    """Write at `path` the store at `source` with its named `graphs` (IRIs) holding the
    `quads` given for them instead (none: the graph is gone); `source` is left as it is.

    Returns:
        The number of quads added or removed.
    """
    path = Path(path)
    staging = _staging(path)
    ox.Store.read_only(str(source)).backup(str(staging))  # hard links to the immutable files
    wanted: dict[ox.NamedNode, set[ox.Quad]] = {ox.NamedNode(g): set() for g in graphs}
    for quad in quads:
        wanted[quad.graph_name].add(quad)
    store = ox.Store(str(staging))
    changes = 0
    for graph, new in wanted.items():
        if not new:
            if store.contains_named_graph(graph):
                changes += sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
                store.remove_graph(graph)  # its quads and its name, which a store written anew has not
            continue
        old = set(store.quads_for_pattern(None, None, None, graph))
        for quad in old - new:
            store.remove(quad)
        added = new - old
        store.extend(added)
        changes += len(old - new) + len(added)
    store.flush()
    if sum(1 for f in os.scandir(staging) if f.name.endswith(".sst")) > COMPACT_PAST_FILES:
        store.optimize()  # many small files after many rebuilds: merge them (a fifth of a second)
    del store
    _swap(staging, path)
    return changes


def write_turtle(quads: Iterable[Quad | ox.Quad | ox.Triple], target: Path, *, distinct: bool = False) -> Path:
    """Write the distinct triples of `quads` (rdflib's or Oxigraph's, or Oxigraph triples),
    in their order, as Turtle with the cckg prefixes, atomically.

    Oxigraph's serializer writes in one pass what rdflib's pretty printer takes a hundred
    times longer to lay out; the triples are the same.

    Args:
        quads: the quads or triples.
        target: the file.
        distinct: the triples are distinct already (none is looked for twice).
    """
    from kg.graph import PREFIXES

    triples = _ox_triples(quads) if distinct else dict.fromkeys(_ox_triples(quads))
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    ox.serialize(triples, str(temporary), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    os.replace(temporary, target)
    return target


def _ox_triples(quads: Iterable) -> Iterator[ox.Triple]:
    term = rdflib_to_ox()
    for quad in quads:
        if isinstance(quad, ox.Triple):
            yield quad
        elif isinstance(quad, ox.Quad):
            yield quad.triple
        else:
            yield ox.Triple(term(quad[0]), term(quad[1]), term(quad[2]))


@dataclass
class StoreState:
    """What a store was written with: a digest of each named graph's quads (by graph IRI,
    `kg.rdf.QuadSet.graph_digests`), and the store's files as they were when recorded (any
    later write to the store changes them: `kg analyze` writing its scores back, say)."""

    graphs: dict[str, str]
    files: list | None = None

    def changed(self, other: StoreState) -> set[str]:
        """The graphs whose quads differ between the two states (or that only one has)."""
        return {g for g in self.graphs.keys() | other.graphs.keys() if self.graphs.get(g) != other.graphs.get(g)}

    def save(self, file: Path, store: Path) -> None:
        """Record this state as that of the store at `store` now, atomically."""
        file.parent.mkdir(parents=True, exist_ok=True)
        temporary = file.with_name(f".{file.name}.tmp-{os.getpid()}")
        temporary.write_text(json.dumps({"files": _store_files(store), "graphs": self.graphs}), encoding="utf-8")
        os.replace(temporary, file)

    @classmethod
    def load(cls, file: Path, store: Path) -> StoreState | None:
        """The state recorded in `file`, if the store at `store` is still as it was recorded."""
        try:
            saved = json.loads(file.read_text(encoding="utf-8"))
            files = _store_files(store)
        except (OSError, ValueError):
            return None
        if not isinstance(saved, dict) or not files or saved.get("files") != files \
                or not isinstance(saved.get("graphs"), dict):
            return None
        return cls(saved["graphs"], files)


def _store_files(store: Path) -> list:
    """The store's files (but its text log) with their sizes, and the store's identity.

    RocksDB never rewrites a file in place: a write to the store makes new files (a
    MANIFEST, a log) or lengthens its log, so the list changes with any write.
    """
    files: list = sorted([f.name, f.stat().st_size] for f in os.scandir(store)
                         if f.is_file() and not f.name.startswith("LOG"))
    identity = Path(store) / "IDENTITY"
    if identity.is_file():
        files.append(["IDENTITY", identity.read_text(encoding="utf-8", errors="replace")])
    return files


def _staging(path: Path) -> Path:
    """An empty place beside `path` to build a store in, swapped in when done (`_swap`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.building-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    return staging


def _swap(staging: Path, path: Path) -> None:
    """Put `staging` in place of `path` with renames, so readers never see half a store."""
    retired = path.with_name(f".{path.name}.retired-{os.getpid()}")
    if path.exists():
        os.replace(path, retired)
    os.replace(staging, path)
    shutil.rmtree(retired, ignore_errors=True)


def open_dataset(path: Path, *, read_only: bool = True, in_memory: bool = False) -> Dataset:
    """The store at `path` as an rdflib Dataset whose default graph is the union of all graphs.

    With `in_memory`, a copy of the store in memory instead: queries that read much of a
    large graph run several times faster there (the saved queries 4 to 10 times on a million
    triples; Oxigraph's on-disk store is RocksDB), for about 9 s of loading and 400 MB per
    million triples. The copy does not see later builds.

    Raises:
        StoreError: there is no store at `path`.
    """
    path = Path(path)
    if not path.is_dir():
        raise StoreError(f"{path}: no graph store here (run `kg build` first)")
    try:
        inner = ox.Store.read_only(str(path)) if read_only or in_memory else ox.Store(str(path))
    except OSError as err:
        raise StoreError(f"{path}: cannot open the graph store ({err})") from err
    if in_memory:
        inner = memory_copy(inner)
    return Dataset(store=OxigraphStore(store=inner), default_union=True)


def memory_copy(store: ox.Store) -> ox.Store:
    """A copy in memory of an Oxigraph store (about 9 s and 400 MB per million triples)."""
    copy = ox.Store()
    copy.bulk_extend(store)
    return copy


def oxigraph_store(dataset: Dataset) -> ox.Store | None:
    """The Oxigraph store behind an rdflib Dataset of this module, or None for any other Dataset."""
    store = getattr(dataset, "store", None)
    return store._inner if isinstance(store, OxigraphStore) else None  # oxrdflib keeps it in `_inner`


def memory_dataset(quads: Iterable[Quad | ox.Quad]) -> Dataset:
    """An in-memory Oxigraph-backed Dataset holding `quads` (for tests and notebooks)."""
    store = ox.Store()
    store.bulk_extend(to_ox_quads(quads))
    return Dataset(store=OxigraphStore(store=store), default_union=True)


def _as_ox_quads(quads: Iterable[Quad | ox.Quad]) -> Iterator[ox.Quad]:
    """`to_ox_quads`, one quad at a time."""
    term = rdflib_to_ox()
    for quad in quads:
        if isinstance(quad, ox.Quad):
            yield quad
        else:
            s, p, o, g = quad
            yield ox.Quad(term(s), term(p), term(o), term(g))


def to_ox_quads(quads: Iterable[Quad | ox.Quad]) -> list[ox.Quad]:
    """rdflib quads as Oxigraph quads, each distinct term converted once (IRIs repeat a lot).

    Examples:
        >>> from rdflib import Literal, URIRef
        >>> [q] = to_ox_quads([(URIRef("urn:s"), URIRef("urn:p"), Literal(1), URIRef("urn:g"))])
        >>> str(q.object)
        '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    return list(_as_ox_quads(quads))


def rdflib_to_ox() -> Callable:
    """A converter of rdflib terms to Oxigraph's, each distinct term converted once."""
    from oxrdflib._converter import to_ox

    terms: dict = {}

    def term(value):
        # keyed by lexical form: rdflib finds Literal("01", integer) equal to Literal("1", integer)
        key = (type(value), str(value), getattr(value, "datatype", None), getattr(value, "language", None))
        converted = terms.get(key)
        if converted is None:
            converted = terms[key] = to_ox(value)
        return converted

    return term
