"""The tantivy page index: Vietnamese matching, ranking, access filters, several processes."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

import khoso
from khoso.core.text import fold
from khoso.search import engine
from khoso.search.engine import (
    IndexedPage,
    IndexedRecord,
    PageIndex,
    Visibility,
    folded_word_matches,
    match_terms,
    snippet_html,
)

EVERYONE = ("01", "02", "03")
PUBLIC = ("01",)


def page(
    page_id: int,
    text: str,
    *,
    fonds_id: int = 1,
    file_id: int | None = None,
    access_mode: str = "01",
    title: str = "Hồ sơ",
) -> IndexedPage:
    return IndexedPage(
        page_id=page_id,
        file_id=file_id if file_id is not None else page_id * 10,
        fonds_id=fonds_id,
        file_code=f"H{page_id:04d}",
        page_no=1,
        access_mode=access_mode,
        title=title,
        text=text,
    )


def ids(index: PageIndex, query: str, **filters: object) -> list[int]:
    filters.setdefault("fonds_ids", None)
    filters.setdefault("access_modes", EVERYONE)
    return [hit.page_id for hit in index.search(query, **filters).hits]  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def isolated_data(tmp_path: Path) -> Path:
    """Replaces the Django-settings fixture of tests/conftest.py: this module needs no Django."""
    return tmp_path


@pytest.fixture
def index(tmp_path: Path) -> PageIndex:
    return PageIndex(tmp_path / "index")


def test_query_without_diacritics_and_with_d_for_dj_finds_the_page(index: PageIndex) -> None:
    index.upsert([page(1, "Quyết định của Ủy ban nhân dân tỉnh Đắk Lắk"), page(2, "Báo cáo")])

    assert ids(index, "dak lak") == [1]
    assert ids(index, "quyet dinh") == [1]
    assert ids(index, "UY BAN") == [1]
    assert ids(index, "Đắk Lắk") == [1]


def test_decomposed_input_is_normalised_before_indexing_and_querying(index: PageIndex) -> None:
    index.upsert([page(1, unicodedata.normalize("NFD", "tỉnh Đắk Lắk"))])

    assert ids(index, "Đắk Lắk") == [1]
    assert ids(index, unicodedata.normalize("NFD", "Lắk")) == [1]
    assert ids(index, "lak") == [1]


def test_exact_spelling_ranks_above_a_folded_only_match(index: PageIndex) -> None:
    index.upsert([page(1, "tỉnh Dak Lak năm 1976"), page(2, "tỉnh Đắk Lắk năm 1976")])

    assert ids(index, "Đắk Lắk") == [2, 1]
    assert sorted(ids(index, "dak lak")) == [1, 2]


def test_quoted_phrase_needs_the_words_together(index: PageIndex) -> None:
    index.upsert([page(1, "tỉnh Đắk Lắk"), page(2, "Lắk ở đây còn Đắk ở kia")])

    assert ids(index, '"đắk lắk"') == [1]
    assert ids(index, '"dak lak"') == [1]
    assert sorted(ids(index, "dak lak")) == [1, 2]


def test_trailing_star_is_a_prefix(index: PageIndex) -> None:
    index.upsert([page(1, "Quyết định số 12"), page(2, "Quyền sử dụng đất"), page(3, "Báo cáo")])

    assert ids(index, "quyet*") == [1]
    assert sorted(ids(index, "quy*")) == [1, 2]
    assert ids(index, "Quyề*") == [2, 1]  # the exact prefix first, the folded one after
    assert ids(index, '"quyet dinh s*"') == [1]


def test_all_words_must_match(index: PageIndex) -> None:
    index.upsert([page(1, "công văn về đất đai"), page(2, "công văn về nhân sự")])

    assert ids(index, "cong van dat") == [1]
    assert ids(index, "cong van khong_co_tu_nay") == []


def test_title_words_match_and_count_with_page_words(index: PageIndex) -> None:
    index.upsert([page(1, "nội dung trang", title="Quyết định giao đất")])

    assert ids(index, "giao dat trang") == [1]


def test_page_of_an_invisible_fonds_is_never_returned_nor_counted(index: PageIndex) -> None:
    index.upsert([page(i, "biên bản họp", fonds_id=1) for i in range(1, 4)])
    index.upsert([page(9, "biên bản họp", fonds_id=2)])

    result = index.search("bien ban", fonds_ids={1}, access_modes=EVERYONE, limit=2)

    assert result.total == 3
    assert len(result.hits) == 2
    assert all(hit.fonds_id == 1 for hit in result.hits)
    assert 9 not in ids(index, "bien ban", fonds_ids=[1], limit=100)
    assert ids(index, "bien ban", fonds_ids=[2]) == [9]
    assert index.search("bien ban", fonds_ids=None, access_modes=EVERYONE).total == 4


def test_empty_fonds_set_or_access_modes_show_nothing(index: PageIndex) -> None:
    index.upsert([page(1, "biên bản họp")])

    assert index.search("bien ban", fonds_ids=set(), access_modes=EVERYONE).total == 0
    assert index.search("bien ban", fonds_ids=None, access_modes=()).total == 0


def test_secret_pages_need_their_access_mode(index: PageIndex) -> None:
    index.upsert(
        [
            page(1, "mật lệnh", access_mode="01"),
            page(2, "mật lệnh", access_mode="02"),
            page(3, "mật lệnh", access_mode="03"),
        ]
    )

    assert sorted(ids(index, "mat lenh", access_modes=PUBLIC)) == [1]
    assert sorted(ids(index, "mat lenh", access_modes=("01", "02"))) == [1, 2]
    assert index.search("mat lenh", fonds_ids=None, access_modes=("01", "02")).total == 2
    assert sorted(ids(index, "mat lenh", access_modes=EVERYONE)) == [1, 2, 3]


def test_upsert_replaces_the_page(index: PageIndex) -> None:
    index.upsert([page(1, "bản cũ")])
    index.upsert([page(1, "bản mới", access_mode="03")])

    assert index.count() == 1
    assert ids(index, "ban cu") == []
    assert ids(index, "ban moi") == [1]
    assert ids(index, "ban moi", access_modes=PUBLIC) == []


def test_upsert_of_the_same_page_twice_in_one_batch_keeps_the_last(index: PageIndex) -> None:
    index.upsert([page(1, "bản cũ"), page(1, "bản mới")])

    assert index.count() == 1
    assert ids(index, "ban") == [1]
    assert ids(index, "moi") == [1]


def test_delete_delete_file_and_clear(index: PageIndex) -> None:
    index.upsert(
        [
            page(1, "trang một", file_id=7),
            page(2, "trang hai", file_id=7),
            page(3, "trang ba", file_id=8),
            page(4, "trang bốn", file_id=8),
        ]
    )

    index.delete([1, 999])
    assert sorted(ids(index, "trang")) == [2, 3, 4]
    index.delete_file(8)
    assert ids(index, "trang") == [2]
    index.meta_set("last_change", 41)
    index.clear()
    assert index.count() == 0
    assert index.meta_get("last_change") is None


def test_meta_survives_reopening(tmp_path: Path) -> None:
    PageIndex(tmp_path).meta_set("last_change", 1234)
    PageIndex(tmp_path).meta_set("schema", "v1")

    reopened = PageIndex(tmp_path)
    assert reopened.meta_get("last_change") == 1234
    assert reopened.meta_get("schema") == "v1"
    assert reopened.meta_get("missing", "default") == "default"


def test_second_instance_on_the_same_directory_sees_commits(tmp_path: Path) -> None:
    writer_process = PageIndex(tmp_path)
    reader_process = PageIndex(tmp_path)
    assert reader_process.count() == 0
    assert ids(reader_process, "dak lak") == []

    writer_process.upsert([page(1, "Đắk Lắk")])
    assert ids(reader_process, "dak lak") == [1]

    reader_process.upsert([page(2, "Đắk Lắk")])  # the other one may write too, one at a time
    assert sorted(ids(writer_process, "dak lak")) == [1, 2]
    writer_process.delete([1])
    assert ids(reader_process, "dak lak") == [2]
    assert reader_process.count() == 1


def test_writes_from_two_threads_wait_for_each_other(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    first, second = PageIndex(tmp_path), PageIndex(tmp_path)

    def write(instance: PageIndex, base: int) -> None:
        for n in range(5):
            instance.upsert([page(base + n, "trang")])

    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(write, first, 100), pool.submit(write, second, 200)]:
            future.result()

    assert first.count() == 10


WRITER_SCRIPT = """
import sys
from pathlib import Path
from khoso.search.engine import IndexedPage, PageIndex

