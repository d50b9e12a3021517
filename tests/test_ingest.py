"""Ingest: decoding, paragraphs, page furniture and cited sources."""
from __future__ import annotations

import pytest

from kg.errors import InputError
from kg.ingest import decode, find_documents, parse_text, read_document, read_documents

ARTICLE = """Aid news of the week

Published: 2021-03-02

The Ruritanian government donated 10,000 masks to Freedonia on Monday.
photo_2021_0301.jpg
Officials said more help would follow.¹

¹ Ministry statement, March 1, 2021, https://example.org/statement.html.

A long sentence that was cut by the page
width goes on in the next line.
"""


def paragraphs(doc):
    return [doc.text[p.start:p.end] for p in doc.paragraphs]


def test_prose_paragraphs_skip_furniture():
    doc = parse_text(ARTICLE, "a.txt")
    assert paragraphs(doc) == [
        "The Ruritanian government donated 10,000 masks to Freedonia on Monday.",
        "Officials said more help would follow.¹",
        "A long sentence that was cut by the page\nwidth goes on in the next line.",
    ]


PAGE_BREAK = """Aid news of the week

Ruritania fought its own outbreak for weeks without any help. Even so, its government gathered

¹ Ministry statement, March 1, 2021, https://example.org/statement.html.

A photo caption between the pages of the report.

protective suits from its hospitals and delivered them to Freedonia on Monday. More would follow.
"""


def test_a_sentence_cut_by_a_page_break_is_one_paragraph_with_the_page_between():
    doc = parse_text(PAGE_BREAK, "a.txt")
    joined, caption = doc.paragraphs
    text = doc.text[joined.start:joined.end]
    assert text.startswith("Ruritania fought") and text.endswith("More would follow.")
    [(start, end)] = joined.breaks
    assert doc.text[start:end].strip().startswith("¹ Ministry statement")
    assert start < caption.start < caption.end < end
    assert doc.cited_sources == ("https://example.org/statement.html",)


def test_only_a_paragraph_left_unfinished_goes_on_after_a_page_break():
    finished = PAGE_BREAK.replace("its government gathered\n", "its government gave.\n")
    doc = parse_text(finished, "a.txt")
    assert all(not p.breaks for p in doc.paragraphs)
    assert paragraphs(doc)[-1].startswith("protective suits from its hospitals")


def test_footnote_urls_become_cited_sources():
    assert parse_text(ARTICLE, "a.txt").cited_sources == ("https://example.org/statement.html",)


def test_title_and_date_are_guessed_without_metadata():
    doc = parse_text(ARTICLE, "a.txt")
    assert doc.title == "Aid news of the week"
    assert doc.date == "2021-03-02" and doc.year == 2021


def test_metadata_wins_over_guesses():
    doc = parse_text(ARTICLE, "a.txt", {"title": "T", "date": "2020-05-01", "publisher": "P"})
    assert (doc.title, doc.date, doc.publisher) == ("T", "2020-05-01", "P")


def test_offsets_slice_the_text():
    doc = parse_text(ARTICLE, "a.txt")
    for p in doc.paragraphs:
        assert doc.text[p.start:p.end].strip() == doc.text[p.start:p.end]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1"])
def test_decodes_common_encodings(encoding):
    text = "Le gouvernement a fait un don à la Côte d'Ivoire. " * 5
    data = text.encode(encoding)
    if encoding == "utf-16-le":  # no BOM
        data = text.encode("utf-16-le")
    decoded, _ = decode(data)
    assert decoded.strip() == text.strip()


@pytest.mark.parametrize("data, problem", [
    (b"", "empty file"),
    (b"   \n\n", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (b"PK\x03\x04\x14\x00\x00\x00", "binary"),
])
def test_bad_bytes_are_refused_with_the_problem(data, problem):
    with pytest.raises(InputError, match=problem):
        decode(data, "x.txt")


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        find_documents([tmp_path / "nope.txt"])
    with pytest.raises(InputError, match="holds no documents"):
        find_documents([tmp_path])


def test_folder_reads_sources_yaml(tmp_path):
    (tmp_path / "b.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "sources.yaml").write_text("b.txt:\n  title: From YAML\n  url: https://example.org/b\n")
    [doc] = list(read_documents([tmp_path]))
    assert doc.title == "From YAML" and doc.url == "https://example.org/b"


def test_error_names_the_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(InputError) as err:
        read_document(path)
    assert str(err.value) == f"{path}: empty file"


def test_invalid_utf8_is_an_error_latin1_is_decoded():
    broken = "Le don à la Côte d'Ivoire.".encode("utf-8") + b" \xff\xfe broken " * 3
    with pytest.raises(InputError, match="invalid UTF-8 at byte"):
        decode(broken, "x.txt")
    latin = "Le don à la Côte d'Ivoire, reçu à Abidjan.".encode("latin-1")
    assert decode(latin)[0] == "Le don à la Côte d'Ivoire, reçu à Abidjan."


def test_html_gives_its_text_without_scripts_and_styles(tmp_path):
    page = tmp_path / "news.html"
    page.write_text("<html><head><title>T</title><style>p {color: red}</style></head><body>"
                    "<script>alert('x')</script><p>Norway donated 3,000 ventilators to Peru on Monday.</p>"
                    "</body></html>", encoding="utf-8")
    doc = read_document(page)
    assert paragraphs(doc) == ["Norway donated 3,000 ventilators to Peru on Monday."]
    assert "alert" not in doc.text and "color" not in doc.text


def test_a_huge_single_line_is_refused(tmp_path):
    path = tmp_path / "dump.txt"
    path.write_text(("word " * 60_000).strip() + ".", encoding="utf-8")
    with pytest.raises(InputError, match="paragraph of 300,000 characters"):
        read_document(path)
