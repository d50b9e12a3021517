"""Ingest: read files into `SourceDocument`s.

Decodes bytes (UTF-8, a BOM, or a detected encoding), finds the prose paragraphs, and keeps
page furniture out of them: image file names, footnote citation lines, headings and
navigation words. URLs cited in footnotes are kept as the document's cited sources.
Offsets of paragraphs point into the decoded text, which is kept whole, so a fact's
sentence can always be sliced back out of the document.
"""
from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import charset_normalizer
import yaml

from kg.errors import InputError
from kg.types import Paragraph, SourceDocument

#: File suffixes read as documents when a folder is given.
DOCUMENT_SUFFIXES = (".txt", ".text", ".md", ".html", ".htm")
_HTML_SUFFIXES = (".html", ".htm")
#: Optional metadata file beside the documents: {file name: {title, publisher, date, url}}.
SOURCES_FILE = "sources.yaml"

_IMAGE_LINE = re.compile(r"^\S+\.(?:jpe?g|png|gif|webp|svg|bmp|tiff?)$", re.I)
_FOOTNOTE_LINE = re.compile(r"^(?:[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\[\d{1,3}\]|\(\d{1,3}\))\s*\S")
_URL = re.compile(r"https?://[^\s<>\"'，。)）]+")
_TERMINAL = re.compile(r"[.!?;:\"”’)][¹²³⁴⁵⁶⁷⁸⁹⁰]*\s*$")
_LATIN = re.compile(r"[A-Za-z]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_MONTHS = ("january february march april may june july august september october "
           "november december").split()
_ISO_DATE = re.compile(r"\b(20\d\d|19\d\d)-(\d\d)-(\d\d)\b")
_TEXT_DATE = re.compile(r"\b(" + "|".join(m.capitalize() for m in _MONTHS) + r")\.?\s+(\d{1,2}),\s+((?:19|20)\d\d)\b")
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
#: The longest paragraph read; a longer "line" is a dump, not prose (and more than the parser takes).
MAX_PARAGRAPH_CHARS = 200_000
_BINARY_MAGIC = (b"\x89PNG", b"PK\x03\x04", b"%PDF", b"GIF8", b"\xff\xd8\xff", b"\x7fELF")


def find_documents(paths: Iterable[str | Path], rejected: list[InputError] | None = None) -> list[Path]:
    """List the document files named by `paths`, reading folders for known suffixes.

    Args:
        paths: files and folders.
        rejected: where a missing path or an empty folder is put, to go on with the others;
            None raises at the first.

    Raises:
        InputError: a path does not exist, or a folder holds no documents (without `rejected`).

    Examples:
        >>> find_documents([])
        []
        >>> rejected = []
        >>> find_documents(["no/such/file.txt"], rejected)
        []
        >>> str(rejected[0])
        'no/such/file.txt: no such file or folder'
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        try:
            found.extend(_documents_at(path))
        except InputError as err:
            if rejected is None:
                raise
            rejected.append(err)
    return found


def _documents_at(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES)
        if not files:
            raise InputError(path, f"folder holds no documents ({', '.join(DOCUMENT_SUFFIXES)})")
        return files
    if path.is_file():
        return [path]
    raise InputError(path, "no such file or folder")


def load_sources(folder: Path) -> dict[str, dict]:
    """Read `sources.yaml` in `folder` if there is one: metadata by file name."""
    path = folder / SOURCES_FILE
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise InputError(path, f"not valid YAML ({err.__class__.__name__})") from err
    if not isinstance(data, dict):
        raise InputError(path, "expected a mapping of file names to metadata")
    return {str(name): dict(meta or {}) for name, meta in data.items()}


def decode(data: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """Decode document bytes, returning (text, encoding name).

    Raises:
        InputError: empty, binary or undecodable data.

    Examples:
        >>> decode("Caf\u00e9".encode("utf-8"))
        ('Café', 'utf-8')
        >>> decode("Caf\u00e9".encode("utf-16"))[0]
        'Café'
    """
    if not data.strip():
        raise InputError(path, "empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if data.startswith(_BINARY_MAGIC):
        raise InputError(path, "binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        if _UTF8_SEQUENCE.search(data):
            # UTF-8 elsewhere in the file: a broken byte is damage, not another encoding
            raise InputError(path, f"invalid UTF-8 at byte {err.start}") from err
    if b"\x00" in data:
        return _decode_utf16(data, path)
    guess = charset_normalizer.from_bytes(data).best()
    # English text in a legacy encoding is nearly always Windows-1252 / Latin-1, which
    # charset detection confuses with DOS code pages on short texts
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if guess is None or guess.encoding in {"cp1252", "latin_1", "iso8859_15"} or _mostly_ascii(data):
            return text, encoding
    if guess is None:
        raise InputError(path, "undecodable bytes (not UTF-8, no known encoding)")
    return str(guess), guess.encoding


def _mostly_ascii(data: bytes) -> bool:
    return sum(1 for b in data if b < 128) / len(data) > 0.9


def _decode_utf16(data: bytes, path: str | Path) -> tuple[str, str]:
    """UTF-16 without a byte-order mark: NUL bytes fall on every other byte of ASCII text."""
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    half = len(data) / 2
    if odd > 0.3 * half and even < 0.05 * half:
        encoding = "utf-16-le"
    elif even > 0.3 * half and odd < 0.05 * half:
        encoding = "utf-16-be"
    else:
        raise InputError(path, "binary file, not text")
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as err:
        raise InputError(path, f"invalid {encoding.upper()} at byte {err.start}") from err


def read_document(path: str | Path, metadata: Mapping[str, object] | None = None) -> SourceDocument:
    """Read one file into a `SourceDocument`.

    Args:
        path: the file.
        metadata: title, publisher, date and url where known (from `sources.yaml`).

    Raises:
        InputError: the file cannot be read as a text document.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(path, err.strerror or "cannot be read") from err
    text, encoding = decode(data, path)
    if path.suffix.lower() in _HTML_SUFFIXES or _looks_like_html(text):
        text = html_to_text(text)
    try:
        return parse_text(text, path.name, metadata, encoding=encoding)
    except InputError as err:
        raise InputError(path, err.problem) from None  # name the path as the user gave it


