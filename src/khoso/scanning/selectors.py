"""Reads of the scanning step: counts against the worksheet, each page's QC verdict, rescan tasks, links.

The guards of the state machine and the working pages read the same functions, so what the
operator sees on the page is exactly what the step will be refused for.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from khoso.archive.models import ArchiveFile, Document, Page
from khoso.scanning.models import CountReconciliation, PageReview, ScanDelivery, ScanHistory, WatchRejection
from khoso.workflow.models import ProjectFile


def page_numbers(numbers: list[int], limit: int = 20) -> str:
    """ "2, 5, 7" (or "2, 5, 7, … (25 trang)" for a long list)."""
    shown = ", ".join(str(n) for n in numbers[:limit])
    return shown if len(numbers) <= limit else f"{shown}, … ({len(numbers)} trang)"


# -- count reconciliation --------------------------------------------------------------------------


@dataclass
class CountStatus:
    pages_expected: int
    pages_delivered: int
    pages_unprocessed: list[int]
    pages_failed: list[int]
    sheets_expected: int | None
    sheets_counted: int | None
    latest: CountReconciliation | None
    explained: bool

    @property
    def pages_match(self) -> bool:
        return self.pages_delivered == self.pages_expected

    @property
    def sheets_match(self) -> bool:
        return self.sheets_counted is None or self.sheets_counted == self.sheets_expected

    @property
    def problems(self) -> list[tuple[str, str]]:
        """(Vietnamese, English) reasons the file may not leave scanning yet; empty when it may."""
        found: list[tuple[str, str]] = []
        if not self.pages_delivered:
            return [("chưa nhận được trang quét nào của hồ sơ.", "no scanned page has been received.")]
        if self.pages_unprocessed:
            found.append(
                (
                    f"còn {len(self.pages_unprocessed)} trang chưa xử lý xong (trang "
                    f"{page_numbers(self.pages_unprocessed)}); chờ xử lý xong rồi gửi kiểm tra.",
                    f"{len(self.pages_unprocessed)} page(s) are not processed yet.",
                )
            )
        if self.pages_failed:
            found.append(
                (
                    f"trang {page_numbers(self.pages_failed)} xử lý bị lỗi; cần quét lại trang đó.",
                    "some pages failed processing; rescan them.",
                )
            )
        if not self.explained:
            if not self.pages_match:
                found.append(
                    (
                        f"số trang đã nhận ({self.pages_delivered}) khác số trang theo phiếu tin "
                        f"({self.pages_expected}); cần quét bổ sung, sửa phiếu tin hoặc ghi giải trình khi đối chiếu.",
                        f"{self.pages_delivered} pages received but the worksheet says {self.pages_expected}; "
                        "scan the rest, correct the worksheet or explain the difference.",
                    )
                )
            if not self.sheets_match:
                found.append(
                    (
                        f"số tờ đếm được ({self.sheets_counted}) khác số tờ theo phiếu tin "
                        f"({self.sheets_expected if self.sheets_expected is not None else 'chưa ghi'}); "
                        "cần đếm lại hoặc ghi giải trình.",
                        f"{self.sheets_counted} sheets counted but the worksheet says {self.sheets_expected}; "
                        "recount or explain the difference.",
                    )
                )
        return found


def count_status(item: ProjectFile) -> CountStatus:
    archive_file = ArchiveFile.objects.get(pk=item.file_id)
    stages = list(archive_file.pages.order_by("number").values_list("number", "stage"))
    latest = CountReconciliation.objects.filter(item=item).select_related("recorded_by").first()
    sheets_counted = latest.sheets_counted if latest else None
    explained = bool(
        latest
        and latest.note.strip()
        and latest.pages_delivered == len(stages)
        and latest.pages_expected == archive_file.number_of_page
        and latest.sheets_expected == archive_file.number_of_paper
    )
    return CountStatus(
        pages_expected=archive_file.number_of_page,
        pages_delivered=len(stages),
        pages_unprocessed=[n for n, stage in stages if stage in (Page.Stage.RECEIVED, Page.Stage.PROCESSING)],
        pages_failed=[n for n, stage in stages if stage == Page.Stage.FAILED],
        sheets_expected=archive_file.number_of_paper,
        sheets_counted=sheets_counted,
        latest=latest,
        explained=explained,
    )


def deliveries_of(item: ProjectFile) -> list[ScanDelivery]:
    return list(
        ScanDelivery.objects.filter(item=item).select_related("delivery", "operator").order_by("-at", "-id")[:50]
    )


def watch_rejections(user: Any, limit: int = 20) -> list[WatchRejection]:
    return list(WatchRejection.objects.filter(operator=user)[:limit])


# -- QC verdicts -----------------------------------------------------------------------------------


class Verdict:
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    AUTO_PASSED = "auto_passed"
    AUTO_FAILED = "auto_failed"
    UNPROCESSED = "unprocessed"


VERDICT_LABELS = {
    Verdict.ACCEPTED: "Đạt (người kiểm tra)",
    Verdict.REJECTED: "Không đạt, chờ quét lại",
    Verdict.AUTO_PASSED: "Đạt kiểm tra tự động, chưa đánh giá",
    Verdict.AUTO_FAILED: "Không đạt kiểm tra tự động, chưa đánh giá",
    Verdict.UNPROCESSED: "Chưa xử lý xong",
}


@dataclass
class PageRow:
    page: Page
    version: int
    review: PageReview | None
    verdict: str
    history: list[ScanHistory] = field(default_factory=list)

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    @property
    def problems(self) -> list[dict[str, Any]]:
        return list((self.page.qc or {}).get("problems") or [])


def _verdict(page: Page, review: PageReview | None) -> str:
    if page.stage != Page.Stage.DONE:
        return Verdict.UNPROCESSED
    if review is not None:
        return Verdict.ACCEPTED if review.decision == PageReview.Decision.ACCEPT else Verdict.REJECTED
    if page.qc_passed and not page.needs_rescan:
        return Verdict.AUTO_PASSED
    return Verdict.AUTO_FAILED


def page_rows(item: ProjectFile) -> list[PageRow]:
    """Every page of the file with its scan version, the review of that scan and the verdict."""
    pages = list(Page.objects.filter(file_id=item.file_id).order_by("number"))
    histories: dict[int, list[ScanHistory]] = defaultdict(list)
    for entry in ScanHistory.objects.filter(page__file_id=item.file_id).select_related("rejected_by", "replaced_by"):
        histories[entry.page_id].append(entry)
    latest: dict[tuple[int, int], PageReview] = {}
    reviews = PageReview.objects.filter(page__file_id=item.file_id).select_related("inspector").order_by("id")
    for review in reviews:
        latest[(review.page_id, review.scan_version)] = review
    rows = []
    for page in pages:
        version = len(histories[page.pk])
        page_review = latest.get((page.pk, version))
        rows.append(PageRow(page, version, page_review, _verdict(page, page_review), histories[page.pk]))
    return rows


def rescan_tasks(item: ProjectFile) -> list[PageRow]:
    """Pages rejected by the inspector whose rejected scan has not been replaced yet."""
    return [row for row in page_rows(item) if row.verdict == Verdict.REJECTED]


def qc_summary(rows: list[PageRow]) -> dict[str, int]:
    counts = dict.fromkeys(VERDICT_LABELS, 0)
    for row in rows:
        counts[row.verdict] += 1
    return counts


def scan_version(page: Page) -> int:
    return ScanHistory.objects.filter(page=page).count()


# -- linking ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkProblem:
    code: str
    message: str
    message_en: str


@dataclass
class LinkRow:
    document: Document
    pages: list[int]

    @property
    def last_page(self) -> int | None:
        if self.document.first_page is None:
            return None
        return self.document.first_page + self.document.number_of_page - 1


def link_rows(archive_file: ArchiveFile) -> list[LinkRow]:
    linked: dict[int, list[int]] = defaultdict(list)
    for number, document_id in archive_file.pages.exclude(document=None).values_list("number", "document_id"):
        linked[document_id].append(number)
    return [LinkRow(document, sorted(linked[document.pk])) for document in archive_file.documents.order_by("ordinal")]


def link_problems(archive_file: ArchiveFile) -> list[LinkProblem]:
    """The completeness checks of linking (standards.md §4, step 4), each named in Vietnamese."""
    archive_file = ArchiveFile.objects.get(pk=archive_file.pk)
    problems: list[LinkProblem] = []
    total_pages = archive_file.pages.count()
    rows = link_rows(archive_file)
    if not total_pages:
        problems.append(LinkProblem("chua_co_trang", "Hồ sơ chưa có trang quét nào.", "The file has no pages."))
    orphans = list(archive_file.pages.filter(document=None).order_by("number").values_list("number", flat=True))
    if orphans:
        problems.append(
            LinkProblem(
                "trang_mo_coi",
                f"Trang {page_numbers(orphans)} chưa thuộc tài liệu nào (trang mồ côi).",
                f"Page(s) {page_numbers(orphans)} belong to no document (orphan pages).",
            )
        )
    for row in rows:
        if not row.pages:
            problems.append(
                LinkProblem(
                    "tai_lieu_khong_co_trang",
                    f"Tài liệu {row.document.doc_code} chưa được gắn trang nào.",
                    f"Document {row.document.doc_code} has no pages.",
                )
            )
    if len(rows) != archive_file.total_doc:
        problems.append(
            LinkProblem(
                "sai_tong_so_tai_lieu",
                f"Hồ sơ có {len(rows)} tài liệu nhưng phiếu tin ghi tổng số tài liệu là {archive_file.total_doc}.",
                f"The file has {len(rows)} documents but its totalDoc is {archive_file.total_doc}.",
            )
        )
    prefix = f"{archive_file.file_code}."
    for row in rows:
        if not row.document.doc_code.startswith(prefix):
            problems.append(
                LinkProblem(
                    "ma_tai_lieu_sai_ma_ho_so",
                    f"Mã tài liệu {row.document.doc_code} không bắt đầu bằng mã hồ sơ {archive_file.file_code}.",
                    f"Document code {row.document.doc_code} does not start with file code {archive_file.file_code}.",
                )
            )
    ranged = sorted((row for row in rows if row.last_page is not None), key=lambda r: r.document.first_page or 0)
    for row in ranged:
        if total_pages and row.last_page is not None and row.last_page > total_pages:
            problems.append(
                LinkProblem(
                    "vuot_so_trang",
                    f"Tài liệu {row.document.doc_code} ghi trang {row.document.first_page}–{row.last_page} "
                    f"nhưng hồ sơ chỉ có {total_pages} trang.",
                    f"Document {row.document.doc_code} spans pages beyond the file's {total_pages}.",
                )
            )
    for before, after in zip(ranged, ranged[1:], strict=False):
        if before.last_page is not None and (after.document.first_page or 0) <= before.last_page:
            problems.append(
                LinkProblem(
                    "trung_khoang_trang",
                    f"Tài liệu {before.document.doc_code} (trang {before.document.first_page}–{before.last_page}) "
                    f"và {after.document.doc_code} (trang {after.document.first_page}–{after.last_page}) trùng trang.",
                    f"Documents {before.document.doc_code} and {after.document.doc_code} overlap.",
                )
            )
    return problems
