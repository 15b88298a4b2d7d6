"""A file of hundreds of pages: its PDF/A is assembled in bounded memory, and its viewer never needs it.

Issue 8, goal 4: peak memory ≤ 1 GB per worker whatever the file size, and the viewer opens the first
page of a 1,000-page file in under a second (``bench/bigfile.py`` measures both at 1,000 pages). What
is tested here is the structure that makes those hold: assembling 300 pages takes hardly more memory
than assembling 50, however large their images, because the page streams are read while the result
is written instead of being copied into memory first, and the archive's signature is written from
file to file; the first page is shown from that page's own objects, and the file's PDF is served a
byte range at a time to a PDF reader that asks so.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from khoso.archive.models import ArchiveFile, Page
from khoso.capture.models import Delivery
from khoso.ocr.pdfa import check_pdfa, page_count
from khoso.storage.cas import ObjectStore
from khoso.storage.services import object_put_bytes, object_put_file

IMAGE_BYTES = 256 * 1024  # a page's scan in the rendition: incompressible, as JPEG data is

#: Runs in a fresh interpreter and prints how far the assembly raised its peak RSS. ``VmHWM`` is the
#: peak of this program's own memory (``ru_maxrss`` would carry over the peak of the pytest process
#: that forked it, across ``exec``).
MEASURE_ASSEMBLY = """
import json, re, sys
from pathlib import Path
from khoso.ocr.pdfa import assemble_pdfa

def peak_kb():
    return int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1))

pages = [Path(line) for line in Path(sys.argv[1]).read_text().split()]
before = peak_kb()
assemble_pdfa(pages, Path(sys.argv[2]), title="Hồ sơ ba trăm trang")
print(json.dumps({"growth_kb": peak_kb() - before}))
"""


def _page_pdf(path: Path, seed: int) -> None:
    """A one-page rendition: an image of ``IMAGE_BYTES`` bytes of its own, drawn over the page."""
    with pikepdf.new() as pdf:
        image = pikepdf.Stream(
            pdf,
            seed.to_bytes(4, "big") + os.urandom(IMAGE_BYTES - 4),
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image,
            Width=64,
            Height=64,
            ColorSpace=pikepdf.Name.DeviceGray,
            BitsPerComponent=8,
            Filter=pikepdf.Name.DCTDecode,
        )
        page = pdf.add_blank_page(page_size=(595, 842))
        page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.obj.Contents = pikepdf.Stream(pdf, b"q 595 0 0 842 0 0 cm /Im0 Do Q")
        pdf.save(path)


def _assembly_growth_mb(pages: list[Path], folder: Path) -> float:
    listing = folder / f"pages-{len(pages)}.txt"
    listing.write_text("\n".join(map(str, pages)))
    out = folder / f"file-{len(pages)}.pdf"
    done = subprocess.run(
        [sys.executable, "-c", MEASURE_ASSEMBLY, str(listing), str(out)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert page_count(out) == len(pages)
    return float(json.loads(done.stdout.splitlines()[-1])["growth_kb"]) / 1024


def test_assembly_memory_does_not_grow_with_the_page_images(tmp_path: Path) -> None:
    pages = []
    for number in range(300):
        path = tmp_path / f"trang-{number:04d}.pdf"
        _page_pdf(path, number)
        pages.append(path)
    fifty, three_hundred = _assembly_growth_mb(pages[:50], tmp_path), _assembly_growth_mb(pages, tmp_path)
    extra_images_mb = 250 * IMAGE_BYTES / 1024**2  # 62.5 MB more page images in the larger file
    # Copying the streams into memory first would cost the images' whole size; reading them while
    # writing leaves qpdf's per-page bookkeeping (tens of kB a page) as the only growth.
    assert three_hundred - fifty < extra_images_mb / 4, (fifty, three_hundred)


def _peak_reset() -> float:
    """Start a new peak-RSS window for this process (Linux); the RSS now, in MB."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_mb("VmRSS")


def _status_mb(field: str) -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


