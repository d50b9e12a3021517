"""The Oxigraph store: written whole, swapped in, read back through rdflib."""
from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from kg.errors import StoreError
from kg.store import open_dataset, write_store

G = URIRef("urn:g")


def quads(n):
    return [(URIRef(f"urn:s{i}"), URIRef("urn:p"), Literal(i), G) for i in range(n)]


def test_written_store_reads_back(tmp_path):
    assert write_store(quads(3), tmp_path / "store") == 3
    dataset = open_dataset(tmp_path / "store")
    assert len(dataset) == 3
    [[count]] = dataset.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(count) == 3


def test_rewrite_replaces_the_whole_store(tmp_path):
    write_store(quads(5), tmp_path / "store")
    write_store(quads(2), tmp_path / "store")
    assert len(open_dataset(tmp_path / "store")) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["store"]  # no staging folders left behind


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no graph store here"):
        open_dataset(tmp_path / "nothing")
