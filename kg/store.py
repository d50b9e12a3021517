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


def write_store(quads: Iterable[Quad], path: Path) -> int:
    """Write `quads` into a new store at `path`, replacing any store there only when done.

    Returns:
        The number of quads written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.building-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    store = ox.Store(str(staging))
    count = 0
    batch: list[ox.Quad] = []
    for quad in quads:
        batch.append(_to_ox(quad))
        count += 1
        if len(batch) >= 50_000:
            store.bulk_extend(batch)
            batch.clear()
    store.bulk_extend(batch)
    store.flush()
    store.optimize()
    del store
    _swap(staging, path)
    return count


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


def memory_dataset(quads: Iterable[Quad]) -> Dataset:
    """An in-memory Oxigraph-backed Dataset holding `quads` (for tests and notebooks)."""
    store = ox.Store()
    store.bulk_extend([_to_ox(q) for q in quads])
    return Dataset(store=OxigraphStore(store=store), default_union=True)


def _to_ox(quad: Quad) -> ox.Quad:
    from oxrdflib._converter import to_ox

    s, p, o, g = quad
    return ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(str(g)))