class _HTMLText(HTMLParser):
    """Collects the visible text of an HTML page, one block element per paragraph."""

    _SKIPPED = {"script", "style", "noscript", "template", "svg", "head", "nav", "footer"}
    _BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article",
               "blockquote", "title", "header", "main", "figcaption"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self._SKIPPED:
            self.skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    """The visible text of an HTML page, scripts and styles dropped, blocks as paragraphs.

    Examples:
        >>> print(html_to_text("<p>Norway sent <b>masks</b>.</p><script>var x = 1;</script><p>Next.</p>"))
        Norway sent masks.
        <BLANKLINE>
        Next.
    """
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _looks_like_html(text: str) -> bool:
    head = text[:1000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text)


def parse_text(text: str, file_name: str, metadata: Mapping[str, object] | None = None,
               *, encoding: str = "utf-8") -> SourceDocument:
    """Make a `SourceDocument` from already decoded text.

    Examples:
        >>> doc = parse_text("Title\\n\\nJapan donated masks to China on March 3.\\n", "a.txt")
        >>> [doc.text[p.start:p.end] for p in doc.paragraphs]
        ['Japan donated masks to China on March 3.']
        >>> doc.title
        'Title'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(file_name, "empty file")
    meta = dict(metadata or {})
    paragraphs, headings, cited = _split(text)
    if not paragraphs:
        raise InputError(file_name, "no English prose found")
    longest = max(p.end - p.start for p in paragraphs)
    if longest > MAX_PARAGRAPH_CHARS:
        raise InputError(file_name, f"a paragraph of {longest:,} characters (at most {MAX_PARAGRAPH_CHARS:,} are read)")
    return SourceDocument(
        file_name=file_name,
        text=text,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        paragraphs=tuple(paragraphs),
        title=_str_or_none(meta.get("title")) or (headings[0] if headings else None),
        publisher=_str_or_none(meta.get("publisher")),
        date=_str_or_none(meta.get("date")) or _guess_date(text[:3000]),
        url=_str_or_none(meta.get("url")),
        cited_sources=tuple(dict.fromkeys(cited)),
        encoding=encoding,
    )


def read_documents(paths: Iterable[str | Path], rejected: list[InputError] | None = None) -> list[SourceDocument]:
    """Read every document named by `paths`, with metadata from each folder's `sources.yaml`.

    Args:
        paths: files and folders.
        rejected: where the error of each path or file that cannot be read is put, to go on
            with the others; None raises at the first.

    Raises:
        InputError: a path or a file cannot be read (without `rejected`).
    """
    sources_by_folder: dict[Path, dict[str, dict]] = {}
    documents = []
    for path in find_documents(paths, rejected):
        try:
            if path.parent not in sources_by_folder:
                sources_by_folder[path.parent] = {}  # a broken sources.yaml is reported once
                sources_by_folder[path.parent] = load_sources(path.parent)
            documents.append(read_document(path, sources_by_folder[path.parent].get(path.name)))
        except InputError as err:
            if rejected is None:
                raise
            rejected.append(err)
    return documents


def split_copies(documents: Iterable[SourceDocument]) -> tuple[list[SourceDocument], dict[str, list[SourceDocument]]]:
    """Keep the first document of each text; the others are copies (same content hash).

    Returns:
        The documents with distinct texts, and the copies of each by content hash.
    """
    first: dict[str, SourceDocument] = {}
    copies: dict[str, list[SourceDocument]] = {}
    for document in documents:
        if document.content_hash in first:
            copies.setdefault(document.content_hash, []).append(document)
        else:
            first[document.content_hash] = document
    return list(first.values()), copies


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every non-blank line, stripped of surrounding spaces."""
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + line.index(stripped[0])
            yield start, start + len(stripped)
        pos += len(line) + 1


