"""Shared fixtures: the parsing pipeline (loaded once) and the seed build (built once)."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def nlp():
    from kg.nlp import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def parse(nlp):
    """Parse one sentence or paragraph of our own."""
    return lambda text: nlp(text)


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """The graph of the seed documents, built once into a temporary folder."""
    import kg

    out = tmp_path_factory.mktemp("build")
    graph = kg.build([SEEDS], out, formats=["ttl", "nt", "trig", "jsonld"])
    return out, graph
