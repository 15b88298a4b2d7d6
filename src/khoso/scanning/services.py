"""Writes of the scanning step: match and accept deliveries, reconcile counts, judge pages, rescan, link.

Ingest itself belongs to ``khoso.capture`` (preflight, object store, the page pipeline, the PDF/A);
this module decides *whether* and *for which file in which project* scans are accepted, and keeps
the history the workflow needs. A rescan never deletes anything: the replaced original, rendition
and automatic QC result stay referenced by a :class:`ScanHistory` row, and the page's new scan
goes through the same pipeline, after which capture rebuilds the file's PDF/A.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Value

from khoso.archive.models import ArchiveFile, Document, Page
from khoso.capture import services as capture
from khoso.capture.models import Delivery
from khoso.capture.preflight import iter_page_images, preflight
from khoso.capture.watch import READY_MARKER, folder_settled
from khoso.core.errors import ArchiveError, WorkflowError
from khoso.core.text import nfc
from khoso.scanning import selectors
from khoso.scanning.models import (
    CountReconciliation,
    MatchedBy,
    PageReview,
    RejectReason,
    ScanDelivery,
    ScanHistory,
    WatchRejection,
)
from khoso.search.services import index_changed
from khoso.storage.services import object_put_bytes, object_put_file
from khoso.workflow.models import Project, ProjectFile
from khoso.workflow.selectors import has_role, last_entry_actor_id
from khoso.workflow.services import require_role
from khoso.workflow.states import Role, State

logger = logging.getLogger(__name__)

#: Sub-folders of an operator's watched folder that hold processed and refused deliveries.
DONE_DIR = "da-nhan"
ERROR_DIR = "loi"
ERROR_NOTE = "LOI.txt"
IGNORED_NAMES = {READY_MARKER, ERROR_NOTE, "Thumbs.db", "desktop.ini"}


# -- checks shared by the services -----------------------------------------------------------------


def _require_state(item: ProjectFile, *states: State) -> None:
    if item.state not in states:
        wanted = ", ".join(f"«{state.label}»" for state in states)
        raise WorkflowError(
            reason=f"hồ sơ {item.file.file_code} đang ở bước «{State(item.state).label}»; "
            f"thao tác này chỉ làm ở bước {wanted}.",
            reason_en=f"file {item.file.file_code} is at step {item.state}; this is done at {wanted}.",
        )


def _require_free(item: ProjectFile, actor: Any) -> None:
    if item.assignee_id is not None and item.assignee_id != actor.pk and not actor.is_superuser:
        raise WorkflowError(
            reason=f"hồ sơ {item.file.file_code} đang được giao cho người khác.",
            reason_en=f"file {item.file.file_code} is assigned to someone else.",
        )


def _locked(item: ProjectFile) -> ProjectFile:
    return ProjectFile.objects.select_for_update().select_related("file", "project").get(pk=item.pk)


# -- delivery matching -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryMatch:
    """The file a delivery belongs to, how that was decided, and its pages (cover sheet removed)."""

    file_code: str
    matched_by: MatchedBy
    arrivals: list[capture.Arrival]
    cover_sheet: capture.Arrival | None = None


def file_code_in_name(name: str) -> str | None:
    """The file code of an archived file that the folder name contains, bounded by non-code characters.

    ``lan2_H15.1995.01.TH`` names ``H15.1995.01.TH``; ``H15.1995.012`` does not name ``H15.1995.01``.
    When one contained code is part of a longer one, the longer wins; two unrelated codes are an error.
    """
    name = nfc(name).strip()
    if not name:
        return None
    candidates = (
        ArchiveFile.objects.annotate(folder=Value(name))
        .filter(folder__icontains=F("file_code"))
        .values_list("file_code", flat=True)
    )
    found = []
    for code in candidates:
        pattern = rf"(?<![A-Za-z0-9.]){re.escape(code)}(?![A-Za-z0-9]|\.[A-Za-z0-9])"
        if re.search(pattern, name, flags=re.IGNORECASE):
            found.append(code)
    widest = [code for code in found if not any(code != other and code in other for other in found)]
    if len(widest) > 1:
        raise WorkflowError(
            reason=f"tên thư mục «{name}» chứa nhiều mã hồ sơ ({', '.join(sorted(widest))}); "
            "mỗi thư mục chỉ chứa bản quét của một hồ sơ.",
            reason_en=f"folder name «{name}» names several files; one folder holds one file.",
        )
    return widest[0] if widest else None


def delivery_match(
    *, folder: Path | None = None, arrivals: Sequence[capture.Arrival] | None = None, name: str = ""
) -> DeliveryMatch:
    """Decide which file a delivery is for: a QR cover sheet as its first image, else the folder name.

    Give a ``folder`` (its files are the delivery and its name is looked at) or ``arrivals`` with an
    optional ``name``. The cover sheet, when present, is dropped from the pages. A cover sheet and a
    folder name naming two different files are refused rather than guessed between.
    """
    from khoso.scanning.coversheet import decode_cover_sheet

    if folder is not None:
        arrivals = capture.arrivals_from_folder(folder)
        name = name or folder.name
    pages = [arrival for arrival in arrivals or [] if arrival.name not in IGNORED_NAMES]
    if not pages:
        raise WorkflowError(reason=f"thư mục «{name}» không có tệp ảnh nào.", reason_en="the delivery is empty.")
    cover_code = decode_cover_sheet(pages[0].path)
    name_code = file_code_in_name(name) if name else None
    if cover_code is not None:
        if name_code is not None and name_code != cover_code:
            raise WorkflowError(
                reason=f"phiếu bìa ghi mã hồ sơ {cover_code} nhưng tên thư mục ghi {name_code}; "
                "kiểm tra lại rồi nộp lại.",
                reason_en=f"the cover sheet says {cover_code} but the folder name says {name_code}.",
            )
        if not ArchiveFile.objects.filter(file_code=cover_code).exists():
            raise WorkflowError(
                reason=f"phiếu bìa ghi mã hồ sơ {cover_code}, không có hồ sơ này trong kho.",
                reason_en=f"the cover sheet names file {cover_code}, which does not exist.",
            )
        if len(pages) == 1:
            raise WorkflowError(
                reason=f"thư mục «{name}» chỉ có phiếu bìa của hồ sơ {cover_code}, chưa có trang quét nào.",
                reason_en="the delivery holds only the cover sheet.",
            )
        return DeliveryMatch(cover_code, MatchedBy.COVER_SHEET, pages[1:], pages[0])
    if name_code is not None:
        return DeliveryMatch(name_code, MatchedBy.FOLDER_NAME, pages)
    raise WorkflowError(
        reason=f"không nhận diện được hồ sơ của thư mục «{name}»: tên thư mục không chứa mã hồ sơ nào có trong "
        "kho và ảnh đầu tiên không phải phiếu bìa có mã QR.",
        reason_en=f"cannot tell the file of «{name}»: no known file code in its name and no QR cover sheet.",
    )


def scanning_item(*, operator: Any, file_code: str) -> ProjectFile:
    """The file's place in an approved project where ``operator`` is to scan it now."""
    item = (
        ProjectFile.objects.filter(file__file_code=file_code, project__status=Project.Status.APPROVED)
        .exclude(state=State.BAN_GIAO)
        .select_related("file", "project")
        .order_by("-id")
        .first()
    )
    if item is None or not has_role(operator, item.project, Role.SCANNER):
        raise WorkflowError(
            reason=f"{operator.get_username()} không có việc số hóa hồ sơ {file_code} trong đề án nào đã phê duyệt.",
            reason_en=f"{operator.get_username()} has no scanning task for file {file_code} in an approved project.",
        )
    _require_state(item, State.SO_HOA)
    _require_free(item, operator)
    return item


