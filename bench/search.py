"""Search benchmark: the page index at provincial scale, beside PostgreSQL ``ts_rank`` and SQLite FTS5.

Why: issue 4 sets targets at 1,000,000 pages (top-20 p95 ≤ 50 ms and p99 ≤ 200 ms for every query
class with a reader's filters applied, rebuild ≥ 5,000 pages/s, index ≤ 0.3× the text bytes) and
asks that the choice of engine be shown against the two engines we already run. This script builds
all three from the same synthetic pages, runs the same fixed 200 queries on each and prints the
figures next to the targets, plus the Vietnamese correctness checks (folding finds đ and tone marks;
exact spellings outrank folded ones).

The pages: about 400 syllables each, drawn with a Zipf law (s = 1.0 by default) from the syllables of
the seed texts (``../shared/seeds``) ranked by their frequency there, NFC, with tone marks and đ; a
few syllables the checks need (Đắk Lắk and its unaccented spelling, má/mà/mã, thể/thế) are added at
the tail when the seeds lack them, and 1 % of the words are document numbers (1..200,000), which
give the "rare" class truly rare terms (a closed set of ~800 syllables has no rare words at 1M
pages). Pages are generated in chunks from a seeded generator into one text file that every
engine then reads a chunk at a time (as a rebuild reads the database), so memory stays flat and any
page's words can be regenerated for the checks; they are spread over 50 fonds and the three access modes (mostly 01).

Run from the repository root:

    .venv/bin/python bench/search.py                         # 1,000,000 pages, compare on
    .venv/bin/python bench/search.py --pages 20000           # quick
    .venv/bin/python bench/search.py --compare-pages 200000  # PostgreSQL / FTS5 on the first 200,000
    .venv/bin/python bench/search.py --no-compare            # our engine only

PostgreSQL runs against a scratch database ``khoso_bench_search`` on 127.0.0.1 (dropped and
re-created, dropped again at the end). It has no folding of its own here ('simple' configuration),
so it indexes the text folded by :func:`khoso.core.text.fold` and gets folded queries. FTS5 indexes
the NFC text with ``unicode61 remove_diacritics 2`` (contentless, filters joined from a side table).
No assertions on timing: the figures are printed, the reader judges.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import functools
import itertools
import operator
import os
import re
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from khoso.core.text import fold, nfc  # noqa: E402
from khoso.search.engine import IndexedPage, PageIndex, Visibility  # noqa: E402

DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "khoso_bench_search"

WORDS_PER_PAGE = 400
PAGES_PER_FILE = 40
FONDS_COUNT = 50
CHUNK_PAGES = 10_000  # a multiple of PAGES_PER_FILE
TITLE_WORDS = 10
NUMBER_SHARE = 0.01
NUMBER_RANGE = 200_000
SUPPLEMENT = ("đắk", "lắk", "dak", "lak", "má", "mà", "mã", "thể", "thế")
RESTRICTED_FONDS = frozenset({5, 12, 23, 34, 45})  # on the restricted list: a reader never sees them
READER_FONDS = tuple(f for f in range(1, FONDS_COUNT + 1) if f not in RESTRICTED_FONDS)
READER_MODES = ("01",)
TOP = 20

TARGET_P95_MS = 50.0
TARGET_P99_MS = 200.0
TARGET_PAGES_PER_S = 5_000
TARGET_SIZE_RATIO = 0.3

CLASSES = ("rare", "mid", "every-page", "two-term AND", "phrase", "folded", "prefix")
_SYLLABLE = re.compile(r"[^\W\d_]+")
_VOWELS = frozenset("aeiouy")
_QUERY_PART = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"[^\W_]+")


# -- the synthetic corpus ------------------------------------------------------------------------


def seed_vocabulary(seeds: Path) -> list[str]:
    """Vietnamese syllables of the seed texts, most frequent first, then the supplement."""
    counts: collections.Counter[str] = collections.Counter()
    files = sorted([*seeds.glob("*.md"), *seeds.glob("*.txt")])
    if not files:
        sys.exit(f"no seed texts (*.md, *.txt) in {seeds}")
    for path in files:
        for word in _SYLLABLE.findall(nfc(path.read_text(encoding="utf-8"))):
            word = word.lower()
            if len(word) <= 7 and _VOWELS & set(fold(word)):
                counts[word] += 1
    vocabulary = [word for word, _ in counts.most_common()]  # ties keep first appearance
    vocabulary += [word for word in SUPPLEMENT if word not in counts]
    return vocabulary


def file_fonds(file_ids: np.ndarray) -> np.ndarray:
    return (file_ids * 7919 + 13) % FONDS_COUNT + 1


def file_modes(file_ids: np.ndarray) -> np.ndarray:
    """'01' for 85 % of the files, '02' for 12 %, '03' for 3 %."""
    bucket = (file_ids * 104_729 + 7) % 100
    return np.where(bucket < 85, 1, np.where(bucket < 97, 2, 3))


@dataclass
class Chunk:
    first_page_id: int
    tokens: np.ndarray  # (pages, WORDS_PER_PAGE) indexes into Corpus.words
    title_tokens: np.ndarray  # (files, TITLE_WORDS)

    @property
    def page_ids(self) -> np.ndarray:
        return np.arange(self.first_page_id, self.first_page_id + len(self.tokens))


class Corpus:
    """Deterministic pages: chunk ``i`` depends only on (seed, i), so pages can be rebuilt on demand."""

    def __init__(self, vocabulary: list[str], pages: int, *, zipf_s: float, seed: int) -> None:
        self.vocabulary = vocabulary
        self.pages = pages
        self.zipf_s = zipf_s
        self.seed = seed
        self.words = vocabulary + [str(n) for n in range(1, NUMBER_RANGE + 1)]
        ranks = np.arange(1, len(vocabulary) + 1, dtype=np.float64)
        weights = ranks**-zipf_s
        self.probabilities = (1 - NUMBER_SHARE) * weights / weights.sum()
        self._cdf = np.cumsum(weights / weights.sum())
        self._cdf[-1] = 1.0
        self.word_id = {word: index for index, word in enumerate(self.words)}

    @property
    def chunks(self) -> int:
        return -(-self.pages // CHUNK_PAGES)

    def expected_page_share(self, word_id: int) -> float:
        """Share of pages on which a syllable is expected to appear at least once."""
        return 1 - (1 - self.probabilities[word_id]) ** WORDS_PER_PAGE

    def _sample(self, rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
        tokens = np.searchsorted(self._cdf, rng.random(shape)).astype(np.int32)
        numbers = rng.random(shape) < NUMBER_SHARE
        tokens[numbers] = len(self.vocabulary) + rng.integers(0, NUMBER_RANGE, int(numbers.sum()), dtype=np.int32)
        return tokens

    def chunk(self, index: int) -> Chunk:
        rng = np.random.default_rng([self.seed, index])
        first = index * CHUNK_PAGES
        count = min(CHUNK_PAGES, self.pages - first)
        tokens = self._sample(rng, (count, WORDS_PER_PAGE))
        titles = self._sample(rng, (-(-count // PAGES_PER_FILE), TITLE_WORDS))
        return Chunk(first + 1, tokens, titles)

    def join(self, row: np.ndarray) -> str:
        return " ".join(operator.itemgetter(*row.tolist())(self.words))

    def texts(self, chunk: Chunk) -> list[str]:
        return [self.join(row) for row in chunk.tokens]

    def write(self, path: Path) -> None:
        """Write every page, one a line, and keep the file titles: the stand-in for the database."""
        self.titles: dict[int, str] = {}
        self.chunk_bytes: list[int] = []  # UTF-8 bytes of the page text up to the end of each chunk
        total = 0
        with open(path, "w", encoding="utf-8") as out:
            for number in range(self.chunks):
                chunk = self.chunk(number)
                first_file = (chunk.first_page_id - 1) // PAGES_PER_FILE + 1
                for offset, row in enumerate(chunk.title_tokens):
                    self.titles[first_file + offset] = self.join(row).capitalize()
                block = "\n".join(self.texts(chunk)) + "\n"
                out.write(block)
                total += len(block.encode()) - len(chunk.tokens)  # without the newlines
                self.chunk_bytes.append(total)

    def read(self, path: Path, pages: int) -> Iterator[tuple[np.ndarray, list[str]]]:
        """(page ids, texts) of the first ``pages`` pages, a chunk at a time, from :meth:`write`'s file."""
        with open(path, encoding="utf-8") as source:
            for number in range(-(-pages // CHUNK_PAGES)):
                first = number * CHUNK_PAGES
                count = min(CHUNK_PAGES, pages - first)
                texts = [line[:-1] for line in itertools.islice(source, count)]
                yield np.arange(first + 1, first + count + 1), texts

    def text_bytes(self, pages: int) -> int:
        return self.chunk_bytes[-(-pages // CHUNK_PAGES) - 1]

    def indexed_pages(self, page_ids: np.ndarray, texts: list[str]) -> list[IndexedPage]:
        file_ids = (page_ids - 1) // PAGES_PER_FILE + 1
        fonds = file_fonds(file_ids)
        modes = file_modes(file_ids)
        titles = self.titles
        return [
            IndexedPage(
                page_id=int(page_id),
                file_id=int(file_id),
                fonds_id=int(fonds_id),
                file_code=f"000.00.00.H15.{int(fonds_id):02d}.{int(file_id):07d}",
                page_no=int(page_id - (file_id - 1) * PAGES_PER_FILE),
                access_mode=f"0{int(mode)}",
                title=titles[int(file_id)],
                text=text,
            )
            for page_id, file_id, fonds_id, mode, text in zip(page_ids, file_ids, fonds, modes, texts, strict=True)
        ]

    @functools.lru_cache(maxsize=4)  # noqa: B019 - a handful of chunks, for the checks
    def _cached_chunk(self, index: int) -> Chunk:
        return self.chunk(index)

    def page_words(self, page_id: int, *, titles: bool = False) -> set[str]:
        """The words of one page (and of its file's title): the checks look at what was indexed."""
        index, offset = divmod(page_id - 1, CHUNK_PAGES)
        chunk = self._cached_chunk(index)
        tokens = chunk.tokens[offset].tolist()
        if titles:
            tokens += chunk.title_tokens[offset // PAGES_PER_FILE].tolist()
        return {self.words[token] for token in tokens}


def visible_mask(page_ids: np.ndarray) -> np.ndarray:
    file_ids = (page_ids - 1) // PAGES_PER_FILE + 1
    visible_modes = np.isin(file_modes(file_ids), [int(mode) for mode in READER_MODES])
    return visible_modes & np.isin(file_fonds(file_ids), READER_FONDS)


# -- the fixed query set -------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    kind: str
    text: str  # as a user types it: words, "quoted phrase", prefix*


def build_queries(corpus: Corpus, first: Chunk, seed: int) -> list[Query]:
    """200 queries in seven classes, chosen from the ranks and from the first chunk's text."""
    rng = np.random.default_rng([seed, 999])
    seeded = [w for w in corpus.vocabulary if w not in SUPPLEMENT]
    share = {w: corpus.expected_page_share(corpus.word_id[w]) for w in seeded}

    def spread(words: list[str], count: int) -> list[str]:
        if not words:
            return []
        picks = np.linspace(0, len(words) - 1, count).round().astype(int)
        return [words[i] for i in picks]

    queries: list[Query] = []
    # rare: the least frequent seed syllables and document numbers that occur in the first chunk
    queries += [Query("rare", w) for w in seeded[-15:]]
    numbers = sorted({int(t) for t in first.tokens.ravel().tolist() if t >= len(corpus.vocabulary)})
    queries += [Query("rare", corpus.words[t]) for t in rng.choice(numbers, 15, replace=False).tolist()]
    # mid: syllables on roughly 5-30 % of the pages
    mid = [w for w in seeded if 0.05 <= share[w] <= 0.30] or seeded[len(seeded) // 3 : 2 * len(seeded) // 3]
    mids = spread(mid, 30)
    queries += [Query("mid", w) for w in mids]
    # every-page: syllables expected on ≥ 99 % of the pages (cycled when there are fewer than 25)
    every = [w for w in seeded if share[w] >= 0.99] or seeded[:5]
    queries += [Query("every-page", every[i % len(every)]) for i in range(25)]
    # two-term AND: mid + frequent, and mid + mid
    frequent = seeded[:100]
    for i in range(15):
        queries.append(Query("two-term AND", f"{mids[i]} {frequent[int(rng.integers(len(frequent)))]}"))
    for i in range(15):
        queries.append(Query("two-term AND", f"{mids[15 + i]} {mids[(i * 7 + 3) % 30]}"))
    # phrase: 2-3 consecutive syllables cut from generated pages
    for i in range(30):
        row = first.tokens[int(rng.integers(len(first.tokens)))]
        length = 2 + i % 2
        start = int(rng.integers(WORDS_PER_PAGE - length))
        queries.append(Query("phrase", '"' + corpus.join(row[start : start + length]) + '"'))
    # folded: typed without diacritics
    folded = ["dak lak", "quyet dinh", "luu tru", "tai lieu", "so hoa", "thong tin"]
    folded += [fold(w) for w in mids if fold(w) != w and fold(w) not in folded]
    folded += [fold(f"{a} {b}") for a, b in zip(seeded[:40], seeded[40:80], strict=True) if fold(a) != a]
    queries += [Query("folded", q) for q in folded[:30]]
    # prefix: autocomplete-like stems, with and without diacritics
    prefixes = ["quy*", "luu*", "tài*", "th*", "ngh*"]
    for w in spread([w for w in seeded[:300] if len(w) >= 3], 20):
        stem = w[: 2 + len(prefixes) % 2]
        prefixes.append((fold(stem) if len(prefixes) % 3 == 0 else stem) + "*")
    queries += [Query("prefix", p) for p in prefixes[:25]]
    if len(queries) != 200:
        sys.exit(f"built {len(queries)} queries instead of 200; the seed vocabulary is too small")
    return queries


def query_parts(text: str) -> list[tuple[str, list[str]]]:
    """("word" | "phrase" | "prefix", tokens) for the PostgreSQL and FTS5 translations."""
    parts = []
    for match in _QUERY_PART.finditer(nfc(text)):
        quoted, bare = match.group(1), match.group(2)
        part = quoted if quoted is not None else bare
        tokens = _WORD.findall(part.lower())
        if not tokens:
            continue
        kind = "prefix" if part.endswith("*") else "phrase" if len(tokens) > 1 else "word"
        parts.append((kind, tokens))
    return parts


def pg_tsquery(text: str) -> str:
    pieces = []
    for kind, tokens in query_parts(fold(text)):
        quoted = [f"'{token}'" for token in tokens]  # tokens are letters and digits only
        if kind == "prefix":
            quoted[-1] += ":*"
        pieces.append("(" + " <-> ".join(quoted) + ")" if len(quoted) > 1 else quoted[0])
    return " & ".join(pieces)


def fts5_match(text: str) -> str:
    pieces = []
    for kind, tokens in query_parts(text):
        pieces.append('"' + " ".join(tokens) + '"' + ("*" if kind == "prefix" else ""))
    return " ".join(pieces)


# -- engines -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    name: str
    pages: int
    text_bytes: int
    build_s: float = 0.0
    index_bytes: int = 0
    size_note: str = ""
    latencies: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    hits: dict[str, list[int]] = field(default_factory=lambda: collections.defaultdict(list))
    query_hits: dict[Query, int] = field(default_factory=dict)
    by_query: dict[Query, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    checks: list[str] = field(default_factory=list)


def directory_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure(
    outcome: Outcome,
    queries: list[Query],
    run: Callable[[str], tuple[int | None, list[int]]],
    rounds: int,
) -> None:
    """One warm-up pass (also records hit counts), then ``rounds`` timed passes."""
    for query in queries:
        total, ids = run(query.text)
        outcome.hits[query.kind].append(total if total is not None else len(ids))
        outcome.query_hits[query] = total if total is not None else len(ids)
    for _ in range(rounds):
        for query in queries:
            start = time.perf_counter()
            run(query.text)
            elapsed_ms = (time.perf_counter() - start) * 1000
            outcome.latencies[query.kind].append(elapsed_ms)
            outcome.by_query[query].append(elapsed_ms)


def exact_top_check(
    outcome: Outcome, corpus: Corpus, run: Callable, word: str, truth: dict[str, int], *, titles: bool = False
) -> None:
    """Exact matches must outrank folded ones: the top hits for ``word`` contain that spelling itself.

    Folding merges má/mà/mã and thể/thế, so a page with only "mà" matches the query "má"; it must
    come after every page that has "má" (there are more than 20 of those).
    """
    _, ids = run(word)
    with_word = sum(word in corpus.page_words(page_id, titles=titles) for page_id in ids)
    ideal = min(TOP, truth[word])
    top = "yes" if ids and word in corpus.page_words(ids[0], titles=titles) else "NO"
    verdict = "yes" if with_word == ideal and top == "yes" else "NO"
    outcome.checks.append(
        f'"{word}": top hit has "{word}": {top}; {with_word} of the top {len(ids)} have it '
        f"({truth[word]:,} visible pages do) → exact outranks folded: {verdict}"
    )


def fold_check(outcome: Outcome, run: Callable, expected: int) -> None:
    folded, _ = run("dak lak")
    exact, _ = run("Đắk Lắk")
    ok = "yes" if folded and exact and folded == expected else "NO"
    outcome.checks.append(
        f'"dak lak" {folded:,} hits, "Đắk Lắk" {exact:,} hits; visible pages with đắk|dak and lắk|lak: '
        f"{expected:,} → folded finds đ and tone marks: {ok}"
    )


def run_tantivy(args, corpus: Corpus, queries: list[Query], source: Path, path: Path, stats: dict) -> Outcome:
    index = PageIndex(path, writer_heap_bytes=args.writer_heap_mb * 1_000_000, writer_threads=args.writer_threads)
    outcome = Outcome("Kho Số (tantivy)", corpus.pages, corpus.text_bytes(corpus.pages))
    bulk = args.load == "bulk" and hasattr(index, "bulk_loader")
    stats["load"] = "the engine's bulk loader" if bulk else f"upsert, {CHUNK_PAGES:,} pages a batch"
    start = time.perf_counter()
    with index.bulk_loader() if bulk else contextlib.nullcontext(index.upsert) as add:
        for page_ids, texts in corpus.read(source, corpus.pages):
            add(corpus.indexed_pages(page_ids, texts))
            done = int(page_ids[-1])
            if done % (10 * CHUNK_PAGES) == 0 or done == corpus.pages:
                rate = done / (time.perf_counter() - start)
                print(f"  tantivy: {done:,} pages, {rate:,.0f} pages/s", file=sys.stderr, flush=True)
    outcome.build_s = time.perf_counter() - start  # with the last commit and the merges
    outcome.index_bytes = directory_bytes(path)
    reader_fonds = list(READER_FONDS)

    def run(text: str) -> tuple[int, list[int]]:
        result = index.search(text, fonds_ids=reader_fonds, access_modes=READER_MODES, limit=TOP)
        return result.total, [hit.page_id for hit in result.hits]

    measure(outcome, queries, run, args.rounds)
    if args.catalogue:
        visibility = Visibility(record_modes=READER_MODES, page_modes=READER_MODES, fonds_ids=reader_fonds)
        catalogue = Outcome("Kho Số catalogue", corpus.pages, outcome.text_bytes)

        def run_catalogue(text: str) -> tuple[int, list[int]]:
            result = index.catalogue(text, visibility=visibility, limit=TOP)
            return result.total, [match.page_id for match in result.matches]

        measure(catalogue, queries, run_catalogue, args.rounds)
        stats["catalogue"] = catalogue
    truth = visible_truth(corpus, corpus.pages, titles=True)
    fold_check(outcome, run, truth["dak lak"])
    exact_top_check(outcome, corpus, run, "má", truth, titles=True)
    exact_top_check(outcome, corpus, run, "thế", truth, titles=True)
    leaks = 0
    for query in queries[::10]:
        result = index.search(query.text, fonds_ids=reader_fonds, access_modes=READER_MODES, limit=TOP)
        for hit in result.hits:
            mode = file_modes(np.array([hit.file_id]))[0]
            leaks += hit.fonds_id in RESTRICTED_FONDS or f"0{mode}" not in READER_MODES
    outcome.checks.append(f"hits outside the reader's fonds/modes in 20 queries: {leaks}")
    return outcome


def run_postgres(args, corpus: Corpus, queries: list[Query], source: Path, stats: dict) -> Outcome:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        admin.execute(f"CREATE DATABASE {PG_DATABASE}")
    pages = min(args.compare_pages, corpus.pages)
    outcome = Outcome("PostgreSQL ts_rank", pages, corpus.text_bytes(pages))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DATABASE
    try:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute(
                "CREATE TABLE pages (page_id bigint PRIMARY KEY, fonds_id integer NOT NULL, "
                "access_mode char(2) NOT NULL, body text NOT NULL, "
                "tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED)"
            )
            start = time.perf_counter()
            for page_ids, texts in corpus.read(source, pages):
                file_ids = (page_ids - 1) // PAGES_PER_FILE + 1
                lines = [
                    f"{page_id}\t{fonds}\t0{mode}\t{fold(text)}\n"
                    for page_id, fonds, mode, text in zip(
                        page_ids.tolist(),
                        file_fonds(file_ids).tolist(),
                        file_modes(file_ids).tolist(),
                        texts,
                        strict=True,
                    )
                ]
                with db.cursor().copy("COPY pages (page_id, fonds_id, access_mode, body) FROM STDIN") as copy:
                    copy.write("".join(lines))
            db.execute("SET maintenance_work_mem = '1GB'")
            db.execute("CREATE INDEX pages_tsv ON pages USING gin (tsv)")
            db.execute("VACUUM ANALYZE pages")
            outcome.build_s = time.perf_counter() - start
            gin, tsv, total = db.execute(
                "SELECT pg_relation_size('pages_tsv'), (SELECT sum(pg_column_size(tsv)) FROM pages), "
                "pg_database_size(current_database())"
            ).fetchone()
            outcome.index_bytes = int(gin) + int(tsv)
            outcome.size_note = (
                f"GIN {gin / 1e6:,.0f} MB + tsvector column {tsv / 1e6:,.0f} MB; database {total / 1e6:,.0f} MB"
            )
            sql = (
                "SELECT page_id FROM pages, to_tsquery('simple', %s) q "
                "WHERE tsv @@ q AND access_mode = ANY(%s) AND fonds_id = ANY(%s) "
                f"ORDER BY ts_rank(tsv, q) DESC LIMIT {TOP}"
            )
            modes, fonds = list(READER_MODES), list(READER_FONDS)

            def run(text: str) -> tuple[None, list[int]]:
                return None, [row[0] for row in db.execute(sql, (pg_tsquery(text), modes, fonds)).fetchall()]

            def count(text: str) -> tuple[int, list[int]]:
                row = db.execute(
                    "SELECT count(*) FROM pages WHERE tsv @@ to_tsquery('simple', %s) "
                    "AND access_mode = ANY(%s) AND fonds_id = ANY(%s)",
                    (pg_tsquery(text), modes, fonds),
                ).fetchone()
                return row[0], run(text)[1]

            measure(outcome, queries, run, args.compare_rounds)
            outcome.hits.clear()  # top-20 lengths only; the counts come from tantivy's totals
            fold_check(outcome, count, stats["truth_compare"]["dak lak"])
            exact_top_check(outcome, corpus, run, "má", stats["truth_compare"])
            exact_top_check(outcome, corpus, run, "thế", stats["truth_compare"])
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
    return outcome


def run_fts5(args, corpus: Corpus, queries: list[Query], source: Path, path: Path, stats: dict) -> Outcome:
    pages = min(args.compare_pages, corpus.pages)
    outcome = Outcome("SQLite FTS5 bm25", pages, corpus.text_bytes(pages))
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("CREATE TABLE meta (page_id INTEGER PRIMARY KEY, fonds_id INTEGER NOT NULL, access_mode TEXT NOT NULL)")
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(body, content='', tokenize='unicode61 remove_diacritics 2')")
    start = time.perf_counter()
    for page_ids, texts in corpus.read(source, pages):
        file_ids = (page_ids - 1) // PAGES_PER_FILE + 1
        ids = page_ids.tolist()
        with db:
            db.executemany(
                "INSERT INTO meta VALUES (?, ?, ?)",
                zip(ids, file_fonds(file_ids).tolist(), [f"0{m}" for m in file_modes(file_ids).tolist()], strict=True),
            )
            db.executemany("INSERT INTO fts (rowid, body) VALUES (?, ?)", zip(ids, texts, strict=True))
    with db:
        db.execute("INSERT INTO fts (fts) VALUES ('optimize')")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("ANALYZE")
    outcome.build_s = time.perf_counter() - start
    outcome.index_bytes = path.stat().st_size
    outcome.size_note = "database file (contentless FTS5 + page table)"
    marks = ",".join("?" * len(READER_MODES))
    fonds_marks = ",".join("?" * len(READER_FONDS))
    sql = (
        "SELECT fts.rowid FROM fts JOIN meta ON meta.page_id = fts.rowid WHERE fts MATCH ? "
        f"AND meta.access_mode IN ({marks}) AND meta.fonds_id IN ({fonds_marks}) ORDER BY bm25(fts) LIMIT {TOP}"
    )
    params = (*READER_MODES, *READER_FONDS)

    def run(text: str) -> tuple[None, list[int]]:
        return None, [row[0] for row in db.execute(sql, (fts5_match(text), *params)).fetchall()]

    def count(text: str) -> tuple[int, list[int]]:
        row = db.execute(
            "SELECT count(*) FROM fts JOIN meta ON meta.page_id = fts.rowid WHERE fts MATCH ? "
            f"AND meta.access_mode IN ({marks}) AND meta.fonds_id IN ({fonds_marks})",
            (fts5_match(text), *params),
        ).fetchone()
        return row[0], run(text)[1]

    measure(outcome, queries, run, args.compare_rounds)
    outcome.hits.clear()
    fold_check(outcome, count, stats["truth_compare"]["dak lak"])
    exact_top_check(outcome, corpus, run, "má", stats["truth_compare"])
    exact_top_check(outcome, corpus, run, "thế", stats["truth_compare"])
    db.close()
    return outcome


# -- report --------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(args, corpus: Corpus, queries: list[Query], outcomes: list[Outcome], stats: dict) -> None:
    ours = outcomes[0]
    print(
        f"\nKho Số search bench, {date_label()}: {corpus.pages:,} trang / pages × {WORDS_PER_PAGE} âm tiết / "
        f"syllables (Zipf s = {corpus.zipf_s}, {len(corpus.vocabulary)} syllables from the seed texts, "
        f"{NUMBER_SHARE:.0%} document numbers), {FONDS_COUNT} fonds, modes 01/02/03 = 85/12/3 %"
    )
    print(
        f"text {ours.text_bytes / 1e6:,.0f} MB UTF-8 ({ours.text_bytes / corpus.pages:,.0f} B/page); "
        f"generation {stats['generate_s']:.0f} s (not counted: every build reads the pages from one text file, "
        f"as a rebuild reads the database); peak RSS {peak_rss_mb():,.0f} MB; "
        f"load average {stats['load_before']:.1f} after generation, {os.getloadavg()[0]:.1f} at the end"
    )
    print(
        f"tantivy: {stats['load']}, writer {args.writer_heap_mb} MB × {args.writer_threads} threads; "
        "PostgreSQL: COPY of the folded text, generated tsvector column ('simple'), then GIN; "
        "FTS5: executemany in one transaction per 10,000 pages, then 'optimize'"
    )
    print(
        f"reader filters: access modes {{{', '.join(READER_MODES)}}}, {len(READER_FONDS)} of {FONDS_COUNT} fonds "
        f"visible; top {TOP}; {len(queries)} queries; timed passes: ours {args.rounds}, others {args.compare_rounds} "
        "(after one warm-up pass)\n"
    )
    target = f"target ≥ {TARGET_PAGES_PER_S:,}/s, ≤ {TARGET_SIZE_RATIO}×"
    print(f"| engine | pages | build s | pages/s | index MB | × text | {target} |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for outcome in outcomes:
        rate = outcome.pages / outcome.build_s if outcome.build_s else 0
        ratio = outcome.index_bytes / outcome.text_bytes
        verdict = ""
        if outcome is ours:
            verdict = f"rate {met(rate >= TARGET_PAGES_PER_S)}, size {met(ratio <= TARGET_SIZE_RATIO)}"
        print(
            f"| {outcome.name} | {outcome.pages:,} | {outcome.build_s:,.0f} | {rate:,.0f} | "
            f"{outcome.index_bytes / 1e6:,.0f} | {ratio:.2f} | {verdict} |"
        )
    for outcome in outcomes:
        if outcome.size_note:
            print(f"  {outcome.name}: {outcome.size_note}")

    names = " | ".join(f"{o.name} p50 / p95 / p99" for o in outcomes)
    target = f"target p95 ≤ {TARGET_P95_MS:.0f}, p99 ≤ {TARGET_P99_MS:.0f} ms"
    visible = int(visible_mask(np.arange(1, corpus.pages + 1)).sum())
    print(f"\n| query class | n | mean hits (ours, of {visible:,} visible) | {names} | {target} |")
    print("|---|---:|---:|" + "---:|" * len(outcomes) + "---|")
    every_met = True
    for kind in CLASSES:
        count = sum(q.kind == kind for q in queries)
        hits = ours.hits[kind]
        cells = []
        for outcome in outcomes:
            values = outcome.latencies[kind]
            cells.append(" / ".join(f"{percentile(values, share):,.1f}" for share in (0.50, 0.95, 0.99)))
        p95, p99 = percentile(ours.latencies[kind], 0.95), percentile(ours.latencies[kind], 0.99)
        class_met = p95 <= TARGET_P95_MS and p99 <= TARGET_P99_MS
        every_met &= class_met
        print(f"| {kind} | {count} | {sum(hits) / len(hits):,.0f} | {' | '.join(cells)} | {met(class_met)} |")
    print(f"\nlatency targets for every class (ours): {met(every_met)}")
    catalogue = stats.get("catalogue")
    if catalogue:
        print(
            "\nthe same queries through the public catalogue (`PageIndex.catalogue`: files, documents and pages, "
            "top 20 ranked, total and the five facets counted), ms p50 / p95 / p99:"
        )
        print(
            "  "
            + "; ".join(
                f"{kind} "
                + " / ".join(f"{percentile(catalogue.latencies[kind], share):,.1f}" for share in (0.5, 0.95, 0.99))
                for kind in CLASSES
            )
        )
    slowest = sorted(ours.by_query.items(), key=lambda item: -statistics.median(item[1]))[:8]
    print(
        "slowest queries (ours, median ms): "
        + "; ".join(
            f"{query.kind} {query.text} {statistics.median(times):,.0f} ({ours.query_hits[query]:,} hits)"
            for query, times in slowest
        )
    )
    print("\nkiểm tra tiếng Việt / correctness:")
    for outcome in outcomes:
        for check in outcome.checks:
            print(f"  {outcome.name}: {check}")


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def date_label() -> str:
    return time.strftime("%d/%m/%Y")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1_000_000)
    parser.add_argument("--compare", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--compare-pages", type=int, help="pages for PostgreSQL and FTS5 (default: --pages)")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the 200 queries (ours)")
    parser.add_argument("--compare-rounds", type=int, default=1, help="timed passes for PostgreSQL and FTS5")
    parser.add_argument(
        "--load", choices=["bulk", "upsert"], default="bulk", help="the engine's bulk loader (a rebuild) or upserts"
    )
    parser.add_argument(
        "--catalogue", action="store_true", help="also time the queries through the public catalogue, with facets"
    )
    parser.add_argument("--writer-heap-mb", type=int, default=400)
    parser.add_argument("--writer-threads", type=int, default=2)
    parser.add_argument("--zipf", type=float, default=1.0, help="Zipf exponent of the syllable ranks")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="folder of the seed texts")
    parser.add_argument("--data-dir", type=Path, help="where the index and databases go (default: a temp dir)")
    args = parser.parse_args()
    args.compare_pages = min(args.compare_pages or args.pages, args.pages)
    if args.pages < CHUNK_PAGES:
        sys.exit(f"--pages must be at least {CHUNK_PAGES:,}")

    vocabulary = seed_vocabulary(args.seeds)
    corpus = Corpus(vocabulary, args.pages, zipf_s=args.zipf, seed=args.seed)
    queries = build_queries(corpus, corpus.chunk(0), args.seed)
    stats: dict = {}
    owned = args.data_dir is None
    work = Path(tempfile.mkdtemp(prefix="khoso-bench-search-")) if owned else args.data_dir
    work.mkdir(parents=True, exist_ok=True)
    try:
        for name in ("tantivy", "pages.txt", "fts5.sqlite3", "fts5.sqlite3-wal", "fts5.sqlite3-shm"):
            target = work / name
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
        source = work / "pages.txt"
        print(f"generating {args.pages:,} pages into {source}", file=sys.stderr, flush=True)
        start = time.perf_counter()
        corpus.write(source)
        stats["generate_s"] = time.perf_counter() - start
        stats["load_before"] = os.getloadavg()[0]
        print(f"building the tantivy index ({stats['generate_s']:.0f} s to generate)", file=sys.stderr, flush=True)
        outcomes = [run_tantivy(args, corpus, queries, source, work / "tantivy", stats)]
        if args.compare:
            stats["truth_compare"] = visible_truth(corpus, args.compare_pages, titles=False)
            print(f"PostgreSQL: {args.compare_pages:,} pages", file=sys.stderr, flush=True)
            outcomes.append(run_postgres(args, corpus, queries, source, stats))
            print(f"SQLite FTS5: {args.compare_pages:,} pages", file=sys.stderr, flush=True)
            outcomes.append(run_fts5(args, corpus, queries, source, work / "fts5.sqlite3", stats))
        report(args, corpus, queries, outcomes, stats)
    finally:
        (work / "pages.txt").unlink(missing_ok=True)
        if owned:
            shutil.rmtree(work, ignore_errors=True)


def visible_truth(corpus: Corpus, pages: int, *, titles: bool) -> dict[str, int]:
    """Ground truth for the checks, counted on the generated tokens of the visible pages.

    "dak lak": pages with đắk or dak and with lắk or lak; "má", "thế": pages with that exact
    spelling. With ``titles``, a word in the file's title counts (our index searches titles too).
    """
    ids = {w: corpus.word_id[w] for w in ("đắk", "lắk", "dak", "lak", "má", "thế")}
    totals = collections.Counter()
    for number in range(-(-pages // CHUNK_PAGES)):
        chunk = corpus.chunk(number)
        visible = visible_mask(chunk.page_ids)
        present = {}
        for word, token in ids.items():
            present[word] = (chunk.tokens == token).any(axis=1)
            if titles:
                in_title = (chunk.title_tokens == token).any(axis=1)
                present[word] |= np.repeat(in_title, PAGES_PER_FILE)[: len(chunk.tokens)]
        both = (present["đắk"] | present["dak"]) & (present["lắk"] | present["lak"])
        totals["dak lak"] += int((both & visible).sum())
        totals["má"] += int((present["má"] & visible).sum())
        totals["thế"] += int((present["thế"] & visible).sum())
    return dict(totals)


if __name__ == "__main__":
    main()
