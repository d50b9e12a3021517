"""Parallel and streamed extraction give the same graph as one process, one document at a time."""
from __future__ import annotations

import pytest

import kg
from kg.executors import MIN_CHUNK_DOCUMENTS, _chunks, extract_stream
from kg.extract import extract_document
from kg.ingest import parse_text, read_documents

from conftest import SEEDS

pytestmark = pytest.mark.slow


def test_streaming_many_documents_equals_one_pipe_per_document(nlp):
    documents = read_documents([SEEDS])[:2]
    assert list(extract_stream(documents, nlp, batch_size=7)) == [extract_document(d, nlp) for d in documents]


def test_two_jobs_build_the_same_graph_as_one(seed_build, tmp_path):
    out, _ = seed_build
    graph = kg.build([SEEDS], tmp_path / "jobs2", formats=["nt"], jobs=2)
    assert graph.summary.extracted == 5
    assert (tmp_path / "jobs2" / "kg.nt").read_bytes() == (out / "kg.nt").read_bytes()


@pytest.mark.parametrize("count, jobs", [(1, 2), (5, 2), (40, 2), (200, 4)])
def test_chunks_cover_every_document_once(count, jobs):
    documents = [parse_text(f"T\n\nJapan gave {n} masks to China.\n", f"{n:03}.txt") for n in range(count)]
    chunks = _chunks(documents, jobs)
    assert sorted(d.file_name for c in chunks for d in c) == sorted(d.file_name for d in documents)
    assert len(chunks) >= min(count, jobs)
    sizes = [len(c) for c in chunks]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] <= MIN_CHUNK_DOCUMENTS  # no long last chunk


def test_dask_local_cluster_builds_the_same_graph(tmp_path):
    distributed = pytest.importorskip("distributed")
    folder = tmp_path / "docs"
    folder.mkdir()
    for n, (donor, recipient) in enumerate([("Japan", "China"), ("South Korea", "Italy"),
                                            ("Germany", "Iran"), ("China", "Serbia")]):
        (folder / f"{n}.txt").write_text(f"Aid\n\nOn March {n + 3}, 2020, {donor} donated {n + 2},000 masks "
                                         f"to {recipient}. {recipient} thanked {donor}.\n", encoding="utf-8")
    kg.build([folder], tmp_path / "local", formats=["nt"])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        graph = kg.build([folder], tmp_path / "dask", formats=["nt"], executor="dask",
                         scheduler=cluster.scheduler_address)
    assert graph.summary.extracted == 4
    assert (tmp_path / "dask" / "kg.nt").read_bytes() == (tmp_path / "local" / "kg.nt").read_bytes()
