"""Pages of one file are separate units of work: they spread over worker processes and machines.

Why this matters for speed (issue 8): a 1,000-page file must not sit on one core while the others
idle. Every page is queued as its own task and claimed with its own database lease, so any worker
on any machine can take the next page of any file.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
from django.db import connections
from PIL import Image

from khoso.archive.models import Page
from khoso.capture import pipeline, services, tasks
from khoso.capture.models import Delivery
from khoso.capture.preflight import Limits, Preflight, preflight
from khoso.core.errors import ArchiveError
from khoso.storage.services import object_store

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = 4
WAIT_FOR_SECOND_WORKER_SECONDS = 60.0


@pytest.fixture
def four_scans(tmp_path: Path, corpus: Path) -> list[Path]:
    """Four short 300-dpi colour scans (bands of two corpus pages): quick to recognise."""
    paths = []
    for number in range(PAGES):
        source = corpus / "P01" / "HS001" / f"page-00{1 + number // 2}.jpg"
        with Image.open(source) as image:
            top = 200 + (number % 2) * 900
            band = image.convert("RGB").crop((0, top, image.width, top + 800))
        target = tmp_path / f"trang-{number + 1}.jpg"
        buffer = io.BytesIO()
        band.save(buffer, format="JPEG", quality=85, dpi=(300, 300))
        target.write_bytes(buffer.getvalue())
        paths.append(target)
    return paths


def _deliver(archive_file, paths: list[Path], *, enqueue: bool) -> Delivery:  # type: ignore[no-untyped-def]
    return services.deliver(
        archive_file=archive_file,
        arrivals=[services.Arrival(p, p.name) for p in paths],
        source=Delivery.Source.CLI,
        enqueue=enqueue,
    )


def test_each_page_of_a_file_is_queued_as_its_own_task(archive_file, four_scans, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    queued: list[int] = []
    monkeypatch.setattr(tasks.process_page, "delay", queued.append)
    delivery = _deliver(archive_file, four_scans, enqueue=True)
    assert sorted(queued) == sorted(delivery.pages.values_list("pk", flat=True))
    assert len(queued) == PAGES


def test_two_workers_split_the_pages_of_one_file(archive_file, four_scans, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "claims.log"

    def record_worker(page: Page) -> None:
        with log.open("a") as out:
            out.write(f"{os.getpid()} {page.number}\n")
        # The first page a worker takes waits (bounded) until the other worker has one too, so
        # the split does not depend on which process the OS happens to start first.
        deadline = time.monotonic() + WAIT_FOR_SECOND_WORKER_SECONDS
        while time.monotonic() < deadline:
            if len({line.split()[0] for line in log.read_text().splitlines()}) >= 2:
                return
            time.sleep(0.05)

    monkeypatch.setitem(pipeline.FAULT_HOOKS, "qc", record_worker)
    delivery = _deliver(archive_file, four_scans, enqueue=False)
    services.run_inline(list(delivery.pages.values_list("pk", flat=True)), jobs=2)
    services.assemble_file(archive_file.pk)

    claims = [line.split() for line in log.read_text().splitlines()]
    workers = {pid for pid, _ in claims}
    assert len(workers) == 2 and str(os.getpid()) not in workers  # two worker processes, not this one
    assert sorted(int(number) for _, number in claims) == list(range(1, PAGES + 1))  # each page exactly once
    pages = list(archive_file.pages.order_by("number"))
    assert [p.stage for p in pages] == [Page.Stage.DONE] * PAGES
    assert all(p.attempts == 1 and p.ocr_text for p in pages)
    archive_file.refresh_from_db()
    with pikepdf.open(object_store().path_for(archive_file.pdf_id)) as pdf:
        assert len(pdf.pages) == PAGES  # the file is whole and in order whichever worker did a page


def test_the_work_after_the_pages_gets_ready_as_soon_as_a_core_is_free(
    archive_file, four_scans, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """``khoso ingest --wait`` signs the file after its last page. Whatever can be done before (pyHanko's
    import, ≈ 1.3 CPU-s) runs on the core the other page process leaves idle while the last page is
    recognised, not after it.

    The last page waits (bounded) for the callback to have started: on code that calls it only after
    the pages, the wait runs out and the callback sees no page left."""
    started = tmp_path / "getting-ready"

    def last_page_waits(page: Page) -> None:
        if page.number != PAGES:
            return
        deadline = time.monotonic() + WAIT_FOR_SECOND_WORKER_SECONDS
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    unfinished_when_called: list[int] = []

    def get_ready() -> None:
        started.touch()
        try:
            unfinished = Page.objects.filter(file=archive_file).exclude(stage=Page.Stage.DONE)
            unfinished_when_called.append(unfinished.count())
        finally:
            connections.close_all()  # this thread's own connection

    monkeypatch.setitem(pipeline.FAULT_HOOKS, "qc", last_page_waits)
    delivery = _deliver(archive_file, four_scans, enqueue=False)
    services.run_inline(list(delivery.pages.values_list("pk", flat=True)), jobs=2, when_a_core_is_free=get_ready)

    assert unfinished_when_called == [1]  # called once, while the last page was still in its process
    assert list(archive_file.pages.values_list("stage", flat=True)) == [Page.Stage.DONE] * PAGES


#: Where :func:`_preflight_noting_the_process` notes the process that preflighted each arrival (set per test,
#: before the page processes are forked, so they inherit it).
_PREFLIGHT_LOG: Path | None = None


def _preflight_noting_the_process(arrival: services.Arrival, rules: Limits) -> Preflight:
    assert _PREFLIGHT_LOG is not None
    with _PREFLIGHT_LOG.open("a") as out:
        out.write(f"{os.getpid()} {arrival.name}\n")
    return preflight(arrival.path, name=arrival.name, limits=rules)


def test_the_page_processes_preflight_the_delivery_and_a_bad_scan_still_rejects_it_whole(
    archive_file, four_scans, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """``khoso ingest --wait`` starts its page processes first; they decode the delivery's scans to prove
    them readable, side by side, while the command stores the originals. A scan that fails there fails
    the delivery as it would in the command itself: its rule and its name, nothing stored."""
    log = tmp_path / "preflight.log"
    monkeypatch.setattr(sys.modules[__name__], "_PREFLIGHT_LOG", log)
    monkeypatch.setattr(services, "_preflight_arrival", _preflight_noting_the_process)
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes(four_scans[0].read_bytes()[:20_000])

    with services.page_processes(jobs=2) as processes:
        assert processes is not None
        with pytest.raises(ArchiveError) as caught:
            services.deliver(
                archive_file=archive_file,
                arrivals=[*(services.Arrival(p, p.name) for p in four_scans), services.Arrival(truncated, "cut.jpg")],
                source=Delivery.Source.CLI,
                enqueue=False,
                processes=processes,
            )
        assert caught.value.code == "tep_hong" and "cut.jpg" in caught.value.message
        assert not Delivery.objects.exists() and not Page.objects.exists()

        delivery = services.deliver(
            archive_file=archive_file,
            arrivals=[services.Arrival(p, p.name) for p in four_scans],
            source=Delivery.Source.CLI,
            enqueue=False,
            processes=processes,
        )
        services.run_inline(list(delivery.pages.values_list("pk", flat=True)), processes=processes)

    preflighted = [line.split() for line in log.read_text().splitlines()]
    processes_seen = {pid for pid, _ in preflighted}
    assert processes_seen and str(os.getpid()) not in processes_seen  # in the page processes, not here
    assert sorted(name for _, name in preflighted) == sorted(
        [*(p.name for p in four_scans), *(p.name for p in four_scans), "cut.jpg"]
    )
    assert list(archive_file.pages.order_by("number").values_list("original_name", flat=True)) == [
        p.name for p in four_scans
    ]
    assert list(archive_file.pages.values_list("stage", flat=True)) == [Page.Stage.DONE] * PAGES


def test_page_processes_run_opencv_on_one_thread() -> None:
    """One page process runs per core; OpenCV's threads would only compete with the other pages.

    A fresh interpreter, as a worker child starts: importing the pipeline is what sets it, and a
    forked child (``run_inline``) inherits it."""
    probe = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'khoso.config.settings'); "
        "django.setup(); import cv2; before = cv2.getNumThreads(); "
        "from khoso.capture import pipeline; pid = os.fork()\n"
        "if pid == 0:\n    os._exit(cv2.getNumThreads())\n"
        "print(before, cv2.getNumThreads(), os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    default, in_parent, in_child = (int(value) for value in done.stdout.split())
    assert (in_parent, in_child) == (1, 1)
    if (os.cpu_count() or 1) > 1:
        assert default > 1  # OpenCV's own default, one thread per core, is what the pipeline overrides


def test_page_processes_keep_the_buffers_a_page_frees() -> None:
    """A page's arrays are megabytes each. glibc maps each such block on its own and unmaps it when it
    is freed, so the next page would fault its buffers in afresh; after the pipeline is imported a
    page-sized block comes from the heap and stays there, free, for the next page.

    Read from glibc's own accounting (``mallinfo2``) in a fresh interpreter, as a worker child starts;
    the same probe without the pipeline shows the default the setting changes."""
    probe = (
        "import ctypes, django, os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'khoso.config.settings'); "
        "django.setup(); import numpy\n"
        "if sys.argv[1] == 'pipeline':\n    from khoso.capture import pipeline\n"
        "class Info(ctypes.Structure):\n    _fields_ = [(name, ctypes.c_size_t) for name in "
        "('arena', 'ordblks', 'smblks', 'hblks', 'hblkhd', 'usmblks', 'fsmblks', 'uordblks', 'fordblks', 'keepcost')]\n"
        "mallinfo2 = ctypes.CDLL(None).mallinfo2\nmallinfo2.restype = Info\n"
        "page = numpy.ones(26 << 20, numpy.uint8)\n"  # an RGB page's size
        "mapped = mallinfo2().hblkhd\n"
        "del page\n"
        "print(mapped, mallinfo2().fordblks)"
    )

    def mapped_and_kept(mode: str) -> tuple[int, int]:
        done = subprocess.run(
            [sys.executable, "-c", probe, mode], capture_output=True, text=True, timeout=120, check=True
        )
        mapped, kept = (int(value) for value in done.stdout.split()[-2:])
        return mapped, kept

    default_mapped, _default_kept = mapped_and_kept("default")
    assert default_mapped >= 26 << 20  # the premise: glibc maps such a block on its own by default
    mapped, kept = mapped_and_kept("pipeline")
    assert mapped < 26 << 20 and kept >= 26 << 20  # in the heap, and still there once freed
