"""The watched folder: scan stations drop one sub-folder per file, named by its file code.

A sub-folder is taken once nothing in it has changed for ``SETTLE_SECONDS`` (a scanner may still
be writing) or once it holds a ``READY`` marker. A delivered folder moves to ``.processed/``;
a rejected one moves to ``.rejected/`` with ``LOI.txt`` naming the rule broken, so the operator
sees why and nothing is lost.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from django.conf import settings

from khoso.capture.models import Delivery
from khoso.core.errors import ArchiveError
from khoso.core.text import nfc

logger = logging.getLogger(__name__)
SETTLE_SECONDS = 10
READY_MARKER = "READY"


def folder_settled(folder: Path, now: float) -> bool:
    """Whether a delivery folder is complete: a READY marker, or nothing changed for SETTLE_SECONDS."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    if not files:
        return False
    if (folder / READY_MARKER).exists():
        return True
    return now - max(p.stat().st_mtime for p in files) >= SETTLE_SECONDS


def _move(folder: Path, area: str) -> Path:
    target_root = folder.parent / area
    target_root.mkdir(exist_ok=True)
    target = target_root / f"{time.strftime('%Y%m%d-%H%M%S')}-{folder.name}"
    shutil.move(str(folder), target)
    return target


def _operator_names() -> set[str]:
    from django.contrib.auth import get_user_model

    return {nfc(name) for name in get_user_model().objects.values_list("username", flat=True)}


def scan_once(root: Path | None = None, *, now: float | None = None) -> int:
    """Deliver every settled sub-folder; returns how many deliveries were made."""
    from khoso.capture.selectors import file_for_delivery
    from khoso.capture.services import arrivals_from_folder, deliver

    root = root or Path(settings.KHOSO_WATCH_DIR)
    root.mkdir(parents=True, exist_ok=True)
    now = now or time.time()
    made = 0
    operators = _operator_names()
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if nfc(folder.name) in operators:  # a scan operator's own folder: khoso.scanning delivers from it
            continue
        if not folder_settled(folder, now):
            continue
        try:
            archive_file = file_for_delivery(nfc(folder.name))
            arrivals = [a for a in arrivals_from_folder(folder) if a.name != READY_MARKER]
            deliver(archive_file=archive_file, arrivals=arrivals, source=Delivery.Source.WATCH)
        except ArchiveError as error:
            rejected = _move(folder, ".rejected")
            (rejected / "LOI.txt").write_text(f"{error.message}\n{error.message_english}\n", encoding="utf-8")
            logger.warning("watched folder %s rejected: %s", folder.name, error.message)
            continue
        _move(folder, ".processed")
        made += 1
    return made
