"""Incremental builds: only new or changed documents are extracted, and the graph is the
same as a full rebuild's."""
from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest

import kg
import kg.executors
import kg.pipeline
from kg.cache import FactCache, cache_key
from kg.ingest import parse_text
from kg.types import DocumentFacts

from conftest import SEEDS

pytestmark = pytest.mark.slow

DOCUMENTS = {
    "a.txt": "Aid from Japan\n\nOn March 3, 2020, Japan donated 20,000 masks to China.\n",
    "b.txt": "Korea helps Italy\n\nSouth Korea sent a medical team to Italy on April 2, 2020.\n",
    "c.txt": "A call\n\nPresident Moon Jae-in spoke by phone with President Joko Widodo on March 24, 2020.\n",
    "d.txt": "Cash for Iran\n\nGermany gave 5 million euros to Iran on March 10, 2020.\n",
}


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture()
def extracted(monkeypatch):
    """The file names of the documents extracted, in order."""
    names: list[str] = []
    real = kg.executors.extract_document

    def counting(document, nlp, **options):
        names.append(document.file_name)
        return real(document, nlp, **options)

    monkeypatch.setattr(kg.executors, "extract_document", counting)
    return names


def full_build_nt(folder, out):
    kg.build([folder], out, formats=["nt"], full=True)
    return (out / "kg.nt").read_bytes()


def store_content(out):
    """The quads and the named graphs of the store a build wrote."""
    store = ox.Store.read_only(str(out / "store"))
    return {str(q) for q in store}, {str(g) for g in store.named_graphs()}


@pytest.fixture()
def store_writes(monkeypatch):
    """How each build wrote its store: "fresh" or "updated"."""
    writes: list[str] = []
    fresh, update = kg.pipeline.write_store, kg.pipeline.update_store

    def writing(*args, **kwargs):
        writes.append("fresh")
        return fresh(*args, **kwargs)

    def updating(*args, **kwargs):
        writes.append("updated")
        return update(*args, **kwargs)

    monkeypatch.setattr(kg.pipeline, "write_store", writing)
    monkeypatch.setattr(kg.pipeline, "update_store", updating)
    return writes


def test_rebuild_with_nothing_changed_extracts_nothing(corpus, tmp_path, extracted):
    out = tmp_path / "out"
    first = kg.build([corpus], out, formats=["nt"])
    assert first.summary.extracted == 4 and sorted(extracted) == sorted(DOCUMENTS)
    before = (out / "kg.nt").read_bytes()
    extracted.clear()
    again = kg.build([corpus], out, formats=["nt"])
    assert extracted == [] and again.summary.extracted == 0
    assert (out / "kg.nt").read_bytes() == before


