"""A real Celery worker on Redis + PostgreSQL runs the pipeline; killing it mid-OCR loses nothing, and a
page that hangs its worker every time is killed by the time limit and ends failed instead of looping.

These tests start ``khoso worker`` as a separate process on the same database and object store
as the test, exactly as a worker on another machine would run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from PIL import Image

from khoso.archive.models import ArchiveFile, Page
from khoso.capture import pipeline, services
from khoso.capture.models import Delivery
from khoso.search.selectors import search_pages

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
WAIT_SECONDS = 180


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def start_worker(isolated_data: Path) -> Iterator[Callable[..., subprocess.Popen]]:
    if connection.vendor != "postgresql" or not os.environ.get("KHOSO_BROKER_URL"):
        pytest.fail("worker tests need KHOSO_DATABASE_URL (PostgreSQL) and KHOSO_BROKER_URL (Redis): run ./test.sh")
    started: list[subprocess.Popen] = []

    def start(**extra_env: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "KHOSO_DATABASE_URL": _database_url(),
            "KHOSO_DATA_DIR": str(isolated_data),
            "OMP_THREAD_LIMIT": "1",
            **extra_env,
        }
        with open(isolated_data / f"worker-{len(started)}.log", "wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "khoso",
                    "worker",
                    "--concurrency",
                    "1",
                    "--no-beat",
                    "--hostname",
                    f"test{len(started)}@%h",
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def scans(corpus: Path, tmp_path: Path) -> list[Path]:
    paths = []
    for number in (1, 2):
        target = tmp_path / f"p{number}.jpg"
        shutil.copy(corpus / "P01" / "HS002" / f"page-00{number}.jpg", target)
        paths.append(target)
    return paths


def test_worker_on_redis_runs_the_pipeline(archive_file: ArchiveFile, scans: list[Path], start_worker) -> None:  # type: ignore[no-untyped-def]
    start_worker()
    services.deliver(
        archive_file=archive_file, arrivals=[services.Arrival(p, p.name) for p in scans], source=Delivery.Source.UPLOAD
    )
    _wait_for(lambda: ArchiveFile.objects.get(pk=archive_file.pk).pdf_id is not None, "the PDF/A")
    assert Page.objects.filter(file=archive_file, stage=Page.Stage.DONE).count() == 2
    assert search_pages(user=None, query="dak lak", system=True).total >= 1


def test_worker_killed_mid_ocr_leads_to_exactly_one_result(
    archive_file: ArchiveFile, scans: list[Path], start_worker
) -> None:  # type: ignore[no-untyped-def]
    lease = {"KHOSO_STAGE_LEASE_SECONDS": "4"}
    doomed = start_worker(KHOSO_FAULT_INJECT="ocr=hang", **lease)
    delivery = services.deliver(
        archive_file=archive_file, arrivals=[services.Arrival(scans[0], "p1.jpg")], source=Delivery.Source.UPLOAD
    )
    page = delivery.pages.get()
    _wait_for(lambda: Page.objects.get(pk=page.pk).stage == Page.Stage.PROCESSING, "the worker to take the page")
    os.killpg(doomed.pid, signal.SIGKILL)  # the whole worker, main process included
    doomed.wait()
    _wait_for(lambda: Page.objects.get(pk=page.pk).lease_until < timezone.now(), "the lease to expire")
    start_worker()  # its own lease is the default: a 4 s lease would also time-limit a real page to 2 s
    _wait_for(lambda: ArchiveFile.objects.get(pk=archive_file.pk).pdf_id is not None, "the PDF/A after restart")
    page.refresh_from_db()
    assert page.stage == Page.Stage.DONE and page.attempts == 2
    assert Page.objects.filter(file=archive_file).count() == 1
    assert page.rendition_id and page.error == ""


def test_a_page_that_hangs_its_worker_is_killed_by_the_time_limit_and_fails_after_max_attempts(
    archive_file: ArchiveFile, scans: list[Path], start_worker, isolated_data: Path
) -> None:  # type: ignore[no-untyped-def]
    lease = 10  # the page task's hard time limit is then 8 s
    start_worker(KHOSO_FAULT_INJECT="ocr=hang:treo.jpg", KHOSO_STAGE_LEASE_SECONDS=str(lease))
    small = isolated_data / "p2.jpg"  # a normal page, a third of a scan: done well within the limit
    with Image.open(scans[1]) as scan:
        scan.crop((0, 0, scan.width, scan.height // 3)).save(small, quality=90, dpi=scan.info["dpi"])

    def deliver(path: Path, name: str) -> Page:
        arrivals = [services.Arrival(path, name)]
        return services.deliver(archive_file=archive_file, arrivals=arrivals, source=Delivery.Source.UPLOAD).pages.get()

    hanging = deliver(scans[0], "treo.jpg")  # hangs in OCR on every attempt, where only a kill can stop it
    normal = deliver(small, "p2.jpg")  # queued behind it on the same one-process worker
    for attempt in range(1, pipeline.MAX_ATTEMPTS + 1):
        _wait_for(
            lambda n=attempt: Page.objects.filter(pk=hanging.pk, stage=Page.Stage.PROCESSING, attempts=n).exists(),
            f"attempt {attempt} of the hanging page",
        )
        _wait_for(
            lambda: not Page.objects.filter(pk=hanging.pk, lease_until__gte=timezone.now()).exists(),
            "the lease to expire",
        )
        services.requeue_stalled()  # what the beat's reconciler does every minute
    _wait_for(lambda: Page.objects.get(pk=hanging.pk).stage == Page.Stage.FAILED, "the hanging page to fail")
    _wait_for(lambda: Page.objects.get(pk=normal.pk).stage == Page.Stage.DONE, "the normal page")
    hanging.refresh_from_db()
    assert hanging.attempts == pipeline.MAX_ATTEMPTS and hanging.lease_until is None
    assert hanging.error.startswith("Trang đã được xử lý 3 lần mà không xong") and f"{lease} giây" in hanging.error
    assert Delivery.objects.get(pk=hanging.delivery_id).status == Delivery.Status.FAILED
    assert pipeline.pages_waiting() == [] and services.requeue_stalled() == []  # not queued again
    log = (isolated_data / "worker-0.log").read_text(errors="replace")
    assert log.count("Hard time limit (8s) exceeded for khoso.capture.tasks.process_page") == pipeline.MAX_ATTEMPTS