@transaction.atomic
def scan_deliver(
    *,
    item: ProjectFile,
    operator: Any,
    arrivals: Sequence[capture.Arrival],
    matched_by: MatchedBy,
    source: str,
    folder: str = "",
    cover_sheet_name: str = "",
) -> ScanDelivery:
    """Hand the pages to capture (preflight, store, queue the pipeline) and record the delivery."""
    item = _locked(item)
    require_role(item.project, operator, Role.SCANNER)
    _require_state(item, State.SO_HOA)
    _require_free(item, operator)
    delivery = capture.deliver(archive_file=item.file, arrivals=arrivals, source=source, user=operator)
    return ScanDelivery.objects.create(
        item=item,
        delivery=delivery,
        matched_by=matched_by,
        folder=nfc(folder)[:500],
        cover_sheet_name=cover_sheet_name[:255],
        operator=operator,
    )


def delivery_upload(*, item: ProjectFile, operator: Any, arrivals: Sequence[capture.Arrival]) -> ScanDelivery:
    """The upload page: a cover sheet uploaded first is checked against the file and dropped."""
    from khoso.scanning.coversheet import decode_cover_sheet

    arrivals = list(arrivals)
    if not arrivals:
        raise WorkflowError(reason="chưa chọn tệp nào để nộp.", reason_en="no file chosen.")
    cover_code = decode_cover_sheet(arrivals[0].path)
    cover_name = ""
    if cover_code is not None:
        if cover_code != item.file.file_code:
            raise WorkflowError(
                reason=f"phiếu bìa tải lên là của hồ sơ {cover_code}, không phải hồ sơ {item.file.file_code}.",
                reason_en=f"the cover sheet is for file {cover_code}, not {item.file.file_code}.",
            )
        cover_name, arrivals = arrivals[0].name, arrivals[1:]
        if not arrivals:
            raise WorkflowError(reason="chỉ có phiếu bìa, chưa có trang quét nào.", reason_en="only a cover sheet.")
    return scan_deliver(
        item=item,
        operator=operator,
        arrivals=arrivals,
        matched_by=MatchedBy.UPLOAD,
        source=Delivery.Source.UPLOAD,
        cover_sheet_name=cover_name,
    )


