"""A build killed with SIGKILL at any moment leaves the previous graph readable and unchanged
(or, killed once the new graph was complete, the new one): never a mix, never nothing.

Each kill runs `kg.build` in a child process whose `os.replace` (every file the build puts in
place goes through it: cache entries, the store, exports, the publish step) sends SIGKILL to
the process at its Nth call; other kills come after a delay or after the first document.
"""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import kg
from kg.publish import STAGING_DIR

pytestmark = pytest.mark.slow

DOCUMENTS = {
    "norway.txt": "Aid\n\nOn March 3, the Norwegian government donated 3,000 ventilators to Peru.\n",
    "sweden.txt": "Relief\n\nOn April 9, Sweden donated 20,000 face masks to Ecuador.\n",
}
CHANGED = {
    "norway.txt": "Aid\n\nOn March 5, the Norwegian government donated 4,000 ventilators to Chile.\n",
    "denmark.txt": "News\n\nDenmark sent a medical team to Bolivia on May 2.\n",
}

CHILD = textwrap.dedent("""
    import os, signal, sys
    import kg

    corpus, out, mode, log = sys.argv[1:5]
    calls = 0
    real_replace = os.replace

    def die(where):
        with open(log, "w") as file:
            file.write(where)
        os.kill(os.getpid(), signal.SIGKILL)

    def replace(source, target):
        global calls
        calls += 1
        if mode == f"replace:{calls}":
            die(f"{source} -> {target}")
        real_replace(source, target)

    def progress(done, total, name):
        if mode == f"document:{done}":
            die(name)

    os.replace = replace
    kg.build([corpus], out, formats=["ttl", "nt"], progress=progress)
    with open(log, "w") as file:
        file.write(f"finished after {calls} replace calls")
""")


def write_corpus(folder: Path, documents: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def snapshot(out: Path) -> tuple[list[str], bytes]:
    """What a reader sees: every quad of the store, and the N-Triples export. The store
    must conform to the SHACL shapes."""
    graph = kg.open_graph(out)
    assert kg.validate(graph).conforms
    rows = graph.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    quads = sorted(" ".join(term.n3() for term in row) for row in rows)
    return quads, (out / "kg.nt").read_bytes()


def run_child(corpus: Path, out: Path, mode: str, log: Path, *, kill_after: float | None = None) -> int:
    command = [sys.executable, "-c", CHILD, str(corpus), str(out), mode, str(log)]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if kill_after is not None:
        time.sleep(kill_after)
        child.send_signal(signal.SIGKILL)
    child.wait(timeout=300)
    return child.returncode


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """The first build (with its cache), the second corpus, and what a full build of it gives."""
    root = tmp_path_factory.mktemp("crash")
    corpus = write_corpus(root / "corpus", DOCUMENTS)
    first = root / "first"
    kg.build([corpus], first, formats=["ttl", "nt"])
    new_corpus = write_corpus(root / "corpus2", {**DOCUMENTS, **CHANGED})
    expected = root / "expected"
    kg.build([new_corpus], expected, formats=["ttl", "nt"])
    counted = root / "counted"
    shutil.copytree(first, counted)
    log = root / "count.log"
    assert run_child(new_corpus, counted, "count", log) == 0
    replace_calls = int(log.read_text().split()[2])
    return first, snapshot(first), new_corpus, snapshot(expected), replace_calls


def kill_and_check(versions, tmp_path: Path, mode: str, kill_after: float | None = None) -> str:
    first, before, new_corpus, after, _ = versions
    out = tmp_path / "out"
    shutil.copytree(first, out)
    log = tmp_path / "kill.log"
    code = run_child(new_corpus, out, mode, log, kill_after=kill_after)
    where = log.read_text() if log.exists() else "before the child wrote anything"
    assert code in (-signal.SIGKILL, 0), where
    seen = snapshot(out)
    assert seen in (before, after), f"a mix of two builds after a kill at {where}"
    _, _, target = where.partition(" -> ")
    if code == 0 or where.startswith("finished"):
        # a kill that came after the build returned (during interpreter exit) still finds it done
        assert seen == after, "a finished build is not in place"
    elif f"/{STAGING_DIR}/" in target or target.endswith(".pickle") or not target:
        # still extracting or writing the new outputs aside
        assert seen == before, f"the previous graph changed after a kill at {where}"
    else:
        # publishing (or remembering) a complete build: the next reader sees all of it
        assert seen == after, f"a complete build was lost after a kill at {where}"
    # the next build finishes the job
    kg.build([new_corpus], out, formats=["ttl", "nt"])
    assert snapshot(out) == after
    return where


def test_the_kill_points_cover_cache_store_exports_and_publish(versions):
    *_, replace_calls = versions
    # 2 cache entries, store, kg.ttl, kg.nt, publishing them (the store moved aside first), the manifest
    assert replace_calls >= 8


@pytest.mark.parametrize("call", range(1, 13))
def test_killed_at_each_file_replacement(versions, tmp_path, call):
    *_, replace_calls = versions
    if call > replace_calls:
        call = replace_calls  # fewer replacements than expected: the test above says so
    kill_and_check(versions, tmp_path, f"replace:{call}")


def test_killed_after_the_first_document(versions, tmp_path):
    where = kill_and_check(versions, tmp_path, "document:1")
    assert where.endswith(".txt")


@pytest.mark.parametrize("seconds", [0.3, 1.0, 2.0, 3.0])
def test_killed_after_a_delay(versions, tmp_path, seconds):
    kill_and_check(versions, tmp_path, "never", kill_after=seconds)
