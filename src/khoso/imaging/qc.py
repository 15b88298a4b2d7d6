"""Per-page image quality control: catch a bad scan while the paper is still on the scanner.

Why here and why cheap: Thông tư 05 sets technical minimums for digitised archives (at least
200 dpi for administrative documents, 300 dpi for maps and technical drawings, 24-bit colour),
and a page that is blank, crooked or blurred makes OCR and the reading copy worthless. Finding
that out weeks later means pulling the box from the stacks again, so every page is checked at
capture time. A failing page is *flagged for rescan* (``passed`` is false and ``problems`` says
why, in Vietnamese first), never silently dropped: dropping a page would break the integrity
of the file (hồ sơ).

The checks must not slow capture down. At full 300-dpi A4 resolution the skew search alone
costs 200-400 ms, so every measurement is done on one reduced grayscale *working image* (long
side about :data:`WORKING_LONG_SIDE` pixels, box-averaged by an integer factor), which keeps
the whole check at a few tens of milliseconds per page:

* **ink**: pixels darker than the local paper tone by :attr:`QcRules.ink_contrast` grey
  levels; the paper tone is estimated on a 1/8-scale copy (max filter + median), so uneven
  lighting and tinted paper do not count as ink;
* **blank**: the ink ratio inside a 3 % margin is below :attr:`QcRules.blank_ink_ratio`;
* **skew**: projection profile of the ink pixels' coordinates, searched over ±5° (coarse 0.25°
  steps, then 0.02° steps around the best), scored by the sum of squared differences of the
  row histogram, which peaks when text lines are horizontal. It runs on a second reduced copy
  with twice the resolution (:data:`SKEW_LONG_SIDE`): on generated pages (``bench/pages.py``)
  the error at the 1000-pixel scale reached 0.17°, at 2000 pixels 0.08° (target ≤ 0.1°), for
  about 30 ms more;
* **blur**: root mean square of the Laplacian on and around ink pixels, divided by the ink
  contrast (95th percentile), so faded ink does not look blurred and a sparse page does not
  look sharp less than a dense one.

Skew sign convention: ``skew_degrees`` is the angle to pass to ``PIL.Image.Image.rotate`` (which
turns counter-clockwise for positive angles) to straighten the page. A page whose text lines
climb to the right (content turned counter-clockwise by 2°) reports ``-2.0``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import cv2
import numpy as np
from PIL import Image

PageKind = Literal["text", "map"]

#: Long side, in pixels, of the reduced grayscale image every measurement runs on.
WORKING_LONG_SIDE = 1000
#: Long side, in pixels, of the reduced grayscale image the skew is measured on.
SKEW_LONG_SIDE = 2000
#: Skew search range, degrees either way.
MAX_SKEW_SEARCH = 5.0
#: Below this many ink pixels the skew is not estimated (nothing to align).
MIN_INK_PIXELS_FOR_SKEW = 300
#: Ink pixels used for the skew search at most (a fixed-stride sample beyond that).
MAX_SKEW_SAMPLES = 60_000
#: Margin (fraction of the short side) ignored by ink, blank and skew: scanner edges, lid shadow.
MARGIN_FRACTION = 0.03

#: Bits of colour information per pixel for each Pillow mode (alpha not counted).
COLOUR_BITS_BY_MODE: dict[str, int] = {
    "1": 1,
    "L": 8,
    "LA": 8,
    "La": 8,
    "P": 8,
    "PA": 8,
    "I;16": 16,
    "I;16L": 16,
    "I;16B": 16,
    "I;16N": 16,
    "I": 32,
    "F": 32,
    "RGB": 24,
    "RGBA": 24,
    "RGBa": 24,
    "RGBX": 24,
    "YCbCr": 24,
    "LAB": 24,
    "HSV": 24,
    "CMYK": 32,
}
#: Modes that hold colour (the others are grey, bitonal or palette, whatever their bit depth).
COLOUR_MODES = frozenset({"RGB", "RGBA", "RGBa", "RGBX", "YCbCr", "LAB", "HSV", "CMYK"})


@dataclass
class QcRules:
    """Thresholds of the page check.

    ``blur_threshold`` was chosen by measurement on the six 300-dpi corpus pages
    (``/work/shared/corpus/ocr-vie``): their blur score is 0.92-1.08; after a Gaussian blur of
    σ = 1 px (at 300 dpi) it is 0.84-0.99, σ = 2 px 0.66-0.74, σ = 3 px 0.45-0.49. The threshold
    0.6 accepts the slight softness of real scanners and still-legible σ = 2 px, and fails
    σ ≥ 3 px, where small Vietnamese diacritics start to merge.

    ``blank_ink_ratio``: text pages of the corpus have 5-13 % ink and their text-free paper
    exactly 0 %; 0.05 % of the page is about one short line of text at working scale, so a page
    with only a page number is reported blank and goes to a person to confirm.
    """

    min_dpi: int = 200
    min_dpi_map: int = 300
    require_colour_bits: int = 24
    max_skew_degrees: float = 3.0
    blur_threshold: float = 0.6
    blank_ink_ratio: float = 0.0005
    ink_contrast: int = 40


@dataclass(frozen=True)
class QcProblem:
    """One failed rule, with a stable ``code`` and a message in Vietnamese then English.

    ``severity`` is ``"error"`` (the page fails: rescan) or ``"warning"`` (a person should look,
    the page still passes).
    """

    code: str
    message_vi: str
    message_en: str
    severity: Literal["error", "warning"] = "error"


@dataclass
class QcResult:
    """What the check measured and decided for one page.

    ``skew_degrees`` and ``blur_score`` are ``None`` for a blank page (nothing to measure).
    """

    dpi: tuple[float, float]
    dpi_assumed: bool
    colour_bits: int
    ink_ratio: float
    is_blank: bool
    skew_degrees: float | None
    blur_score: float | None
    passed: bool
    problems: list[QcProblem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (lists instead of tuples, plain floats)."""
        data = asdict(self)
        data["dpi"] = [float(v) for v in self.dpi]
        return data


