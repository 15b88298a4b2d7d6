"""The watched folder: a settled sub-folder named by file code is delivered; a bad one is set aside with the reason."""

import shutil
from pathlib import Path

import pytest

from khoso.archive.models import Page
from khoso.capture.models import Delivery
from khoso.capture.watch import READY_MARKER, scan_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_settled_folder_is_delivered_and_moved(archive_file, corpus: Path, isolated_data: Path) -> None:  # type: ignore[no-untyped-def]
    root = isolated_data / "watch"
    folder = root / archive_file.file_code
    folder.mkdir(parents=True)
    shutil.copy(corpus / "P01" / "HS002" / "page-001.jpg", folder / "0001.jpg")
    (root / "000.00.00.H15.1995.99").mkdir()  # still being written: not settled, not touched
    (root / "000.00.00.H15.1995.99" / "0001.jpg").write_bytes(b"\xff\xd8")
    assert scan_once(root) == 0  # nothing settled yet (files are brand new, no READY marker)
    (folder / READY_MARKER).touch()
    assert scan_once(root) == 1
    assert Delivery.objects.get().source == Delivery.Source.WATCH
    assert Page.objects.get().stage == Page.Stage.DONE  # tasks run in-process in tests
    assert not folder.exists() and len(list((root / ".processed").iterdir())) == 1
    assert (root / "000.00.00.H15.1995.99").exists()


def test_folder_for_unknown_file_is_rejected_with_the_reason(db, isolated_data: Path) -> None:  # type: ignore[no-untyped-def]
    root = isolated_data / "watch"
    folder = root / "000.00.00.H15.1990.05"
    folder.mkdir(parents=True)
    (folder / READY_MARKER).touch()
    (folder / "a.jpg").write_bytes(b"not an image")
    assert scan_once(root) == 0
    rejected = next((root / ".rejected").iterdir())
    assert "Không tìm thấy Hồ sơ" in (rejected / "LOI.txt").read_text(encoding="utf-8")
    assert (rejected / "a.jpg").exists()  # nothing lost


def test_a_scan_operators_own_folder_is_left_to_the_scanning_app(db, isolated_data: Path) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("may-quet-1")
    root = isolated_data / "watch"
    folder = root / "may-quet-1"
    (folder / "000.00.00.H15.1995.01").mkdir(parents=True)
    (folder / READY_MARKER).touch()
    assert scan_once(root) == 0
    assert folder.exists() and not (root / ".rejected").exists()
