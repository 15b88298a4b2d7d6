"""The search index: one tantivy index directory behind a small, Django-free interface.

Why tantivy and why this shape:

* Speed. At 200,000 pages a top-20 query on a term present on every page took 600 ms with
  PostgreSQL ``ts_rank``, 303 ms with SQLite FTS5 ``bm25`` and 1.25 ms with tantivy.
* The database stays the source of truth. The index is a derived artifact in a directory; it can
  be deleted and rebuilt, and :meth:`PageIndex.meta_set` lets the synchroniser remember how far it
  got (store the change sequence number *after* :meth:`PageIndex.upsert` returns: a crash in
  between only replays idempotent upserts).
* One index, three kinds of entry. Pages (OCR text) and the catalogue records of files and
  documents live side by side, so one query ranks a document's metadata against page text, and
  the facets of the public catalogue are counted in one pass (tantivy aggregations on fast fields).
* Several processes, on several machines, each with its own directory. Exactly one of them writes
  at a time: every write holds an ``flock`` on a lock file in the directory for as long as its
  tantivy writer lives (tantivy's own lock would make a second writer fail instead of wait).
  Readers notice a new commit through tantivy's ``meta.json`` and reload before searching.
  :class:`IndexHome` keeps generations of the index next to each other, so a rebuild fills a new
  directory while the old one keeps answering, and a pointer file switches them atomically.
* Vietnamese. Readers type with or without diacritics, so each text is indexed twice: ``exact``
  (NFC, lower-cased by the tokenizer, diacritics kept) and ``folded`` (tantivy's ascii_fold: no
  diacritics, đ → d, done in tantivy's indexing threads). A query word must match the folded
  field; matching the exact field only adds to the score, so a page with "Đắk Lắk" ranks above
  one with only "Dak Lak" for the query "Đắk Lắk". Text must be NFC: tantivy's tokenizer
  splits words on combining marks, so NFD "Lắk" would become "la", "k".
* Size. The index must stay under a third of the text it covers, so it stores no text at all
  (snippets are cut from the database's copy of the ≤ 20 hits shown), the exact fields keep term
  frequencies but no positions (phrases are matched on the folded fields) and words without
  diacritics, identical in both forms, are left out of the exact fields.
* One query, several cores. The Python binding runs a query on one thread but releases the GIL, so
  on a large index a phrase is searched as ranges of page ids on several threads and merged
  (:meth:`PageIndex._top_pages`), and the catalogue counts its facets while it ranks.
* Access control inside the query. Visibility (kind × access mode, fonds, the restricted-use list)
  is a clause of the tantivy query itself, so neither the hits nor ``total`` nor a facet count nor
  a suggestion ever includes an entry the reader may not see; an empty set of visible fonds
  returns nothing without touching the index (deny by default).
* User input never reaches tantivy's query parser. Queries are built from Query objects after our
  own tokenisation, so no input can raise a syntax error or address another field.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import fcntl
import functools
import html
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import tantivy

from khoso.core.collation import sort_prefix
from khoso.core.text import nfc

ACCESS_MODES = frozenset({"01", "02", "03"})  # public, conditional, secret
KIND_FILE = "file"
KIND_DOCUMENT = "document"
KIND_PAGE = "page"
KINDS = (KIND_FILE, KIND_DOCUMENT, KIND_PAGE)
RECORD_KINDS = (KIND_FILE, KIND_DOCUMENT)
FACETS = ("fonds", "year", "type_name", "language", "kind")
SORTS = ("relevance", "title", "year_asc", "year_desc")

# Each query word spelled exactly as typed adds this much (× TITLE_BOOST in a title): far more than any
# BM25 score, so an entry with the exact spelling ranks above every entry that matches only when folded
# (a catalogue record's weight included), and BM25 orders the entries within each tier.
EXACT_MATCH_SCORE = 100.0
TITLE_BOOST = 1.5
RECORD_WEIGHT = 6  # tantivy multiplies a score by log2(2 + weight): a catalogue record counts 3×
MAX_QUERY_CLAUSES = 32
MAX_TOKEN_BYTES = 40  # tantivy's "default" tokenizer drops longer tokens
MAX_FACET_VALUES = 2000
SNIPPET_CHARS = 200
BULK_WRITER_HEAP_BYTES = 400_000_000
BULK_WRITER_THREADS = max(1, min(4, os.cpu_count() or 1))
SEARCH_THREADS = max(1, min(4, os.cpu_count() or 1))
# Below this many entries a query takes a few milliseconds on one thread; splitting it would only add
# the hand-over between threads.
PARALLEL_SEARCH_MIN_ENTRIES = 100_000
PHRASE_PREFIX_MAX_TERMS = 10_000  # a phrase's last word expanded to more terms is matched apart (_prefix_query)
CONCURRENT_SPLIT_QUERIES = 8  # split queries one process runs at once before their parts wait for a thread
SNIPPET_CHARS_BEFORE_MATCH = 60

LOCK_FILE_NAME = "khoso-write.lock"
_META_FONDS = "fonds_ids"  # every fonds that has an entry in the index, written before the commit that adds it
META_FILE_NAME = "khoso-meta.json"
POINTER_FILE_NAME = "current"
_TANTIVY_META_FILE_NAME = "meta.json"

_F_KEY = "key"  # unique per entry: the kind in the top byte, the database id below
_F_KIND = "kind"
_F_VIS = "vis"  # kind letter + access mode ("p01", "d02"): one term decides who may see the entry
_F_PAGE_ID = "page_id"
_F_FILE_ID = "file_id"
_F_DOCUMENT_ID = "document_id"
_F_FONDS_ID = "fonds_id"
_F_PAGE_NO = "page_no"
_F_YEAR = "year"
_F_TYPE_NAME = "type_name"
_F_LANGUAGE = "language"
_F_TITLE_SORT = "title_sort"
_F_WEIGHT = "weight"
_F_FILE_CODE = "file_code"  # stored
_F_TITLE = "title"  # stored, catalogue records only (suggestions)
_F_EXACT = "exact"  # page text, or a record's other metadata
_F_FOLDED = "folded"
_F_TITLE_EXACT = "title_exact"  # a page's file title (staff page search)
_F_TITLE_FOLDED = "title_folded"
_F_RTITLE_EXACT = "rtitle_exact"  # a record's title: file title, document subject
_F_RTITLE_FOLDED = "rtitle_folded"

_KIND_SHIFT = 56
_KIND_CODE = {KIND_PAGE: 0, KIND_FILE: 1, KIND_DOCUMENT: 2}
_CODE_KIND = {code: kind for kind, code in _KIND_CODE.items()}
_VIS_LETTER = {KIND_PAGE: "p", KIND_FILE: "f", KIND_DOCUMENT: "d"}
_ALL_VIS = frozenset(_VIS_LETTER[kind] + mode for kind in KINDS for mode in ACCESS_MODES)
_FACET_FIELD = {
    "fonds": _F_FONDS_ID,
    "year": _F_YEAR,
    "type_name": _F_TYPE_NAME,
    "language": _F_LANGUAGE,
    "kind": _F_KIND,
}
_NUMERIC_FACETS = frozenset({"fonds", "year"})
_WITHOUT_POSITIONS = frozenset({_F_TITLE_FOLDED})

# The exact fields use tantivy's "default" tokenizer, the folded ones our FOLDED_TOKENIZER (the same
# plus ascii_fold, which also turns đ into d); queries are cut with the same analyzers, so into
# exactly the terms a page was indexed under. Folding in tantivy's indexing threads, not in Python,
# is what lets a rebuild keep both cores busy.
FOLDED_TOKENIZER = "khoso_folded"


def _analyzer(*, folded: bool) -> tantivy.TextAnalyzer:
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_BYTES))
        .filter(tantivy.Filter.lowercase())
    )
    return (builder.filter(tantivy.Filter.ascii_fold()) if folded else builder).build()


_ANALYZER = _analyzer(folded=False)
_FOLDED_ANALYZER = _analyzer(folded=True)
_QUERY_PART = re.compile(r'"([^"]*)"?|([^\s"]+)')
_WORD = re.compile(r"[^\W_]+")  # Python's alphanumeric runs, like tantivy's SimpleTokenizer
_SPACES = re.compile(r"\s+")
_PLAIN_WORD = re.compile(r"(?<!\S)[!-~]+(?!\S)")  # printable ASCII between spaces: the same when folded


class IndexSchemaMismatchError(RuntimeError):
    """The directory holds an index built with another schema; delete it and rebuild."""


@dataclass(frozen=True)
class IndexedPage:
    """One page as the index sees it, copied from the database."""

    page_id: int
    file_id: int
    fonds_id: int
    file_code: str
    page_no: int
    access_mode: str  # effective mode of file and document: '01' public, '02' conditional, '03' secret
    title: str  # title of the file the page belongs to
    text: str  # OCR or transcribed text of the page
    document_id: int = 0  # 0: the page belongs to no document
    year: int = 0  # the document's year, else the file's
    type_name: str = ""  # the document's type code (TT05 typeName), "" without a document
    language: str = ""  # language codes, comma-separated ("01,02")


@dataclass(frozen=True)
class IndexedRecord:
    """The catalogue entry of a file or a document, copied from the database."""

    kind: str  # KIND_FILE or KIND_DOCUMENT
    file_id: int
    fonds_id: int
    file_code: str
    access_mode: str  # effective mode (a document is as strict as its file)
    title: str  # file title, or the document's subject (trích yếu)
    text: str  # every other searchable field: codes, numbers, organ, type label, year, description
    document_id: int = 0
    year: int = 0
    type_name: str = ""
    language: str = ""


@dataclass(frozen=True)
class Hit:
    page_id: int
    file_id: int
    fonds_id: int
    file_code: str
    page_no: int
    score: float
    snippet_html: str  # HTML-escaped text with matches in <mark>; safe to insert as is ("" without text)


@dataclass(frozen=True)
class SearchResult:
    total: int  # visible pages matching the query, not only those in ``hits``
    hits: list[Hit]


@dataclass(frozen=True)
class CatalogueMatch:
    """One catalogue hit as the index knows it: ids only, the caller reads the rest from the database."""

    kind: str
    file_id: int
    document_id: int  # 0 when none
    page_id: int  # 0 when none
    page_no: int  # 0 when none
    fonds_id: int
    year: int  # 0 when unknown
    title_sort: int
    score: float  # 0.0 when sorted by a field


@dataclass(frozen=True)
class CatalogueMatches:
    total: int
    matches: list[CatalogueMatch]
    facets: dict[str, dict[str, int]]  # facet → value → count of visible matches


@dataclass(frozen=True)
class Visibility:
    """What a catalogue query may see: access modes per kind and what the restricted list holds back."""

    record_modes: Collection[str]  # files and documents whose catalogue entry may be listed
    page_modes: Collection[str]  # pages whose text may be searched and shown
    hidden_fonds_ids: Collection[int] = ()
    hidden_file_ids: Collection[int] = ()
    hidden_document_ids: Collection[int] = ()
    fonds_ids: Collection[int] | None = None  # None: every fonds

    def visible_vis(self) -> frozenset[str]:
        keys = {_VIS_LETTER[kind] + mode for kind in RECORD_KINDS for mode in self.record_modes}
        keys |= {_VIS_LETTER[KIND_PAGE] + mode for mode in self.page_modes}
        return frozenset(keys & _ALL_VIS)


class _ClauseKind(Enum):
    WORD = "word"
    PHRASE = "phrase"
    PREFIX = "prefix"  # the last token is a prefix; earlier ones, if any, form a phrase


@dataclass(frozen=True)
class _Clause:
    """One unit of a user query: a word, a quoted phrase or a ``prefix*``, in both forms."""

    kind: _ClauseKind
    exact_tokens: tuple[str, ...]
    folded_tokens: tuple[str, ...]


def _build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field(_F_KEY, indexed=True, fast=True)
    builder.add_text_field(_F_KIND, tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_text_field(_F_VIS, tokenizer_name="raw", index_option="basic")
    for name in (_F_PAGE_ID, _F_FILE_ID, _F_DOCUMENT_ID, _F_FONDS_ID, _F_YEAR):
        builder.add_unsigned_field(name, indexed=True, fast=True)
    for name in (_F_PAGE_NO, _F_TITLE_SORT, _F_WEIGHT):
        builder.add_unsigned_field(name, fast=True)
    builder.add_text_field(_F_TYPE_NAME, tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_text_field(_F_LANGUAGE, tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_text_field(_F_FILE_CODE, stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field(_F_TITLE, stored=True, tokenizer_name="raw", index_option="basic")
    # Positions only where phrases are matched: page text and record titles, both folded. The exact
    # fields only add to the score (document ids alone); a page's file title is matched word by word.
    for exact, folded, folded_option in (
        (_F_EXACT, _F_FOLDED, "position"),
        (_F_TITLE_EXACT, _F_TITLE_FOLDED, "freq"),
        (_F_RTITLE_EXACT, _F_RTITLE_FOLDED, "position"),
    ):
        builder.add_text_field(exact, index_option="basic")
        builder.add_text_field(folded, tokenizer_name=FOLDED_TOKENIZER, index_option=folded_option)
    return builder.build()


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_ANALYZER.analyze(text))


def folded_tokens(text: str) -> tuple[str, ...]:
    """The terms ``text`` is indexed under in the folded fields: no diacritics, đ → d, lower case."""
    return tuple(_FOLDED_ANALYZER.analyze(text))


def _parse_query(query: str) -> list[_Clause]:
    """Cut user input into clauses: ``"quoted phrase"``, ``prefix*`` and plain words.

    Anything else (operators, brackets, ``field:value``, stray ``*``) is just punctuation that the
    tokenizer drops, so "field:value" searches the two words as a phrase, as it is written.
    """
    clauses: list[_Clause] = []
    for match in _QUERY_PART.finditer(nfc(query)):
        quoted, bare = match.group(1), match.group(2)
        part = quoted if quoted is not None else bare
        is_prefix = part.rstrip().endswith("*")
        exact = _tokens(part)
        folded = folded_tokens(part)
        if not exact and not folded:
            continue
        if is_prefix:
            kind = _ClauseKind.PREFIX
        elif quoted is not None or max(len(exact), len(folded)) > 1:
            kind = _ClauseKind.PHRASE  # "12/QĐ-UBND" is one phrase, as tantivy's parser does
        else:
            kind = _ClauseKind.WORD
        clauses.append(_Clause(kind, exact, folded))
        if len(clauses) == MAX_QUERY_CLAUSES:
            break
    return clauses


def match_terms(query: str) -> list[str]:
    """Return the folded terms of ``query``, in order, without duplicates.

    A term ending in ``*`` is a prefix. The page viewer highlights an OCR word box when
    :func:`folded_word_matches` says its folded text matches one of these terms.
    """
    terms: list[str] = []
    for clause in _parse_query(query):
        tokens = list(clause.folded_tokens)
        if clause.kind is _ClauseKind.PREFIX and tokens:
            tokens[-1] += "*"
        terms.extend(token for token in tokens if token not in terms)
    return terms


def folded_word_matches(terms: Iterable[str], folded_word: str) -> bool:
    """Whether ``folded_word`` (already folded) matches one of :func:`match_terms`' terms."""
    for term in terms:
        if term.endswith("*"):
            if folded_word.startswith(term[:-1]):
                return True
        elif folded_word == term:
            return True
    return False


