"""Conditions the scanning step adds to the state machine (registered in ``ScanningConfig.ready``).

Each guard reads the same selectors the working pages show and refuses with a
:class:`WorkflowError` whose reason lists what is still wrong, in Vietnamese first.
"""

from __future__ import annotations

from typing import Any

from khoso.core.errors import WorkflowError
from khoso.scanning import selectors
from khoso.scanning.selectors import Verdict, page_numbers
from khoso.workflow.models import ProjectFile


def _refuse(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise WorkflowError(
            reason=" ".join(vi for vi, _ in problems),
            reason_en=" ".join(en for _, en in problems),
        )


def counts_reconciled(item: ProjectFile, actor: Any) -> None:
    """SO_HOA → KIEM_TRA_CHAT_LUONG: every page processed, counts agree with the worksheet or are explained."""
    _refuse(selectors.count_status(item).problems)


def _pages_by_verdict(item: ProjectFile) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {}
    for row in selectors.page_rows(item):
        grouped.setdefault(row.verdict, []).append(row.page.number)
    return grouped


def some_page_rejected(item: ProjectFile, actor: Any) -> None:
    """KIEM_TRA_CHAT_LUONG → SO_HOA_LAI: at least one page rejected in this round."""
    if not _pages_by_verdict(item).get(Verdict.REJECTED):
        raise WorkflowError(
            reason="chưa có trang nào bị đánh giá «không đạt» trong lượt kiểm tra này; không có gì để quét lại.",
            reason_en="no page was rejected in this round; there is nothing to rescan.",
        )


def every_page_accepted(item: ProjectFile, actor: Any) -> None:
    """KIEM_TRA_CHAT_LUONG → LIEN_KET: every page accepted (or passing, unreviewed); none to rescan."""
    grouped = _pages_by_verdict(item)
    problems: list[tuple[str, str]] = []
    if not any(grouped.values()):
        problems.append(("hồ sơ chưa có trang quét nào.", "the file has no pages."))
    if pages := grouped.get(Verdict.REJECTED):
        problems.append(
            (f"trang {page_numbers(pages)} bị đánh giá không đạt, phải quét lại.", "some pages were rejected.")
        )
    if pages := grouped.get(Verdict.AUTO_FAILED):
        problems.append(
            (
                f"trang {page_numbers(pages)} không đạt kiểm tra tự động và chưa được người kiểm tra đánh giá.",
                "some pages failed the automatic QC and have no decision.",
            )
        )
    if pages := grouped.get(Verdict.UNPROCESSED):
        problems.append((f"trang {page_numbers(pages)} chưa xử lý xong.", "some pages are not processed."))
    _refuse(problems)


def rejected_pages_rescanned(item: ProjectFile, actor: Any) -> None:
    """SO_HOA_LAI → KIEM_TRA_CHAT_LUONG: every rejected page replaced and processed again."""
    grouped = _pages_by_verdict(item)
    problems: list[tuple[str, str]] = []
    if pages := grouped.get(Verdict.REJECTED):
        problems.append(
            (f"trang {page_numbers(pages)} bị trả nhưng chưa được quét lại.", "rejected pages are not rescanned yet.")
        )
    if pages := grouped.get(Verdict.UNPROCESSED):
        problems.append(
            (f"trang {page_numbers(pages)} quét lại chưa xử lý xong.", "rescanned pages are not processed yet.")
        )
    _refuse(problems)


def links_complete(item: ProjectFile, actor: Any) -> None:
    """LIEN_KET → KIEM_TRA_LIEN_KET and KIEM_TRA_LIEN_KET → HOAN_KHO: the completeness check is clean."""
    problems = selectors.link_problems(item.file)
    if problems:
        raise WorkflowError(
            reason="liên kết chưa đầy đủ: " + " ".join(p.message for p in problems),
            reason_en="linking is incomplete: " + " ".join(p.message_en for p in problems),
        )
