"""Shared fixtures: the parsing pipeline (loaded once), the seed build (built once) and
server subprocesses."""
from __future__ import annotations

import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _running_server(command: Callable[[int], list[str]], probe: str, seconds: float) -> Iterator[str]:
    port = free_port()
    errors = tempfile.TemporaryFile()  # not a pipe, which a talkative server could fill and block on
    process = subprocess.Popen(command(port), stdout=subprocess.DEVNULL, stderr=errors)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + seconds
        while True:
            if process.poll() is not None:
                errors.seek(0)
                raise RuntimeError(f"{command(port)[0]} exited: {errors.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(base + probe, timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no server answered at {base} within {seconds} s") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        errors.close()


@pytest.fixture(scope="session")
def server_process():
    """Start a server subprocess on a free port of 127.0.0.1 and wait until it answers.

    `with server_process(lambda port: [argv...], "/probe-path") as base_url: ...`; the
    server is always stopped at the end of the block.
    """
    return lambda command, probe="/", seconds=60: _running_server(command, probe, seconds)
