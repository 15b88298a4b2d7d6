"""T7 (engineering.md C5): hostile uploads through the web upload endpoint (``file_upload``).

Every file of the generated corpus must be refused with a 4xx and a Vietnamese message naming the
rule, leave nothing under the object store, no Delivery/Page/Document/StoredObject row and an
empty upload temp directory, within 10 s and a peak RSS under 512 MB: the process's high-water mark
(VmHWM) is reset just before the upload, and its growth on top of a fresh web process must stay under the
limit, so memory other tests in the same worker hold does not count.
The preflight-level cases are in tests/capture/test_preflight.py; this is the same corpus over HTTP.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from khoso.access.models import FondsGrant
from khoso.archive.models import Document, Page
from khoso.capture.models import Delivery
from khoso.storage.models import StoredObject

from .conftest import CORPUS

PEAK_RSS_LIMIT_MB = 512
#: A fresh web process holds about 170 MB before any upload (measured: django.setup() plus the upload view and
#: preflight imported, VmRSS 167 MB); the upload may add the rest of the limit.
#: (The test measures the growth, since this worker's RSS already holds what earlier tests left.)
FRESH_PROCESS_MB = 170
SECONDS_PER_FILE = 10


@pytest.fixture
def uploader(archive_file, settings, tmp_path: Path) -> Client:  # type: ignore[no-untyped-def]
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "upload-tmp"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    user = User.objects.create_user("scan", password="mat-khau-dai-12")
    FondsGrant.objects.create(user=user, fonds=archive_file.fonds, can_edit=True)
    client = Client()
    client.force_login(user)
    return client


def _files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _reset_peak_rss() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # Linux: resets VmHWM to the current RSS


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("VmHWM missing from /proc/self/status")


def _rows() -> tuple[int, int, int, int]:
    return (Delivery.objects.count(), Page.objects.count(), Document.objects.count(), StoredObject.objects.count())


@pytest.mark.parametrize(("case", "name", "build", "rule"), CORPUS, ids=[c[1] for c in CORPUS])
def test_t7_hostile_upload_is_refused_and_leaves_nothing(  # type: ignore[no-untyped-def]
    case, name, build, rule, uploader: Client, archive_file, settings
) -> None:
    data = build()
    rows_before = _rows()
    objects_before = _files_under(settings.KHOSO_OBJECTS_DIR)
    _reset_peak_rss()
    before_mb = _peak_rss_mb()
    started = time.monotonic()
    response = uploader.post(
        reverse("file_upload", args=[archive_file.file_code]),
        {"files": SimpleUploadedFile(name, data, content_type="application/octet-stream")},
    )
    elapsed = time.monotonic() - started
    peak_mb = _peak_rss_mb()

    assert 400 <= response.status_code < 500, (case, response.status_code)
    page = response.content.decode()
    assert rule in page, (case, rule)
    assert name in page  # the message names the file
    assert "text/html" not in response.get("Content-Type", "") or response["X-Content-Type-Options"] == "nosniff"
    assert _rows() == rows_before
    assert _files_under(settings.KHOSO_OBJECTS_DIR) == objects_before
    assert not any(settings.FILE_UPLOAD_TEMP_DIR.iterdir())
    assert elapsed < SECONDS_PER_FILE, (case, elapsed)
    assert FRESH_PROCESS_MB + (peak_mb - before_mb) < PEAK_RSS_LIMIT_MB, (case, before_mb, peak_mb)
