"""Writes of the capture area: deliveries, page completion, file assembly, the reconciler.

A delivery is preflighted whole before anything is stored; then the originals go to the
object store and the page rows are committed in one transaction, and only after the commit are
the page tasks queued (``transaction.on_commit``), so a worker never sees a half-made delivery.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import os
import re
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Max
from django.utils import timezone

from khoso.archive.models import ArchiveFile, Page
from khoso.capture.models import Delivery, WorkerHeartbeat
from khoso.capture.preflight import Limits, Preflight, iter_page_images, preflight
from khoso.core.text import nfc
from khoso.signing import services as signing
from khoso.storage.cas import PutResult
from khoso.storage.services import object_put_file, object_record, object_store

# The page pipeline (numpy, OpenCV, tesseract, pikepdf: ≈ 0.5 CPU-s to import) is imported by the functions
# that process pages or assemble files, not with this module: a delivery (``khoso ingest`` without
# ``--wait``, the web's upload, the watched folder) only preflights and stores; a worker imports it
# with its tasks.

logger = logging.getLogger(__name__)

HEARTBEAT_FRESH = timedelta(seconds=45)
_UNSAFE_NAME = re.compile(r"[\x00-\x1f/\\]")  # control characters and path separators
SINGLE_PAGE_KINDS = {"jpeg", "png"}  # the delivered file is itself the page original


@dataclass(frozen=True)
class Arrival:
    """One file that arrived: where it is on disk and the name the operator gave it."""

    path: Path
    name: str


def save_uploads(uploads: Iterable[Any], workdir: Path) -> list[Arrival]:
    """Write uploaded files into ``workdir`` under safe numbered names, keeping the operator's file names."""
    arrivals = []
    for index, upload in enumerate(uploads):
        name = nfc(_UNSAFE_NAME.sub("_", Path(upload.name or f"tep-{index + 1}").name))[:255]
        path = workdir / f"{index:04d}"
        with open(path, "wb") as target:
            for chunk in upload.chunks():
                target.write(chunk)
        arrivals.append(Arrival(path=path, name=name))
    return arrivals


def limits() -> Limits:
    return Limits(
        max_bytes=settings.KHOSO_MAX_UPLOAD_BYTES,
        max_pixels_per_page=settings.KHOSO_MAX_PAGE_PIXELS,
        max_pages=settings.KHOSO_MAX_PAGES,
    )


def arrivals_from_folder(folder: Path) -> list[Arrival]:
    """Page files of a folder in file-name order (NFC names, hidden files ignored)."""
    entries = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    return [Arrival(p, nfc(p.name)) for p in sorted(entries, key=lambda p: nfc(p.name))]


@dataclass(frozen=True)
class _PagePlan:
    """A page whose original is already in the object store, waiting for its row."""

    original: PutResult
    mime: str
    source_index: int
    width: int
    height: int
    dpi: float
    dpi_assumed: bool


