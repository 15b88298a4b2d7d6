"""A rule's error keeps its words when it crosses a process boundary (a page process's preflight raising it
in the command that started the delivery): rebuilt from what made it, not from its message."""

from __future__ import annotations

import pickle

from khoso.core.errors import CorruptFileError, IllegalTransitionError


def test_an_error_comes_back_from_pickling_with_its_class_words_and_code() -> None:
    error = CorruptFileError(name="trang-3.jpg", reason="thiếu dấu kết thúc JPEG")
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is CorruptFileError
    assert back.code == "tep_hong"
    assert back.message == "Tệp trang-3.jpg bị hỏng hoặc bị cắt cụt, không đọc được: thiếu dấu kết thúc JPEG"
    assert back.message_english == error.message_english
    assert str(back) == str(error)


def test_a_subclass_with_its_own_defaults_and_a_detail_survives_too() -> None:
    error = IllegalTransitionError(
        "(đã bàn giao)",
        file_code="000.00.00.H15.2025.01",
        source="số hóa",
        target="lập kế hoạch",
        source_en="digitization",
        target_en="planning",
    )
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is IllegalTransitionError
    assert back.message == error.message and back.message.endswith("(đã bàn giao)")
    assert back.as_dict() == error.as_dict()
