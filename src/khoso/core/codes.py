"""Archival identifiers of TT 05/2025 and NĐ 30/2020 (standards.md §1), built and checked in one place.

* ``fileCode`` = agency identifier (or fonds code of a closed fonds) + year the file was created
  + file number and notation, joined by "." (§1.5).
* ``arcFileCode`` = archive institution code + fileCode (+ inventory number, if any).
* ``docId`` = fileCode + "." + sequence (unpadded); ``docCode`` = fileCode + 7-digit sequence (§1.6).
* ``paperFileCode`` = institution code + "." + stack/shelf/box + "." + paper file number.

Agency and province codes are data (tables), so only their *shape* is checked here. Every
failure raises :class:`CodeFormatError` whose Vietnamese message names the rule broken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from khoso.core.errors import CodeFormatError

FILE_CODE_MAX = 100
DOC_SEQUENCE_DIGITS = 7
# QĐ 20/2020: DDD.DD.DD.Xnn; the TT05 sample writes the level-1 group first (H49.64.33…).
AGENCY_ID = re.compile(r"^(?:\d{3}\.\d{2}\.\d{2}\.[A-K]\d{2}|[A-K]\d{2}(?:\.\d{2,3}){0,3})$")
FONDS_CODE = re.compile(r"^[A-Za-z0-9Đđ][A-Za-z0-9Đđ.\-]{0,12}$")
NOTATION = re.compile(r"^\d{1,10}(?:[.\-][A-Za-z0-9ĐđƠơƯư]+)*$")
SEGMENT = re.compile(r"^[A-Za-z0-9ĐđƠơƯư\-]+$")
PAPER_LOCATION = re.compile(r"^[A-Za-z0-9]+(?:/[A-Za-z0-9]+){0,3}$")
FIRST_YEAR = 1800


@dataclass(frozen=True)
class FileCodeParts:
    organ_id: str
    year: int
    notation: str

    def __str__(self) -> str:
        return f"{self.organ_id}.{self.year}.{self.notation}"


def _fail(field: str, value: str, rule: str, rule_en: str) -> CodeFormatError:
    return CodeFormatError(field=field, value=value, rule=rule, rule_en=rule_en)


def validate_organ_id(value: str) -> str:
    """Check an agency identifier or a fonds code standing in for it (closed fonds)."""
    if AGENCY_ID.match(value) or FONDS_CODE.match(value):
        return value
    raise _fail(
        "định danh cơ quan",
        value,
        "phải có dạng DDD.DD.DD.Xnn (QĐ 20/2020/QĐ-TTg, vd. 000.00.00.H15) hoặc là mã phông tối đa 13 ký tự chữ và số.",
        "must look like DDD.DD.DD.Xnn (QĐ 20/2020) or be a fonds code of at most 13 letters/digits.",
    )


def validate_year(year: int, *, field: str = "năm hình thành hồ sơ") -> int:
    latest = date.today().year + 1
    if not FIRST_YEAR <= year <= latest:
        raise _fail(
            field,
            str(year),
            f"năm phải gồm 4 chữ số, từ {FIRST_YEAR} đến {latest}.",
            f"the year must have 4 digits, {FIRST_YEAR}–{latest}.",
        )
    return year


def validate_notation(value: str) -> str:
    if len(value) > 20 or not NOTATION.match(value):
        raise _fail(
            "số và ký hiệu hồ sơ",
            value,
            "bắt đầu bằng số thứ tự hồ sơ, có thể kèm ký hiệu đề mục sau dấu chấm (vd. 01.TCCB), "
            "tối đa 20 ký tự (NĐ 30/2020 Phụ lục V).",
            "a file number optionally followed by a heading abbreviation (e.g. 01.TCCB), "
            "at most 20 characters (NĐ 30/2020 annex V).",
        )
    return value


def build_file_code(organ_id: str, year: int, notation: str) -> str:
    """TT05 ``fileCode`` from its three parts, each validated."""
    code = f"{validate_organ_id(organ_id)}.{validate_year(year)}.{validate_notation(notation)}"
    return validate_file_code(code)


def parse_file_code(code: str) -> FileCodeParts:
    """Split a fileCode at its first 4-digit year segment that follows the agency part."""
    validate_file_code_shape(code)
    segments = code.split(".")
    for position in range(1, len(segments) - 1):
        segment = segments[position]
        if len(segment) == 4 and segment.isdigit():
            organ = ".".join(segments[:position])
            year = int(segment)
            notation = ".".join(segments[position + 1 :])
            if FIRST_YEAR <= year <= date.today().year + 1 and (AGENCY_ID.match(organ) or FONDS_CODE.match(organ)):
                return FileCodeParts(organ, year, notation)
    raise _fail(
        "hồ sơ",
        code,
        "mã hồ sơ = mã định danh cơ quan (hoặc mã phông) + năm hình thành (4 chữ số) + số và "
        "ký hiệu hồ sơ, ngăn cách bởi dấu chấm (TT 05/2025, vd. H49.64.33.2001.160); "
        "không tìm thấy phần năm hợp lệ.",
        "fileCode = agency id (or fonds code) + 4-digit year + file notation, dot-separated "
        "(TT 05/2025, e.g. H49.64.33.2001.160); no valid year segment found.",
    )


def validate_file_code_shape(code: str) -> str:
    segments = code.split(".")
    if len(code) > FILE_CODE_MAX or len(segments) < 4 or not all(SEGMENT.match(s) for s in segments):
        raise _fail(
            "hồ sơ",
            code,
            f"tối đa {FILE_CODE_MAX} ký tự, ít nhất 4 phần chữ/số ngăn cách bởi dấu chấm, "
            "không có khoảng trắng (TT 05/2025).",
            f"at most {FILE_CODE_MAX} characters, at least 4 dot-separated alphanumeric parts, no spaces (TT 05/2025).",
        )
    return code


def validate_file_code(code: str) -> str:
    parse_file_code(code)
    return code


def arc_file_code(institution_code: str, file_code: str, inventory_number: int | None) -> str:
    """TT05 ``arcFileCode``: institution code + fileCode + inventory number (if any)."""
    code = f"{institution_code}.{file_code}"
    if inventory_number:
        code = f"{code}.{inventory_number}"
    if len(code) > FILE_CODE_MAX:
        raise _fail(
            "hồ sơ lưu trữ",
            code,
            f"mã hồ sơ lưu trữ tối đa {FILE_CODE_MAX} ký tự (TT 05/2025).",
            f"arcFileCode is at most {FILE_CODE_MAX} characters (TT 05/2025).",
        )
    return code


def _check_sequence(sequence: int) -> None:
    if not 1 <= sequence < 10**DOC_SEQUENCE_DIGITS:
        raise _fail(
            "số thứ tự tài liệu",
            str(sequence),
            f"từ 1 đến {10**DOC_SEQUENCE_DIGITS - 1} (mã lưu trữ tài liệu dùng 7 chữ số).",
            f"from 1 to {10**DOC_SEQUENCE_DIGITS - 1} (docCode uses 7 digits).",
        )


def doc_id(file_code: str, sequence: int) -> str:
    """TT05 ``docId``: fileCode + "." + the document's sequence in the file, unpadded."""
    _check_sequence(sequence)
    return f"{file_code}.{sequence}"


def doc_code(file_code: str, sequence: int) -> str:
    """TT05 ``docCode``: fileCode + "." + the sequence padded to 7 digits."""
    _check_sequence(sequence)
    return f"{file_code}.{sequence:0{DOC_SEQUENCE_DIGITS}d}"


def validate_doc_code(code: str, file_code: str) -> str:
    prefix, _, sequence = code.rpartition(".")
    if prefix != file_code or len(sequence) != DOC_SEQUENCE_DIGITS or not sequence.isdigit():
        raise _fail(
            "lưu trữ tài liệu",
            code,
            f"phải là mã hồ sơ {file_code} + dấu chấm + số thứ tự 7 chữ số (vd. {file_code}.0000001).",
            f"must be fileCode {file_code} + '.' + a 7-digit sequence.",
        )
    return code


def paper_file_code(institution_code: str, location: str, paper_number: str) -> str:
    """TT05 ``paperFileCode``: [institution].[stack/shelf/box].[paper file number]."""
    code = f"{institution_code}.{location}.{paper_number}"
    return validate_paper_file_code(code)


def validate_paper_file_code(code: str) -> str:
    institution, _, rest = code.partition(".")
    location, _, number = rest.rpartition(".")
    if "." in location:
        institution_tail, _, location = location.rpartition(".")
        institution = f"{institution}.{institution_tail}"
    if len(code) > FILE_CODE_MAX or not institution or not PAPER_LOCATION.match(location or "") or not number.isalnum():
        raise _fail(
            "hồ sơ gốc giấy",
            code,
            "phải có dạng [Mã cơ quan lưu trữ].[Số kho/giá/hộp].[Số hồ sơ giấy], vd. H15.2/14/105.27 (TT 05/2025).",
            "must be [archive code].[stack/shelf/box].[paper file number], e.g. H15.2/14/105.27.",
        )
    return code