@pytest.mark.django_db
def test_a_large_file_is_assembled_and_signed_in_little_memory(
    archive_file: ArchiveFile, settings: Any, tmp_path: Path
) -> None:
    from khoso.capture.services import assemble_file
    from khoso.signing.models import RenditionSignature
    from khoso.signing.services import sign_file
    from khoso.signing.testca import ensure_test_ca
    from khoso.storage.services import object_store

    settings.KHOSO_SIGN_RENDITIONS = True  # as installed: the archive signs every file's PDF/A
    settings.KHOSO_SIGNING_P12 = ensure_test_ca(tmp_path / "ca", agency_name="Trung tâm Lưu trữ").p12_path
    settings.KHOSO_SIGNING_P12_PASSWORD = ""
    settings.KHOSO_SIGNING_PKCS11_MODULE = ""
    settings.KHOSO_TSA_URL = ""
    delivery = Delivery.objects.create(file=archive_file, source=Delivery.Source.CLI, names=["a"], page_count=200)
    rows = []
    for number in range(1, 201):
        path = tmp_path / f"trang-{number:04d}.pdf"
        _page_pdf(path, number)
        stored = object_put_file(path=path, mime="application/pdf")
        rows.append(
            Page(
                file=archive_file,
                delivery=delivery,
                number=number,
                original=stored,
                rendition=stored,
                stage=Page.Stage.DONE,
            )
        )
    Page.objects.bulk_create(rows)
    # A worker signs many files: pyHanko's code, fonts and the key (≈ 30 MB) are loaded by its first one.
    assert sign_file(tmp_path / "trang-0001.pdf", tmp_path / "warm-up.pdf").signed
    importlib.import_module("khoso.ocr.pdfa")
    rss = _peak_reset()
    assert assemble_file(archive_file.pk)
    growth = _status_mb("VmHWM") - rss
    archive_file.refresh_from_db()
    signed = object_store().path_for(archive_file.pdf_id)
    assert page_count(signed) == 200
    assert RenditionSignature.objects.get(file=archive_file).state == RenditionSignature.State.SIGNED
    size = signed.stat().st_size / 1024**2  # 50 MB of page images
    # Holding the PDF in memory (to sign it, or while merging the pages) would cost its size, twice over.
    assert growth < size / 4, (growth, size)


# -- the viewer of a large file -------------------------------------------------------------------

PAGES = 300


def _jpeg(number: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (124, 175), (255, 255, 250 - number % 200)).save(buffer, "JPEG", quality=80, dpi=(300, 300))
    return buffer.getvalue()


@pytest.fixture
def large_file(archive_file: ArchiveFile, tmp_path: Path) -> ArchiveFile:
    """A file of 300 processed pages and its PDF/A; page 1 has a scan, thumbnail and rendition of its own."""
    delivery = Delivery.objects.create(file=archive_file, source=Delivery.Source.CLI, names=["a"], page_count=PAGES)
    renditions = []
    for number in range(1, PAGES + 1):
        rendition = tmp_path / f"trang-{number:04d}.pdf"
        with pikepdf.new() as pdf:
            pdf.add_blank_page(page_size=(595, 842))
            pdf.docinfo.Title = f"Trang {number}"
            pdf.save(rendition)
        renditions.append(rendition)
    objects = {
        first: (
            object_put_bytes(data=_jpeg(first), mime="image/jpeg"),
            object_put_bytes(data=_jpeg(first + 1000), mime="image/jpeg"),
            object_put_file(path=renditions[first - 1], mime="application/pdf"),
        )
        for first in (1, 2)  # page 1's own objects; the other pages share those of page 2
    }
    Page.objects.bulk_create(
        Page(
            file=archive_file,
            delivery=delivery,
            number=number,
            original=objects[min(number, 2)][0],
            original_name=f"trang-{number:04d}.jpg",
            thumbnail=objects[min(number, 2)][1],
            rendition=objects[min(number, 2)][2],
            width=124,
            height=175,
            dpi=300,
            stage=Page.Stage.DONE,
            qc_passed=True,
            ocr_text=f"Trang {number} của hồ sơ",
        )
        for number in range(1, PAGES + 1)
    )
    from khoso.ocr.pdfa import assemble_pdfa

    assembled = tmp_path / "ho-so.pdf"
    assemble_pdfa(renditions, assembled, title=archive_file.title)
    ArchiveFile.objects.filter(pk=archive_file.pk).update(pdf=object_put_file(path=assembled, mime="application/pdf"))
    archive_file.refresh_from_db()
    return archive_file


