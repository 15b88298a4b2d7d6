"""Reads of the signing area: what the file page shows about signatures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from khoso.signing.models import RenditionSignature, RenditionVersion, SignatureCheck


@dataclass(frozen=True)
class FileSignatures:
    """The archive's signature on the file's PDF/A (if any), its versions, and checks of received PDFs."""

    rendition: RenditionSignature | None
    versions: list[RenditionVersion]
    checks: list[SignatureCheck]


def file_signatures(archive_file: Any) -> FileSignatures:
    rendition = RenditionSignature.objects.filter(file=archive_file).first()
    versions = list(RenditionVersion.objects.filter(file=archive_file).order_by("pk"))
    checks = list(SignatureCheck.objects.filter(file=archive_file).order_by("-checked_at", "-pk"))
    return FileSignatures(rendition=rendition, versions=versions, checks=checks)
