"""Generate A4 300-dpi scan-like pages of Vietnamese text, with their ground truth, deterministically.

Why generate: the six corpus pages are too few to measure throughput, skew accuracy or blank-page
detection, and real scans cannot be shared. Every page is drawn from the seed texts
(``/work/shared/seeds``) in a Liberation or DejaVu font at 10-13 pt, then, for the degraded ones,
yellowed and unevenly lit, given a red seal below the text, bleed-through from the verso, a skew of up
to ±5°, a slight blur, sensor noise and JPEG compression: what a flatbed or book scanner delivers.
The same ``seed`` always gives the same pages (numpy ``default_rng`` and a seeded ``random.Random``).

Two kinds of set:

* :func:`text_pages` — pages with text and the exact text (``truth``) for OCR error rates and speed;
* :func:`qc_pages` — a labelled QC set: ``blank`` (paper only), ``near_blank`` (a page number only),
  ``bleed_through`` (a blank recto showing the verso's text faintly) — all three must be reported
  blank — and ``text`` pages (full, or only a heading and a few lines) that must not be.

Command line (writes JPEGs and a ``manifest.json`` like the corpus's)::

    .venv/bin/python bench/pages.py OUT_DIR --count 30 --seed 7
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

A4_300DPI = (2480, 3508)
DPI = 300
MARGIN_PX = 250
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation2"), Path("/usr/share/fonts/truetype/dejavu"))
FONT_FILES = (
    "LiberationSerif-Regular.ttf",
    "LiberationSans-Regular.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSans.ttf",
)
#: Font size in pixels at 300 dpi: 40 px ≈ 9.6 pt, 54 px ≈ 13 pt (Vietnamese documents use 13-14 pt).
FONT_SIZES = (40, 44, 48, 50, 54)
SEAL_RED = (200, 35, 40)


@dataclass
class GeneratedPage:
    """One page: the image (RGB), its label, its text and what was done to it."""

    image: Image.Image
    label: str  # "text", "blank", "near_blank", "bleed_through"
    truth: str = ""
    #: Angle passed to ``Image.rotate`` to make the skew; QC should report minus this.
    skew_degrees: float = 0.0
    degradations: list[str] = field(default_factory=list)
    font: str = ""
    size: int = 0

    @property
    def is_blank(self) -> bool:
        return self.label != "text"

    def jpeg(self, quality: int = 85) -> bytes:
        buffer = io.BytesIO()
        self.image.save(buffer, format="JPEG", quality=quality, dpi=(DPI, DPI))
        return buffer.getvalue()


def _font_path(name: str) -> Path:
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(f"font {name} not found in {', '.join(map(str, FONT_DIRS))}")


def _seed_lines() -> list[str]:
    lines: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        lines += [" ".join(line.split()) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        raise FileNotFoundError(f"no seed texts in {SEEDS}")
    return lines


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> Iterator[str]:
    words, current = text.split(" "), ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if current and font.getlength(candidate) > width:
            yield current
            current = word
        else:
            current = candidate
    if current:
        yield current


def _layout(rng: random.Random, font: ImageFont.FreeTypeFont, size: int, max_lines: int | None = None) -> list[str]:
    """Lines of seed text that fill the page's text block, starting at a random seed line."""
    seed_lines = _seed_lines()
    start = rng.randrange(len(seed_lines))
    width = A4_300DPI[0] - 2 * MARGIN_PX
    capacity = (A4_300DPI[1] - 2 * MARGIN_PX - 450) // round(size * 1.45)  # room for a seal below
    capacity = min(capacity, max_lines) if max_lines else capacity
    lines: list[str] = []
    index = start
    while len(lines) < capacity:
        line = seed_lines[index % len(seed_lines)]
        index += 1
        if max_lines and len(line) < 60:  # a sparse page still has a few real lines, not two words
            continue
        lines += list(_wrap(line, font, width))
    return lines[:capacity]


def _draw_text(lines: list[str], font: ImageFont.FreeTypeFont, size: int, top: int = MARGIN_PX) -> Image.Image:
    """Black text on a white grayscale canvas."""
    canvas = Image.new("L", A4_300DPI, 255)
    draw = ImageDraw.Draw(canvas)
    for number, line in enumerate(lines):
        draw.text((MARGIN_PX, top + number * round(size * 1.45)), line, font=font, fill=0)
    return canvas


