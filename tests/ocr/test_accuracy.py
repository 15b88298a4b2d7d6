"""The character error rate that judges every OCR change must count edits exactly."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from khoso.ocr.accuracy import character_error_rate, edit_distance


def _table_distance(first: str, second: str) -> int:
    """The textbook dynamic programme, cell by cell: the reference the fast distance must equal."""
    previous = list(range(len(second) + 1))
    for row, char_a in enumerate(first, start=1):
        current = [row]
        for column, char_b in enumerate(second, start=1):
            current.append(min(previous[column] + 1, current[-1] + 1, previous[column - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


VIETNAMESE_LETTERS = st.text(alphabet="dđaáàảãạăâeêoôơuư ", max_size=90)


@settings(max_examples=400, deadline=None)
@given(VIETNAMESE_LETTERS, VIETNAMESE_LETTERS)
def test_the_distance_equals_the_table_on_any_pair(first: str, second: str) -> None:
    assert edit_distance(first, second) == _table_distance(first, second)
    assert edit_distance(second, first) == edit_distance(first, second)


def test_a_long_page_past_one_machine_word() -> None:
    truth = "Quyết định về việc thành lập Ủy ban nhân dân tỉnh Đắk Lắk năm 1995. " * 40
    read = truth.replace("Đắk", "Dak", 5).replace("định", "dinh", 3) + "thêm"
    assert len(truth) > 2000
    assert edit_distance(read, truth) == _table_distance(read, truth) == 5 * 2 + 3 * 2 + 4


def test_empty_sides() -> None:
    assert edit_distance("", "") == 0
    assert edit_distance("", "đ") == edit_distance("đ", "") == 1


def test_the_rate_counts_a_tone_mark_once_whatever_the_unicode_form() -> None:
    decomposed = unicodedata.normalize("NFD", "Lưu  trữ\nlịch sử")
    assert character_error_rate([decomposed], ["Lưu trữ lịch sử"]) == 0
    assert character_error_rate(["Luu tru lịch sử"], ["Lưu trữ lịch sử"]) == 2 / 15
    assert character_error_rate(["ab", "cd"], ["ab", "ce"]) == 1 / 4