index = PageIndex(Path(sys.argv[1]))
base = int(sys.argv[2])
for n in range(15):
    page_id = base + n
    index.upsert([IndexedPage(page_id, page_id, 1, "H", 1, "01", "t", f"trang số {page_id}")])
    index.meta_set(f"writer{base}", page_id)
"""


def test_writer_processes_take_turns(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(khoso.__file__).parents[1])}
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER_SCRIPT, str(tmp_path), str(base)], env=env)
        for base in (1000, 2000, 3000)
    ]

    assert [writer.wait(timeout=120) for writer in writers] == [0, 0, 0]
    index = PageIndex(tmp_path)
    assert index.count() == 45
    assert [index.meta_get(f"writer{base}") for base in (1000, 2000, 3000)] == [1014, 2014, 3014]
    assert ids(index, "trang so 2007") == [2007]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        '"',
        '"unbalanced',
        "AND OR )(",
        "*",
        "**",
        "field:value",
        "page_id:1",
        "access_mode:03",
        "title:[a TO z]",
        "+-!^~/\\{}[]",
        "a" * 500,
        "từ " * 200,
        "\x00\u200b\ufeff",
    ],
)
def test_hostile_queries_raise_nothing(index: PageIndex, query: str) -> None:
    index.upsert([page(1, "trang có chữ value và field", access_mode="03")])

    result = index.search(query, fonds_ids=None, access_modes=PUBLIC)

    assert result.total == 0
    assert result.hits == []


def test_field_syntax_is_just_words(index: PageIndex) -> None:
    index.upsert([page(1, "field: value"), page(2, "value")])

    assert ids(index, "field:value") == [1]


def test_limit_and_offset_page_through_results(index: PageIndex) -> None:
    index.upsert([page(i, "lý lịch") for i in range(1, 26)])

    first = index.search("ly lich", fonds_ids=None, access_modes=PUBLIC, limit=20)
    second = index.search("ly lich", fonds_ids=None, access_modes=PUBLIC, limit=20, offset=20)

    assert (first.total, second.total) == (25, 25)
    assert len(first.hits) == 20
    assert len(second.hits) == 5
    assert {h.page_id for h in first.hits}.isdisjoint({h.page_id for h in second.hits})


def test_hit_carries_the_stored_fields(index: PageIndex) -> None:
    index.upsert(
        [
            IndexedPage(
                page_id=5,
                file_id=6,
                fonds_id=7,
                file_code="G01.2024.01.01",
                page_no=3,
                access_mode="01",
                title="Hồ sơ",
                text="nội dung",
            )
        ]
    )

    (hit,) = index.search("noi dung", fonds_ids=[7], access_modes=PUBLIC).hits
    assert (hit.page_id, hit.file_id, hit.fonds_id, hit.file_code, hit.page_no) == (
        5,
        6,
        7,
        "G01.2024.01.01",
        3,
    )
    assert hit.score > 0


def test_snippet_marks_the_original_spelling_of_a_folded_match(index: PageIndex) -> None:
    text = "Ủy ban nhân dân tỉnh Đắk Lắk quyết định"
    index.upsert([page(1, text)])

    # The index keeps no text (size): the caller hands the hits' texts in from the database.
    (hit,) = index.search("dak lak", fonds_ids=None, access_modes=PUBLIC, texts=lambda ids: {1: text}).hits

    assert "<mark>Đắk Lắk</mark>" in hit.snippet_html


def test_snippet_is_html_escaped(index: PageIndex) -> None:
    text = "lời dặn <script>alert('x')</script> & Đắk Lắk"
    index.upsert([page(1, text)])

    (hit,) = index.search("dak", fonds_ids=None, access_modes=PUBLIC, texts=lambda ids: {1: text}).hits

    assert "<script>" not in hit.snippet_html
    assert "&lt;script&gt;" in hit.snippet_html
    assert "&amp;" in hit.snippet_html
    assert "<mark>Đắk</mark>" in hit.snippet_html


def test_snippet_is_a_window_around_the_first_match() -> None:
    text = "mở đầu " * 100 + "tỉnh Đắk Lắk" + " kết thúc" * 100

    snippet = snippet_html(text, "dak lak")

    assert "<mark>Đắk Lắk</mark>" in snippet
    assert snippet.startswith("…")
    assert snippet.endswith("…")
    visible = snippet.replace("<mark>", "").replace("</mark>", "")
    assert 180 <= len(visible) <= 240


def test_snippet_marks_a_phrase_only_where_it_occurs_whole() -> None:
    snippet = snippet_html("Đắk một mình, rồi Đắk Lắk", '"dak lak"')

    assert snippet == "Đắk một mình, rồi <mark>Đắk Lắk</mark>"


def test_match_terms_are_folded_for_the_page_viewer() -> None:
    terms = match_terms('Đắk "Quyết Định" số* )(')

    assert terms == ["dak", "quyet", "dinh", "so*"]
    assert folded_word_matches(terms, fold("Đắk"))
    assert folded_word_matches(terms, fold("Sổ"))
    assert not folded_word_matches(terms, fold("Lắk"))


def test_fold_keeps_one_character_per_vietnamese_letter() -> None:
    vowels = "aăâeêioôơuưy"
    tones = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    letters = [unicodedata.normalize("NFC", v + t) for v in vowels for t in tones]
    letters += list("bcdđghklmnpqrstvx")
    for letter in letters + [letter.upper() for letter in letters]:
        assert len(letter) == 1
        assert len(fold(letter)) == 1


def test_the_index_folds_every_vietnamese_letter_as_the_rest_of_the_system_does() -> None:
    """Folding happens inside tantivy (ascii_fold); it must agree with core.text.fold on Vietnamese."""
    from khoso.core.text import nfc
    from khoso.search.engine import folded_tokens

    tones = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    vowels = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]
    letters = [nfc(vowel + tone) for vowel in vowels for tone in tones] + ["đ", "d"]
    letters += [letter.upper() for letter in letters]
    assert len(set(letters)) == 2 * (12 * 6 + 2)
    for letter in letters:
        assert unicodedata.is_normalized("NFC", letter)
        assert folded_tokens(letter) == (fold(letter).lower(),), letter
    assert folded_tokens("Đường ĐẮK Lắk, ỷ-lại") == ("duong", "dak", "lak", "y", "lai")


def test_a_fonds_indexed_after_a_reader_opened_the_index_stays_hidden_from_them(tmp_path: Path) -> None:
    """Most readers see most fonds, so the engine excludes the few hidden ones instead of listing the
    visible ones; a fonds it has not heard of must still be hidden, in this process and in another."""
    writer = PageIndex(tmp_path / "index")
    other_process = PageIndex(tmp_path / "index")
    writer.upsert([page(fonds_id, "công văn", fonds_id=fonds_id) for fonds_id in range(1, 6)])
    assert sorted(ids(other_process, "cong van", fonds_ids={1, 2, 3, 4})) == [1, 2, 3, 4]

    writer.upsert([page(6, "công văn", fonds_id=6)])
    with writer.bulk_loader() as add:  # the rebuild path notes its fonds too
        add([page(7, "công văn", fonds_id=7)])
    for index in (writer, other_process, PageIndex(tmp_path / "index")):
        assert sorted(ids(index, "cong van", fonds_ids={1, 2, 3, 4})) == [1, 2, 3, 4]
        assert sorted(ids(index, "cong van", fonds_ids={6})) == [6]
        assert ids(index, "cong van", fonds_ids=set()) == []
        assert sorted(ids(index, "cong van")) == [1, 2, 3, 4, 5, 6, 7]
        visibility = Visibility(record_modes=(), page_modes=PUBLIC, fonds_ids={1, 2, 3, 4, 7}, hidden_fonds_ids={2})
        assert sorted(m.page_id for m in index.catalogue("cong van", visibility=visibility).matches) == [1, 3, 4, 7]

    writer.clear()  # an emptied index still remembers its fonds: a superset is safe
    writer.upsert([page(8, "công văn", fonds_id=8)])
    assert ids(other_process, "cong van", fonds_ids={1, 2, 3, 4}) == []


def _phrase_pages(first_id: int, count: int) -> list[IndexedPage]:
    """Pages whose phrases repeat a varying number of times, several with the very same text (tied scores)."""
    words = ["quyết định", "ủy ban", "nhân dân", "tỉnh", "Đắk Lắk", "lưu trữ", "tài liệu", "năm"]
    pages = []
    for n in range(count):
        page_id = first_id + n * 7  # ids with gaps, as after deletions
        if n % 5 == 0:
            text = "quyết định của ủy ban nhân dân tỉnh"
        else:
            text = " ".join(words[(n * k) % len(words)] for k in range(1, 2 + n % 9))
        pages.append(page(page_id, text, fonds_id=1 + n % 4, access_mode=("01", "01", "02", "03")[n % 4]))
    return pages


def test_a_phrase_searched_in_parts_on_several_threads_gives_the_one_thread_answer(tmp_path: Path) -> None:
    path = tmp_path / "index"
    writer = PageIndex(path)
    for batch in range(3):  # several segments
        writer.upsert(_phrase_pages(1 + batch * 1000, 120))
    whole = PageIndex(path, search_threads=1)
    parts = PageIndex(path, search_threads=3, parallel_min_entries=0)
    assert len(parts._splits(parts._searcher())) == 2  # three ranges of page ids

    def answer(index: PageIndex, query: str, **options: object) -> tuple[int, list[tuple[int, float]]]:
        result = index.search(query, fonds_ids=[1, 2, 3], access_modes=("01", "02"), **options)  # type: ignore[arg-type]
        return result.total, [(hit.page_id, round(hit.score, 4)) for hit in result.hits]

    for query in ('"quyết định"', '"uy ban nhan dan"', '"nhân dân tỉnh" quyet', '"quyet dinh cua u*"', '"dak lak"'):
        for limit, offset in ((20, 0), (7, 0), (7, 7), (50, 10)):
            expected = answer(whole, query, limit=limit, offset=offset)
            assert expected[0] > 0, query
            assert answer(parts, query, limit=limit, offset=offset) == expected, (query, limit, offset)

    writer.upsert(_phrase_pages(100_000, 40))  # beyond the last cut: the reload cuts again, nothing is lost
    assert answer(parts, '"quyết định"', limit=100) == answer(whole, '"quyết định"', limit=100)
    newest = parts.search('"quyết định"', fonds_ids=None, access_modes=EVERYONE, limit=100)
    assert max(hit.page_id for hit in newest.hits) > 100_000


def test_facets_counted_beside_the_ranking_give_the_counts_counted_after_it(tmp_path: Path) -> None:
    path = tmp_path / "index"
    writer = PageIndex(path)
    writer.upsert(
        IndexedPage(
            page_id=n,
            file_id=n // 3 + 1,
            fonds_id=1 + n % 3,
            file_code=f"F{n}",
            page_no=n % 3 + 1,
            access_mode=("01", "01", "02")[n % 3],
            title="Hồ sơ đất đai",
            text=("quyết định giao đất " if n % 2 else "tờ trình xin giao đất ") + f"năm {1990 + n % 4}",
            year=1990 + n % 4,
            type_name=("01", "02")[n % 2],
            language="01",
        )
        for n in range(1, 61)
    )
    visibility = Visibility(record_modes=("01",), page_modes=("01",), hidden_fonds_ids=(3,))
    alone = PageIndex(path, search_threads=1)
    beside = PageIndex(path, search_threads=2, parallel_min_entries=0)

    for query, selected in (("giao dat", {}), ('"quyết định giao"', {"year": [1991]}), ("", {"type_name": ["02"]})):
        expected = alone.catalogue(query, visibility=visibility, selected=selected)
        assert expected.total > 0 and expected.facets["year"], query
        assert beside.catalogue(query, visibility=visibility, selected=selected) == expected, query
    assert beside._search_pool is not None  # the counts did run on the pool


def _words_after(start: str, count: int) -> list[str]:
    """``count`` distinct words beginning with ``start``: more than tantivy's 50 phrase-prefix expansions."""
    return [f"{start}{a}{b}" for a in "aeiou" for b in "bcdghklmnpqrstvxy"][:count]


