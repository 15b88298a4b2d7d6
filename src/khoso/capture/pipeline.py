"""The ingest pipeline of one page, as a short list of named stages (OCRmyPDF style).

    qc → ocr → thumbnail → render → (store, index)

``process_page`` runs them in order for one page. A page is claimed with a database lease
before work starts, so the broker is never the source of truth: a worker killed mid-OCR leaves
a lease that expires, the reconciler queues the page again, and only the holder of the current
lease may record a result: exactly one finished result per page (engineering.md C2). The stages
only compute; the results are written to the object store (temp file, fsync, rename) and then
committed in one transaction, so a failure at any stage leaves nothing half-made.

Every page is its own task (``capture.tasks.process_page``), so the pages of one file spread over
every worker process on every machine; the lease makes sure each page is done once.

Work is not done twice (``bench/ingest.py`` measures it): a colour JPEG's luma is decoded once, at
full size, without the chroma (libjpeg's grayscale output); QC measures a reduced copy of that
grayscale page, OCR deskews and thresholds the same array once (the whitened page for tesseract,
which stays loaded in the worker process, and the bilevel page), the rendition gets that luma for
its segmentation and the OCR's bilevel image as its text mask, the text layer is written from the
OCR's word boxes, and the thumbnail is decoded from the JPEG's DCT at ¼ scale; that small decode is
also the rendition's preview, on which a page of neutral ink on white paper is seen to need no colour
layers, so its colour is never decoded at full size (≈ 0.25 CPU-s/page less).

A page stuck inside tesseract: recognition stops at tesseract's own deadline (``OcrTimeoutError``,
recorded as a failed attempt); the layout analysis before it cannot be interrupted in process, so
there the worker's child process is ended: ``capture.tasks.process_page`` has a Celery hard time
limit a little shorter than the lease (``KHOSO_STAGE_LEASE_SECONDS``), so the child is killed before
its lease expires and no second worker starts the page while the first still runs it. Such an
attempt records nothing; the expired lease hands the page to the reconciler again. Every claim
counts an attempt, so a page that kills or hangs its worker every time (a poison page) is not
retried forever: ``claim`` finds it still ``PROCESSING`` with an expired lease after
``MAX_ATTEMPTS`` attempts and marks it failed, in one conditional update, as a failure recorded by
the stage itself would be.

Fault injection (engineering.md A8 §6): ``FAULT_HOOKS[stage]`` is called before a stage runs,
and the ``KHOSO_FAULT_INJECT`` setting (``"ocr=hang"``, ``"render=crash"``) does the same across
processes, so tests can crash or hang a stage of a real worker; ``"ocr=hang:treo.jpg"`` does it only
to the pages delivered under that file name, so the same worker's other pages show it keeps serving.
"""

from __future__ import annotations

import io
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

import cv2
import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from PIL import Image

from khoso.archive.models import ArchiveFile, Page
from khoso.core.allocator import keep_freed_page_buffers
from khoso.core.errors import ArchiveError
from khoso.imaging.mrc import preview_cells
from khoso.imaging.qc import QcResult, QcRules, check_page
from khoso.ocr.engine import OcrResult, ocr_page, prepare_page
from khoso.ocr.pdfa import render_page
from khoso.storage.services import object_put_bytes, object_store

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_DELAY = timedelta(seconds=30)
THUMBNAIL_PX = 320
MAP_TYPES = {"30", "31"}  # typeName: Bản đồ, Bản vẽ kỹ thuật → 300 dpi rule

FAULT_HOOKS: dict[str, Callable[[Page], None]] = {}

# Pages run one process per core (Celery's concurrency, ``run_inline``'s pool), so OpenCV's own
# thread pool only makes each page's threads compete with the other page processes: with two
# processes on two cores, QC, preparation and the rendition took 0.035 CPU-s/page more with OpenCV's
# default of one thread per core (22/11/2026). Tesseract is held to one thread the same way
# (``OMP_THREAD_LIMIT``, :mod:`khoso.ocr._exec.tesseract`).
cv2.setNumThreads(1)

keep_freed_page_buffers()


class InjectedFault(ArchiveError):
    code = "loi_gia_lap"
    message_vi = "Lỗi giả lập ở bước {stage} (chỉ dùng khi kiểm thử)."
    message_en = "Injected fault at stage {stage} (tests only)."