@pytest.fixture
def reader(client: Client, django_user_model: Any) -> Client:
    client.force_login(django_user_model.objects.create_superuser("quantri", password="mat-khau-dai-12"))
    return client


@pytest.fixture
def objects_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Digests of every stored object opened, read or located while the test runs."""
    seen: list[str] = []
    for name in ("open", "read_bytes", "path_for"):
        real = getattr(ObjectStore, name)

        def spy(store: ObjectStore, sha256: str, _real: Any = real) -> Any:
            seen.append(sha256)
            return _real(store, sha256)

        monkeypatch.setattr(ObjectStore, name, spy)
    return seen


@pytest.mark.django_db
def test_first_page_is_shown_without_reading_the_files_pdf(
    large_file: ArchiveFile, reader: Client, objects_read: list[str]
) -> None:
    first = large_file.pages.get(number=1)
    code = large_file.file_code
    objects_read.clear()
    viewer = reader.get(reverse("page_viewer", args=[code, 1]))
    assert viewer.status_code == 200
    assert f"Trang 1 / {PAGES}" in viewer.content.decode()
    image = reader.get(reverse("page_image", args=[code, 1]))
    assert b"".join(image.streaming_content) == _jpeg(1)
    thumbnail = reader.get(reverse("page_thumbnail", args=[code, 1]))
    assert b"".join(thumbnail.streaming_content) == _jpeg(1001)
    rendition = reader.get(reverse("page_pdf", args=[code, 1]))
    assert page_count_of(b"".join(rendition.streaming_content)) == 1
    assert large_file.pdf_id not in objects_read
    assert set(objects_read) <= {first.original_id, first.thumbnail_id, first.rendition_id}


@pytest.mark.django_db
def test_the_files_pdf_is_served_a_byte_range_at_a_time(large_file: ArchiveFile, reader: Client) -> None:
    url = reverse("file_pdf", args=[large_file.file_code])
    whole = reader.get(url)
    content = b"".join(whole.streaming_content)
    size = len(content)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert page_count_of(content) == PAGES

    head = reader.get(url, HTTP_RANGE="bytes=0-1023")
    assert head.status_code == 206
    assert head["Content-Range"] == f"bytes 0-1023/{size}" and head["Content-Length"] == "1024"
    assert b"".join(head.streaming_content) == content[:1024]

    tail = reader.get(url, HTTP_RANGE="bytes=-2048")  # where a reader finds the cross-reference table
    assert tail.status_code == 206 and b"".join(tail.streaming_content) == content[-2048:]
    middle = reader.get(url, HTTP_RANGE=f"bytes={size // 2}-")
    assert b"".join(middle.streaming_content) == content[size // 2 :]

    beyond = reader.get(url, HTTP_RANGE=f"bytes={size}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{size}"
    changed = reader.get(url, HTTP_RANGE="bytes=0-1023", HTTP_IF_RANGE='"another-version"')
    assert changed.status_code == 200 and b"".join(changed.streaming_content) == content
    assert check_pdfa_bytes(content) == []


def page_count_of(content: bytes) -> int:
    with pikepdf.open(io.BytesIO(content)) as pdf:
        return len(pdf.pages)


def check_pdfa_bytes(content: bytes) -> list[str]:
    """The PDF/A self-check's findings apart from the text layer (these test pages carry none)."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        assert page_count(Path(handle.name)) == PAGES
        return [problem for problem in check_pdfa(Path(handle.name)) if "no text layer" not in problem]