def deliver(
    *,
    archive_file: ArchiveFile,
    arrivals: Sequence[Arrival],
    source: str,
    user: Any = None,
    enqueue: bool = True,
    processes: PageProcesses | None = None,
) -> Delivery:
    """Preflight every arrival, store the originals, then create the delivery and its pages in one transaction.

    The slow work (hashing, copying with fsync, splitting TIFF and PDF files into page images) is done
    before the transaction, which then only writes rows: under SQLite a transaction holds the database's
    one write lock from its first write, and a 1,000-page delivery must not stop every other writer (the
    workers' page commits, the web) for minutes. Objects are content-addressed and written file first,
    so a delivery that fails after storing some leaves only unreferenced objects, as before.

    With ``processes`` (:func:`page_processes`), the arrivals are preflighted there, side by side: each
    image is decoded whole to prove it readable, ≈ 20 ms a page.
    """
    rules = limits()
    mapped = map if processes is None else processes.map
    results = mapped(_preflight_arrival, arrivals, itertools.repeat(rules))
    checked: list[tuple[Arrival, Preflight]] = list(zip(arrivals, results, strict=True))
    # Born-digital PDFs that carry signatures: verify now (offline, before the transaction); the bytes are
    # stored exactly as delivered below and OCR only ever works on page images of them.
    reports = {
        index: signing.verify_received(arrival.path.read_bytes())
        for index, (arrival, result) in enumerate(checked)
        if result.signatures
    }
    total_pages = sum(len(result.pages) for _, result in checked)
    if total_pages > settings.KHOSO_MAX_PAGES:
        from khoso.core.errors import PageLimitError

        raise PageLimitError(name=archive_file.file_code, pages=total_pages, limit=settings.KHOSO_MAX_PAGES)
    store = object_store()
    stored: list[tuple[PutResult, list[_PagePlan]]] = []
    for arrival, result in checked:
        whole = store.put_file(arrival.path)
        plans = []
        for page_image in iter_page_images(arrival.path, result):
            single = result.kind in SINGLE_PAGE_KINDS
            plans.append(
                _PagePlan(
                    original=whole if single else store.put_bytes(page_image.original),
                    mime=result.mime if single else page_image.mime,
                    source_index=page_image.index,
                    width=page_image.image.width,
                    height=page_image.image.height,
                    dpi=float(page_image.dpi[0]),
                    dpi_assumed=page_image.dpi_assumed,
                )
            )
            page_image.image.close()
        stored.append((whole, plans))
    with transaction.atomic():
        delivery = Delivery.objects.create(
            file=archive_file,
            source=source,
            names=[arrival.name for arrival in arrivals],
            page_count=total_pages,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        number = archive_file.pages.aggregate(last=Max("number"))["last"] or 0
        page_ids: list[int] = []
        for index, ((arrival, result), (whole, plans)) in enumerate(zip(checked, stored, strict=True)):
            delivered = object_record(whole, mime=result.mime)
            if index in reports:
                signing.check_delivered(
                    archive_file=archive_file,
                    delivery=delivery,
                    content=delivered,
                    name=arrival.name,
                    report=reports[index],
                )
            for plan in plans:
                number += 1
                page = Page.objects.create(
                    file=archive_file,
                    delivery=delivery,
                    number=number,
                    source_index=plan.source_index,
                    original=delivered if plan.original is whole else object_record(plan.original, mime=plan.mime),
                    original_name=arrival.name,
                    width=plan.width,
                    height=plan.height,
                    dpi=plan.dpi,
                    qc={"dpi_assumed": plan.dpi_assumed, "delivered_sha256": delivered.sha256},
                )
                page_ids.append(page.pk)
        if enqueue:
            transaction.on_commit(lambda: _enqueue_pages(page_ids))
    return delivery


def _preflight_arrival(arrival: Arrival, rules: Limits) -> Preflight:
    return preflight(arrival.path, name=arrival.name, limits=rules)


def _enqueue_pages(page_ids: Iterable[int]) -> None:
    from khoso.capture import tasks

    for page_id in page_ids:
        tasks.process_page.delay(page_id)


def page_finished(page: Page) -> None:
    """Called in the transaction that marks a page done or failed for good, with its file's row locked
    (:func:`khoso.capture.pipeline._settling`): the delivery's status follows, and when the whole file
    is done its PDF/A assembly is queued once that transaction commits."""
    remaining = Page.objects.filter(file_id=page.file_id).exclude(stage=Page.Stage.DONE).exists()
    if not remaining:
        from khoso.capture import tasks

        transaction.on_commit(lambda: tasks.assemble_file.delay(page.file_id))
    _refresh_delivery(page.delivery_id)


def _refresh_delivery(delivery_id: int | None) -> None:
    if delivery_id is None:
        return
    pages = Page.objects.filter(delivery_id=delivery_id)
    if pages.exclude(stage__in=[Page.Stage.DONE, Page.Stage.FAILED]).exists():
        return
    if pages.filter(stage=Page.Stage.FAILED).exists():
        status = Delivery.Status.FAILED
    elif pages.filter(needs_rescan=True).exists():
        status = Delivery.Status.NEEDS_RESCAN
    else:
        status = Delivery.Status.DONE
    Delivery.objects.filter(pk=delivery_id).update(status=status, finished_at=timezone.now())


def pages_digest(rendition_digests: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(rendition_digests).encode()).hexdigest()


def assemble_file(file_id: int) -> bool:
    """Build the file's PDF/A-2b from its page renditions; idempotent. True when a new PDF was made."""
    from khoso.ocr.pdfa import assemble_pdfa

    archive_file = ArchiveFile.objects.select_related("fonds").get(pk=file_id)
    pages = list(archive_file.pages.order_by("number").values_list("stage", "rendition_id"))
    if not pages or any(stage != Page.Stage.DONE for stage, _ in pages):
        return False
    digests = [rendition for _, rendition in pages]
    digest = pages_digest(digests)
    if archive_file.pdf_id and archive_file.pdf_pages_digest == digest:
        return False
    store = object_store()
    outcome = None
    with tempfile.TemporaryDirectory(dir=store.staging, prefix="assemble-") as workdir:
        out = Path(workdir) / "file.pdf"
        assemble_pdfa(
            [store.path_for(sha) for sha in digests],
            out,
            title=archive_file.title,
            author=archive_file.fonds.name,
            subject=archive_file.file_code,
            keywords=archive_file.keyword,
        )
        if signing.signing_enabled():
            # Sign before storing (outside the transaction: a TSA may be slow), file to file so that
            # memory does not grow with the PDF; the PDF/A stays the signed file's prefix. A key or
            # TSA problem stores the unsigned PDF/A and says why.
            signed = Path(workdir) / "signed.pdf"
            outcome = signing.sign_file(out, signed)
            pdf = object_put_file(path=signed if outcome.signed else out, mime="application/pdf")
        else:
            pdf = object_put_file(path=out, mime="application/pdf")
    with transaction.atomic():
        ArchiveFile.objects.filter(pk=file_id).update(pdf=pdf, pdf_pages_digest=digest)
        if outcome is not None:
            signing.record_rendition(archive_file=archive_file, stored=pdf, outcome=outcome)
    return True


@dataclass(frozen=True)
class PageProcesses:
    """Child processes that run pages, one per core (:func:`page_processes`)."""

    pool: ProcessPoolExecutor
    count: int

    def map(self, function: Callable[..., Any], *arguments: Iterable[Any]) -> Iterator[Any]:
        return self.pool.map(function, *arguments)


@contextlib.contextmanager
def page_processes(pages: int | None = None, *, jobs: int | None = None) -> Iterator[PageProcesses | None]:
    """One child process per core, no more than ``pages`` when it is known, for :func:`run_inline`
    (``None`` where pages run in this process: one core, or an in-memory database the children could not
    see).

    Started before the delivery, they preflight its files (:func:`deliver`) and load tesseract's model
    while this process stores the originals, instead of after it.
    """
    from khoso.capture import pipeline  # before the fork: the children inherit it

    jobs = jobs or min(os.cpu_count() or 1, settings.CELERY_WORKER_CONCURRENCY, pages or sys.maxsize)
    if jobs <= 1 or connections["default"].vendor == "sqlite" and _in_memory_db():
        yield None
        return
    connections.close_all()  # the children open their own; a connection must not be shared across a fork
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=pipeline.get_ready) as pool:
        pool.submit(os.getpid)  # a fork pool starts all its children at its first task: now, with no connection open
        yield PageProcesses(pool=pool, count=jobs)