def test_rebuild_without_a_change_does_not_load_the_pipeline(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    kg.build([corpus], out, formats=["nt"])

    def refuse():
        raise AssertionError("the pipeline was loaded")

    monkeypatch.setattr("kg.nlp.load_pipeline", refuse)
    assert kg.build([corpus], out, formats=["nt"]).summary.extracted == 0


def test_changed_document_alone_is_extracted_and_graph_equals_full_build(corpus, tmp_path, extracted, store_writes):
    out = tmp_path / "out"
    kg.build([corpus], out, formats=["nt", "ttl"])
    (corpus / "b.txt").write_text("Korea helps Italy\n\nSouth Korea donated 50 ventilators to Italy.\n",
                                  encoding="utf-8")
    extracted.clear()
    kg.build([corpus], out, formats=["nt", "ttl"])
    assert extracted == ["b.txt"]
    assert store_writes == ["fresh", "updated"]  # the rebuild rewrote only the graphs that changed
    assert b"ventilator" in (out / "kg.nt").read_bytes().lower()
    kg.build([corpus], tmp_path / "fresh", formats=["nt", "ttl"], full=True)
    for name in ("kg.nt", "kg.ttl"):
        assert (out / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes()
    assert store_content(out) == store_content(tmp_path / "fresh")


def test_store_written_to_after_the_build_is_written_anew(corpus, tmp_path, store_writes):
    out = tmp_path / "out"
    kg.build([corpus], out, formats=["nt"])
    analysis_graph = ox.NamedNode("https://w3id.org/cckg/id/graph/analysis")
    store = ox.Store(str(out / "store"))  # as `kg analyze` writes its scores back
    store.add(ox.Quad(ox.NamedNode("urn:pair"), ox.NamedNode("urn:lag"), ox.Literal("3"), analysis_graph))
    store.flush()
    del store
    (corpus / "d.txt").unlink()
    kg.build([corpus], out, formats=["nt"])
    assert store_writes == ["fresh", "fresh"]
    kg.build([corpus], tmp_path / "fresh", formats=["nt"], full=True)
    assert store_content(out) == store_content(tmp_path / "fresh")


def test_deleted_document_loses_its_facts_and_cache_entry(corpus, tmp_path, extracted, store_writes):
    out = tmp_path / "out"
    kg.build([corpus], out, formats=["nt"])
    assert b"Germany" in (out / "kg.nt").read_bytes()
    (corpus / "d.txt").unlink()
    extracted.clear()
    graph = kg.build([corpus], out, formats=["nt"])
    assert extracted == [] and graph.summary.documents == 3
    assert b"d.txt" not in (out / "kg.nt").read_bytes()
    assert len(list((out / "cache").glob("*.pickle"))) == 3
    assert (out / "kg.nt").read_bytes() == full_build_nt(corpus, tmp_path / "fresh")
    assert store_writes[:2] == ["fresh", "updated"]
    assert store_content(out) == store_content(tmp_path / "fresh")  # the document's graph is gone, name and all


def test_new_document_alone_is_extracted(corpus, tmp_path, extracted):
    out = tmp_path / "out"
    kg.build([corpus], out, formats=["nt"])
    (corpus / "e.txt").write_text("China helps Serbia\n\nChina sent doctors to Serbia on March 21, 2020.\n",
                                  encoding="utf-8")
    extracted.clear()
    kg.build([corpus], out, formats=["nt"])
    assert extracted == ["e.txt"]
    assert (out / "kg.nt").read_bytes() == full_build_nt(corpus, tmp_path / "fresh")


def test_unchanged_rebuild_rewrites_missing_outputs_and_new_formats(corpus, tmp_path, extracted):
    out = tmp_path / "out"
    kg.build([corpus], out, formats=["nt"])
    expected = (out / "kg.nt").read_bytes()
    (out / "kg.nt").unlink()
    kg.build([corpus], out, formats=["nt", "ttl"])
    assert (out / "kg.nt").read_bytes() == expected and (out / "kg.ttl").stat().st_size > 0
    assert extracted == sorted(DOCUMENTS)  # only the first build extracted


def test_full_ignores_the_cache(corpus, tmp_path, extracted):
    out = tmp_path / "out"
    kg.build([corpus], out, formats=["nt"])
    extracted.clear()
    assert kg.build([corpus], out, formats=["nt"], full=True).summary.extracted == 4
    assert len(extracted) == 4


def test_seed_rebuild_after_one_change_equals_full_build(seed_build, tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    out = tmp_path / "out"
    shutil.copytree(seed_build[0] / "cache", out / "cache")  # the seeds' facts, extracted once
    kg.build([folder], out, formats=["nt", "ttl"])  # the store of the seeds as they are
    first = next(p for p in sorted(folder.glob("*.txt")))
    first.write_text(first.read_text(encoding="utf-8") + "\nJapan donated 1,000 masks to Nepal.\n",
                     encoding="utf-8")
    graph = kg.build([folder], out, formats=["nt", "ttl"])
    assert graph.summary.extracted == 1
    kg.build([folder], tmp_path / "fresh", formats=["nt", "ttl"], full=True)
    for name in ("kg.nt", "kg.ttl"):
        assert (out / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes()
    assert store_content(out) == store_content(tmp_path / "fresh")


@pytest.mark.parametrize("change", [
    {"text": "Title\n\nJapan donated masks to Korea.\n"},
    {"metadata": {"date": "2020-04-01"}},
    {"file_name": "b.txt"},
])
def test_cache_key_changes_with_what_shapes_the_facts(change):
    base = {"text": "Title\n\nJapan donated masks to China.\n", "file_name": "a.txt", "metadata": None}
    changed = {**base, **change}
    assert cache_key(parse_text(**base)) != cache_key(parse_text(**changed))
    assert cache_key(parse_text(**base)) == cache_key(parse_text(**base))


def test_cache_keeps_the_builds_records_but_drops_facts_of_other_documents(tmp_path):
    cache = FactCache(tmp_path)
    kept, dropped = (parse_text(f"Title\n\nJapan donated {n} masks to China.\n", f"{n}.txt") for n in (1, 2))
    for document in (kept, dropped):
        cache.put(DocumentFacts(document=document, sentence_count=1))
    records = ["manifest.json", "store-state.json", "remote-0123456789abcdef.json"]
    for name in records:
        (tmp_path / name).write_text("{}", encoding="utf-8")
    assert cache.keep_only([kept]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(records + [f"{cache_key(kept)}.pickle"])


def test_unreadable_cache_entry_is_extracted_again(tmp_path):
    cache = FactCache(tmp_path)
    document = parse_text("Title\n\nJapan donated masks to China.\n", "a.txt")
    (tmp_path / f"{cache_key(document)}.pickle").write_bytes(b"not a pickle")
    assert cache.get(document) is None
