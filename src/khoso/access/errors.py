"""Refusals of the access rules, each naming the rule broken (Vietnamese first)."""

from __future__ import annotations

from khoso.core.errors import ArchiveError, ExitCode

FOUR_EYES_RULE = "NĐ 30/2020/NĐ-CP, Phụ lục VI"


class AccessChangeError(ArchiveError):
    """A proposal, confirmation or rejection of an access-rights change that the rules refuse."""

    code = "thay_doi_quyen"
    message_vi = "Không thực hiện được thay đổi quyền truy cập: {reason}"
    message_en = "The access-rights change was refused: {reason_en}"
    http_status = 409
    exit_code = ExitCode.invalid_metadata

    def __init__(self, reason: str, reason_en: str = "") -> None:
        super().__init__(reason=reason, reason_en=reason_en or reason)


class DirectAccessChangeError(ArchiveError):
    """An access mode or secret class written outside a confirmed four-eyes change."""

    code = "thay_doi_quyen_truc_tiep"
    message_vi = (
        "{field} của {target} chỉ thay đổi qua đề nghị được người thứ hai xác nhận ({rule}); "
        "hãy lập đề nghị tại trang Quyền truy cập."
    )
    message_en = "{field_en} of {target} changes only through a proposal a second person confirms ({rule})."
    http_status = 409
    exit_code = ExitCode.permission

    def __init__(self, *, field: str, field_en: str, target: str) -> None:
        super().__init__(field=field, field_en=field_en, target=target, rule=FOUR_EYES_RULE)


class LockedError(ArchiveError):
    """An edit, move or delete of a file in a locked set."""

    code = "ho_so_bi_khoa"
    message_vi = (
        "Hồ sơ {file_code} đang bị khóa (khóa số {lock_id}: {scope}, lý do: {reason}): "
        "không được sửa, di chuyển hoặc xóa ({rule})."
    )
    message_en = "File {file_code} is locked (lock {lock_id}: {reason}): no edit, move or delete ({rule})."
    http_status = 409
    exit_code = ExitCode.permission

    def __init__(self, *, file_code: str, lock_id: int, scope: str, reason: str) -> None:
        super().__init__(file_code=file_code, lock_id=lock_id, scope=scope, reason=reason, rule=FOUR_EYES_RULE)