def run_inline(
    page_ids: Sequence[int],
    *,
    jobs: int | None = None,
    processes: PageProcesses | None = None,
    when_a_core_is_free: Callable[[], None] | None = None,
) -> None:
    """Process pages with no worker running: in ``processes`` (:func:`page_processes`), else in page
    processes of their own, or in this process where there can be none.

    ``when_a_core_is_free`` is called on a thread of this process as soon as fewer pages are left than
    page processes, i.e. when a core would otherwise stand idle until the last page is done: the work
    that follows the pages (the file's signature) gets ready there. It has returned when this does.
    """
    if processes is not None:
        _run_in(processes, page_ids, when_a_core_is_free)
        return
    with page_processes(len(page_ids), jobs=jobs) as own:
        if own is not None:
            _run_in(own, page_ids, when_a_core_is_free)
            return
    from khoso.capture import pipeline

    for page_id in page_ids:
        pipeline.process_page(page_id)
    if when_a_core_is_free is not None:
        when_a_core_is_free()


def _run_in(processes: PageProcesses, page_ids: Sequence[int], when_a_core_is_free: Callable[[], None] | None) -> None:
    helper: threading.Thread | None = None
    unfinished = {processes.pool.submit(_process_in_child, page_id) for page_id in page_ids}
    while unfinished:
        if helper is None and when_a_core_is_free is not None and len(unfinished) < processes.count:
            helper = threading.Thread(target=when_a_core_is_free, name="khoso-get-ready", daemon=True)
            helper.start()
        finished, unfinished = wait(unfinished, return_when=FIRST_COMPLETED)
        for future in finished:
            future.result()
    if when_a_core_is_free is not None:
        if helper is None:
            when_a_core_is_free()
        else:
            helper.join()


def _in_memory_db() -> bool:
    name = str(connections["default"].settings_dict.get("NAME", ""))
    return name == ":memory:" or "mode=memory" in name


def _process_in_child(page_id: int) -> str:
    from khoso.capture import pipeline

    connections.close_all()
    try:
        return pipeline.process_page(page_id)
    finally:
        connections.close_all()


def requeue_stalled() -> list[int]:
    """The reconciler: queue again every page whose lease expired (worker died, retry due)."""
    from khoso.capture import pipeline

    page_ids = pipeline.pages_waiting()
    if page_ids:
        logger.info("requeue %d stalled page(s)", len(page_ids))
        _enqueue_pages(page_ids)
    unfinished = [Page.Stage.RECEIVED, Page.Stage.PROCESSING, Page.Stage.FAILED]
    complete_without_pdf = (
        ArchiveFile.objects.filter(pdf__isnull=True, pages__isnull=False)
        .exclude(pages__stage__in=unfinished)
        .values_list("pk", flat=True)
        .distinct()
    )
    from khoso.capture import tasks

    for file_id in complete_without_pdf:
        tasks.assemble_file.delay(file_id)
    return page_ids


def worker_beat(hostname: str | None = None) -> None:
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname or socket.gethostname(), defaults={"seen_at": timezone.now()}
    )


def worker_alive() -> bool:
    return WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - HEARTBEAT_FRESH).exists()
