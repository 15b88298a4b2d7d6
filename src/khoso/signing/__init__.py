"""Copies with legal value: the marks and the signature a reader's copy must carry (TT 05/2025 Đ37, 40–42).

A copy handed out by an archive is only worth what it proves. The rules (standards.md §3.1, §5.2, §6.4):

- a **reading copy** (Đ37) is not downloadable and shows the archive's name at the bottom centre of
  every page, so any screenshot says where it came from;
- an **uncertified copy** (Đ40) shows «BẢN SAO» at the top right of page 1, Times New Roman 10 pt,
  black, so it is never taken for the original;
- a **certified copy** (Đ41) carries the archive's digital signature, PAdES, added as an incremental
  update after the PDF/A conversion (rewriting a signed file breaks it); the signature shows, as text
  only and never a seal image, «BẢN SAO», the agency name and the signing time in ISO 8601 with the
  Vietnam offset, top right of the first page (TT05 Đ8.1, NĐ30 PL I).

Times New Roman is not installed; Liberation Serif 2 (fonts-liberation2), metric-compatible with it and
complete for Vietnamese, stands in (``khoso.core.printing.font_family`` picks it).

The library core (this package's ``pades``, ``ltv``, ``stamps``, ``testca``, ``testpki``) is bytes and
images in, bytes and images out, no web framework (in the manner of pyHanko), so the reader service, the
capture pipeline, the CLI and the re-time-stamp job share it. :mod:`khoso.signing.testca` makes a clearly
marked test CA, :mod:`khoso.signing.testpki` a whole local PKI (CRL, OCSP, RFC 3161 TSA on 127.0.0.1).
The Django side (``models``, ``services``, ``selectors``, ``tasks``) records the archive's signature on
each file's PDF/A and the checks of signatures on received PDFs, and renews time stamps (B-LTA).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from khoso.signing.pades import (
        VIETNAM,
        LongTerm,
        SignatureReport,
        SignedPdf,
        Signer,
        SigningError,
        SigningKeyError,
        SigningTokenError,
        iso_vietnam,
        load_signer,
        open_pkcs11_signer,
        pades_level,
        sign_certified_copy,
        sign_rendition,
        verify_pdf,
    )
    from khoso.signing.stamps import COPY_MARK, image_band_height, stamp_copy, stamp_reading_copy, watermark_image
    from khoso.signing.testca import TestCA, ensure_test_ca

#: Where each name of the library core lives. They are imported on first use, not with the package:
#: Django imports this package at start-up (it is an installed app), and pyHanko, reportlab and
#: openpyxl behind ``pades`` and ``stamps`` cost ≈ 1.5 CPU-s that a command which signs nothing
#: (``khoso ingest`` without ``--wait``, a worker's start, ``khoso check``) should not pay.
_LAZY = {
    **dict.fromkeys(
        (
            "VIETNAM",
            "LongTerm",
            "SignatureReport",
            "SignedPdf",
            "Signer",
            "SigningError",
            "SigningKeyError",
            "SigningTokenError",
            "iso_vietnam",
            "load_signer",
            "open_pkcs11_signer",
            "pades_level",
            "sign_certified_copy",
            "sign_rendition",
            "verify_pdf",
        ),
        "khoso.signing.pades",
    ),
    **dict.fromkeys(
        ("COPY_MARK", "image_band_height", "stamp_copy", "stamp_reading_copy", "watermark_image"),
        "khoso.signing.stamps",
    ),
    **dict.fromkeys(("TestCA", "ensure_test_ca"), "khoso.signing.testca"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "COPY_MARK",
    "VIETNAM",
    "LongTerm",
    "SignatureReport",
    "SignedPdf",
    "Signer",
    "SigningError",
    "SigningKeyError",
    "SigningTokenError",
    "TestCA",
    "ensure_test_ca",
    "image_band_height",
    "iso_vietnam",
    "load_signer",
    "open_pkcs11_signer",
    "pades_level",
    "sign_certified_copy",
    "sign_rendition",
    "stamp_copy",
    "stamp_reading_copy",
    "verify_pdf",
    "watermark_image",
]
