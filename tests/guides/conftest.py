"""Actors of the guide tests, and a screenshot folder of small placeholder PNGs (one per figure).

The placeholders let the permission and PDF tests run without the browser; ``test_screenshots.py`` writes
the real screenshots into the package's folder.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from khoso.guides import library

PASSWORD = "mat-khau-huong-dan-2026"


def png(size: tuple[int, int] = (640, 400), colour: tuple[int, int, int] = (200, 210, 220)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def placeholder_screens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """SCREENS_DIR pointed at a folder holding a PNG for every figure of every guide."""
    folder = tmp_path / "man-hinh"
    folder.mkdir()
    monkeypatch.setattr(library, "SCREENS_DIR", folder)
    for guide in library.guides().values():
        for figure in guide.document.figures():
            red, green, blue = hashlib.sha256(figure.screen.encode()).digest()[:3]  # one picture per screen: a PDF
            library.screenshot_path(figure.screen).write_bytes(png(colour=(red, green, blue)))  # stores each once
    return folder


@pytest.fixture
def actors(db, fonds) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """anonymous; a citizen's reader account; a signed-in account with no role; staff of a fonds; a superuser."""
    from django.contrib.auth.models import User

    from khoso.access.models import FondsGrant
    from khoso.readers.models import Reader

    reader = User.objects.create_user("docgia-hd", password=PASSWORD, email="docgia@example.vn")
    Reader.objects.create(
        user=reader,
        full_name="Trần Thị Hòa",
        citizen_id="066195001234",
        email="docgia@example.vn",
        status=Reader.Status.APPROVED,
    )
    staff = User.objects.create_user("bienmuc-hd", password=PASSWORD, is_staff=True)
    FondsGrant.objects.create(user=staff, fonds=fonds, can_edit=True)
    return {
        "anonymous": None,
        "reader": reader,
        "no_role": User.objects.create_user("khong-vai-tro", password=PASSWORD),
        "staff": staff,
        "superuser": User.objects.create_superuser("quantri-hd", "qt@example.vn", PASSWORD),
    }
