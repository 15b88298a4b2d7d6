"""Making what a reader receives (TT05 Đ37, 40, 41; standards.md §6.4): no database writes here.

- A reading copy is never a file the reader can keep: each page is served as an image with the
  archive's name burnt into the pixels at the bottom centre, made on request, never cached.
- A copy is the digitized pages as one PDF with "BẢN SAO" top right of page 1; for the whole file
  the file's PDF/A (when it is current) is the source, so copies derive from what is preserved.
- A certified copy is that PDF signed (PAdES) with the archive's key (PKCS#12 file or PKCS#11 token,
  :mod:`khoso.signing.services`), at B-T/B-LT when a TSA is configured. Without a configured key a
  test CA is made under DATA_DIR/signing, for the demo and the tests only. A whole-file copy starts
  from the PDF/A the archive's rendition signature covers, never from the signed rendition itself
  (stamping would break that signature; a second visible signature would overlap the first).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from typing import Any

import pikepdf
from django.conf import settings
from PIL import Image

from khoso.archive.models import ArchiveFile, Document, Page
from khoso.core.errors import IntegrityError
from khoso.storage.services import object_store

VIEW_MAX_PX = 2000  # a reading copy is for reading on screen, not for reprinting
JPEG_QUALITY = 85


def archive_signer() -> Any:
    """The archive's PKCS#12 signer: the configured file, or the test CA when the setting was left empty."""
    from khoso.signing.services import p12_signer

    return p12_signer()


def _whole_file_pdf(archive_file: ArchiveFile, pages: list[Page]) -> bytes | None:
    """The file's PDF/A when the request is for every page and the PDF/A was built from the current pages."""
    from khoso.capture.services import pages_digest

    if not archive_file.pdf_id or len(pages) != archive_file.pages.count():
        return None
    renditions = [page.rendition_id for page in pages if page.rendition_id]
    if len(renditions) != len(pages):
        return None
    if archive_file.pdf_pages_digest != pages_digest(renditions):
        return None
    data = object_store().read_bytes(archive_file.pdf_id)
    from khoso.signing.models import RenditionSignature

    signature = RenditionSignature.objects.filter(file=archive_file, state=RenditionSignature.State.SIGNED).first()
    if signature is not None and len(data) >= signature.pdfa_size:
        # The stored rendition carries the archive's own signature; a copy starts from the PDF/A it covers
        # (the first pdfa_size bytes), so the copy mark or the «BẢN SAO» signature is the only one on page 1.
        prefix = data[: signature.pdfa_size]
        if hashlib.sha256(prefix).hexdigest() == signature.pdfa_sha256:
            return prefix
    return data


def _image_page_pdf(page: Page) -> bytes:
    """A one-page PDF of a page's original image (pages whose rendition is not made yet)."""
    import img2pdf

    data = object_store().read_bytes(page.original_id)
    try:
        return img2pdf.convert(data)
    except Exception:  # noqa: BLE001 - img2pdf refuses some images (alpha, odd modes): re-encode them
        with Image.open(io.BytesIO(data)) as image:
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, "JPEG", quality=JPEG_QUALITY)
        return img2pdf.convert(buffer.getvalue())


def pages_pdf(*, archive_file: ArchiveFile, document: Document | None, pages: list[Page]) -> bytes:
    """One PDF of ``pages`` in order (the document's pages only, for a document request)."""
    if document is None and (whole := _whole_file_pdf(archive_file, pages)) is not None:
        return whole
    store = object_store()
    out = pikepdf.Pdf.new()
    with contextlib.ExitStack() as sources:  # qpdf copies foreign pages lazily: keep sources open until saved
        for page in pages:
            data = store.read_bytes(page.rendition_id) if page.rendition_id else _image_page_pdf(page)
            try:
                source = sources.enter_context(pikepdf.open(io.BytesIO(data)))
            except pikepdf.PdfError as error:
                raise IntegrityError(reason=f"trang {page.number} của {archive_file.file_code}: {error}") from error
            out.pages.extend(source.pages)
        if not len(out.pages):
            raise IntegrityError(reason=f"hồ sơ {archive_file.file_code} không có trang nào để sao")
        out.docinfo["/Title"] = document.subject if document else archive_file.title
        out.docinfo["/Subject"] = document.doc_code if document else archive_file.file_code
        buffer = io.BytesIO()
        out.save(buffer)
    return buffer.getvalue()


def copy_pdf(*, archive_file: ArchiveFile, document: Document | None, pages: list[Page], certified: bool) -> bytes:
    """The copy (Đ40: "BẢN SAO" stamped) or certified copy (Đ41: the signature itself reads "BẢN SAO")."""
    pdf = pages_pdf(archive_file=archive_file, document=document, pages=pages)
    if certified:
        from khoso.signing.pades import sign_certified_copy
        from khoso.signing.services import archive_signer as signer_in_use
        from khoso.signing.services import long_term_for

        with signer_in_use() as signer:  # the PKCS#12 file or the PKCS#11 token; B-T/B-LT as configured
            return sign_certified_copy(
                pdf,
                signer=signer,
                agency_name=settings.KHOSO_ARCHIVE_NAME,
                timestamp_url=settings.KHOSO_TSA_URL or None,
                long_term=long_term_for(signer),
            )
    from khoso.signing.stamps import stamp_copy

    return stamp_copy(pdf)


def reading_page_jpeg(page: Page) -> bytes:
    """A page of a reading copy: the original scaled for the screen, the archive's name at the bottom centre."""
    from khoso.signing.stamps import watermark_image

    with object_store().open(page.original_id) as handle, Image.open(handle) as image:
        image.thumbnail((VIEW_MAX_PX, VIEW_MAX_PX))
        marked = watermark_image(image.convert("RGB"), archive_name=settings.KHOSO_ARCHIVE_NAME)
        buffer = io.BytesIO()
        marked.convert("RGB").save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()
