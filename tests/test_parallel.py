"""Parallel and streamed extraction give the same graph as one process, one document at a time."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import kg
from kg.errors import CckgError, ExecutorError
from kg.executors import MIN_CHUNK_DOCUMENTS, _chunks, extract_stream
from kg.extract import extract_document
from kg.ingest import parse_text, read_documents

from conftest import SEEDS, free_port

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


def _aid_folder(tmp_path, count: int = 4):
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(count):
        (folder / f"{n}.txt").write_text(f"Aid\n\nOn March {n + 3}, 2020, Japan donated {n + 2},000 masks "
                                         "to China.\n", encoding="utf-8")
    return folder


def _die(chunk):
    os._exit(9)  # as a worker killed for memory ends: no exception, no result


def test_a_worker_process_that_dies_is_a_clear_error_and_the_graph_is_kept(tmp_path, monkeypatch):
    folder = _aid_folder(tmp_path)
    out = tmp_path / "out"
    kg.build([folder], out, formats=["nt"])
    before = (out / "kg.nt").read_bytes()
    monkeypatch.setattr(kg.executors, "extract_chunk", _die)  # forked workers run it
    with pytest.raises(ExecutorError, match="worker process of --jobs 2 died"):
        kg.build([folder], out, formats=["nt"], jobs=2, full=True)
    assert (out / "kg.nt").read_bytes() == before


def test_an_unreachable_dask_scheduler_is_one_line_and_exit_code_5(tmp_path):
    folder = _aid_folder(tmp_path, 2)
    out = tmp_path / "out"
    kg.build([folder], out, formats=["nt"])
    before = (out / "kg.nt").read_bytes()
    address = f"tcp://127.0.0.1:{free_port()}"
    result = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(folder), "--out", str(out), "--format",
                             "nt", "--full", "--executor", "dask", "--scheduler", address],
                            capture_output=True, text=True,
                            env={**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    assert result.returncode == ExecutorError.exit_code == 5
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {address}: cannot reach the Dask scheduler")
    assert (out / "kg.nt").read_bytes() == before


def test_a_dask_scheduler_with_no_worker_is_an_error_not_a_wait(tmp_path):
    distributed = pytest.importorskip("distributed")
    from kg.dask_executor import extract_on_dask

    documents = read_documents([_aid_folder(tmp_path, 2)])
    with distributed.LocalCluster(n_workers=0, dashboard_address=None) as cluster:
        with pytest.raises(ExecutorError, match="no Dask worker joined the scheduler within 1 s"):
            list(extract_on_dask(documents, scheduler=cluster.scheduler_address, wait_for_workers=1))


def test_a_scheduler_without_the_dask_executor_is_refused(tmp_path):
    with pytest.raises(CckgError, match="--scheduler tcp://127.0.0.1:8786 is for --executor dask, not local"):
        kg.build([_aid_folder(tmp_path, 1)], tmp_path / "out", scheduler="tcp://127.0.0.1:8786")
