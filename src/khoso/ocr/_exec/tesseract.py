"""The one wrapper around the ``tesseract`` program (in the style of OCRmyPDF's ``_exec``).

Why one module: every detail of how tesseract is started lives here — the environment
(``OMP_THREAD_LIMIT=1``, because tesseract's OpenMP threads oversubscribe a 2-core machine and
cost more CPU than they save), the time limit, the output formats and the error handling. The
rest of the package never builds a tesseract command line.

One invocation produces both outputs we need: a text-only PDF (``-c textonly_pdf=1 ... pdf``,
the invisible GlyphLessFont text layer) and a TSV file (word boxes for search highlights and for
checking alignment), so the page is recognised once.

Tests simulate a crash through :data:`FAULT_HOOK`.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from khoso.core.errors import DependencyError
from khoso.ocr.errors import OcrError, OcrTimeoutError

PROGRAM = "tesseract"
MINIMUM_VERSION = "5.0"
DEFAULT_TIMEOUT_SECONDS = 180.0

FaultHook = Callable[[list[str]], None]

#: Called with the command line just before tesseract is started. Tests set it to a callable
#: that raises (e.g. ``subprocess.CalledProcessError``) to simulate a crash; ``None`` in use.
FAULT_HOOK: FaultHook | None = None


@dataclass(frozen=True)
class TesseractOutput:
    """What one tesseract run produced."""

    textonly_pdf: bytes
    tsv: str


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


def _executable() -> str:
    path = shutil.which(PROGRAM)
    if path is None:
        raise DependencyError(
            program=PROGRAM,
            need=f">= {MINIMUM_VERSION}",
            reason="không có trong PATH / not on PATH",
        )
    return path


@functools.cache
def version() -> str:
    """Return tesseract's version (e.g. ``"5.3.0"``); probed once per process."""
    try:
        completed = subprocess.run(
            [_executable(), "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            env=_environment(),
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise DependencyError(program=PROGRAM, need=f">= {MINIMUM_VERSION}", reason=str(exc)) from exc
    first_line = (completed.stdout or completed.stderr).strip().splitlines()[0]
    found = first_line.split()[-1].lstrip("v")
    if _version_tuple(found) < _version_tuple(MINIMUM_VERSION):
        raise DependencyError(program=PROGRAM, need=f">= {MINIMUM_VERSION}", reason=f"found version {found}")
    return found


def _version_tuple(text: str) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


@functools.cache
def languages() -> frozenset[str]:
    """Return the set of installed tesseract languages (cached)."""
    version()
    try:
        completed = subprocess.run(
            [_executable(), "--list-langs"],
            capture_output=True,
            text=True,
            timeout=30,
            env=_environment(),
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise DependencyError(program=PROGRAM, need=f">= {MINIMUM_VERSION}", reason=str(exc)) from exc
    lines = completed.stdout.strip().splitlines()[1:]  # first line: "List of available languages"
    return frozenset(line.strip() for line in lines if line.strip())


def check_language(lang: str) -> None:
    """Raise :class:`DependencyError` unless every language of ``lang`` (``vie+eng``) exists."""
    missing = [code for code in lang.split("+") if code not in languages()]
    if missing:
        raise DependencyError(
            program=PROGRAM,
            need=f"{MINIMUM_VERSION}+ với dữ liệu ngôn ngữ / with language data {lang}",
            reason=f"thiếu / missing: {', '.join(missing)} (apt install tesseract-ocr-{missing[0]})",
        )


def run(
    image_path: Path,
    *,
    lang: str,
    dpi: int,
    page_segmentation_mode: int | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> TesseractOutput:
    """Recognise ``image_path`` once, returning the text-only PDF and the TSV word boxes.

    The outputs are written next to the image (callers put it in a temporary directory). The
    text-only PDF page measures ``pixels / dpi * 72`` points, its text drawn in render mode 3.
    """
    check_language(lang)
    output_base = image_path.with_name(image_path.stem + "-ocr")
    command = [_executable(), str(image_path), str(output_base), "-l", lang, "--dpi", str(dpi)]
    if page_segmentation_mode is not None:
        command += ["--psm", str(page_segmentation_mode)]
    command += ["-c", "textonly_pdf=1", "pdf", "tsv"]
    try:
        if FAULT_HOOK is not None:
            FAULT_HOOK(command)
        completed = subprocess.run(
            command,
            capture_output=True,
            timeout=timeout,
            env=_environment(),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise OcrTimeoutError(seconds=f"{timeout:g}") from exc
    except subprocess.CalledProcessError as exc:
        raise OcrError(reason=f"tesseract exit {exc.returncode}: {_tail(exc.stderr)}") from exc
    except OSError as exc:
        raise OcrError(reason=f"cannot start tesseract: {exc}") from exc
    if completed.returncode != 0:
        raise OcrError(reason=f"tesseract exit {completed.returncode}: {_tail(completed.stderr)}")
    pdf_path = output_base.with_suffix(".pdf")
    tsv_path = output_base.with_suffix(".tsv")
    try:
        textonly_pdf = pdf_path.read_bytes()
        tsv = tsv_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OcrError(reason=f"tesseract wrote no output: {exc}; {_tail(completed.stderr)}") from exc
    if not textonly_pdf.startswith(b"%PDF"):
        raise OcrError(reason="tesseract's text-only PDF is not a PDF")
    return TesseractOutput(textonly_pdf=textonly_pdf, tsv=tsv)


def _tail(stderr: bytes | str | None, limit: int = 500) -> str:
    if not stderr:
        return "(no message)"
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    return text.strip()[-limit:]
