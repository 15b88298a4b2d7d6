"""Size benchmark of the access copy: mixed raster content (MRC) beside JPEG, OCRmyPDF -O2 and G4.

Issue 8, goal 2: an access copy ≤ 0.2× the bytes of the page as colour JPEG q75 and ≤ ⅓ of
OCRmyPDF -O2, the OCR error rate on the decoded page ≤ the original's + 0.2 percentage points,
pages without colour ≤ 1.05× their G4 size, and MRC encoding ≤ 1.0× the OCR CPU of the page.

For every page (the corpus scans and generated pages, clean and degraded, from ``bench/pages.py``)
it OCRs the scan as the pipeline does (QC skew, :func:`khoso.ocr.engine.prepare_page`, then
:func:`khoso.ocr.engine.ocr_page`), renders the MRC page with :func:`khoso.ocr.pdfa.render_page` and
the OCR's threshold as its text mask (``--own-mask``: the encoder's own), decodes it back to a 300-dpi image with
pypdfium2 and OCRs that again. Bytes are whole PDF/A files (text layer included) for ours and
OCRmyPDF, bare image files for JPEG q75 and G4. Also compared: the background layer as JPEG
against JPEG 2000 at the same PSNR. Run from the repository root, at low priority::

    .venv/bin/python bench/size.py                  # corpus + 10 generated pages
    .venv/bin/python bench/size.py --generated 40 --skip-ocrmypdf
"""

from __future__ import annotations

import argparse
import io
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src")]


from khoso.imaging.mrc import encode_page, split_layers  # noqa: E402
from khoso.imaging.qc import check_page  # noqa: E402
from khoso.ocr import pdfa  # noqa: E402
from khoso.ocr.accuracy import edit_distance, normalise  # noqa: E402
from khoso.ocr.engine import ocr_page, prepare_page  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "ocr-vie"
DPI = 300


@dataclass
class PageFigures:
    name: str
    kind: str
    jpeg_bytes: int
    g4_bytes: int
    mrc_page_bytes: int
    mrc_image_bytes: int
    mrc_cpu: float
    ocr_cpu: float
    cer_original: float
    cer_decoded: float
    background_jpeg: int
    background_jpx: int
    jpx_cpu: float
    jpeg_cpu: float


def errors(text: str, truth: str) -> tuple[int, int]:
    hypothesis, reference = normalise(text), normalise(truth)
    return edit_distance(hypothesis, reference), len(reference)