# -- per-operator watched folders ------------------------------------------------------------------


@dataclass
class FolderScanReport:
    delivered: list[ScanDelivery] = field(default_factory=list)
    rejected: list[WatchRejection] = field(default_factory=list)


def _move(folder: Path, area: Path) -> Path:
    area.mkdir(parents=True, exist_ok=True)
    target = area / f"{time.strftime('%Y%m%d-%H%M%S')}-{folder.name}"
    suffix = 1
    while target.exists():
        suffix += 1
        target = area / f"{time.strftime('%Y%m%d-%H%M%S')}-{suffix}-{folder.name}"
    shutil.move(str(folder), target)
    return target


def operator_folder(user: Any) -> Path:
    """Where a scan station of this operator drops its folders: ``<KHOSO_WATCH_DIR>/<username>/``."""
    return Path(settings.KHOSO_WATCH_DIR) / user.get_username()


def _deliver_folder(folder: Path, operator: Any) -> ScanDelivery:
    match = delivery_match(folder=folder, name=nfc(folder.name))
    item = scanning_item(operator=operator, file_code=match.file_code)
    return scan_deliver(
        item=item,
        operator=operator,
        arrivals=match.arrivals,
        matched_by=match.matched_by,
        source=Delivery.Source.WATCH,
        folder=f"{operator.get_username()}/{nfc(folder.name)}",
        cover_sheet_name=match.cover_sheet.name if match.cover_sheet else "",
    )


def operator_folders_scan(*, root: Path | None = None, now: float | None = None) -> FolderScanReport:
    """Deliver every settled folder under each operator's watched folder.

    A delivered folder moves to ``<username>/da-nhan/``; a refused one to ``<username>/loi/`` with
    ``LOI.txt`` naming the rule broken, and the refusal is recorded for the operator's page. Top-level
    folders that are not the name of an active user are left alone.
    """
    root = Path(root or settings.KHOSO_WATCH_DIR)
    root.mkdir(parents=True, exist_ok=True)
    now = now or time.time()
    users = get_user_model().objects.filter(is_active=True)
    report = FolderScanReport()
    for user_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        operator = users.filter(username=nfc(user_dir.name)).first()
        if operator is None:
            continue
        for folder in sorted(p for p in user_dir.iterdir() if p.is_dir()):
            if folder.name.startswith(".") or folder.name in (DONE_DIR, ERROR_DIR) or not folder_settled(folder, now):
                continue
            try:
                report.delivered.append(_deliver_folder(folder, operator))
            except ArchiveError as error:
                moved = _move(folder, user_dir / ERROR_DIR)
                (moved / ERROR_NOTE).write_text(f"{error.message}\n{error.message_english}\n", encoding="utf-8")
                report.rejected.append(
                    WatchRejection.objects.create(
                        operator=operator,
                        folder=nfc(folder.name)[:500],
                        moved_to=str(moved)[:1000],
                        message=error.message,
                        message_en=error.message_english,
                    )
                )
                logger.warning("watched folder %s/%s refused: %s", user_dir.name, folder.name, error.message)
                continue
            _move(folder, user_dir / DONE_DIR)
    return report


# -- count reconciliation --------------------------------------------------------------------------


