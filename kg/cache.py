"""The extraction cache: each document's facts kept on disk, so a rebuild extracts only what changed.

Extraction is the costly stage of a build; resolution and the RDF mapping are cheap and
global. `FactCache` keeps one pickle of `DocumentFacts` per document under `OUT/cache/`,
named by the document's content hash, the extractor version and a digest of everything
else that shapes the facts: the document's metadata (title, date...), the gazetteer and
rule files, and the extractor and nlp source code. A document whose key has a pickle is
not extracted again; any change to the text, its metadata, a word list or an extractor
gives a new key. Since a build always resolves the facts of every current document, a
rebuild from the cache gives the same graph as a full one.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from functools import lru_cache
from importlib import resources
from pathlib import Path

from kg.types import EXTRACTOR_VERSION, DocumentFacts, SourceDocument

CACHE_DIR = "cache"
#: What the last complete build was made of, beside the pickles.
MANIFEST = "manifest.json"
#: What the last build's store holds, graph by graph (`kg.store.StoreState`).
STORE_STATE = "store-state.json"
#: Files whose content shapes what extraction yields, relative to the `kg` package.
_SHAPING_GLOBS = ("data/*.tsv", "rules/*.yaml", "rules/*.jsonl", "extract/*.py", "nlp.py", "gazetteer.py", "types.py")


@lru_cache(maxsize=1)
def rules_digest() -> str:
    """A digest of the gazetteers, rule files and extractor code: any edit changes it.

    Examples:
        >>> len(rules_digest())
        16
    """
    package = Path(str(resources.files("kg")))
    return _files_digest(package, [p for pattern in _SHAPING_GLOBS for p in sorted(package.glob(pattern))],
                         EXTRACTOR_VERSION)


@lru_cache(maxsize=1)
def package_digest() -> str:
    """A digest of every file of the installed package."""
    package = Path(str(resources.files("kg")))
    return _files_digest(package, sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts))


def _files_digest(root: Path, paths: list[Path], salt: str = "") -> str:
    """16 hex digits of a SHA-256 over `salt` and each file's path (relative to `root`) and bytes."""
    digest = hashlib.sha256(salt.encode())
    for path in paths:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_key(document: SourceDocument) -> str:
    """The cache file name of a document's facts: `<content hash>-<extractor version>-<digest>`.

    The digest covers the document's metadata too (its date completes the dates of its facts).

    Examples:
        >>> from kg.ingest import parse_text
        >>> doc = parse_text("Title\\n\\nJapan donated masks to China.\\n", "a.txt")
        >>> cache_key(doc).startswith(doc.content_hash + "-" + EXTRACTOR_VERSION)
        True
    """
    meta = repr((document.file_name, document.title, document.publisher, document.date, document.url,
                 document.cited_sources, document.encoding, document.paragraphs))
    digest = hashlib.sha256(f"{rules_digest()}\n{meta}".encode()).hexdigest()[:16]
    return f"{document.content_hash}-{EXTRACTOR_VERSION}-{digest}"


class FactCache:
    """Pickled `DocumentFacts`, one file per document, in a folder.

    Examples:
        >>> import tempfile
        >>> from kg.ingest import parse_text
        >>> cache = FactCache(Path(tempfile.mkdtemp()))
        >>> doc = parse_text("Title\\n\\nJapan donated masks to China.\\n", "a.txt")
        >>> cache.get(doc) is None
        True
        >>> cache.put(DocumentFacts(document=doc, sentence_count=1))
        >>> cache.get(doc).sentence_count
        1
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, document: SourceDocument) -> Path:
        return self.folder / f"{cache_key(document)}.pickle"

    def get(self, document: SourceDocument) -> DocumentFacts | None:
        """The cached facts of `document`, or None when it was never extracted as it is now."""
        try:
            with open(self._path(document), "rb") as file:
                facts = pickle.load(file)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
            return None  # missing, or written by an older layout of the records: extract again
        if not isinstance(facts, DocumentFacts) or facts.document != document:
            return None
        return facts

    def put(self, facts: DocumentFacts) -> None:
        """Keep `facts`, written atomically (a reader never sees half a pickle)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self._path(facts.document)
        temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        with open(temporary, "wb") as file:
            pickle.dump(facts, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target)

    def keep_only(self, documents: list[SourceDocument]) -> int:
        """Drop the facts of every document but `documents` (deleted or changed ones), and
        any half-written file; returns how many files were dropped. The build's other
        records (manifest, store state, what was sent to a remote store) are kept."""
        if not self.folder.is_dir():
            return 0
        wanted = {self._path(d).name for d in documents}
        dropped = 0
        for path in self.folder.iterdir():
            if path.name not in wanted and (path.suffix == ".pickle" or ".tmp-" in path.name):
                path.unlink(missing_ok=True)
                dropped += 1
        return dropped

    def fingerprint(self, documents: list[SourceDocument], formats: list[str]) -> str:
        """A digest of everything a build's outputs depend on: the documents' keys, the
        formats, and the package's own code (a new resolver or writer rebuilds)."""
        parts = [cache_key(d) for d in documents] + ["formats"] + sorted(formats) + [package_digest()]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def last_build(self, fingerprint: str) -> dict | None:
        """The summary of the last complete build, if it was made of exactly `fingerprint`."""
        try:
            manifest = json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return manifest.get("summary") if manifest.get("fingerprint") == fingerprint else None

    def forget_build(self) -> None:
        """Forget the last build (a new one is under way)."""
        (self.folder / MANIFEST).unlink(missing_ok=True)

    def record_build(self, fingerprint: str, summary: dict) -> None:
        """Remember that the outputs now in place were built from `fingerprint`."""
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".{MANIFEST}.tmp-{os.getpid()}"
        temporary.write_text(json.dumps({"fingerprint": fingerprint, "summary": summary}), encoding="utf-8")
        os.replace(temporary, self.folder / MANIFEST)