class PageStoppedWorkerError(ArchiveError):
    """A page that used every attempt, the last one ending without a result: its worker was killed or
    hung past the lease (a poison page, typically one that stops its worker every time)."""

    code = "trang_lam_dung_bo_xu_ly"
    message_vi = (
        "Trang đã được xử lý {attempts} lần mà không xong, lần cuối bộ xử lý bị dừng hoặc treo quá thời hạn "
        "giữ việc {lease} giây (KHOSO_STAGE_LEASE_SECONDS); không xử lý lại nữa, cần kiểm tra ảnh quét."
    )
    message_en = (
        "The page was tried {attempts} times without finishing, the last time its worker stopped or hung past "
        "the {lease}-second lease (KHOSO_STAGE_LEASE_SECONDS); it is not retried again, check the scan."
    )


def _fault(stage: str, page: Page) -> None:
    if hook := FAULT_HOOKS.get(stage):
        hook(page)
    spec = dict(item.split("=", 1) for item in settings.KHOSO_FAULT_INJECT.split(",") if "=" in item)
    action, _, only_name = spec.get(stage, "").partition(":")
    if only_name and page.original_name != only_name:
        return
    if action == "hang":
        time.sleep(3600)
    elif action == "crash":
        raise InjectedFault(stage=stage)


@dataclass
class PageWork:
    """What the stages of one page produce before anything is committed.

    ``image`` is the page decoded once as grayscale (mode ``"L"``, full size); ``source_mode`` is
    the mode of the scan as stored (``"RGB"`` for a colour JPEG), which QC checks.
    """

    image: Image.Image
    dpi: tuple[float, float]
    source_mode: str = ""
    qc: QcResult | None = None
    #: The page's ink, bilevel (mode ``"1"``) in the scan's frame: the rendition's text mask.
    mask: Image.Image | None = None
    ocr: OcrResult | None = None
    #: The scan's 8×8-cell means (:func:`khoso.imaging.mrc.preview_cells`), from the thumbnail's decode:
    #: the rendition sees on it whether the page is plain ink on white paper.
    preview: np.ndarray | None = None
    rendition: bytes = b""
    thumbnail: bytes = b""


def _page_kind(page: Page) -> Literal["text", "map"]:
    return "map" if page.document and page.document.type_name in MAP_TYPES else "text"


def stage_qc(page: Page, work: PageWork) -> None:
    kind = _page_kind(page)
    rules = QcRules(min_dpi=settings.KHOSO_MIN_DPI, min_dpi_map=settings.KHOSO_MIN_DPI_MAP)
    work.qc = check_page(
        work.image,
        work.dpi,
        kind=kind,
        rules=rules,
        dpi_assumed=bool(page.qc.get("dpi_assumed")),
        source_mode=work.source_mode or None,
    )


def stage_ocr(page: Page, work: PageWork) -> None:
    assert work.qc is not None
    skew = work.qc.skew_degrees or 0.0
    prepared = prepare_page(np.asarray(work.image), skew, binarise=settings.KHOSO_OCR_BINARISE)
    work.mask = prepared.scan_mask
    work.ocr = ocr_page(
        work.image,
        dpi=round(work.dpi[0]),
        lang=settings.KHOSO_OCR_LANGUAGE,
        skew_degrees=skew,
        prepared=prepared.ocr_input,
        # A map's labels lie among lines and areas: never read as one block of text.
        full_layout=settings.KHOSO_OCR_FULL_LAYOUT or _page_kind(page) == "map",
    )


def stage_render(page: Page, work: PageWork, original: bytes) -> None:
    assert work.ocr is not None
    work.rendition = render_page(
        original,
        mime=page.original.mime,
        ocr=work.ocr,
        dpi=work.dpi,
        jpeg_quality=settings.KHOSO_RENDITION_JPEG_QUALITY,
        mode=settings.KHOSO_RENDITION_MODE,
        mask=work.mask,  # the OCR's threshold in the scan's frame: the MRC text mask
        gray=work.image,  # the luma decoded for QC and OCR: the MRC segmentation does not convert again
        preview=work.preview,
    )


