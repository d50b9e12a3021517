"""Bad input, as a user meets it with `kg build`: each bad path gets one line naming it and
the problem, the exit code is 2, and every good file of the same run is still built; with
`--strict` nothing is written. The CLI runs in this process, so spaCy is loaded once."""
from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest

import kg
from kg.cli import main

NORWAY = ("Aid update\n\nOn March 3, the Norwegian government donated 3,000 ventilators to Peru. "
          "Peruvian President Martin Vizcarra thanked Norway.\n")
SWEDEN = ("Relief\n\nOn April 9, Sweden donated 20,000 face masks to Ecuador. "
          "The masks arrived in Quito two days later.\n")


def run_kg(capsys, *args: object) -> tuple[int, str, str]:
    """Run `kg ARGS` in this process; returns the exit code, stdout and stderr."""
    argv, sys.argv = sys.argv, ["kg", *map(str, args)]
    try:
        main()
        code = 0
    except SystemExit as stop:
        code = stop.code or 0
    finally:
        sys.argv = argv
    out, err = capsys.readouterr()
    return code, out, err


def flows(out: Path) -> set[tuple[str, str]]:
    """(donor, recipient) of every aid flow in the graph built into `out`, which must conform
    to the SHACL shapes."""
    report = kg.validate(out)
    assert report.conforms, report.violations
    graph = kg.open_graph(out)
    rows = graph.query("SELECT ?d ?r WHERE { ?f a cckg:AidFlow ; cckg:donor/rdfs:label ?d ; "
                       "cckg:recipient/rdfs:label ?r }")
    return {(str(d), str(r)) for d, r in rows}


@pytest.fixture()
def good(tmp_path) -> Path:
    """A folder with one good document."""
    folder = tmp_path / "good"
    folder.mkdir()
    (folder / "norway.txt").write_text(NORWAY, encoding="utf-8")
    return folder


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("article.txt", NORWAY)
    return buffer.getvalue()


def assert_reported_and_good_built(capsys, good: Path, bad: Path, problem: str, tmp_path: Path) -> None:
    code, _, err = run_kg(capsys, "build", good, bad, "--out", tmp_path / "out")
    assert code == 2
    [line] = err.strip().splitlines()
    assert str(bad) in line and problem in line
    assert flows(tmp_path / "out") == {("Norway", "Peru")}


@pytest.mark.parametrize("name, data, problem", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\n \n", "empty file"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01", "binary file"),
    ("archive.txt", zip_bytes(), "binary file"),
    # UTF-8 elsewhere in the file tells a broken byte from a legacy encoding
    ("broken.txt", "Sweden donated masks to Côte d'Ivoire.".encode() + b" then \xff\xc3\x28.", "invalid UTF-8"),
], ids=["empty", "blank", "png", "zip", "invalid-utf8"])
def test_unreadable_file_is_reported_and_the_others_built(capsys, good, tmp_path, name, data, problem):
    bad = tmp_path / name
    bad.write_bytes(data)
    assert_reported_and_good_built(capsys, good, bad, problem, tmp_path)