def _paper(np_rng: np.random.Generator, yellowed: bool) -> np.ndarray:
    """RGB paper, float32 0-1: white or yellowed, lit a little unevenly from one side."""
    height, width = A4_300DPI[1], A4_300DPI[0]
    tone = np.array([0.96, 0.92, 0.78] if yellowed else [0.985, 0.985, 0.975], dtype=np.float32)
    tone += np.float32(np_rng.uniform(-0.02, 0.01))
    angle = np_rng.uniform(0, 2 * math.pi)
    ys, xs = np.mgrid[0:height:8, 0:width:8].astype(np.float32)
    ramp = (np.cos(angle) * xs / width + np.sin(angle) * ys / height).astype(np.float32)
    light = 1.0 - np.float32(np_rng.uniform(0.02, 0.08)) * (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    light = np.asarray(Image.fromarray(light).resize((width, height), Image.Resampling.BILINEAR))
    return tone[None, None, :] * light[:, :, None]


def _ink_layer(canvas: Image.Image) -> np.ndarray:
    """Ink coverage 0-1 (float32) from a black-on-white canvas."""
    return 1.0 - np.asarray(canvas, dtype=np.float32) / 255.0


def _seal(np_rng: np.random.Generator, top: int) -> Image.Image:
    """A round red seal (coverage 0-255, mode L) placed in the empty space below ``top``."""
    layer = Image.new("L", A4_300DPI, 0)
    draw = ImageDraw.Draw(layer)
    radius = int(np_rng.uniform(180, 230))
    cx = int(np_rng.uniform(A4_300DPI[0] * 0.55, A4_300DPI[0] - MARGIN_PX - radius))
    cy = min(top + radius + 40, A4_300DPI[1] - MARGIN_PX - radius)
    for ring, width in ((radius, 12), (radius - 30, 5)):
        draw.ellipse((cx - ring, cy - ring, cx + ring, cy + ring), outline=255, width=width)
    star = [
        (
            cx + (60 if k % 2 == 0 else 25) * math.sin(k * math.pi / 5),
            cy - (60 if k % 2 == 0 else 25) * math.cos(k * math.pi / 5),
        )
        for k in range(10)
    ]
    draw.polygon(star, fill=255)
    return layer.filter(ImageFilter.GaussianBlur(1.2))


def _compose(
    np_rng: np.random.Generator,
    ink: np.ndarray,
    *,
    yellowed: bool,
    ink_strength: float = 0.88,
    bleed: np.ndarray | None = None,
    bleed_strength: float = 0.0,
    seal: Image.Image | None = None,
    noise_sigma: float = 0.0,
) -> Image.Image:
    paper = _paper(np_rng, yellowed)
    darkening = ink * np.float32(ink_strength)
    if bleed is not None:
        darkening = np.maximum(darkening, bleed * np.float32(bleed_strength))
    rgb = paper * (1.0 - darkening[:, :, None])
    if seal is not None:
        coverage = np.asarray(seal, dtype=np.float32)[:, :, None] / 255.0 * np.float32(0.85)
        red = np.array(SEAL_RED, dtype=np.float32) / 255.0
        rgb = rgb * (1.0 - coverage) + rgb * red[None, None, :] * coverage  # ink multiplies the paper
    if noise_sigma:
        rgb += np_rng.normal(0.0, noise_sigma / 255.0, size=rgb.shape[:2]).astype(np.float32)[:, :, None]
    return Image.fromarray(np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8), "RGB")


def _skew(image: Image.Image, angle: float) -> Image.Image:
    if not angle:
        return image
    corner = image.getpixel((5, 5))
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=corner)


def _bleed(rng: random.Random) -> np.ndarray:
    """The verso's text, mirrored and blurred as it shows through the paper."""
    font_name = rng.choice(FONT_FILES)
    size = rng.choice(FONT_SIZES)
    font = ImageFont.truetype(str(_font_path(font_name)), size)
    verso = _draw_text(_layout(rng, font, size), font, size, top=MARGIN_PX + rng.randrange(0, 80))
    verso = verso.transpose(Image.Transpose.FLIP_LEFT_RIGHT).filter(ImageFilter.GaussianBlur(2.0))
    return _ink_layer(verso)


def text_page(seed: int, *, degraded: bool, max_lines: int | None = None) -> GeneratedPage:
    """One page of text; ``degraded`` adds paper tone, seal, bleed-through, skew, blur, noise."""
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    font_name = rng.choice(FONT_FILES)
    size = rng.choice(FONT_SIZES)
    font = ImageFont.truetype(str(_font_path(font_name)), size)
    lines = _layout(rng, font, size, max_lines)
    canvas = _draw_text(lines, font, size)
    if not degraded:
        image = _compose(np_rng, _ink_layer(canvas), yellowed=False)
        return GeneratedPage(image, "text", "\n".join(lines), font=font_name, size=size)
    done = ["yellowed", "uneven light"]
    bleed = None
    bleed_strength = 0.0
    if rng.random() < 0.5:
        bleed, bleed_strength = _bleed(rng), rng.uniform(0.05, 0.12)
        done.append(f"bleed-through {bleed_strength:.2f}")
    seal = None
    if rng.random() < 0.6:
        seal = _seal(np_rng, MARGIN_PX + len(lines) * round(size * 1.45))
        done.append("red seal")
    noise = rng.uniform(3.0, 9.0)
    done.append(f"noise σ={noise:.1f}")
    image = _compose(
        np_rng,
        _ink_layer(canvas),
        yellowed=True,
        ink_strength=rng.uniform(0.7, 0.9),
        bleed=bleed,
        bleed_strength=bleed_strength,
        seal=seal,
        noise_sigma=noise,
    )
    blur = rng.uniform(0.3, 1.0)
    image = image.filter(ImageFilter.GaussianBlur(blur))
    done.append(f"blur {blur:.1f}px")
    angle = round(rng.uniform(-5.0, 5.0), 2)
    image = _skew(image, angle)
    done.append(f"skew {angle:+.2f}°")
    return GeneratedPage(image, "text", "\n".join(lines), angle, done, font_name, size)