def stage_thumbnail(page: Page, work: PageWork, original: bytes) -> None:
    source = Image.open(io.BytesIO(original))
    width, height = source.size
    if source.format == "JPEG" and source.mode in ("RGB", "L"):
        # The DCT decoded at ¼ scale: 2×2 of its pixels are an 8×8 cell of the scan, the rendition's preview.
        source.draft(source.mode, (max(1, width // 4), max(1, height // 4)))
        source.load()
        if source.size == (-(-width // 4), -(-height // 4)):
            work.preview = preview_cells(source, factor=2)
    elif source.format == "JPEG":
        source.draft("RGB", (THUMBNAIL_PX, THUMBNAIL_PX * 2))  # decode the DCT at ⅛ (or ¼, ½) scale
    thumb = _flatten_for_thumbnail(source)
    thumb.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX * 2))
    buffer = io.BytesIO()
    thumb.save(buffer, format="JPEG", quality=70, optimize=True)
    work.thumbnail = buffer.getvalue()


def _flatten_for_thumbnail(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        return Image.fromarray(_eight_bit(np.asarray(image)))
    return image.convert("RGB")


def _eight_bit(array: np.ndarray) -> np.ndarray:
    peak = 65535.0 if array.dtype == np.uint16 else max(float(array.max()), 1.0)
    return np.clip(array.astype(np.float32) * (255.0 / peak), 0, 255).astype(np.uint8)


STAGES: tuple[tuple[str, Callable[..., None]], ...] = (
    ("qc", stage_qc),
    ("ocr", stage_ocr),
    ("thumbnail", stage_thumbnail),
    ("render", stage_render),
)


def claim(page_id: int) -> tuple[Page, str] | None:
    """Take the lease of a page that is waiting or whose lease expired; None if someone else has it.

    A page still ``PROCESSING`` with an expired lease ended its last attempt without recording
    anything (the worker was killed or hung past the lease). After ``MAX_ATTEMPTS`` attempts it is
    not started again: it is marked failed instead, and None is returned.
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    lease_free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    stalled = Q(stage=Page.Stage.PROCESSING, lease_until__lt=now)
    exhausted = stalled & Q(attempts__gte=MAX_ATTEMPTS)
    claimable = (Q(stage=Page.Stage.RECEIVED) | (stalled & ~exhausted)) & lease_free
    updated = Page.objects.filter(claimable, pk=page_id).update(
        stage=Page.Stage.PROCESSING,
        lease_until=now + timedelta(seconds=settings.KHOSO_STAGE_LEASE_SECONDS),
        lease_token=token,
        attempts=F("attempts") + 1,
    )
    if updated:
        return Page.objects.select_related("original", "document").get(pk=page_id), token
    _fail_exhausted(page_id, exhausted)
    return None


def _fail_exhausted(page_id: int, exhausted: Q) -> None:
    """Mark failed a page that used its ``MAX_ATTEMPTS`` attempts, the last one without a result: one
    conditional update, so of several workers that pick the page up at once exactly one records it."""
    error = PageStoppedWorkerError(attempts=MAX_ATTEMPTS, lease=settings.KHOSO_STAGE_LEASE_SECONDS)
    message = f"{error.message} / {error.message_english}"
    file_id = Page.objects.filter(exhausted, pk=page_id).values_list("file_id", flat=True).first()
    if file_id is None:
        return
    with _settling(file_id):
        failed = Page.objects.filter(exhausted, pk=page_id).update(
            stage=Page.Stage.FAILED, error=message, lease_until=None, lease_token=""
        )
        if failed:
            page = Page.objects.get(pk=page_id)
            logger.warning("page %s failed: attempt %s stopped its worker, no attempt left", page_id, page.attempts)
            _after_page_settled(page)


def _load_image(original: bytes, page: Page) -> tuple[Image.Image, str, tuple[float, float]]:
    """The page decoded once as full-size grayscale, and the mode of the scan as stored."""
    decoded = Image.open(io.BytesIO(original))
    source_mode = decoded.mode
    if decoded.format == "JPEG" and decoded.mode in ("RGB", "YCbCr"):
        decoded.draft("L", decoded.size)  # libjpeg outputs luma only: no chroma upsampling or colour conversion
    decoded.load()
    image: Image.Image = decoded
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        image = Image.fromarray(_eight_bit(np.asarray(image, dtype=np.float32 if image.mode == "F" else None)))
    elif image.mode != "L":
        image = image.convert("L")
    dpi = page.dpi or 300.0
    return image, source_mode, (dpi, dpi)


def get_ready() -> None:
    """A page process's start (:func:`khoso.capture.services.page_processes`): the OCR model loaded
    while the delivery is still being stored. A problem is left for the first page to report."""
    from khoso.ocr._exec import tesseract

    try:
        tesseract.load(settings.KHOSO_OCR_LANGUAGE)
    except Exception:  # noqa: BLE001 - the page's OCR stage reports it, with the page's number
        logger.debug("the OCR model did not load ahead of the first page", exc_info=True)


def process_page(page_id: int) -> str:
    """Run every stage for one page and commit the result. Returns the page's final stage."""
    claimed = claim(page_id)
    if claimed is None:
        return "skipped"
    page, token = claimed
    try:
        original = object_store().read_bytes(page.original_id)
        image, source_mode, dpi = _load_image(original, page)
        work = PageWork(image=image, dpi=dpi, source_mode=source_mode)
        for name, stage in STAGES:
            _fault(name, page)
            if name in ("render", "thumbnail"):
                stage(page, work, original)
            else:
                stage(page, work)
        _commit(page, token, work)
    except Exception as error:  # noqa: BLE001 - any failure must be recorded, the queue must move on
        _record_failure(page, token, error)
    page.refresh_from_db(fields=["stage"])
    return page.stage


def _words_json(ocr: OcrResult) -> list[list[Any]]:
    return [[w.text, w.left, w.top, w.width, w.height] for w in ocr.words]


def _commit(page: Page, token: str, work: PageWork) -> None:
    assert work.qc is not None and work.ocr is not None
    rendition = object_put_bytes(data=work.rendition, mime="application/pdf")
    thumbnail = object_put_bytes(data=work.thumbnail, mime="image/jpeg")
    qc = {**page.qc, **work.qc.as_dict(), "ocr_layout": work.ocr.layout}
    with _settling(page.file_id):
        updated = Page.objects.filter(pk=page.pk, lease_token=token, stage=Page.Stage.PROCESSING).update(
            stage=Page.Stage.DONE,
            rendition=rendition,
            thumbnail=thumbnail,
            qc=qc,
            qc_passed=work.qc.passed,
            needs_rescan=not work.qc.passed,
            ocr_text=work.ocr.text,
            words=_words_json(work.ocr),
            width=work.image.width,
            height=work.image.height,
            error="",
            lease_until=None,
            lease_token="",
            processed_at=timezone.now(),
        )
        if updated:
            from khoso.search.services import index_changed

            index_changed(page_ids=[page.pk])
            _after_page_settled(page)
    if not updated:
        logger.warning("page %s: lease lost before commit; result discarded", page.pk)


def _record_failure(page: Page, token: str, error: Exception) -> None:
    message = error.message if isinstance(error, ArchiveError) else f"Lỗi xử lý trang: {error!r}"
    logger.warning("page %s failed (attempt %s): %s", page.pk, page.attempts, message)
    final = page.attempts >= MAX_ATTEMPTS
    with _settling(page.file_id):
        recorded = Page.objects.filter(pk=page.pk, lease_token=token).update(
            stage=Page.Stage.FAILED if final else Page.Stage.RECEIVED,
            error=message,
            lease_until=None if final else timezone.now() + RETRY_DELAY,
            lease_token="",
        )
        if recorded and final:
            _after_page_settled(page)


@contextmanager
def _settling(file_id: int) -> Iterator[None]:
    """One transaction for a page's last write and the delivery status and file assembly that follow
    from it, so that no reader ever sees the page settled and its delivery still processing, and a
    worker killed in between leaves neither. The file's row is locked first: of two pages of one file
    settling at once, the second waits, then counts the first as settled."""
    with transaction.atomic():
        list(ArchiveFile.objects.select_for_update().filter(pk=file_id).values_list("pk", flat=True))
        yield


def _after_page_settled(page: Page) -> None:
    """A page reached its last stage (done, or failed for good): the delivery's status follows, and the
    file's PDF/A is queued when every page is done."""
    from khoso.capture import services

    services.page_finished(page)


def pages_waiting(*, now: Any = None) -> list[int]:
    """Pages a worker should (re)start: waiting with no live lease."""
    now = now or timezone.now()
    return list(
        Page.objects.filter(stage__in=[Page.Stage.RECEIVED, Page.Stage.PROCESSING])
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .values_list("pk", flat=True)
    )