def check_page(
    image: Image.Image,
    dpi: tuple[float, float],
    *,
    kind: PageKind = "text",
    rules: QcRules | None = None,
    dpi_assumed: bool = False,
    source_mode: str | None = None,
) -> QcResult:
    """Check one page image against ``rules``; ``kind="map"`` applies the map/drawing minimum.

    ``source_mode`` is the Pillow mode of the scan as stored when ``image`` is a grayscale copy
    of it (the pipeline decodes a colour JPEG's luma only, once, and shares it with OCR).
    """
    if kind not in ("text", "map"):
        raise ValueError(f"kind must be 'text' or 'map', not {kind!r}")
    rules = rules or QcRules()
    problems: list[QcProblem] = []

    problems.extend(_resolution_problems(dpi, kind, rules, dpi_assumed))
    mode = source_mode or image.mode
    colour_bits = COLOUR_BITS_BY_MODE.get(mode, 8)
    if mode not in COLOUR_MODES or colour_bits < rules.require_colour_bits:
        problems.append(
            QcProblem(
                "mau_duoi_24_bit",
                f"Ảnh ở chế độ {mode} ({colour_bits} bit), chưa phải ảnh màu "
                f"{rules.require_colour_bits} bit theo TT 05; cần quét lại ở chế độ màu.",
                f"Image mode {mode} ({colour_bits} bits) is not "
                f"{rules.require_colour_bits}-bit colour; rescan in colour.",
            )
        )

    gray = working_gray(image)
    ink = _ink_mask(gray, rules.ink_contrast)
    inner = _inner(ink)
    ink_ratio = float(inner.mean()) if inner.size else 0.0
    is_blank = ink_ratio < rules.blank_ink_ratio
    skew_degrees: float | None = None
    blur_score: float | None = None
    if is_blank:
        problems.append(
            QcProblem(
                "trang_trang",
                "Trang trắng (không thấy chữ hay hình): kiểm tra mặt giấy rồi quét lại hoặc "
                "xác nhận đây là trang trắng thật.",
                "Blank page (no ink found): check the sheet, rescan or confirm it is blank.",
            )
        )
    else:
        skew_degrees = estimate_skew(_inner(_ink_mask(working_gray(image, SKEW_LONG_SIDE), rules.ink_contrast)))
        if abs(skew_degrees) > rules.max_skew_degrees:
            problems.append(
                QcProblem(
                    "trang_nghieng",
                    f"Trang bị nghiêng {abs(skew_degrees):.1f}°, quá {rules.max_skew_degrees}°; "
                    "đặt lại giấy và quét lại.",
                    f"Page is skewed by {abs(skew_degrees):.1f}°, over "
                    f"{rules.max_skew_degrees}°; straighten the sheet and rescan.",
                )
            )
        blur_score = _blur_score(gray, ink)
        if blur_score < rules.blur_threshold:
            problems.append(
                QcProblem(
                    "anh_mo",
                    f"Ảnh bị mờ (độ nét {blur_score:.2f} < {rules.blur_threshold}); kiểm tra lấy nét và quét lại.",
                    f"Image is blurred (sharpness {blur_score:.2f} < {rules.blur_threshold}); "
                    "check the focus and rescan.",
                )
            )

    return QcResult(
        dpi=(float(dpi[0]), float(dpi[1])),
        dpi_assumed=dpi_assumed,
        colour_bits=colour_bits,
        ink_ratio=round(ink_ratio, 5),
        is_blank=is_blank,
        skew_degrees=skew_degrees,
        blur_score=None if blur_score is None else round(blur_score, 3),
        passed=not any(problem.severity == "error" for problem in problems),
        problems=problems,
    )


