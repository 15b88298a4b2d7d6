"""Errors of the OCR and PDF rendering step.

They live here rather than in :mod:`khoso.core.errors` because only this package raises them;
they still derive from :class:`~khoso.core.errors.ArchiveError` so the web and the CLI report
them like every other error (stable code, Vietnamese message first).
"""

from __future__ import annotations

from khoso.core.errors import ArchiveError, ExitCode


class OcrError(ArchiveError):
    """Tesseract failed on a page (crash, non-zero exit, unreadable output)."""

    code = "loi_nhan_dang_ky_tu"
    message_vi = "Nhận dạng ký tự (OCR) thất bại: {reason}"
    message_en = "OCR failed: {reason}"
    http_status = 500
    exit_code = ExitCode.other


class OcrTimeoutError(OcrError):
    """Tesseract ran longer than allowed for one page and was stopped."""

    code = "het_thoi_gian_ocr"
    message_vi = "Nhận dạng ký tự (OCR) quá {seconds} giây cho một trang và đã bị dừng."
    message_en = "OCR took more than {seconds} s for one page and was stopped."
    exit_code = ExitCode.timeout


class RenderError(ArchiveError):
    """A page or a document could not be turned into a PDF rendition."""

    code = "loi_tao_pdf"
    message_vi = "Không tạo được bản PDF: {reason}"
    message_en = "Could not build the PDF: {reason}"
    http_status = 500
    exit_code = ExitCode.other