def _split(text: str) -> tuple[list[Paragraph], list[str], list[str]]:
    """Sort lines into prose paragraphs, headings and cited URLs."""
    paragraphs: list[Paragraph] = []
    headings: list[str] = []
    cited: list[str] = []
    lines = list(_lines(text))
    i = 0
    while i < len(lines):
        start, end = lines[i]
        line = text[start:end]
        i += 1
        if _IMAGE_LINE.match(line) or not _is_latin(line):
            continue
        if _FOOTNOTE_LINE.match(line):
            cited.extend(u.rstrip(".,>") for u in _URL.findall(line))
            continue
        # a line cut by the page width goes on in a next line that starts in lower case
        while (i < len(lines) and not _TERMINAL.search(text[start:end])
               and text[lines[i][0]].islower() and "\n\n" not in text[end:lines[i][0]]):
            end = lines[i][1]
            i += 1
        line = text[start:end]
        if text[start].islower() and (cut := _cut_by_page_break(text, paragraphs, start)) is not None:
            before = paragraphs[cut]
            paragraphs[cut] = Paragraph(before.start, end, before.breaks + ((before.end, start),))
        elif _is_prose(line):
            paragraphs.append(Paragraph(start, end))
        else:
            headings.append(" ".join(line.split()))
    return paragraphs, headings, cited


#: How far back a line starting in lower case looks for the paragraph it finishes: past
#: this many paragraphs (a page's captions) and characters (its footnotes and captions).
_PAGE_BREAK_PARAGRAPHS = 3
_PAGE_BREAK_CHARS = 2500


def _cut_by_page_break(text: str, paragraphs: list[Paragraph], start: int) -> int | None:
    """The index of the paragraph that a line starting in lower case at `start` finishes:
    the nearest one before it left without its final punctuation by a page break."""
    for index in range(len(paragraphs) - 1, max(-1, len(paragraphs) - 1 - _PAGE_BREAK_PARAGRAPHS), -1):
        paragraph = paragraphs[index]
        if start - paragraph.end > _PAGE_BREAK_CHARS:
            return None
        if not _TERMINAL.search(text[paragraph.start:paragraph.end]):
            return index
    return None


def _is_latin(line: str) -> bool:
    """Most of the line's letters are ASCII ones (counted with a regex: every line of every
    document is asked, and a loop over each character would take a rebuild's while)."""
    ascii_letters = len(_LATIN.findall(line))
    letters = ascii_letters + sum(1 for c in _NON_ASCII.findall(line) if c.isalpha())
    return letters > 0 and ascii_letters / letters > 0.6


def _is_prose(line: str) -> bool:
    """A line is prose when it reads as sentences: several words ending in punctuation."""
    words = line.split()
    if _URL.fullmatch(line.strip()):
        return False
    if _LATIN.search(line) is None:
        return False
    # a long line cut short by a page break is prose even without its final full stop
    return len(words) >= 15 or (len(words) >= 4 and bool(_TERMINAL.search(line)))


def _guess_date(head: str) -> str | None:
    """The first full date written near the top of a document, as ISO."""
    iso = _ISO_DATE.search(head)
    named = _TEXT_DATE.search(head)
    if iso and (not named or iso.start() < named.start()):
        return iso.group(0)
    if named:
        month = _MONTHS.index(named.group(1).lower()) + 1
        return f"{named.group(3)}-{month:02d}-{int(named.group(2)):02d}"
    return None


def _str_or_none(value: object) -> str | None:
    return str(value) if value not in (None, "") else None