def _resolution_problems(
    dpi: tuple[float, float], kind: PageKind, rules: QcRules, dpi_assumed: bool
) -> list[QcProblem]:
    if dpi_assumed:
        return [
            QcProblem(
                "do_phan_giai_khong_ro",
                f"Tệp không ghi độ phân giải; tạm coi là {dpi[0]:.0f} dpi. Kiểm tra cài đặt máy quét.",
                f"The file states no resolution; {dpi[0]:.0f} dpi assumed. Check the scanner settings.",
                severity="warning",
            )
        ]
    needed = rules.min_dpi_map if kind == "map" else rules.min_dpi
    actual = min(dpi)
    # Half a dpi of slack: resolutions derived from PDF page sizes are not exact integers.
    if actual + 0.5 >= needed:
        return []
    what_vi = "bản đồ, bản vẽ kỹ thuật" if kind == "map" else "tài liệu hành chính"
    what_en = "maps and technical drawings" if kind == "map" else "administrative documents"
    return [
        QcProblem(
            "do_phan_giai_thap",
            f"Độ phân giải {actual:.0f} dpi thấp hơn mức tối thiểu {needed} dpi cho {what_vi} (TT 05); cần quét lại.",
            f"Resolution {actual:.0f} dpi is below the {needed} dpi minimum for {what_en}; rescan.",
        )
    ]


# --------------------------------------------------------------------------------------------
# Measurements on the working image


def working_gray(image: Image.Image, long_side: int = WORKING_LONG_SIDE) -> np.ndarray:
    """Grayscale uint8 array of ``image`` box-reduced by an integer factor to ~``long_side``."""
    factor = max(1, round(max(image.size) / long_side))
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        array = np.asarray(image, dtype=np.float32)
        peak = 65535.0 if image.mode.startswith("I;16") else max(float(array.max()), 1.0)
        image = Image.fromarray(np.clip(array * (255.0 / peak), 0, 255).astype(np.uint8))
    elif image.mode not in ("L", "RGB"):
        image = image.convert("RGB" if COLOUR_BITS_BY_MODE.get(image.mode, 8) >= 24 else "L")
    if factor > 1:
        image = image.reduce(factor)
    return np.asarray(image.convert("L"))


def _ink_mask(gray: np.ndarray, contrast: int) -> np.ndarray:
    """Pixels darker than the local paper tone by more than ``contrast`` grey levels."""
    height, width = gray.shape
    small = cv2.resize(gray, (max(1, width // 8), max(1, height // 8)), interpolation=cv2.INTER_AREA)
    paper = cv2.medianBlur(cv2.dilate(small, np.ones((3, 3), np.uint8)), 5)
    paper = cv2.resize(paper, (width, height), interpolation=cv2.INTER_LINEAR)
    return (paper.astype(np.int16) - gray) > contrast


def _inner(mask: np.ndarray) -> np.ndarray:
    margin = int(MARGIN_FRACTION * min(mask.shape))
    if margin == 0:
        return mask
    return mask[margin:-margin, margin:-margin]


def estimate_skew(ink: np.ndarray, search_degrees: float = MAX_SKEW_SEARCH) -> float:
    """Angle (degrees, ``Image.rotate`` convention) that straightens the text lines in ``ink``.

    Returns 0.0 when there are too few ink pixels to tell.
    """
    rows, cols = np.nonzero(ink)
    if rows.size < MIN_INK_PIXELS_FOR_SKEW:
        return 0.0
    if rows.size > MAX_SKEW_SAMPLES:
        stride = math.ceil(rows.size / MAX_SKEW_SAMPLES)
        rows, cols = rows[::stride], cols[::stride]
    x = cols.astype(np.float64) - cols.mean()
    y = rows.astype(np.float64)

    def line_sharpness(content_angle: float) -> float:
        # Content turned counter-clockwise by a: a line satisfies y + x·tan(a) = constant.
        projected = np.rint(y + x * math.tan(math.radians(content_angle))).astype(np.int64)
        histogram = np.bincount(projected - projected.min()).astype(np.float64)
        return float(np.sum(np.diff(histogram) ** 2))

    def best_of(angles: np.ndarray) -> float:
        return float(angles[int(np.argmax([line_sharpness(a) for a in angles]))])

    coarse = best_of(np.arange(-search_degrees, search_degrees + 1e-9, 0.25))
    fine = best_of(np.arange(coarse - 0.3, coarse + 0.3 + 1e-9, 0.02))
    return round(-fine, 2) + 0.0  # + 0.0 turns -0.0 into 0.0


def _blur_score(gray: np.ndarray, ink: np.ndarray) -> float:
    """Contrast-normalised RMS Laplacian around ink: ~1 for a sharp scan, lower when blurred."""
    near_ink = cv2.dilate(ink.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    if not near_ink.any():
        return 0.0
    laplacian = cv2.Laplacian(gray, cv2.CV_32F)
    paper = cv2.dilate(gray, np.ones((7, 7), np.uint8))
    contrast = float(np.percentile(paper[near_ink].astype(np.float32) - gray[near_ink], 95))
    if contrast <= 0:
        return 0.0
    return float(np.sqrt(np.mean(laplacian[near_ink] ** 2)) / contrast)
