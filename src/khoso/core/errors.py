"""One error hierarchy with stable codes, Vietnamese-first messages, HTTP status and exit code.

Every rule the system enforces raises a subclass of :class:`ArchiveError`. The code is stable
(scripts and tests match on it), the Vietnamese message names the rule broken and comes first,
the English one second. The web turns ``http_status`` into a response, the CLI turns
``exit_code`` into the process exit status (in the style of OCRmyPDF's ``ExitCode``).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    """Process exit codes of the ``khoso`` command."""

    ok = 0
    bad_args = 2
    input_file = 3
    invalid_metadata = 4
    not_found = 5
    permission = 6
    integrity = 7
    dependency = 8
    timeout = 9
    other = 15


class ArchiveError(Exception):
    """Base of every error a user may see.

    Subclasses set ``code``, ``message_vi`` and ``message_en``; both messages are
    ``str.format`` templates filled from the keyword arguments given to the constructor.
    """

    code = "loi"
    message_vi = "Lỗi không xác định."
    message_en = "Unknown error."
    http_status = 400
    exit_code = ExitCode.other

    def __init__(self, detail: str = "", **params: Any) -> None:
        self.params = params
        self.detail = detail
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The Vietnamese message (the one users read first)."""
        text = self.message_vi.format(**self.params)
        return f"{text} {self.detail}".strip() if self.detail else text

    @property
    def message_english(self) -> str:
        """The English message."""
        return self.message_en.format(**self.params)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form for APIs and ``--json`` output."""
        return {"code": self.code, "message": self.message, "message_en": self.message_english}

    def __str__(self) -> str:
        return f"[{self.code}] {self.message} / {self.message_english}"

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from what made it, not from its message (the default), when it crosses from a page
        # process back to the command that started it.
        return (_rebuild, (type(self), self.detail, self.params), self.__dict__)


def _rebuild(kind: type[ArchiveError], detail: str, params: dict[str, Any]) -> ArchiveError:
    return kind(detail, **params)


class InputFileError(ArchiveError):
    """A file given to ingest breaks a preflight rule; nothing of it is stored."""

    code = "tep_dau_vao"
    message_vi = "Tệp đầu vào không hợp lệ."
    message_en = "Invalid input file."
    exit_code = ExitCode.input_file


class EmptyFileError(InputFileError):
    code = "tep_rong"
    message_vi = "Tệp {name} rỗng (0 byte): không có dữ liệu để số hóa."
    message_en = "File {name} is empty (0 bytes)."


class UnsupportedTypeError(InputFileError):
    code = "dinh_dang_khong_ho_tro"
    message_vi = (
        "Tệp {name} không phải ảnh JPEG, PNG, TIFF hay tệp PDF (kiểm tra theo nội dung, không theo phần mở rộng)."
    )
    message_en = "File {name} is not a JPEG, PNG, TIFF image or PDF (checked by content)."


class CorruptFileError(InputFileError):
    code = "tep_hong"
    message_vi = "Tệp {name} bị hỏng hoặc bị cắt cụt, không đọc được: {reason}"
    message_en = "File {name} is corrupt or truncated: {reason}"


class EncryptedPdfError(InputFileError):
    code = "pdf_ma_hoa"
    message_vi = "Tệp PDF {name} được mã hóa hoặc đặt mật khẩu; hãy nộp bản không mã hóa."
    message_en = "PDF {name} is encrypted or password protected."


class PixelLimitError(InputFileError):
    code = "vuot_gioi_han_diem_anh"
    message_vi = "Ảnh {name} khai báo {width} × {height} điểm ảnh, vượt giới hạn {limit} điểm ảnh mỗi trang."
    message_en = "Image {name} declares {width} × {height} pixels, over the {limit}-pixel limit."


class SizeLimitError(InputFileError):
    code = "vuot_gioi_han_dung_luong"
    message_vi = "Tệp {name} có {size} byte, vượt giới hạn {limit} byte."
    message_en = "File {name} has {size} bytes, over the {limit}-byte limit."


class PageLimitError(InputFileError):
    code = "vuot_gioi_han_so_trang"
    message_vi = "Tệp {name} có {pages} trang, vượt giới hạn {limit} trang mỗi lần nộp."
    message_en = "File {name} has {pages} pages, over the {limit}-page limit per delivery."


class BlankPdfError(InputFileError):
    code = "pdf_trang_trong"
    message_vi = "Tệp PDF {name} có {pages} trang nhưng không trang nào chứa ảnh quét."
    message_en = "PDF {name} has {pages} pages but none holds a scanned image."


class ValidationError(ArchiveError):
    """Metadata that breaks a TT 05/2025 or NĐ 30/2020 rule."""

    code = "du_lieu_khong_hop_le"
    message_vi = "Dữ liệu không hợp lệ: {reason}"
    message_en = "Invalid data: {reason}"
    exit_code = ExitCode.invalid_metadata


class CodeFormatError(ValidationError):
    code = "ma_sai_quy_tac"
    message_vi = "Mã {field} «{value}» sai quy tắc: {rule}"
    message_en = "{field} «{value}» breaks the rule: {rule_en}"


class NotFoundError(ArchiveError):
    code = "khong_tim_thay"
    message_vi = "Không tìm thấy {what} «{key}»."
    message_en = "{what} «{key}» not found."
    http_status = 404
    exit_code = ExitCode.not_found


class PermissionDeniedError(ArchiveError):
    code = "khong_co_quyen"
    message_vi = "Bạn không có quyền thực hiện thao tác này."
    message_en = "You do not have the right to do this."
    http_status = 403
    exit_code = ExitCode.permission


class IntegrityError(ArchiveError):
    code = "sai_toan_ven"
    message_vi = "Dữ liệu lưu trữ không toàn vẹn: {reason}"
    message_en = "Stored data failed an integrity check: {reason}"
    http_status = 500
    exit_code = ExitCode.integrity


class DependencyError(ArchiveError):
    code = "thieu_chuong_trinh"
    message_vi = "Thiếu chương trình {program} (cần phiên bản {need}): {reason}"
    message_en = "Missing program {program} (need {need}): {reason}"
    http_status = 500
    exit_code = ExitCode.dependency


class WorkflowError(ArchiveError):
    """A step of the digitization workflow (TT 04/2014) refused: the reason names the rule."""

    code = "quy_trinh"
    message_vi = "Không thực hiện được bước này: {reason}"
    message_en = "This step cannot be taken: {reason_en}"
    http_status = 409
    exit_code = ExitCode.invalid_metadata

    def __init__(self, detail: str = "", **params: Any) -> None:
        params.setdefault("reason_en", params.get("reason", ""))
        super().__init__(detail, **params)


class IllegalTransitionError(WorkflowError):
    code = "chuyen_buoc_khong_hop_le"
    message_vi = "Hồ sơ {file_code} đang ở bước «{source}»: không được chuyển sang «{target}»."
    message_en = "File {file_code} is at step «{source_en}»: it may not move to «{target_en}»."