@transaction.atomic
def count_reconcile(
    *, item: ProjectFile, actor: Any, sheets_counted: int | None = None, note: str = ""
) -> CountReconciliation:
    """Record the operator's count; a note explains a difference for exactly these figures."""
    item = _locked(item)
    require_role(item.project, actor, Role.SCANNER)
    _require_state(item, State.SO_HOA)
    _require_free(item, actor)
    archive_file = ArchiveFile.objects.get(pk=item.file_id)
    if sheets_counted is not None and sheets_counted < 0:
        raise WorkflowError(reason="số tờ đếm được không được âm.", reason_en="sheets counted may not be negative.")
    return CountReconciliation.objects.create(
        item=item,
        pages_expected=archive_file.number_of_page,
        pages_delivered=archive_file.pages.count(),
        sheets_expected=archive_file.number_of_paper,
        sheets_counted=sheets_counted,
        note=nfc(note).strip(),
        recorded_by=actor,
    )


# -- QC inspection ---------------------------------------------------------------------------------


def _page(item: ProjectFile, number: int) -> Page:
    page = Page.objects.filter(file_id=item.file_id, number=number).first()
    if page is None:
        raise WorkflowError(
            reason=f"hồ sơ {item.file.file_code} không có trang {number}.",
            reason_en=f"file {item.file.file_code} has no page {number}.",
        )
    return page


def _require_second_person(item: ProjectFile, inspector: Any) -> None:
    if last_entry_actor_id(item) == inspector.pk:
        raise WorkflowError(
            reason="người kiểm tra chất lượng phải là người thứ hai, không phải người đã gửi bản quét.",
            reason_en="QC must be done by a second person, not the one who submitted the scans.",
        )


def _review(item: ProjectFile, page: Page, inspector: Any, decision: str, reason: str, note: str) -> PageReview:
    if page.stage != Page.Stage.DONE:
        raise WorkflowError(
            reason=f"trang {page.number} chưa xử lý xong, chưa đánh giá được.",
            reason_en=f"page {page.number} is not processed yet.",
        )
    version = selectors.scan_version(page)
    review = PageReview.objects.create(
        page=page,
        item=item,
        round=item.round,
        scan_version=version,
        inspector=inspector,
        decision=decision,
        reason=reason if decision == PageReview.Decision.REJECT else "",
        note=nfc(note).strip(),
    )
    # The inspector's decision overrides the automatic flag (a truly blank page is accepted).
    Page.objects.filter(pk=page.pk).update(needs_rescan=decision == PageReview.Decision.REJECT)
    return review


@transaction.atomic
def page_review(
    *, item: ProjectFile, number: int, inspector: Any, decision: str, reason: str = "", note: str = ""
) -> PageReview:
    """Accept a page, or reject it with a reason from the vocabulary (``khác`` needs a note)."""
    item = _locked(item)
    require_role(item.project, inspector, Role.QC_INSPECTOR)
    _require_state(item, State.KIEM_TRA_CHAT_LUONG)
    _require_free(item, inspector)
    _require_second_person(item, inspector)
    if decision not in PageReview.Decision.values:
        raise WorkflowError(reason="kết luận phải là «Đạt» hoặc «Không đạt».", reason_en="unknown decision.")
    if decision == PageReview.Decision.REJECT:
        if reason not in RejectReason.values:
            raise WorkflowError(
                reason="trang không đạt phải có lý do (mờ, nghiêng, thiếu trang, sai thứ tự, …).",
                reason_en="a rejected page needs a reason.",
            )
        if reason == RejectReason.OTHER and not nfc(note).strip():
            raise WorkflowError(reason="lý do «Khác» cần ghi chú cụ thể.", reason_en="reason «other» needs a note.")
    return _review(item, _page(item, number), inspector, decision, reason, note)


@transaction.atomic
def pages_accept_passing(*, item: ProjectFile, inspector: Any) -> int:
    """Accept at once every page that passed the automatic QC and has no decision on its current scan."""
    item = _locked(item)
    require_role(item.project, inspector, Role.QC_INSPECTOR)
    _require_state(item, State.KIEM_TRA_CHAT_LUONG)
    _require_free(item, inspector)
    _require_second_person(item, inspector)
    accepted = 0
    for row in selectors.page_rows(item):
        if row.verdict == selectors.Verdict.AUTO_PASSED:
            _review(item, row.page, inspector, PageReview.Decision.ACCEPT, "", "")
            accepted += 1
    return accepted


