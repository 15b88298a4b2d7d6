"""Vietnamese folding: đ → d, tones removed, NFC and NFD input alike (engineering.md B5)."""

import unicodedata

from khoso.core.text import fold, nfc


def test_fold_maps_d_stroke_and_removes_tones() -> None:
    assert fold("Đắk Lắk") == "dak lak"
    assert fold("ĐƠN ĐỀ NGHỊ cấp bản sao – Quảng Ngãi") == "don de nghi cap ban sao – quang ngai"


def test_fold_is_the_same_for_nfd_input_and_keeps_length() -> None:
    text = "Hồ sơ lưu trữ Đà Nẵng"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)
    assert len(fold(text)) == len(nfc(text))