def test_a_prefix_finds_every_word_it_begins_not_only_the_first_fifty(index: PageIndex) -> None:
    words = _words_after("th", 80)
    index.upsert([page(n + 1, f"văn bản {word}") for n, word in enumerate(words)])

    assert index.search("th*", fonds_ids=None, access_modes=EVERYONE, limit=100).total == 80
    assert index.search('"van ban th*"', fonds_ids=None, access_modes=EVERYONE, limit=100).total == 80


def test_every_exact_spelling_a_prefix_begins_ranks_above_folded_ones(index: PageIndex) -> None:
    index.upsert([page(n + 1, word) for n, word in enumerate(_words_after("thà", 80))])
    index.upsert([page(100, "thabc")])  # "thà*" only when folded

    ranked = ids(index, "thà*", limit=100)
    assert len(ranked) == 81 and ranked[-1] == 100


def test_suggestions_reach_titles_past_the_first_fifty_completions(index: PageIndex) -> None:
    titles = [f"Hồ sơ {word}" for word in _words_after("th", 60)] + ["Hồ sơ thuyết minh dự án"]
    index.upsert(
        IndexedRecord(kind="file", file_id=n + 1, fonds_id=1, file_code=f"F{n}", access_mode="01", title=title, text="")
        for n, title in enumerate(titles)
    )
    everyone = Visibility(record_modes=("01",), page_modes=())

    assert set(index.suggest("ho so th", visibility=everyone, limit=100)) == set(titles)


def test_a_phrase_ending_in_a_very_short_prefix_still_answers(index: PageIndex) -> None:
    """tantivy refuses to expand a phrase's word to more than 16,384 terms; past that the prefix is matched apart."""
    letters = "abcdeghiklmnopqrstuvxy"
    words = ["t" + "".join(chars) for chars in itertools.product(letters, repeat=4)][:17_000]
    index.upsert([page(1, "văn " + " văn ".join(words)), page(2, "hồ sơ")])

    assert ids(index, '"van t*"') == [1]


def test_a_phrase_prefix_past_the_expansion_limit_keeps_the_words_in_a_row(
    index: PageIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    index.upsert([page(1, "văn bản tài liệu"), page(2, "văn bản và tài liệu"), page(3, "bản văn tài liệu")])
    assert ids(index, '"van ban t*"') == [1]

    monkeypatch.setattr(engine, "PHRASE_PREFIX_MAX_TERMS", 0)  # "t*" (tài) now has too many completions
    assert sorted(ids(index, '"van ban t*"')) == [1, 2]  # "văn bản" in a row, a word in "t" anywhere
