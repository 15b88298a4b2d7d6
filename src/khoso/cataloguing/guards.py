"""Conditions the cataloguing and data-entry steps put on the workflow's moves (registered in ``apps.py``).

Each raises a :class:`WorkflowError` that names the rule, so a refused button tells the person
what is still missing: sheets not written, an error not fixed, a keying not done, a difference
not resolved.
"""

from __future__ import annotations

from typing import Any

from khoso.cataloguing import selectors, services
from khoso.cataloguing.fields import DOCUMENT, validate
from khoso.cataloguing.models import CheckError, CheckReport
from khoso.core.errors import WorkflowError
from khoso.workflow.models import ProjectFile

CATALOGUE = CheckReport.Stage.CATALOGUE
ENTRY = CheckReport.Stage.ENTRY


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def _refuse(reason: str, reason_en: str) -> None:
    raise WorkflowError(reason=reason, reason_en=reason_en)


def sheets_complete(item: ProjectFile, actor: Any) -> None:
    """A file sheet and, when it counts documents, one sheet per document, every one complete."""
    sheets = selectors.sheets_of(item=item)
    file_sheet = next((s for s in sheets if s.kind != DOCUMENT), None)
    if file_sheet is None:
        _refuse("chưa lập phiếu tin hồ sơ.", "the file sheet is missing.")
        return
    total = file_sheet.data.get("total_doc") or 0
    have = {s.ordinal for s in sheets if s.kind == DOCUMENT}
    missing = [n for n in range(1, total + 1) if n not in have]
    if missing:
        _refuse(
            f"thiếu phiếu tin tài liệu số {_numbers(missing)} (phiếu tin hồ sơ ghi {total} tài liệu).",
            f"document sheets missing: {_numbers(missing)}.",
        )
    extra = sorted(n for n in have if n > total)
    if extra:
        _refuse(
            f"thừa phiếu tin tài liệu số {_numbers(extra)} (phiếu tin hồ sơ ghi {total} tài liệu).",
            f"surplus document sheets: {_numbers(extra)}.",
        )
    for sheet in sheets:
        problems = validate(sheet.kind, sheet.data)[1]
        if problems:
            _refuse(f"{sheet.name} chưa đầy đủ, đúng quy tắc TT 05/2025.", f"{sheet.name} is incomplete.")


def _open_blocking(item: ProjectFile, stage: str) -> int:
    return selectors.open_errors(item=item, stage=stage, blocking_only=True).count()


def _report_with_blocking(item: ProjectFile, stage: str) -> None:
    report = selectors.report_of(item=item, stage=stage)
    blocking = (
        report.errors.filter(severity=CheckError.Severity.BLOCKING, fixed=False).count() if report is not None else 0
    )
    if not blocking:
        _refuse(
            "chỉ trả lại để sửa khi biên bản kiểm tra của lượt này có ít nhất một lỗi phải sửa.",
            "return for correction only with at least one blocking error in this round's report.",
        )


def _no_open_blocking(item: ProjectFile, stage: str) -> None:
    count = _open_blocking(item, stage)
    if count:
        _refuse(f"còn {count} lỗi phải sửa chưa được sửa.", f"{count} blocking errors are still open.")


# -- cataloguing -----------------------------------------------------------------------------------


def catalogue_submit(item: ProjectFile, actor: Any) -> None:
    sheets_complete(item, actor)


def catalogue_resubmit(item: ProjectFile, actor: Any) -> None:
    sheets_complete(item, actor)
    _no_open_blocking(item, CATALOGUE)


def catalogue_return(item: ProjectFile, actor: Any) -> None:
    _report_with_blocking(item, CATALOGUE)


def catalogue_pass(item: ProjectFile, actor: Any) -> None:
    if selectors.report_of(item=item, stage=CATALOGUE) is None:
        _refuse(
            "chưa có biên bản kiểm tra biên mục của lượt này (kể cả khi không có lỗi, phải lập biên bản).",
            "no cataloguing check report for this round.",
        )
    _no_open_blocking(item, CATALOGUE)


# -- data entry ------------------------------------------------------------------------------------


def all_keyed(item: ProjectFile, actor: Any) -> None:
    """Every sheet keyed, twice by two operators when its guideline asks for double keying."""
    tasks = selectors.keying_tasks(item=item, user=actor)
    if not tasks:
        _refuse("hồ sơ chưa có phiếu tin để nhập.", "the file has no worksheet to key.")
    short = [t for t in tasks if t.done < t.needed]
    if short:
        double = any(t.needed == 2 for t in short)
        names = ", ".join(t.worksheet.name.removeprefix("Phiếu tin ") for t in short)
        _refuse(
            f"chưa nhập đủ phiếu tin: {names}"
            + (" (hướng dẫn yêu cầu hai người nhập độc lập mỗi phiếu)." if double else "."),
            f"not every sheet is keyed: {names}.",
        )


def entry_submit(item: ProjectFile, actor: Any) -> None:
    all_keyed(item, actor)


def entry_resubmit(item: ProjectFile, actor: Any) -> None:
    all_keyed(item, actor)
    _no_open_blocking(item, ENTRY)


def entry_return(item: ProjectFile, actor: Any) -> None:
    _report_with_blocking(item, ENTRY)


def entry_pass(item: ProjectFile, actor: Any) -> None:
    """No difference left unresolved and no blocking error open; then the verified values are written."""
    report = selectors.report_of(item=item, stage=ENTRY)
    if report is None:
        _refuse("chưa đối chiếu dữ liệu nhập của lượt này.", "the keying of this round was not compared.")
        return
    unresolved = report.differences.filter(resolved=False).count()
    if unresolved:
        _refuse(
            f"còn {unresolved} chênh lệch giữa các lượt nhập và phiếu tin chưa được người kiểm tra xử lý.",
            f"{unresolved} differences are unresolved.",
        )
    _no_open_blocking(item, ENTRY)
    services.entry_apply(item=item, by=actor)
