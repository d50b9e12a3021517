"""Extraction on a Dask cluster (`kg build --executor dask [--scheduler ADDRESS]`).

Documents go to the workers in chunks; a worker plugin loads the spaCy pipeline once per
worker when it joins, and every chunk on that worker reuses it. Facts come back to this
process, which resolves them and writes the graph exactly as a local build does. Workers
need `cckg` installed (they import `kg`); with no scheduler address a `LocalCluster` of
single-threaded worker processes is started for the build and closed after it.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence

from distributed import Client, LocalCluster, WorkerPlugin, as_completed

from kg.executors import _chunks, extract_chunk
from kg.types import DocumentFacts, SourceDocument


class LoadPipeline(WorkerPlugin):
    """Loads the spaCy pipeline when a worker starts, once (it stays cached in the worker)."""

    name = "cckg-load-pipeline"

    def setup(self, worker) -> None:
        from kg.nlp import load_pipeline

        load_pipeline()


def extract_on_dask(documents: Sequence[SourceDocument], *, scheduler: str | None = None,
                    workers: int = 1) -> Iterator[DocumentFacts]:
    """Extract `documents` on the Dask cluster at `scheduler` (None: a local cluster of `workers`).

    Yields facts as chunks complete; the caller orders them.
    """
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=None)
    client = Client(scheduler or cluster)
    try:
        client.register_plugin(LoadPipeline())
        size = max(1, len(client.scheduler_info().get("workers", {})))
        futures = client.map(extract_chunk, _chunks(documents, size), pure=False)
        for _, facts in as_completed(futures, with_results=True):
            yield from facts
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