# -- rescans ---------------------------------------------------------------------------------------


def _rescan_reason(page: Page, review: PageReview | None) -> str:
    if review is not None and review.decision == PageReview.Decision.REJECT:
        text = review.get_reason_display()
        return f"{text}: {review.note}" if review.note else text
    problems = (page.qc or {}).get("problems") or []
    return "; ".join(p.get("message_vi", "") for p in problems if p.get("severity") == "error")[:500]


def page_rescan(
    *, item: ProjectFile, number: int, operator: Any, path: Path, name: str, reason: str = ""
) -> ScanHistory:
    """Replace page ``number`` by a new scan; the old one stays in the history, the pipeline reruns.

    The new image is preflighted like any delivery and must hold exactly one page. The page keeps
    its number and document link; its stage goes back to *received*, so the page is QC'd, OCR'd and
    rendered again, after which capture reassembles the file's PDF/A from the new rendition.

    Besides scanning (SO_HOA) and the QC rescan step (SO_HOA_LAI, rejected pages only), a page is
    rescanned in SUA_LOI, when product inspection found it blurred or missing and ordered a correction;
    ``reason`` then says why (a QC rejection gives its own reason).
    """
    name = nfc(name)
    checked = preflight(Path(path), name=name, limits=capture.limits())
    if len(checked.pages) != 1:
        raise WorkflowError(
            reason=f"tệp quét lại {name} phải có đúng một trang (tệp có {len(checked.pages)} trang).",
            reason_en=f"the rescan {name} must hold exactly one page ({len(checked.pages)} found).",
        )
    page_image = next(iter_page_images(Path(path), checked))
    try:
        with transaction.atomic():
            history = _replace(item, number, operator, Path(path), name, checked, page_image, nfc(reason).strip())
    finally:
        page_image.image.close()
    return history


def _replace(item, number, operator, path, name, checked, page_image, reason) -> ScanHistory:  # type: ignore[no-untyped-def]
    item = _locked(item)
    require_role(item.project, operator, Role.SCANNER)
    _require_state(item, State.SO_HOA_LAI, State.SO_HOA, State.SUA_LOI)
    _require_free(item, operator)
    page = Page.objects.select_for_update().get(pk=_page(item, number).pk)
    if page.stage in (Page.Stage.RECEIVED, Page.Stage.PROCESSING):
        raise WorkflowError(
            reason=f"trang {number} đang được xử lý; chờ xử lý xong rồi mới quét lại.",
            reason_en=f"page {number} is still being processed.",
        )
    row = next(r for r in selectors.page_rows(item) if r.page.pk == page.pk)
    if item.state == State.SO_HOA_LAI and row.verdict != selectors.Verdict.REJECTED:
        raise WorkflowError(
            reason=f"trang {number} không bị đánh giá «không đạt»; ở bước quét lại chỉ thay các trang bị trả.",
            reason_en=f"page {number} was not rejected; only rejected pages are rescanned.",
        )
    if checked.kind in capture.SINGLE_PAGE_KINDS:
        original = object_put_file(path=path, mime=checked.mime)
    else:
        original = object_put_bytes(data=page_image.original, mime=page_image.mime)
    delivery = Delivery.objects.create(
        file_id=item.file_id, source=Delivery.Source.UPLOAD, names=[name], page_count=1, created_by=operator
    )
    review = row.review
    history = ScanHistory.objects.create(
        page=page,
        item=item,
        version=row.version + 1,
        old_original_id=page.original_id,
        old_original_name=page.original_name,
        old_rendition_id=page.rendition_id,
        old_thumbnail_id=page.thumbnail_id,
        old_delivery_id=page.delivery_id,
        old_qc=page.qc,
        old_qc_passed=page.qc_passed,
        reason=_rescan_reason(page, review) or reason[:500],
        rejected_by=review.inspector if review is not None and review.decision == PageReview.Decision.REJECT else None,
        replaced_by=operator,
        new_original=original,
    )
    Page.objects.filter(pk=page.pk).update(
        original=original,
        original_name=name[:255],
        delivery=delivery,
        source_index=0,
        width=page_image.image.width,
        height=page_image.image.height,
        dpi=float(page_image.dpi[0]),
        qc={"dpi_assumed": page_image.dpi_assumed, "delivered_sha256": original.sha256},
        qc_passed=None,
        needs_rescan=False,
        rendition=None,
        thumbnail=None,
        ocr_text="",
        words=[],
        stage=Page.Stage.RECEIVED,
        error="",
        attempts=0,
        lease_until=None,
        lease_token="",
        processed_at=None,
    )
    ScanDelivery.objects.create(item=item, delivery=delivery, matched_by=MatchedBy.UPLOAD, operator=operator)
    page_id = page.pk
    transaction.on_commit(lambda: _enqueue_page(page_id))
    return history


