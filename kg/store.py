"""The store: an embedded, persistent Oxigraph store, spoken to through rdflib (oxrdflib).

A build writes a complete new store beside the old one and swaps it in only when it is
complete, so an interrupted build leaves the previous graph readable and unchanged.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset

from kg.errors import StoreError
from kg.rdf import Quad

STORE_DIR = "store"


def write_store(quads: Iterable[Quad | ox.Quad], path: Path) -> int:
    """Write `quads` (rdflib's or Oxigraph's) into a new store at `path`, replacing any
    store there only when done.

    Returns:
        The number of quads written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.building-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    store = ox.Store(str(staging))
    quads = to_ox_quads(quads)
    store.bulk_extend(quads)
    store.flush()
    store.optimize()
    del store
    _swap(staging, path)
    return len(quads)


def write_turtle(quads: Iterable[Quad | ox.Quad], target: Path) -> Path:
    """Write the distinct triples of `quads` as Turtle with the cckg prefixes, atomically.

    Oxigraph's serializer writes in one pass what rdflib's pretty printer takes a hundred
    times longer to lay out; the triples are the same.
    """
    from kg.graph import PREFIXES

    triples = dict.fromkeys(q.triple for q in to_ox_quads(quads))
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    ox.serialize(triples, str(temporary), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    os.replace(temporary, target)
    return target


def _swap(staging: Path, path: Path) -> None:
    """Put `staging` in place of `path` with renames, so readers never see half a store."""
    retired = path.with_name(f".{path.name}.retired-{os.getpid()}")
    if path.exists():
        os.replace(path, retired)
    os.replace(staging, path)
    shutil.rmtree(retired, ignore_errors=True)


def open_dataset(path: Path, *, read_only: bool = True) -> Dataset:
    """The store at `path` as an rdflib Dataset whose default graph is the union of all graphs.

    Raises:
        StoreError: there is no store at `path`.
    """
    path = Path(path)
    if not path.is_dir():
        raise StoreError(f"{path}: no graph store here (run `kg build` first)")
    try:
        inner = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as err:
        raise StoreError(f"{path}: cannot open the graph store ({err})") from err
    return Dataset(store=OxigraphStore(store=inner), default_union=True)


def oxigraph_store(dataset: Dataset) -> ox.Store | None:
    """The Oxigraph store behind an rdflib Dataset of this module, or None for any other Dataset."""
    store = getattr(dataset, "store", None)
    return store._inner if isinstance(store, OxigraphStore) else None  # oxrdflib keeps it in `_inner`


def memory_dataset(quads: Iterable[Quad]) -> Dataset:
    """An in-memory Oxigraph-backed Dataset holding `quads` (for tests and notebooks)."""
    store = ox.Store()
    store.bulk_extend(to_ox_quads(quads))
    return Dataset(store=OxigraphStore(store=store), default_union=True)


def to_ox_quads(quads: Iterable[Quad | ox.Quad]) -> list[ox.Quad]:
    """rdflib quads as Oxigraph quads, each distinct term converted once (IRIs repeat a lot).

    Examples:
        >>> from rdflib import Literal, URIRef
        >>> [q] = to_ox_quads([(URIRef("urn:s"), URIRef("urn:p"), Literal(1), URIRef("urn:g"))])
        >>> str(q.object)
        '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    from oxrdflib._converter import to_ox

    terms: dict = {}

    def term(value):
        # keyed by lexical form: rdflib finds Literal("01", integer) equal to Literal("1", integer)
        key = (type(value), str(value), getattr(value, "datatype", None), getattr(value, "language", None))
        converted = terms.get(key)
        if converted is None:
            converted = terms[key] = to_ox(value)
        return converted

    converted = []
    for quad in quads:
        if isinstance(quad, ox.Quad):
            converted.append(quad)
            continue
        s, p, o, g = quad
        converted.append(ox.Quad(term(s), term(p), term(o), term(g)))
    return converted