def _unsigned(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return value


def entry_key(kind: str, entry_id: int) -> int:
    """The unique key of an index entry: the page, file or document id with the kind on top."""
    return (_KIND_CODE[kind] << _KIND_SHIFT) | _unsigned(entry_id, "id")


def _entry_key(item: IndexedPage | IndexedRecord) -> int:
    if isinstance(item, IndexedPage):
        return entry_key(KIND_PAGE, item.page_id)
    return entry_key(item.kind, item.document_id if item.kind == KIND_DOCUMENT else item.file_id)


@functools.lru_cache(maxsize=4096)
def _title_sort(title: str) -> int:
    return sort_prefix(title)


def _hit_count(result: tantivy.SearchResult) -> int:
    """Matches counted by a search run with ``count=True`` (0 when tantivy did not count)."""
    return result.count or 0  # type: ignore[attr-defined]  # tantivy.pyi omits SearchResult.count


def _languages(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def _exact_text(text: str) -> str:
    """The words that carry diacritics: plain ASCII words are the same in the folded field."""
    return _PLAIN_WORD.sub("", text)


def _entry_document(item: IndexedPage | IndexedRecord) -> tantivy.Document:
    if item.access_mode not in ACCESS_MODES:
        raise ValueError(f"access_mode must be one of {sorted(ACCESS_MODES)}")
    page = item if isinstance(item, IndexedPage) else None
    kind = KIND_PAGE if isinstance(item, IndexedPage) else item.kind
    if kind not in _KIND_CODE:
        raise ValueError(f"kind must be one of {KINDS}")
    text = nfc(item.text)
    title = nfc(item.title)
    document = tantivy.Document()
    document.add_unsigned(_F_KEY, _entry_key(item))
    document.add_text(_F_KIND, kind)
    document.add_text(_F_VIS, _VIS_LETTER[kind] + item.access_mode)
    document.add_unsigned(_F_PAGE_ID, _unsigned(page.page_id, "page_id") if page is not None else 0)
    document.add_unsigned(_F_FILE_ID, _unsigned(item.file_id, "file_id"))
    document.add_unsigned(_F_DOCUMENT_ID, _unsigned(item.document_id, "document_id"))
    document.add_unsigned(_F_FONDS_ID, _unsigned(item.fonds_id, "fonds_id"))
    document.add_unsigned(_F_PAGE_NO, _unsigned(page.page_no, "page_no") if page is not None else 0)
    document.add_unsigned(_F_YEAR, _unsigned(item.year, "year"))
    document.add_unsigned(_F_TITLE_SORT, _title_sort(title))
    document.add_unsigned(_F_WEIGHT, 0 if page is not None else RECORD_WEIGHT)
    if item.type_name:
        document.add_text(_F_TYPE_NAME, item.type_name)
    for language in _languages(item.language):
        document.add_text(_F_LANGUAGE, language)
    document.add_text(_F_FILE_CODE, item.file_code)
    document.add_text(_F_EXACT, _exact_text(text))
    document.add_text(_F_FOLDED, text)
    if page is not None:
        document.add_text(_F_TITLE_EXACT, _exact_text(title))
        document.add_text(_F_TITLE_FOLDED, title)
    else:
        document.add_text(_F_TITLE, title)
        document.add_text(_F_RTITLE_EXACT, _exact_text(title))
        document.add_text(_F_RTITLE_FOLDED, title)
    return document


class PageIndex:
    """The tantivy index of pages and catalogue records in one directory; safe to open from several processes."""

    def __init__(
        self,
        path: Path,
        *,
        writer_heap_bytes: int = 64_000_000,
        writer_threads: int = 1,
        search_threads: int = SEARCH_THREADS,
        parallel_min_entries: int = PARALLEL_SEARCH_MIN_ENTRIES,
    ) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._writer_heap_bytes = writer_heap_bytes
        self._writer_threads = writer_threads
        self._search_threads = max(1, search_threads)
        self._parallel_min_entries = parallel_min_entries
        self._search_pool: tuple[int, concurrent.futures.ThreadPoolExecutor] | None = None  # (pid, pool)
        self._page_splits: tuple[int, ...] | None = None  # page ids splitting the pages into equal parts
        self._schema = _build_schema()
        self._reload_lock = threading.Lock()
        self._seen_commit: bytes | None = None
        self._known_fonds: frozenset[int] | None = None  # None: not tracked, filter by inclusion
        with self._write_lock():  # two processes must not both create the index
            try:
                self._index = tantivy.Index(self._schema, str(self.path), reuse=True)
            except ValueError as exc:
                if "schema does not match" not in str(exc):
                    raise
                raise IndexSchemaMismatchError(
                    f"{self.path} holds a search index with another schema; delete the directory "
                    "and rebuild the index from the database"
                ) from exc
        self._index.register_tokenizer(FOLDED_TOKENIZER, _FOLDED_ANALYZER)  # not stored with the index
        self._index.config_reader("manual", 0)  # we reload ourselves, see _reload_if_committed
        with self._write_lock():
            meta = self._read_meta()
            if _META_FONDS not in meta and self._index.searcher().num_docs == 0:
                meta[_META_FONDS] = []  # a new index: track its fonds from the first entry on
                self._write_meta(meta)
        self._reload_if_committed()

    # -- writing ---------------------------------------------------------------------------------

    def upsert(self, items: Iterable[IndexedPage | IndexedRecord]) -> None:
        """Add or replace pages and catalogue records (by kind and id), all in one commit."""
        # The last version of an entry wins, as if the batch were applied in order.
        items_list = list(items)
        documents = {_entry_key(item): _entry_document(item) for item in items_list}
        if not documents:
            return
        with self._writer() as writer:
            self._note_fonds(item.fonds_id for item in items_list)
            writer.delete_documents_by_query(self._ids_query(_F_KEY, documents))
            for document in documents.values():
                writer.add_document(document)

    @contextlib.contextmanager
    def bulk_loader(
        self,
        *,
        commit_every: int = 1_000_000,
        heap_bytes: int = BULK_WRITER_HEAP_BYTES,
        threads: int = BULK_WRITER_THREADS,
    ) -> Iterator[Callable[[Iterable[Any]], int]]:
        """For filling an empty index: ``add(items)`` without the per-batch delete, commits now and then.

        Entries must be new (each key once); the rebuild uses it on a fresh directory. Its writer is
        bigger than an update's: fewer, larger segments leave less merging to do.
        """
        with self._writer(heap_bytes=heap_bytes, threads=threads) as writer:
            pending = 0
            noted: set[int] = set()

            def add(items: Iterable[IndexedPage | IndexedRecord]) -> int:
                nonlocal pending
                added = 0
                for item in items:
                    if item.fonds_id not in noted:
                        self._note_fonds([item.fonds_id])
                        noted.add(item.fonds_id)
                    writer.add_document(_entry_document(item))
                    added += 1
                pending += added
                if pending >= commit_every:
                    writer.commit()
                    pending = 0
                return added

            yield add

    def delete(self, page_ids: Iterable[int]) -> None:
        """Remove the given pages; unknown ids are ignored."""
        self.delete_entries(pages=page_ids)

    def delete_entries(
        self, *, pages: Iterable[int] = (), files: Iterable[int] = (), documents: Iterable[int] = ()
    ) -> None:
        """Remove single entries by id (a file's or document's own record, not its pages)."""
        keys = [entry_key(KIND_PAGE, page_id) for page_id in pages]
        keys += [entry_key(KIND_FILE, file_id) for file_id in files]
        keys += [entry_key(KIND_DOCUMENT, document_id) for document_id in documents]
        if not keys:
            return
        with self._writer() as writer:
            writer.delete_documents_by_query(self._ids_query(_F_KEY, keys))

    def delete_file(self, file_id: int) -> None:
        """Remove everything of one file: its record, its documents' records and its pages."""
        self.delete_files([file_id])

    def delete_files(self, file_ids: Iterable[int]) -> None:
        ids = [_unsigned(file_id, "file_id") for file_id in file_ids]
        if ids:
            with self._writer() as writer:
                writer.delete_documents_by_query(self._ids_query(_F_FILE_ID, ids))

    def delete_documents(self, document_ids: Iterable[int]) -> None:
        """Remove documents' records and their pages."""
        ids = [_unsigned(document_id, "document_id") for document_id in document_ids if document_id]
        if ids:
            with self._writer() as writer:
                writer.delete_documents_by_query(self._ids_query(_F_DOCUMENT_ID, ids))

    def clear(self) -> None:
        """Remove every entry and the side metadata, so the next sync starts from scratch."""
        with self._writer() as writer:
            writer.delete_all_documents()
            fonds = self._read_meta().get(_META_FONDS)  # a superset of what is indexed stays safe
            self._write_meta({} if fonds is None else {_META_FONDS: fonds})

    # -- side metadata ---------------------------------------------------------------------------

    def meta_get(self, key: str, default: Any = None) -> Any:
        """Return a value stored with :meth:`meta_set`, e.g. the last synced change number."""
        return self._read_meta().get(key, default)

    def meta_set(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable value next to the index (atomic, under the write lock)."""
        with self._write_lock():
            meta = self._read_meta()
            meta[key] = value
            self._write_meta(meta)

    # -- reading ---------------------------------------------------------------------------------

    def count(self) -> int:
        """Number of entries (pages and records) in the index as of its last commit."""
        return self._searcher().num_docs

    def size_bytes(self) -> int:
        """Bytes on disk of the index files (for the size target)."""
        return sum(entry.stat().st_size for entry in self.path.iterdir() if entry.is_file())

    def search(
        self,
        query: str,
        *,
        fonds_ids: Collection[int] | None,
        access_modes: Collection[str],
        limit: int = 20,
        offset: int = 0,
        texts: Callable[[list[int]], Mapping[int, str]] | None = None,
    ) -> SearchResult:
        """Rank visible pages matching every word, phrase and prefix of ``query``.

        ``fonds_ids=None`` lifts the fonds restriction (superuser); an empty collection, like an
        empty ``access_modes``, means the reader sees nothing. The index keeps no text: ``texts``
        maps the hits' page ids to their text for the snippets (without it snippets are empty).
        """
        if limit < 1 or offset < 0:
            raise ValueError("limit must be >= 1 and offset >= 0")
        clauses = _parse_query(query)
        if not clauses or not access_modes or (fonds_ids is not None and not fonds_ids):
            return SearchResult(total=0, hits=[])
        hidden = _ALL_VIS - {_VIS_LETTER[KIND_PAGE] + mode for mode in access_modes}
        filters = [(tantivy.Occur.MustNot, tantivy.Query.term_set_query(self._schema, _F_VIS, sorted(hidden)))]
        searcher, known_fonds = self._snapshot()
        filters += self._fonds_clauses(known_fonds, fonds_ids)
        text_query = self._text_query(searcher, clauses, (_F_TITLE_EXACT, _F_TITLE_FOLDED))
        split = any(len(clause.folded_tokens) > 1 for clause in clauses)  # a phrase: see _top_pages
        total, top = self._top_pages(searcher, [*text_query, *filters], limit, offset, split=split)
        addresses = [address for _, address in top]
        columns = self._columns(searcher, addresses, (_F_PAGE_ID, _F_FILE_ID, _F_FONDS_ID, _F_PAGE_NO))
        page_texts = texts(columns[_F_PAGE_ID]) if texts and addresses else {}
        hits = []
        for n, (score, address) in enumerate(top):
            page_id = columns[_F_PAGE_ID][n]
            text = page_texts.get(page_id)
            hits.append(
                Hit(
                    page_id=page_id,
                    file_id=columns[_F_FILE_ID][n],
                    fonds_id=columns[_F_FONDS_ID][n],
                    file_code=searcher.doc(address).get_first(_F_FILE_CODE) or "",
                    page_no=columns[_F_PAGE_NO][n],
                    score=score,
                    snippet_html=_snippet_html(nfc(text), tuple(clauses)) if text else "",
                )
            )
        return SearchResult(total=total, hits=hits)

    def _top_pages(
        self,
        searcher: tantivy.Searcher,
        clauses: list[tuple[tantivy.Occur, tantivy.Query]],
        limit: int,
        offset: int,
        *,
        split: bool,
    ) -> tuple[int, list[tuple[float, tantivy.DocAddress]]]:
        """The visible matches counted and the ``limit`` best after ``offset``, as ``searcher.search`` gives them.

        tantivy runs one query on one thread. With ``split`` on a large index the pages are cut into as
        many ranges of page ids as there are search threads, each range is searched on its own thread
        (tantivy lets go of the GIL while it searches) and the best of each are merged: the same scores,
        since every part runs on the same searcher with the same statistics, and the same order, ties
        going to the lower document address as in tantivy's own collector. Each part still walks the
        postings of the whole index and skips what lies outside its range, so only the work done per
        candidate page is shared out. That pays for a phrase, whose word positions tantivy checks on every
        page that has all its words (a phrase of the most frequent syllables takes about half the time on
        two cores); a word, a prefix or an AND of words is mostly the walk itself and is searched whole.
        """
        splits = self._splits(searcher) if split else ()
        if not splits:
            result = searcher.search(tantivy.Query.boolean_query(clauses), limit, count=True, offset=offset)
            return _hit_count(result), list(result.hits)
        bounds: list[int | None] = [None, *splits, None]
        parts = [
            tantivy.Query.boolean_query([*clauses, (tantivy.Occur.Must, self._page_range(low, high))])
            for low, high in zip(bounds, bounds[1:], strict=False)
        ]

        def run(part: tantivy.Query) -> tantivy.SearchResult:
            return searcher.search(part, offset + limit, count=True)

        pool = self._pool()
        others = [pool.submit(run, part) for part in parts[1:]]
        results = [run(parts[0]), *(future.result() for future in others)]
        merged = sorted(
            (hit for result in results for hit in result.hits),
            key=lambda hit: (-hit[0], hit[1].segment_ord, hit[1].doc),
        )
        return sum(_hit_count(result) for result in results), merged[offset : offset + limit]

    def _page_range(self, low: int | None, high: int | None) -> tantivy.Query:
        """Pages with ``low <= page_id < high`` (``None``: unbounded), scoring 0."""
        page_range = tantivy.Query.range_query(
            self._schema,
            _F_PAGE_ID,
            tantivy.FieldType.Unsigned,
            low,
            None if high is None else high - 1,
        )
        return tantivy.Query.const_score_query(page_range, 0.0)

    def _splits(self, searcher: tantivy.Searcher) -> tuple[int, ...]:
        """Page ids that cut the indexed pages into ``search_threads`` parts of about the same size.

        Empty (search on one thread) for a small index or one thread. Worked out once per reload;
        the first and last parts are open-ended, so every page is searched whatever the cuts.
        """
        if self._search_threads < 2 or searcher.num_docs < max(1, self._parallel_min_entries):
            return ()
        splits = self._page_splits
        if splits is None:
            percents = [100.0 * n / self._search_threads for n in range(1, self._search_threads)]
            aggregation = {"cuts": {"percentiles": {"field": _F_PAGE_ID, "percents": percents, "keyed": False}}}
            pages = tantivy.Query.term_query(self._schema, _F_KIND, KIND_PAGE)
            values = searcher.aggregate(pages, aggregation)["cuts"]["values"]
            cuts = sorted({round(value["value"]) for value in values if value.get("value") is not None})
            splits = self._page_splits = tuple(cut for cut in cuts if cut > 0)
        return splits

    def _pool(self) -> concurrent.futures.ThreadPoolExecutor:
        """This process's threads for the parts of a query (a forked worker makes its own).

        The calling thread searches the first part itself. Room for the other parts of several
        queries at once: with only ``search_threads - 1`` threads, the web server's concurrent phrase
        queries would wait in line for them and take longer than searched whole.
        """
        pid = os.getpid()
        with self._reload_lock:
            if self._search_pool is None or self._search_pool[0] != pid:
                threads = (self._search_threads - 1) * CONCURRENT_SPLIT_QUERIES
                pool = concurrent.futures.ThreadPoolExecutor(threads, thread_name_prefix="khoso-search")
                self._search_pool = (pid, pool)
            return self._search_pool[1]

    def catalogue(
        self,
        query: str,
        *,
        visibility: Visibility,
        selected: Mapping[str, Collection[str | int]] | None = None,
        sort: str = "relevance",
        limit: int = 20,
        offset: int = 0,
        facets: bool = True,
    ) -> CatalogueMatches:
        """The public catalogue: files, documents and pages matching ``query`` (empty: browse all).

        ``selected`` holds the chosen facet values (keys of :data:`FACETS`): OR within a facet, AND
        across facets. Each facet is counted over the visible matches with every *other* facet's
        selection applied, so the values of a facet stay choosable while one of them is chosen.
        """
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must be >= 0")
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {SORTS}")
        selected = {name: values for name, values in (selected or {}).items() if values}
        unknown = set(selected) - set(FACETS)
        if unknown:
            raise ValueError(f"unknown facets {sorted(unknown)}")
        clauses = _parse_query(query)
        searcher, known_fonds = self._snapshot()
        base = self._visibility_filters(visibility, known_fonds)
        if base is None:
            return CatalogueMatches(0, [], {name: {} for name in FACETS})
        if clauses:
            text_query = self._text_query(searcher, clauses, (_F_RTITLE_EXACT, _F_RTITLE_FOLDED))
        else:
            text_query = [(tantivy.Occur.Must, tantivy.Query.all_query())]
        facet_filters = {name: self._facet_filter(name, values) for name, values in selected.items()}
        query_all = tantivy.Query.boolean_query([*text_query, *base, *facet_filters.values()])
        counting: list[tuple[list[str], tantivy.Query]] = []  # the facets each aggregation counts, and over what
        if facets:
            plain = [name for name in FACETS if name not in selected]
            if plain:
                counting.append((plain, query_all))
            for name in selected:
                others = [query for other, query in facet_filters.items() if other != name]
                counting.append(([name], tantivy.Query.boolean_query([*text_query, *base, *others])))
        # The facet counts run the query again over every match; on a large index they run beside the
        # ranking (tantivy lets go of the GIL), so a page of results costs the longer of the two, not both.
        pending: list[concurrent.futures.Future[dict[str, dict[str, int]]]] | None = None
        if counting and self._search_threads > 1 and searcher.num_docs >= self._parallel_min_entries:
            pool = self._pool()
            pending = [pool.submit(self._aggregate, searcher, over, names) for names, over in counting]
        total, matches = 0, []
        if limit:
            if sort == "relevance" and clauses:
                result = searcher.search(query_all, limit, count=True, offset=offset, weight_by_field=_F_WEIGHT)
            elif sort == "year_asc":
                result = searcher.search(
                    query_all, limit, count=True, offset=offset, order_by_field=_F_YEAR, order=tantivy.Order.Asc
                )
            elif sort == "year_desc":
                result = searcher.search(
                    query_all, limit, count=True, offset=offset, order_by_field=_F_YEAR, order=tantivy.Order.Desc
                )
            else:  # title, or browsing without words (nothing to rank by)
                result = searcher.search(
                    query_all, limit, count=True, offset=offset, order_by_field=_F_TITLE_SORT, order=tantivy.Order.Asc
                )
            total = _hit_count(result)
            matches = self._matches(searcher, result.hits, scored=sort == "relevance" and bool(clauses))
        else:
            total = _hit_count(searcher.search(query_all, 1, count=True))
        counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        if pending is not None:
            for job in pending:
                counts.update(job.result())
        else:
            for names, over in counting:
                counts.update(self._aggregate(searcher, over, names))
        return CatalogueMatches(total, matches, counts)

    def suggest(self, prefix: str, *, visibility: Visibility, limit: int = 10) -> list[str]:
        """Titles of visible files and documents containing the words of ``prefix``, the last one
        as a prefix; titles that begin with it come first. De-duplicated, at most ``limit``."""
        tokens = folded_tokens(nfc(prefix))[:MAX_QUERY_CLAUSES]
        if not tokens or limit < 1:
            return []
        records_only = Visibility(
            record_modes=visibility.record_modes,
            page_modes=(),
            hidden_fonds_ids=visibility.hidden_fonds_ids,
            hidden_file_ids=visibility.hidden_file_ids,
            hidden_document_ids=visibility.hidden_document_ids,
            fonds_ids=visibility.fonds_ids,
        )
        searcher, known_fonds = self._snapshot()
        base = self._visibility_filters(records_only, known_fonds)
        if base is None:
            return []
        match = self._prefix_query(searcher, _F_RTITLE_FOLDED, tokens)
        result = searcher.search(
            tantivy.Query.boolean_query([(tantivy.Occur.Must, match), *base]), min(200, limit * 10)
        )
        start = " ".join(tokens)
        titles = [searcher.doc(address).get_first(_F_TITLE) or "" for _, address in result.hits]
        # Titles that begin with the typed words first; otherwise the ranking's order.
        ordered = sorted(titles, key=lambda title: not " ".join(folded_tokens(title)).startswith(start))
        suggestions: list[str] = []
        seen: set[str] = set()
        for title in ordered:
            if title and title.casefold() not in seen:
                seen.add(title.casefold())
                suggestions.append(title)
                if len(suggestions) == limit:
                    break
        return suggestions

    # -- internals -------------------------------------------------------------------------------

    def _searcher(self) -> tantivy.Searcher:
        return self._snapshot()[0]

    def _snapshot(self) -> tuple[tantivy.Searcher, frozenset[int] | None]:
        """A searcher on the last commit and the fonds known when it was loaded, taken together."""
        self._reload_if_committed()
        with self._reload_lock:  # no reload between the two
            return self._index.searcher(), self._known_fonds

    def _filter(self, field_name: str, values: Sequence[Any]) -> tantivy.Query:
        # Scores 0, so it decides what may be seen without changing the ranking.
        return tantivy.Query.const_score_query(
            tantivy.Query.term_set_query(self._schema, field_name, list(values)), 0.0
        )

    def _visibility_filters(
        self, visibility: Visibility, known_fonds: frozenset[int] | None
    ) -> list[tuple[tantivy.Occur, tantivy.Query]] | None:
        """Clauses that keep only what ``visibility`` allows, or None when it allows nothing.

        ``known_fonds`` comes from the same :meth:`_snapshot` as the searcher the clauses run on.
        """
        visible = visibility.visible_vis()
        if not visible or (visibility.fonds_ids is not None and not visibility.fonds_ids):
            return None
        # Excluded rather than included: skipping the few hidden entries costs far less than walking
        # the postings of every visible page (measured 6 ms at 200,000 pages).
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        hidden = _ALL_VIS - visible
        if hidden:
            clauses.append((tantivy.Occur.MustNot, tantivy.Query.term_set_query(self._schema, _F_VIS, sorted(hidden))))
        for field_name, ids in (
            (_F_FILE_ID, visibility.hidden_file_ids),
            (_F_DOCUMENT_ID, visibility.hidden_document_ids),
        ):
            ids = sorted({_unsigned(value, field_name) for value in ids})
            if ids:
                clauses.append((tantivy.Occur.MustNot, tantivy.Query.term_set_query(self._schema, field_name, ids)))
        return clauses + self._fonds_clauses(known_fonds, visibility.fonds_ids, visibility.hidden_fonds_ids)

    def _facet_filter(self, name: str, values: Collection[str | int]) -> tuple[tantivy.Occur, tantivy.Query]:
        if name in _NUMERIC_FACETS:
            terms: list[Any] = sorted({_unsigned(int(value), name) for value in values})
        else:
            terms = sorted({str(value) for value in values})
        return (tantivy.Occur.Must, self._filter(_FACET_FIELD[name], terms))

    def _aggregate(
        self, searcher: tantivy.Searcher, query: tantivy.Query, names: Sequence[str]
    ) -> dict[str, dict[str, int]]:
        spec = {name: {"terms": {"field": _FACET_FIELD[name], "size": MAX_FACET_VALUES}} for name in names}
        result = searcher.aggregate(query, spec)
        counts: dict[str, dict[str, int]] = {}
        for name in names:
            buckets = result.get(name, {}).get("buckets", [])
            values = {}
            for bucket in buckets:
                key = bucket["key"]
                if isinstance(key, float):
                    key = int(key)
                if name in _NUMERIC_FACETS and not key:
                    continue  # 0: unknown
                values[str(key)] = int(bucket["doc_count"])
            counts[name] = values
        return counts

    def _matches(
        self, searcher: tantivy.Searcher, hits: Sequence[tuple[Any, Any]], *, scored: bool
    ) -> list[CatalogueMatch]:
        addresses = [address for _, address in hits]
        names = (_F_KEY, _F_FILE_ID, _F_DOCUMENT_ID, _F_PAGE_ID, _F_PAGE_NO, _F_FONDS_ID, _F_YEAR, _F_TITLE_SORT)
        columns = self._columns(searcher, addresses, names)
        matches = []
        for n, (order_key, _) in enumerate(hits):
            matches.append(
                CatalogueMatch(
                    kind=_CODE_KIND[columns[_F_KEY][n] >> _KIND_SHIFT],
                    file_id=columns[_F_FILE_ID][n],
                    document_id=columns[_F_DOCUMENT_ID][n],
                    page_id=columns[_F_PAGE_ID][n],
                    page_no=columns[_F_PAGE_NO][n],
                    fonds_id=columns[_F_FONDS_ID][n],
                    year=columns[_F_YEAR][n],
                    title_sort=columns[_F_TITLE_SORT][n],
                    score=float(order_key) if scored else 0.0,
                )
            )
        return matches

    @staticmethod
    def _columns(searcher: tantivy.Searcher, addresses: list[Any], names: Sequence[str]) -> dict[str, list[int]]:
        if not addresses:
            return {name: [] for name in names}
        # Every field read here is an unsigned integer column; int() only tells the type checker so.
        return {name: [int(value or 0) for value in searcher.fast_field_values(name, addresses)] for name in names}

    def _ids_query(self, field_name: str, values: Iterable[int]) -> tantivy.Query:
        # Not IndexWriter.delete_documents_by_term: given a Python int it builds an i64 term that
        # never matches a u64 field, so nothing would be deleted. A schema-typed query does match.
        return tantivy.Query.term_set_query(self._schema, field_name, sorted(set(values)))

    def _text_query(
        self, searcher: tantivy.Searcher, clauses: Sequence[_Clause], title_fields: tuple[str, str]
    ) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """One Must clause per user clause; ``searcher`` is the snapshot the query will run on (a prefix
        in a phrase looks up its completions in its term dictionary)."""
        return [(tantivy.Occur.Must, self._clause_query(searcher, clause, title_fields)) for clause in clauses]

    def _clause_query(
        self, searcher: tantivy.Searcher, clause: _Clause, title_fields: tuple[str, str]
    ) -> tantivy.Query:
        """The clause must match the folded body or title; exact spellings put an entry in a higher tier.

        The exact fields have no positions, so a phrase is matched on the folded fields and its exact
        words only add to the score; a word typed without diacritics is left to the folded fields.
        """
        title_exact, title_folded = title_fields
        must = []
        for field_name, boost in ((_F_FOLDED, 1.0), (title_folded, TITLE_BOOST)):
            query = self._field_query(searcher, clause.kind, field_name, clause.folded_tokens)
            must.append((tantivy.Occur.Should, query if boost == 1.0 else tantivy.Query.boost_query(query, boost)))
        parts = [(tantivy.Occur.Must, tantivy.Query.boolean_query(must))]
        exact_tokens = [(n, token) for n, token in enumerate(clause.exact_tokens) if token not in clause.folded_tokens]
        for n, token in exact_tokens:
            last_prefix = clause.kind is _ClauseKind.PREFIX and n == len(clause.exact_tokens) - 1
            for field_name, score in ((_F_EXACT, EXACT_MATCH_SCORE), (title_exact, EXACT_MATCH_SCORE * TITLE_BOOST)):
                if last_prefix:
                    query = self._prefix_query(searcher, field_name, (token,))
                else:
                    query = tantivy.Query.term_query(self._schema, field_name, token)
                parts.append((tantivy.Occur.Should, tantivy.Query.const_score_query(query, score)))
        return tantivy.Query.boolean_query(parts)

    def _field_query(
        self, searcher: tantivy.Searcher, kind: _ClauseKind, field_name: str, tokens: tuple[str, ...]
    ) -> tantivy.Query:
        if len(tokens) > 1 and field_name in _WITHOUT_POSITIONS:
            # Every word, the last one as a prefix when asked: the nearest a field without positions gets.
            words = [self._field_query(searcher, _ClauseKind.WORD, field_name, (token,)) for token in tokens[:-1]]
            words.append(self._field_query(searcher, kind, field_name, tokens[-1:]))
            return tantivy.Query.boolean_query([(tantivy.Occur.Must, word) for word in words])
        if kind is _ClauseKind.PREFIX:
            return self._prefix_query(searcher, field_name, tokens)
        if len(tokens) == 1:
            return tantivy.Query.term_query(self._schema, field_name, tokens[0])
        return tantivy.Query.phrase_query(self._schema, field_name, list(tokens))

    def _prefix_query(self, searcher: tantivy.Searcher, field_name: str, tokens: Sequence[str]) -> tantivy.Query:
        """The words of ``tokens`` in a row, the last one as a prefix, matching every term it begins.

        Not tantivy's phrase-prefix query: it expands the prefix to the first 50 terms of the
        dictionary and silently drops the rest, so "th*" missed every page whose only "th" word came
        later in the alphabet. A regular expression runs over the whole term dictionary instead (a lone
        prefix scores 1, as the phrase-prefix query scored it; a phrase keeps its BM25 score). Tokens
        come out of the tokenizer as letters and digits, escaped all the same.
        """
        *words, last = (re.escape(token) for token in tokens)
        prefix = tantivy.Query.regex_query(self._schema, field_name, f"{last}.*")
        if not words:
            return prefix
        if len(searcher.terms_with_prefix(field_name, tokens[-1])) <= PHRASE_PREFIX_MAX_TERMS:
            return tantivy.Query.regex_phrase_query(self._schema, field_name, [*words, f"{last}.*"])
        # Too short a prefix for tantivy to expand inside a phrase (it refuses, with an error, past 16,384
        # terms): the words in a row, and a word beginning with the prefix anywhere on the page.
        before = self._field_query(searcher, _ClauseKind.PHRASE, field_name, tuple(tokens[:-1]))
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, before), (tantivy.Occur.Must, prefix)])

    def _note_fonds(self, fonds_ids: Iterable[int]) -> None:
        """Add fonds to the side metadata before the commit that indexes them (write lock held)."""
        meta = self._read_meta()
        known = meta.get(_META_FONDS)
        if known is None:
            return  # an index from before tracking: fonds are filtered by inclusion
        new = {_unsigned(fonds_id, "fonds_id") for fonds_id in fonds_ids} - set(known)
        if new:
            meta[_META_FONDS] = sorted({*known, *new})
            self._write_meta(meta)

    def _fonds_clauses(
        self, known: frozenset[int] | None, visible: Collection[int] | None, hidden: Collection[int] = ()
    ) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """Keep entries of ``visible`` fonds (None: any) and none of ``hidden``.

        Excluding the few fonds a reader may not see costs far less than matching the many they
        may (the postings of every visible entry). That needs every indexed fonds to be known:
        :meth:`_note_fonds` records them before each commit, so ``known`` (read after a reload,
        see :meth:`_snapshot`) covers at least what that reload made searchable.
        """
        excluded = {_unsigned(value, "fonds_id") for value in hidden}
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if visible is not None:
            wanted = {_unsigned(value, "fonds_id") for value in visible} - excluded
            if known is not None and len(known - wanted) < len(wanted):
                excluded |= known - wanted
            else:
                clauses.append((tantivy.Occur.Must, self._filter(_F_FONDS_ID, sorted(wanted))))
        if excluded:
            hidden_query = tantivy.Query.term_set_query(self._schema, _F_FONDS_ID, sorted(excluded))
            clauses.append((tantivy.Occur.MustNot, hidden_query))
        return clauses

    def _reload_if_committed(self) -> None:
        """Reload the reader when any process has committed since we last looked.

        Every tantivy commit rewrites ``meta.json`` (a few kB, with a new opstamp), so comparing
        its bytes is a cheap and exact test; inode and mtime could repeat within one clock tick.
        """
        try:
            stamp = (self.path / _TANTIVY_META_FILE_NAME).read_bytes()
        except FileNotFoundError:
            return
        if stamp == self._seen_commit:
            return
        with self._reload_lock:
            if stamp != self._seen_commit:
                self._index.reload()
                self._page_splits = None
                known = self._read_meta().get(_META_FONDS)  # after the reload: it covers what we now see
                self._known_fonds = None if known is None else frozenset(int(value) for value in known)
                self._seen_commit = stamp

    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[None]:
        """Exclusive across processes and across PageIndex objects (flock is per open file)."""
        with _flock(self.path / LOCK_FILE_NAME):
            yield

    @contextlib.contextmanager
    def _writer(self, *, heap_bytes: int | None = None, threads: int | None = None) -> Iterator[tantivy.IndexWriter]:
        """A tantivy writer that commits on success, rolls back on error, and is gone after."""
        with self._write_lock():
            writer = self._index.writer(heap_bytes or self._writer_heap_bytes, threads or self._writer_threads)
            try:
                yield writer
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                # Finishes merges and drops the writer, releasing tantivy's lock before ours.
                writer.wait_merging_threads()
        self._reload_if_committed()

    def _read_meta(self) -> dict[str, Any]:
        try:
            with open(self.path / META_FILE_NAME, encoding="utf-8") as meta_file:
                meta = json.load(meta_file)
        except FileNotFoundError:
            return {}
        return meta if isinstance(meta, dict) else {}

    def _write_meta(self, meta: dict[str, Any]) -> None:
        _write_atomically(self.path / META_FILE_NAME, json.dumps(meta, ensure_ascii=False))


@contextlib.contextmanager
def _flock(path: Path) -> Iterator[None]:
    with open(path, "a+b") as lock_file:
        fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)


def _write_atomically(path: Path, content: str) -> None:
    """Temp file, fsync, rename, fsync the directory: readers see the old or the new content."""
    descriptor, temporary_name = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    temporary = Path(temporary_name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class IndexHome:
    """A directory of index generations and a ``current`` pointer naming the live one.

    A rebuild fills :meth:`new_generation` while searches keep using :meth:`current`; under
    :meth:`lock` it catches up and calls :meth:`switch`, which replaces the pointer atomically.
    Every process reads the pointer before each use, so all of them move to the new generation
    at their next query; the generation before is kept for queries still running on it, older ones
    are removed.
    """

    def __init__(self, root: Path, **index_options: Any) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._index_options = index_options
        self._open: dict[str, PageIndex] = {}
        self._open_lock = threading.Lock()

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive across processes: held to apply changes to, and to switch, the live index."""
        with _flock(self.root / LOCK_FILE_NAME):
            yield

    def current_name(self) -> str | None:
        try:
            name = (self.root / POINTER_FILE_NAME).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def current(self) -> PageIndex:
        """The live generation (created empty on first use)."""
        name = self.current_name()
        if name is None:
            with self.lock():
                name = self.current_name()
                if name is None:
                    index = self.new_generation()
                    self._point_to(index.path.name)
                    return index
        return self._opened(name)

    def current_is_usable(self) -> bool:
        """False when the live generation was built with another schema (an upgrade): rebuild it."""
        try:
            self.current()
        except IndexSchemaMismatchError:
            return False
        return True

    def new_generation(self) -> PageIndex:
        """An empty index in a new directory next to the live one; not searched until :meth:`switch`."""
        name = f"gen-{time.time_ns():x}-{os.getpid()}"
        index = PageIndex(self.root / name, **self._index_options)
        with self._open_lock:
            self._open[name] = index
        return index

    def switch(self, index: PageIndex) -> None:
        """Make ``index`` (from :meth:`new_generation`) the live one; call it holding :meth:`lock`."""
        if index.path.parent != self.root:
            raise ValueError("not a generation of this home")
        previous = self.current_name()
        self._point_to(index.path.name)
        keep = {index.path.name, previous}
        for entry in self.root.iterdir():
            if entry.is_dir() and entry.name.startswith("gen-") and entry.name not in keep:
                with self._open_lock:
                    self._open.pop(entry.name, None)
                shutil.rmtree(entry, ignore_errors=True)

    def _point_to(self, name: str) -> None:
        _write_atomically(self.root / POINTER_FILE_NAME, name)

    def _opened(self, name: str) -> PageIndex:
        with self._open_lock:
            index = self._open.get(name)
            if index is None:
                index = PageIndex(self.root / name, **self._index_options)
                self._open[name] = index
            return index


# -- snippets ------------------------------------------------------------------------------------


def _letters_by_fold() -> dict[str, str]:
    """Every Latin letter (Vietnamese ones included) grouped by its folded form: "d" → "dDđĐ"."""
    groups: dict[str, list[str]] = {}
    for code_point in (*range(0x0000, 0x0250), *range(0x1E00, 0x1F00)):
        letter = chr(code_point)
        folded = "".join(folded_tokens(letter))
        if len(folded) == 1 and letter.isalnum():
            groups.setdefault(folded, []).append(letter)
    return {folded: "".join(letters) for folded, letters in groups.items()}


_LETTERS_BY_FOLD = _letters_by_fold()
_WORD_CHAR = r"[^\W_]"
_NOT_WORD_CHARS = r"[\W_]+"


def _folded_token_pattern(token: str) -> str:
    """A regex matching every spelling of a folded token in NFC text: "dak" matches "Đắk"."""
    return "".join(
        f"[{re.escape(_LETTERS_BY_FOLD[char])}]" if char in _LETTERS_BY_FOLD else re.escape(char) for char in token
    )


@functools.lru_cache(maxsize=256)
def _match_pattern(clauses: tuple[_Clause, ...]) -> re.Pattern[str] | None:
    """One regex for all clauses, on whole words; a phrase may have punctuation between words."""
    alternatives = []
    for clause in clauses:
        if not clause.folded_tokens:
            continue
        words = [_folded_token_pattern(token) for token in clause.folded_tokens]
        if clause.kind is _ClauseKind.PREFIX:
            words[-1] += f"{_WORD_CHAR}*"
        alternatives.append(_NOT_WORD_CHARS.join(words))
    if not alternatives:
        return None
    return re.compile(f"(?<!{_WORD_CHAR})(?:{'|'.join(alternatives)})(?!{_WORD_CHAR})")


def snippet_html(text: str, query: str) -> str:
    """About 200 characters of ``text`` around the first match, escaped, matches in ``<mark>``.

    Matching is diacritic- and case-insensitive ("dak lak" marks "Đắk Lắk") yet runs on the
    original text, so the marks need no offset mapping from folded text back to the original.
    Letters outside Latin and Vietnamese are matched as folded, without that insensitivity.
    """
    return _snippet_html(nfc(text), tuple(_parse_query(query)))


def _snippet_html(text: str, clauses: tuple[_Clause, ...]) -> str:
    pattern = _match_pattern(clauses)
    first_match = pattern.search(text) if pattern else None
    anchor = first_match.start() if first_match else 0
    start = max(0, anchor - SNIPPET_CHARS_BEFORE_MATCH)
    end = min(len(text), start + SNIPPET_CHARS)
    # Do not cut words in half.
    while start > 0 and _WORD.match(text, start - 1) and _WORD.match(text, start):
        start -= 1
    while end < len(text) and _WORD.match(text, end - 1) and _WORD.match(text, end):
        end += 1

    pieces: list[str] = ["…"] if start > 0 else []
    cursor = start
    mark_open = False
    matches = pattern.finditer(text, start, end) if pattern and first_match else ()
    for match in matches:
        gap = text[cursor : match.start()]
        if mark_open and gap.strip():  # adjacent matches share one <mark>
            pieces.append("</mark>")
            mark_open = False
        pieces.append(html.escape(_SPACES.sub(" ", gap)))
        if not mark_open:
            pieces.append("<mark>")
            mark_open = True
        pieces.append(html.escape(_SPACES.sub(" ", match.group())))
        cursor = match.end()
    if mark_open:
        pieces.append("</mark>")
    pieces.append(html.escape(_SPACES.sub(" ", text[cursor:end])))
    if end < len(text):
        pieces.append("…")
    return "".join(pieces).strip()
