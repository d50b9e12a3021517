"""Extraction on a Dask cluster (`kg build --executor dask [--scheduler ADDRESS]`).

Documents go to the workers in chunks; a worker plugin loads the spaCy pipeline once per
worker when it joins, and every chunk on that worker reuses it. Facts come back to this
process, which resolves them and writes the graph exactly as a local build does. Workers
need `cckg` installed (they import `kg`); with no scheduler address a `LocalCluster` of
single-threaded worker processes is started for the build and closed after it.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence

from distributed import Client, KilledWorker, LocalCluster, WorkerPlugin, as_completed

from kg.errors import ExecutorError
from kg.executors import _chunks, extract_chunk
from kg.types import DocumentFacts, SourceDocument

#: Seconds to wait for a scheduler's first worker: a cluster may still be starting them.
WORKER_WAIT_SECONDS = 60.0


class LoadPipeline(WorkerPlugin):
    """Loads the spaCy pipeline when a worker starts, once (it stays cached in the worker)."""

    name = "cckg-load-pipeline"

    def setup(self, worker) -> None:
        from kg.nlp import load_pipeline

        load_pipeline()


def extract_on_dask(documents: Sequence[SourceDocument], *, scheduler: str | None = None,
                    workers: int = 1, wait_for_workers: float = WORKER_WAIT_SECONDS) -> Iterator[DocumentFacts]:
    """Extract `documents` on the Dask cluster at `scheduler` (None: a local cluster of `workers`).

    Yields facts as chunks complete; the caller orders them.

    Raises:
        ExecutorError: the scheduler cannot be reached (within Dask's connect timeout,
            `distributed.comm.timeouts.connect`), no worker joins it within
            `wait_for_workers` seconds, or a worker dies on a chunk again and again.
    """
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=None)
    where = scheduler or "the local Dask cluster"
    try:
        client = Client(scheduler or cluster)
    except (OSError, ValueError) as err:
        if cluster is not None:
            cluster.close()
        problem = "cannot reach the Dask scheduler" if isinstance(err, OSError) else "not a Dask scheduler address"
        raise ExecutorError(f"{where}: {problem} ({err})") from err
    try:
        try:
            client.wait_for_workers(1, timeout=wait_for_workers)
        except TimeoutError as err:  # else the chunks would wait for a worker forever
            raise ExecutorError(f"{where}: no Dask worker joined the scheduler within {wait_for_workers:g} s; "
                                "start workers (dask worker ADDRESS)") from err
        client.register_plugin(LoadPipeline())
        size = max(1, len(client.scheduler_info().get("workers", {})))
        futures = client.map(extract_chunk, _chunks(documents, size), pure=False)
        for _, facts in as_completed(futures, with_results=True):
            yield from facts
    except KilledWorker as err:  # the scheduler gave the chunk up after its workers died on it
        raise ExecutorError(f"{where}: Dask workers died extracting documents "
                            f"({' '.join(str(err).split())}); they may be short of memory") from err
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
