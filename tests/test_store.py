"""The Oxigraph store: written whole, swapped in, read back through rdflib."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from kg.errors import StoreError
from kg.store import StoreState, open_dataset, update_store, write_store

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


def ox_quads(graph_sizes, value="x"):
    return [ox.Quad(ox.NamedNode(f"urn:s{i}"), ox.NamedNode("urn:p"), ox.Literal(f"{value}{i}"), ox.NamedNode(g))
            for g, n in graph_sizes.items() for i in range(n)]


def test_update_rewrites_only_the_graphs_named_and_equals_a_fresh_store(tmp_path):
    write_store(ox_quads({"urn:g1": 3, "urn:g2": 2, "urn:g3": 4}), tmp_path / "old")
    new = ox_quads({"urn:g1": 3, "urn:g2": 5}, "y") + ox_quads({"urn:g4": 1})
    changes = update_store(tmp_path / "old", tmp_path / "new", [q for q in new if q.graph_name.value != "urn:g1"],
                           ["urn:g2", "urn:g3", "urn:g4"])
    assert changes == 2 + 5 + 4 + 1
    expected = ox_quads({"urn:g1": 3}) + [q for q in new if q.graph_name.value != "urn:g1"]
    write_store(expected, tmp_path / "fresh")
    updated, fresh = ox.Store.read_only(str(tmp_path / "new")), ox.Store.read_only(str(tmp_path / "fresh"))
    assert set(updated) == set(fresh) == set(expected)
    assert set(updated.named_graphs()) == set(fresh.named_graphs())  # g3, emptied, is gone with its name
    assert len(set(ox.Store.read_only(str(tmp_path / "old")))) == 9  # the source is left as it was


def test_store_state_holds_only_while_the_store_is_untouched(tmp_path):
    store = tmp_path / "store"
    write_store(ox_quads({"urn:g1": 2}), store)
    state_file = tmp_path / "state.json"
    StoreState({"urn:g1": "d1"}).save(state_file, store)
    assert StoreState.load(state_file, store).graphs == {"urn:g1": "d1"}
    ox.Store.read_only(str(store))  # readers change nothing
    assert StoreState.load(state_file, store) is not None
    writer = ox.Store(str(store))  # a writer (say `kg analyze` writing scores back) does
    writer.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c"), ox.NamedNode("urn:g9")))
    writer.flush()
    del writer
    assert StoreState.load(state_file, store) is None
    assert StoreState.load(tmp_path / "missing.json", store) is None
    assert StoreState({"a": "1", "b": "2"}).changed(StoreState({"a": "1", "b": "3", "c": "4"})) == {"b", "c"}