def test_a_single_50_mb_line_is_reported(capsys, good, tmp_path):
    bad = tmp_path / "dump.txt"
    bad.write_bytes(b"masks " * (50 * 2**20 // 6))
    assert_reported_and_good_built(capsys, good, bad, "characters", tmp_path)


def test_missing_path_is_reported(capsys, good, tmp_path):
    assert_reported_and_good_built(capsys, good, tmp_path / "nowhere.txt", "no such file or folder", tmp_path)


def test_folder_without_documents_is_reported(capsys, good, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.pdf").write_bytes(b"%PDF-1.4")
    assert_reported_and_good_built(capsys, good, empty, "folder holds no documents", tmp_path)


@pytest.mark.parametrize("encoding, bom", [("utf-16", True), ("utf-16-le", False), ("utf-16-be", False),
                                           ("latin-1", False)])
def test_other_encodings_are_decoded_and_built(capsys, tmp_path, encoding, bom):
    text = "Relief\n\nOn April 9, Sweden donated 20,000 face masks to Côte d'Ivoire.\n"
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "sweden.txt").write_bytes(text.encode(encoding))
    code, _, err = run_kg(capsys, "build", folder, "--out", tmp_path / "out")
    assert code == 0, err
    [(recipient, sentence)] = kg.open_graph(tmp_path / "out").query(
        "SELECT ?iso ?t WHERE { ?f a cckg:AidFlow ; cckg:recipient/cckg:iso3 ?iso ; prov:wasDerivedFrom/cckg:text ?t }")
    assert str(recipient) == "CIV"
    assert str(sentence) == "On April 9, Sweden donated 20,000 face masks to Côte d'Ivoire."


def test_html_is_read_without_scripts_and_styles(capsys, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "page.html").write_text(
        "<html><head><style>p { color: red }</style><script>var donated = 'Spain donated to Chile';</script>"
        "</head><body><nav>Home | World</nav><h1>Relief</h1><p>On April 9, Sweden donated 20,000 face masks "
        "to Ecuador.</p><script>track('Mexico donated to Chile')</script></body></html>", encoding="utf-8")
    code, _, err = run_kg(capsys, "build", folder, "--out", tmp_path / "out")
    assert code == 0, err
    assert flows(tmp_path / "out") == {("Sweden", "Ecuador")}
    nt = (tmp_path / "out" / "kg.ttl").read_text(encoding="utf-8")
    assert "color" not in nt and "track(" not in nt and "Spain" not in nt


def test_a_document_under_two_names_is_read_once_with_both_names(capsys, good, tmp_path):
    (good / "reposted.txt").write_text(NORWAY, encoding="utf-8")  # after norway.txt: the copy
    code, out, err = run_kg(capsys, "build", good, "--out", tmp_path / "out")
    assert code == 0, err
    assert "reposted.txt" in out  # the summary lists copies
    graph = kg.open_graph(tmp_path / "out")
    [(flow_count,)] = graph.query("SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a cckg:AidFlow }")
    [(mention_count,)] = graph.query("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?f a cckg:AidFlow ; "
                                     "prov:wasDerivedFrom ?m }")
    assert int(flow_count) == 1 and int(mention_count) == 1
    rows = graph.query("SELECT ?name ?copy WHERE { ?d a cckg:Document ; cckg:fileName ?name ; "
                       "cckg:copyFileName ?copy }")
    assert {(str(n), str(c)) for n, c in rows} == {("norway.txt", "reposted.txt")}


def test_strict_writes_nothing_when_a_file_is_bad(capsys, good, tmp_path):
    out = tmp_path / "out"
    assert run_kg(capsys, "build", good, "--out", out, "-f", "nt")[0] == 0
    before = (out / "kg.nt").read_bytes()
    (good / "sweden.txt").write_text(SWEDEN, encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    code, _, err = run_kg(capsys, "build", good, bad, "--out", out, "-f", "nt", "--strict")
    assert code == 2
    [line] = err.strip().splitlines()
    assert str(bad) in line and "empty file" in line
    assert (out / "kg.nt").read_bytes() == before
    assert flows(out) == {("Norway", "Peru")}


def test_nothing_readable_keeps_the_previous_graph(capsys, good, tmp_path):
    out = tmp_path / "out"
    assert run_kg(capsys, "build", good, "--out", out, "-f", "nt")[0] == 0
    before = (out / "kg.nt").read_bytes()
    empty, png = tmp_path / "empty.txt", tmp_path / "photo.txt"
    empty.write_bytes(b"")
    png.write_bytes(b"\x89PNG\r\n\x1a\nrest")
    code, _, err = run_kg(capsys, "build", empty, png, "--out", out, "-f", "nt")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 2 and str(empty) in lines[0] and str(png) in lines[1]
    assert (out / "kg.nt").read_bytes() == before
