"""The `kg` command, run as a user runs it: a subprocess."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

ARTICLE = ("Aid update\n\nOn March 3, the Norwegian government donated 3,000 ventilators to Peru. "
           "Peruvian President Martin Vizcarra thanked Norway.\n")


def kg(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "kg.cli", *map(str, args)], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    docs = root / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(ARTICLE, encoding="utf-8")
    result = kg("build", docs, "--out", root / "build", "--format", "ttl", "--format", "nt")
    assert result.returncode == 0, result.stderr
    return root, result


def test_build_prints_a_summary(built):
    _, result = built
    for word in ("documents", "sentences", "aid flows", "interactions", "positions", "triples", "seconds"):
        assert word in result.stdout


def test_query_prints_rows_in_each_format(built):
    root, _ = built
    sparql = "SELECT ?d ?r WHERE { ?f a cckg:AidFlow ; cckg:donor/rdfs:label ?d ; cckg:recipient/rdfs:label ?r }"
    as_json = kg("query", root / "build", sparql, "--format", "json")
    assert json.loads(as_json.stdout) == [{"d": "Norway", "r": "Peru"}]
    as_csv = kg("query", root / "build", sparql, "--format", "csv")
    assert as_csv.stdout.splitlines() == ["d,r", "Norway,Peru"]
    as_table = kg("query", root / "build", sparql)
    assert "Norway" in as_table.stdout and "1 row" in as_table.stdout


def test_reading_a_built_graph_loads_neither_spacy_nor_pandas(built):
    """`kg query` (and the API's reading side) start without the parser's libraries, which
    take most of a second to import; `kg.build` brings them when asked for."""
    root, _ = built
    script = ("import sys, kg, kg.cli\n"
              f"rows = kg.query({str(root / 'build')!r}, 'SELECT ?f WHERE {{ ?f a cckg:AidFlow }}')\n"
              "assert len(rows) == 1, len(rows)\n"
              "print(sorted(m for m in ('spacy', 'pandas') if m in sys.modules))\n"
              "kg.build\n"
              "print('spacy' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", "True"]


def test_query_from_an_rq_file(built):
    root, _ = built
    query_file = root / "q.rq"
    query_file.write_text("SELECT (COUNT(?f) AS ?n) WHERE { ?f a cckg:AidFlow }")
    result = kg("query", root / "build", query_file, "--format", "tsv")
    assert result.stdout.splitlines()[1] == "1"


def test_malformed_query_is_one_line_and_exit_code(built):
    root, _ = built
    result = kg("query", root / "build", "SELEKT nothing")
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1 and "malformed query" in result.stderr


def test_validate_reports_conformance(built):
    root, _ = built
    result = kg("validate", root / "build")
    assert result.returncode == 0 and "0 violations" in result.stdout


def test_bad_file_is_one_line_exit_code_2_and_the_good_one_is_built(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (docs / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    result = kg("build", docs, "--out", tmp_path / "build", "--format", "nt")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "broken.txt" in line and "binary" in line
    assert "Norway" in (tmp_path / "build" / "kg.nt").read_text(encoding="utf-8")


def test_missing_path_is_an_error(tmp_path):
    result = kg("build", tmp_path / "nowhere", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr
