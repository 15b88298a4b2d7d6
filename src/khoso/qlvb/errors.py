"""The rules a QLVB record can break, each a :class:`Problem` that names the field and the rule.

A record is judged whole: every broken rule is listed (Vietnamese first, English second), not only the
first, so the sending system's operator fixes the record in one go. Problems raised by the archive's own
services (:class:`khoso.core.errors.ArchiveError`) keep their stable codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from khoso.core.errors import ArchiveError

#: The rule that makes an archived record unchangeable.
IMMUTABLE_RULE = "NĐ 30/2020/NĐ-CP, Phụ lục VI: tài liệu lưu trữ điện tử phải toàn vẹn, không bị thay đổi"
INPUT_STANDARD = "chuẩn dữ liệu đầu vào NĐ 30/2020/NĐ-CP Phụ lục VI"


@dataclass(frozen=True)
class Problem:
    code: str
    field: str
    message: str
    message_en: str
    http_status: int = 400

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "field": self.field, "message": self.message, "message_en": self.message_en}

    @classmethod
    def of(cls, error: ArchiveError, field: str = "") -> Problem:
        return cls(error.code, field, error.message, error.message_english, error.http_status)


def required(field: str, label: str, label_en: str) -> Problem:
    return Problem(
        "truong_bat_buoc",
        field,
        f"Trường {field} ({label}) bắt buộc ({INPUT_STANDARD}).",
        f"Field {field} ({label_en}) is required.",
    )


def too_long(field: str, label: str, length: int, limit: int) -> Problem:
    return Problem(
        "qua_do_dai",
        field,
        f"Trường {field} ({label}) dài {length} ký tự, tối đa {limit} ký tự ({INPUT_STANDARD}).",
        f"Field {field} has {length} characters, at most {limit} allowed.",
    )


def bad_date(field: str, label: str, value: Any) -> Problem:
    return Problem(
        "ngay_khong_hop_le",
        field,
        f"Trường {field} ({label}): «{value}» không phải ngày hợp lệ dạng DD/MM/YYYY (vd. 05/03/2024).",
        f"Field {field}: {value!r} is not a valid DD/MM/YYYY date.",
    )


def future_date(field: str, label: str, value: str) -> Problem:
    return Problem(
        "ngay_trong_tuong_lai",
        field,
        f"Trường {field} ({label}): ngày {value} ở sau ngày nhận; văn bản chưa ban hành không được lưu trữ.",
        f"Field {field}: {value} lies after today; a document not yet issued cannot be archived.",
    )


def bad_number(field: str, label: str, value: Any, limit: int) -> Problem:
    return Problem(
        "so_khong_hop_le",
        field,
        f"Trường {field} ({label}): «{value}» phải là số nguyên từ 0 đến {limit}.",
        f"Field {field}: {value!r} must be a whole number from 0 to {limit}.",
    )


def bad_boolean(field: str, label: str, value: Any) -> Problem:
    return Problem(
        "gia_tri_khong_hop_le",
        field,
        f"Trường {field} ({label}): «{value}» phải là 1 (có) hoặc 0 (không).",
        f"Field {field}: {value!r} must be 1 (yes) or 0 (no).",
    )


def bad_type(field: str, label: str, expected: str, expected_en: str) -> Problem:
    return Problem(
        "kieu_khong_hop_le",
        field,
        f"Trường {field} ({label}) phải là {expected}.",
        f"Field {field} must be {expected_en}.",
    )


def unknown_field(field: str) -> Problem:
    return Problem(
        "truong_khong_xac_dinh",
        field,
        f"Trường {field} không thuộc {INPUT_STANDARD} (kiểm tra chính tả tên trường).",
        f"Field {field} is not part of the NĐ 30/2020 annex VI input standard (check its spelling).",
    )


def file_code_unknown(file_code: str) -> Problem:
    # The same words for a file that does not exist and one in a fonds the sender holds no grant on:
    # a record for another fonds learns nothing about it.
    return Problem(
        "ho_so_khong_co_trong_danh_muc",
        "FileCode",
        f"Mã hồ sơ «{file_code}» không có trong Danh mục hồ sơ của phông mà tài khoản này được phép nộp "
        "(NĐ 30/2020 Phụ lục VI: văn bản được lập vào hồ sơ theo Danh mục hồ sơ).",
        f"File code {file_code!r} is not in the file plan (Danh mục hồ sơ) of a fonds this account may submit to.",
    )


def record_changed(external_id: str, organ_id: str, doc_code: str | None) -> Problem:
    where = f" (tài liệu {doc_code})" if doc_code else ""
    where_en = f" (document {doc_code})" if doc_code else ""
    return Problem(
        "van_ban_da_luu_khac_noi_dung",
        "DocId",
        f"Văn bản mã định danh «{external_id}» của cơ quan {organ_id} đã được lưu trữ{where} với nội dung khác: "
        f"tài liệu đã lưu không được sửa đổi ({IMMUTABLE_RULE}). Văn bản thay thế phải có mã định danh mới.",
        f"Document {external_id!r} of agency {organ_id} is already archived{where_en} with different content: "
        "archived records are never changed (NĐ 30/2020 annex VI). A replacement needs a new identifier.",
        409,
    )


def ordinal_taken(ordinal: int, file_code: str) -> Problem:
    return Problem(
        "so_thu_tu_da_dung",
        "DocOrdinal",
        f"Số thứ tự văn bản {ordinal} đã có trong hồ sơ {file_code}; bỏ trường DocOrdinal để hệ thống tự đánh số "
        "(NĐ 30/2020 Phụ lục VI: tự động đánh số văn bản trong hồ sơ).",
        f"Document number {ordinal} is already used in file {file_code}; "
        "leave DocOrdinal out to number it automatically.",
        409,
    )


def no_files() -> Problem:
    return Problem(
        "thieu_tep",
        "Files",
        "Trường Files bắt buộc: bản ghi phải kèm ít nhất một tệp văn bản điện tử (PDF hoặc ảnh).",
        "Field Files is required: a record must carry at least one electronic file (PDF or image).",
    )


def file_problem(index: int, code: str, message: str, message_en: str) -> Problem:
    return Problem(code, f"Files[{index}]", message, message_en)


def digest_mismatch(index: int, name: str, declared: str, actual: str) -> Problem:
    return file_problem(
        index,
        "ma_bam_khong_khop",
        f"Tệp {name}: mã băm SHA-256 khai báo {declared[:12]}… khác mã băm tính được {actual[:12]}…; "
        "tệp bị hỏng hoặc bị thay đổi khi truyền.",
        f"File {name}: declared SHA-256 {declared[:12]}… differs from the computed {actual[:12]}…; "
        "the file was damaged or changed in transit.",
    )