def _enqueue_page(page_id: int) -> None:
    from khoso.capture import tasks

    tasks.process_page.delay(page_id)


# -- linking ---------------------------------------------------------------------------------------


def _linking_checks(item: ProjectFile, actor: Any) -> None:
    require_role(item.project, actor, Role.DATA_ENTRY)
    _require_state(item, State.LIEN_KET)
    _require_free(item, actor)


def _link(item: ProjectFile, document: Document, first_page: int, number_of_page: int) -> Document:
    total = Page.objects.filter(file_id=item.file_id).count()
    if first_page < 1 or number_of_page < 1:
        raise WorkflowError(
            reason=f"tài liệu {document.doc_code}: trang đầu và số trang phải từ 1 trở lên.",
            reason_en="first page and number of pages must be at least 1.",
        )
    last = first_page + number_of_page - 1
    if last > total:
        raise WorkflowError(
            reason=f"tài liệu {document.doc_code}: trang cuối {last} vượt quá số trang của hồ sơ ({total}).",
            reason_en=f"document {document.doc_code}: last page {last} is beyond the file's {total} pages.",
        )
    others = Document.objects.filter(file_id=item.file_id, first_page__isnull=False).exclude(pk=document.pk)
    for other in others.order_by("first_page"):
        if other.first_page is None:
            continue  # excluded by the query; tells the type checker
        other_last = other.first_page + other.number_of_page - 1
        if first_page <= other_last and other.first_page <= last:
            raise WorkflowError(
                reason=f"tài liệu {document.doc_code} (trang {first_page}–{last}) trùng trang với tài liệu "
                f"{other.doc_code} (trang {other.first_page}–{other_last}); sửa khoảng trang của tài liệu kia trước.",
                reason_en=f"pages {first_page}-{last} overlap document {other.doc_code}.",
            )
    pages = Page.objects.filter(file_id=item.file_id)
    leaving = pages.filter(document=document).exclude(number__range=(first_page, last))
    joining = pages.filter(number__range=(first_page, last)).exclude(document=document)
    # A page is searchable under its document's access mode: the index must learn of every move.
    changed = list(leaving.values_list("pk", flat=True)) + list(joining.values_list("pk", flat=True))
    leaving.update(document=None)
    joining.update(document=document)
    index_changed(page_ids=changed)
    Document.objects.filter(pk=document.pk).update(first_page=first_page, number_of_page=number_of_page)
    document.refresh_from_db()
    return document


@transaction.atomic
def document_link(*, item: ProjectFile, actor: Any, document_id: int, first_page: int, number_of_page: int) -> Document:
    """Give a document its page range: its pages point to it, its first page and page count are set."""
    item = _locked(item)
    _linking_checks(item, actor)
    document = Document.objects.filter(pk=document_id, file_id=item.file_id).first()
    if document is None:
        raise WorkflowError(
            reason=f"tài liệu không thuộc hồ sơ {item.file.file_code}.",
            reason_en=f"the document is not in file {item.file.file_code}.",
        )
    return _link(item, document, first_page, number_of_page)


@transaction.atomic
def links_from_metadata(*, item: ProjectFile, actor: Any) -> int:
    """Lay the documents end to end in their order, using the page counts of their worksheets.

    A quick start for the common case; documents that would run past the last page are left
    unlinked and reported by the completeness check.
    """
    item = _locked(item)
    _linking_checks(item, actor)
    total = Page.objects.filter(file_id=item.file_id).count()
    documents = list(Document.objects.filter(file_id=item.file_id).order_by("ordinal"))
    previously_linked = Page.objects.filter(file_id=item.file_id).exclude(document=None)
    index_changed(page_ids=list(previously_linked.values_list("pk", flat=True)))
    previously_linked.update(document=None)
    Document.objects.filter(file_id=item.file_id).update(first_page=None)
    start, linked = 1, 0
    for document in documents:
        if document.number_of_page < 1 or start + document.number_of_page - 1 > total:
            break
        _link(item, document, start, document.number_of_page)
        start += document.number_of_page
        linked += 1
    return linked
