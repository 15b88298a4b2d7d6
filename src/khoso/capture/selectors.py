"""Reads of the capture area: per-file and per-page progress."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from khoso.archive.models import ArchiveFile, Page
from khoso.core.errors import NotFoundError


def file_for_delivery(file_code: str) -> ArchiveFile:
    archive_file = ArchiveFile.objects.filter(file_code=file_code).first()
    if archive_file is None:
        raise NotFoundError(what="Hồ sơ", key=file_code)
    return archive_file


def file_progress(archive_file: ArchiveFile) -> dict[str, Any]:
    """Counts per stage and per QC outcome, plus each page's state, for the progress view."""
    counts = archive_file.pages.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(stage=Page.Stage.DONE)),
        failed=Count("pk", filter=Q(stage=Page.Stage.FAILED)),
        rescan=Count("pk", filter=Q(needs_rescan=True)),
    )
    pages = [
        {
            "number": number,
            "stage": stage,
            "qc_passed": qc_passed,
            "needs_rescan": needs_rescan,
            "error": error,
            "qc": qc,
        }
        for number, stage, qc_passed, needs_rescan, error, qc in archive_file.pages.order_by("number").values_list(
            "number", "stage", "qc_passed", "needs_rescan", "error", "qc"
        )
    ]
    if counts["total"] and counts["done"] == counts["total"]:
        status = "needs_rescan" if counts["rescan"] else "done"
        if not archive_file.pdf_id:
            status = "assembling"
    elif counts["failed"] and counts["done"] + counts["failed"] == counts["total"]:
        status = "failed"
    else:
        status = "processing" if counts["total"] else "empty"
    return {**counts, "status": status, "pages": pages}
