"""Ingest benchmark: our pipeline beside plain OCRmyPDF and plain Tesseract on the same pages.

Prints pages per minute, seconds per page (wall and CPU), bytes per page, peak memory of the
pipeline processes and the character error rate against the ground truth, with the ratios to
the anchors. Run from the repository root:

    .venv/bin/python bench/ingest.py                     # the six corpus pages
    .venv/bin/python bench/ingest.py --pages 24          # corpus pages repeated to 24
    .venv/bin/python bench/ingest.py --skip-anchors      # ours only
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "ocr-vie"
KHOSO = [str(ROOT / ".venv" / "bin" / "python"), "-m", "khoso"]


@dataclass
class Run:
    wall: float
    cpu: float
    peak_rss_mb: float


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(texts: list[str], truths: list[str]) -> float:
    errors = sum(edit_distance(normalise(t), normalise(g)) for t, g in zip(texts, truths, strict=True))
    return errors / max(1, sum(len(normalise(g)) for g in truths))


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[Run, subprocess.CompletedProcess]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        sys.exit(f"{argv[0]} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return Run(wall, cpu, after.ru_maxrss / 1024), done


def pdf_page_texts(pdf: Path) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    texts = []
    for page in document:
        textpage = page.get_textpage()
        texts.append(textpage.get_text_range())
        textpage.close()
        page.close()
    document.close()
    return texts


def prepare_pages(corpus: Path, count: int, folder: Path) -> tuple[list[Path], list[str]]:
    manifest = json.loads((corpus / "manifest.json").read_text())
    images, truths = [], []
    for index in range(count):
        entry = manifest[index % len(manifest)]
        target = folder / f"page-{index + 1:05d}.jpg"
        source = corpus / entry["image"]
        if index < len(manifest):
            shutil.copy(source, target)
        else:  # a repeat must not be deduplicated by content: rewrite one trailing comment byte
            target.write_bytes(source.read_bytes()[:-2] + index.to_bytes(4, "big") + b"\xff\xd9")
        images.append(target)
        truths.append((corpus / entry["truth"]).read_text(encoding="utf-8"))
    return images, truths


def run_ours(images: list[Path], work: Path) -> tuple[Run, dict, list[str]]:
    env = {**os.environ, "KHOSO_DATA_DIR": str(work / "data"), "OMP_THREAD_LIMIT": "1"}
    env.pop("KHOSO_DATABASE_URL", None)
    env.pop("KHOSO_BROKER_URL", None)
    subprocess.run([*KHOSO, "migrate", "-v0"], env=env, check=True)
    run, done = timed(
        [*KHOSO, "ingest", str(images[0].parent), "--file-code", "000.00.00.H15.2025.01", "--wait", "--json"], env
    )
    result = json.loads(done.stdout)
    out = work / "ours.pdf"
    subprocess.run(
        [*KHOSO, "export", "000.00.00.H15.2025.01", "--pdf", str(out)], env=env, check=True, capture_output=True
    )
    return run, result, pdf_page_texts(out)


def run_ocrmypdf(images: list[Path], work: Path, *extra: str) -> tuple[Run, int]:
    import img2pdf

    source = work / "input.pdf"
    if not source.exists():
        source.write_bytes(img2pdf.convert([str(p) for p in images]))
    out = work / f"ocrmypdf{''.join(extra)}.pdf"
    ocrmypdf = str(ROOT / ".venv" / "bin" / "ocrmypdf")
    run, _ = timed(
        [ocrmypdf, "-l", "vie", "--output-type", "pdfa-2", "--jobs", "2", *extra, str(source), str(out)],
        {**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    return run, out.stat().st_size


def run_tesseract(images: list[Path]) -> tuple[Run, list[str]]:
    texts, total = [], Run(0, 0, 0)
    for image in images:
        run, done = timed(["tesseract", str(image), "-", "-l", "vie"], {**os.environ, "OMP_THREAD_LIMIT": "1"})
        total = Run(total.wall + run.wall, total.cpu + run.cpu, max(total.peak_rss_mb, run.peak_rss_mb))
        texts.append(done.stdout)
    return total, texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--pages", type=int, default=0, help="number of pages (corpus pages repeated)")
    parser.add_argument("--skip-anchors", action="store_true")
    args = parser.parse_args()
    count = args.pages or len(json.loads((args.corpus / "manifest.json").read_text()))
    with tempfile.TemporaryDirectory(prefix="khoso-bench-") as tmp:
        work = Path(tmp)
        (work / "pages").mkdir()
        images, truths = prepare_pages(args.corpus, count, work / "pages")
        input_bytes = sum(p.stat().st_size for p in images) / count
        ours, result, our_texts = run_ours(images, work)
        rows = [("Kho Số pipeline", ours, result["pdf_bytes"] / count, cer(our_texts, truths))]
        if not args.skip_anchors:
            plain, plain_bytes = run_ocrmypdf(images, work)
            rows.append(("ocrmypdf -l vie --output-type pdfa-2 --jobs 2", plain, plain_bytes / count, None))
            opt2, opt2_bytes = run_ocrmypdf(images, work, "--optimize", "2")
            rows.append(("ocrmypdf … --optimize 2", opt2, opt2_bytes / count, None))
            tess, tess_texts = run_tesseract(images)
            rows.append(("tesseract -l vie (colour image, OCR only)", tess, None, cer(tess_texts, truths)))
    print(f"pages: {count}; input JPEG: {input_bytes / 1024:.0f} KB/page; machine: {os.cpu_count()} cores")
    print(f"{'run':48} {'pages/min':>9} {'wall s/p':>8} {'CPU s/p':>8} {'KB/page':>8} {'peak MB':>8} {'CER':>7}")
    for name, run, size, error in rows:
        print(
            f"{name:48} {count / run.wall * 60:9.1f} {run.wall / count:8.2f} {run.cpu / count:8.2f} "
            f"{(size or 0) / 1024:8.0f} {run.peak_rss_mb:8.0f} {'' if error is None else f'{error:.2%}':>7}"
        )
    if not args.skip_anchors:
        _, plain, _, _ = rows[1]
        _, _, opt2_size, _ = rows[2]
        _, _, _, tess_cer = rows[3]
        print(f"throughput ratio vs plain ocrmypdf: {plain.wall / ours.wall:.2f}× (target ≥ 1.5×)")
        print(f"bytes/page vs ocrmypdf -O2: {rows[0][2] / opt2_size:.2f}× (target ≤ 1.0×)")
        print(f"CER ours {rows[0][3]:.2%} vs tesseract on colour {tess_cer:.2%} (target: no worse)")
        print(f"peak worker memory {ours.peak_rss_mb:.0f} MB (target < 1024 MB)")


if __name__ == "__main__":
    main()