def text_pages(count: int, seed: int = 7, *, degraded_share: float = 0.5) -> Iterator[GeneratedPage]:
    """``count`` text pages, ``degraded_share`` of them degraded (spread evenly), by seed."""
    for index in range(count):
        degraded = int((index + 1) * degraded_share) > int(index * degraded_share)
        yield text_page(seed * 100_003 + index, degraded=degraded)


def qc_page(seed: int, label: str) -> GeneratedPage:
    """A labelled page for the QC set (see the module docstring for the labels)."""
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    yellowed = rng.random() < 0.5
    noise = rng.uniform(2.0, 9.0)
    blank_canvas = Image.new("L", A4_300DPI, 255)
    if label == "blank":
        image = _compose(np_rng, _ink_layer(blank_canvas), yellowed=yellowed, noise_sigma=noise)
    elif label == "near_blank":
        font = ImageFont.truetype(str(_font_path(rng.choice(FONT_FILES))), rng.choice(FONT_SIZES))
        draw = ImageDraw.Draw(blank_canvas)
        number = str(rng.randrange(1, 400))
        text = rng.choice([number, f"- {number} -", f"Trang {number}"])
        x = rng.choice([A4_300DPI[0] // 2 - 40, A4_300DPI[0] - MARGIN_PX - 150])
        y = rng.choice([MARGIN_PX - 120, A4_300DPI[1] - MARGIN_PX + 40])
        draw.text((x, y), text, font=font, fill=0)
        image = _compose(np_rng, _ink_layer(blank_canvas), yellowed=yellowed, noise_sigma=noise)
    elif label == "bleed_through":
        image = _compose(
            np_rng,
            _ink_layer(blank_canvas),
            yellowed=yellowed,
            bleed=_bleed(rng),
            bleed_strength=rng.uniform(0.05, 0.12),
            noise_sigma=noise,
        )
    elif label == "text":
        sparse = rng.random() < 0.5
        page = text_page(seed, degraded=rng.random() < 0.5, max_lines=rng.randrange(2, 5) if sparse else None)
        page.degradations.append("sparse" if sparse else "full")
        return page
    else:
        raise ValueError(f"unknown label {label!r}")
    angle = round(rng.uniform(-5.0, 5.0), 2)
    return GeneratedPage(_skew(image, angle), label, skew_degrees=angle, degradations=[f"noise σ={noise:.1f}"])


QC_LABELS = ("blank", "near_blank", "bleed_through", "text")


def qc_pages(per_label: int, seed: int = 11) -> Iterator[GeneratedPage]:
    """``per_label`` pages of each QC label, interleaved, by seed."""
    for index in range(per_label):
        for offset, label in enumerate(QC_LABELS):
            yield qc_page(seed * 100_003 + index * len(QC_LABELS) + offset, label)


def write(pages: Iterator[GeneratedPage], folder: Path) -> list[dict[str, object]]:
    """Write JPEGs (q85, 300 dpi) and truths under ``folder``; return and write the manifest."""
    (folder / "truth").mkdir(parents=True, exist_ok=True)
    manifest: list[dict[str, object]] = []
    for number, page in enumerate(pages, start=1):
        image = f"page-{number:05d}.jpg"
        (folder / image).write_bytes(page.jpeg())
        truth = f"truth/page-{number:05d}.txt"
        (folder / truth).write_text(page.truth, encoding="utf-8")
        manifest.append(
            {
                "image": image,
                "truth": truth,
                "label": page.label,
                "skew_degrees": page.skew_degrees,
                "degradations": page.degradations,
                "font": page.font,
                "size": page.size,
            }
        )
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--qc", action="store_true", help="the labelled QC set (count per label)")
    args = parser.parse_args()
    pages = qc_pages(args.count, args.seed) if args.qc else text_pages(args.count, args.seed)
    manifest = write(pages, args.out)
    print(f"{len(manifest)} pages in {args.out}")


if __name__ == "__main__":
    main()