def cpu_now() -> float:
    """CPU seconds of this process (all threads) and of its finished children (tesseract)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def corpus_pages() -> list[tuple[str, Image.Image, str]]:
    import json

    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    pages: list[tuple[str, Image.Image, str]] = []
    for entry in manifest:
        image = Image.open(CORPUS / entry["image"])
        image.load()
        pages.append((entry["image"], image, (CORPUS / entry["truth"]).read_text(encoding="utf-8")))
    return pages


def generated_pages(count: int) -> list[tuple[str, Image.Image, str]]:
    import pages as generator  # bench/pages.py

    result = []
    for index, page in enumerate(generator.text_pages(count, seed=8)):
        label = "degraded" if page.skew_degrees else "clean"
        result.append((f"generated-{index:03d} ({label})", page.image, page.truth))
    return result


def jpeg_bytes(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def g4_bytes(bilevel: Image.Image) -> int:
    buffer = io.BytesIO()
    bilevel.save(buffer, format="TIFF", compression="group4")
    return len(buffer.getvalue())


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * math.log10(255.0**2 / mse)


def background_codecs(background: np.ndarray) -> tuple[int, int, float, float]:
    """Bytes of the background as JPEG q35 (ours) and as JPEG 2000 at the same PSNR, and CPU of each."""
    image = Image.fromarray(background)
    start = time.process_time()
    jpeg = io.BytesIO()
    image.save(jpeg, format="JPEG", quality=35, optimize=True)
    jpeg_cpu = time.process_time() - start
    target = psnr(background, np.asarray(Image.open(io.BytesIO(jpeg.getvalue())).convert("RGB")))
    start = time.process_time()
    jpx = io.BytesIO()
    image.save(jpx, format="JPEG2000", quality_mode="dB", quality_layers=[target], irreversible=True)
    jpx_cpu = time.process_time() - start
    return len(jpeg.getvalue()), len(jpx.getvalue()), jpeg_cpu, jpx_cpu


def decode(pdf_bytes: bytes, size: tuple[int, int]) -> Image.Image:
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        return document[0].render(scale=DPI / 72).to_pil().convert("RGB").resize(size)
    finally:
        document.close()


def measure(
    name: str, image: Image.Image, truth: str, work: Path, *, own_mask: bool = False
) -> tuple[PageFigures, bytes, list[int]]:
    original = jpeg_bytes(image, 92) if image.format != "JPEG" else None
    scan_bytes = original if original is not None else (CORPUS / name).read_bytes()
    skew = check_page(image, (DPI, DPI)).skew_degrees or 0.0
    gray = image.convert("L")
    before = cpu_now()
    prepared = prepare_page(np.asarray(gray), skew)
    ocr = ocr_page(image, dpi=DPI, skew_degrees=skew, prepared=prepared.ocr_input)
    ocr_cpu = cpu_now() - before
    # As the pipeline renders: with the OCR's threshold as the text mask, or (--own-mask) the encoder's own.
    mask = None if own_mask else prepared.scan_mask

    layers = encode_page(image, dpi=DPI, mask=mask, gray=gray)
    before = cpu_now()  # the whole MRC rendition: JPEG decode, segmentation, coding, PDF page
    page_pdf = pdfa.render_page(scan_bytes, mime="image/jpeg", ocr=ocr, dpi=DPI, mode="mrc", mask=mask, gray=gray)
    mrc_cpu = cpu_now() - before

    ink = split_layers(image, dpi=DPI, mask=mask, gray=gray)
    background_jpeg, background_jpx, jpeg_cpu, jpx_cpu = background_codecs(ink.background)
    decoded = decode(page_pdf, image.size)
    decoded_ocr = ocr_page(decoded, dpi=DPI, skew_degrees=0.0)  # levelled: the PDF page draws the scan deskewed
    original_errors = errors(ocr.text, truth)
    decoded_errors = errors(decoded_ocr.text, truth)
    figures = PageFigures(
        name=name,
        kind=layers.kind,
        jpeg_bytes=len(jpeg_bytes(image, 75)),
        g4_bytes=g4_bytes(Image.fromarray(~ink.ink)),
        mrc_page_bytes=len(page_pdf),
        mrc_image_bytes=layers.image_bytes,
        mrc_cpu=mrc_cpu,
        ocr_cpu=ocr_cpu,
        cer_original=original_errors[0] / max(1, original_errors[1]),
        cer_decoded=decoded_errors[0] / max(1, decoded_errors[1]),
        background_jpeg=background_jpeg,
        background_jpx=background_jpx,
        jpx_cpu=jpx_cpu,
        jpeg_cpu=jpeg_cpu,
    )
    (work / "scans").mkdir(exist_ok=True)
    (work / "scans" / f"{len(list((work / 'scans').iterdir())):04d}.jpg").write_bytes(scan_bytes)
    return figures, page_pdf, [original_errors[0], decoded_errors[0], original_errors[1]]


def ocrmypdf_bytes(work: Path) -> tuple[int, float]:
    """Size of ``ocrmypdf -l vie --output-type pdfa-2 -O2`` on the same scans, and its wall time."""
    import img2pdf

    scans = sorted((work / "scans").iterdir())
    source = work / "input.pdf"
    source.write_bytes(img2pdf.convert([str(path) for path in scans]))
    out = work / "ocrmypdf-O2.pdf"
    start = time.monotonic()
    subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "ocrmypdf"),
            "-l",
            "vie",
            "--output-type",
            "pdfa-2",
            "-O2",
            "--jobs",
            "2",
            str(source),
            str(out),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    return out.stat().st_size, time.monotonic() - start


def report(label: str, rows: list[PageFigures], ours_file: int, counts: list[list[int]], ocrmypdf: int | None) -> None:
    n = len(rows)
    per_page = ours_file / n
    jpeg = statistics.fmean(row.jpeg_bytes for row in rows)
    g4 = statistics.fmean(row.g4_bytes for row in rows)
    cer_before = sum(c[0] for c in counts) / sum(c[2] for c in counts)
    cer_after = sum(c[1] for c in counts) / sum(c[2] for c in counts)
    kinds = {kind: sum(row.kind == kind for row in rows) for kind in ("mrc", "bitonal", "jpeg")}
    print(f"\n== {label}: {n} pages ({', '.join(f'{k} {v}' for k, v in kinds.items() if v)})")
    print(f"ours, PDF/A file incl. text layer   {per_page / 1024:8.1f} KB/page")
    print(
        f"ours, images only                   {statistics.fmean(r.mrc_image_bytes for r in rows) / 1024:8.1f} KB/page"
    )
    print(
        f"colour JPEG q75                      {jpeg / 1024:8.1f} KB/page   ours/JPEG = {per_page / jpeg:.3f}× (≤ 0.2×)"
    )
    if ocrmypdf is not None:
        print(
            f"ocrmypdf -O2 PDF/A                   {ocrmypdf / n / 1024:8.1f} KB/page   "
            f"ours/OCRmyPDF = {ours_file / ocrmypdf:.3f}× (≤ 0.333×)"
        )
    print(f"G4 of the mask alone                 {g4 / 1024:8.1f} KB/page   ours/G4 = {per_page / g4:.2f}×")
    bitonal = [row for row in rows if row.kind == "bitonal"]
    if bitonal:
        ratio = max(row.mrc_image_bytes / row.g4_bytes for row in bitonal)
        page_ratio = max(row.mrc_page_bytes / row.g4_bytes for row in bitonal)
        print(f"no-colour pages: image/G4 max {ratio:.3f}× (≤ 1.05×); page incl. text layer/G4 max {page_ratio:.3f}×")
    print(
        f"CER original {cer_before * 100:.2f} %  decoded MRC {cer_after * 100:.2f} %  "
        f"difference {(cer_after - cer_before) * 100:+.2f} pp (≤ +0.2 pp)"
    )
    mrc_cpu = statistics.fmean(row.mrc_cpu for row in rows)
    ocr_cpu = statistics.fmean(row.ocr_cpu for row in rows)
    print(
        f"MRC rendition (decode + encode + PDF page) {mrc_cpu:.2f} CPU-s/page, OCR {ocr_cpu:.2f} CPU-s/page: "
        f"{mrc_cpu / ocr_cpu:.2f}× (≤ 1.0×)"
    )
    jpeg_bg = [row.background_jpeg / 1024 for row in rows]
    jpx_bg = [row.background_jpx / 1024 for row in rows]
    print(
        f"background ÷3: JPEG q35 mean {statistics.fmean(jpeg_bg):.1f} KB max {max(jpeg_bg):.1f} KB "
        f"({statistics.fmean(r.jpeg_cpu for r in rows) * 1000:.0f} ms); JPEG 2000 at the same PSNR "
        f"mean {statistics.fmean(jpx_bg):.1f} KB max {max(jpx_bg):.1f} KB "
        f"({statistics.fmean(r.jpx_cpu for r in rows) * 1000:.0f} ms)"
    )


def run(
    label: str, pages: list[tuple[str, Image.Image, str]], skip_ocrmypdf: bool, verbose: bool, own_mask: bool
) -> None:
    with tempfile.TemporaryDirectory(prefix="khoso-size-") as folder:
        work = Path(folder)
        rows, pdfs, counts = [], [], []
        for name, image, truth in pages:
            figures, page_pdf, count = measure(name, image, truth, work, own_mask=own_mask)
            rows.append(figures)
            pdfs.append(page_pdf)
            counts.append(count)
            if verbose:
                print(
                    f"  {name:34} {figures.kind:7} ours {figures.mrc_page_bytes / 1024:6.1f} KB  "
                    f"JPEG {figures.jpeg_bytes / 1024:6.1f} KB  G4 {figures.g4_bytes / 1024:5.1f} KB  "
                    f"CER {figures.cer_original * 100:.2f}→{figures.cer_decoded * 100:.2f} %  "
                    f"MRC {figures.mrc_cpu:.2f}s OCR {figures.ocr_cpu:.2f}s",
                    flush=True,
                )
        ours = work / "ours.pdf"
        pdfa.assemble_pdfa(pdfs, ours, title="bench/size.py")
        problems = pdfa.check_pdfa(ours)
        ocrmypdf = None if skip_ocrmypdf else ocrmypdf_bytes(work)[0]
        report(label, rows, ours.stat().st_size, counts, ocrmypdf)
        print(f"PDF/A self-check of our file: {problems or 'ok'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generated", type=int, default=10, help="generated pages (half degraded)")
    parser.add_argument("--skip-ocrmypdf", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="no per-page lines")
    parser.add_argument("--own-mask", action="store_true", help="the MRC encoder's own mask, not the OCR's threshold")
    args = parser.parse_args()
    os.nice(10)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    print(f"{time.strftime('%d/%m/%Y %H:%M')}  {os.cpu_count()} cores  load {os.getloadavg()[0]:.1f}")
    run("corpus ocr-vie", corpus_pages(), args.skip_ocrmypdf, not args.quiet, args.own_mask)
    if args.generated:
        run("generated", generated_pages(args.generated), args.skip_ocrmypdf, not args.quiet, args.own_mask)


if __name__ == "__main__":
    main()
