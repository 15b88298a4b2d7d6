"""TT 05/2025 identifiers: built right, and a wrong code names the rule it breaks."""

import pytest

from khoso.core import codes
from khoso.core.errors import CodeFormatError


def test_file_code_from_parts_and_back() -> None:
    code = codes.build_file_code("000.00.00.G09", 2010, "01.TH")
    assert code == "000.00.00.G09.2010.01.TH"
    parts = codes.parse_file_code(code)
    assert (parts.organ_id, parts.year, parts.notation) == ("000.00.00.G09", 2010, "01.TH")


def test_official_sample_code_parses_with_level1_first_agency() -> None:
    parts = codes.parse_file_code("H49.64.33.2001.160")
    assert (parts.organ_id, parts.year, parts.notation) == ("H49.64.33", 2001, "160")


def test_doc_id_and_seven_digit_doc_code() -> None:
    assert codes.doc_id("H49.64.33.2001.160", 1) == "H49.64.33.2001.160.1"
    assert codes.doc_code("H49.64.33.2001.160", 12) == "H49.64.33.2001.160.0000012"
    codes.validate_doc_code("H49.64.33.2001.160.0000012", "H49.64.33.2001.160")
    with pytest.raises(CodeFormatError, match="7 chữ số"):
        codes.validate_doc_code("H49.64.33.2001.160.12", "H49.64.33.2001.160")


@pytest.mark.parametrize(
    ("bad", "rule"),
    [
        ("H15", "ít nhất 4 phần"),
        ("H15.2024 .01.TH", "không có khoảng trắng"),
        ("000.00.00.H15.95.01.TH", "năm"),
        ("000.00.00.H15.3024.01", "năm"),
        ("x" * 60 + "." + "y" * 50 + ".2020.1", "tối đa 100"),
    ],
)
def test_wrong_file_codes_get_a_vietnamese_rule(bad: str, rule: str) -> None:
    with pytest.raises(CodeFormatError) as caught:
        codes.parse_file_code(bad)
    assert rule in caught.value.message
    assert caught.value.code == "ma_sai_quy_tac"


def test_notation_and_sequence_limits() -> None:
    with pytest.raises(CodeFormatError, match="NĐ 30/2020"):
        codes.build_file_code("000.00.00.H15", 2020, "TCCB")
    with pytest.raises(CodeFormatError, match="9999999"):
        codes.doc_code("H15.01.01.2020.1", 10_000_000)


def test_paper_file_code() -> None:
    assert codes.paper_file_code("H15", "2/14/105", "27") == "H15.2/14/105.27"
    assert codes.validate_paper_file_code("000.00.00.H15.2/14/105.27")
    with pytest.raises(CodeFormatError, match="Số kho/giá/hộp"):
        codes.validate_paper_file_code("H15-27")


def test_arc_file_code_adds_institution_and_inventory() -> None:
    assert codes.arc_file_code("H15.TTLT", "H15.01.01.1995.01", 2) == "H15.TTLT.H15.01.01.1995.01.2"
