"""Tesseract's text lines reach its LSTM without a PNG round trip: builds and loads ``line_images.c``.

Why: tesseract passes each text line to its LSTM as an in-memory image that it writes as PNG with
leptonica and reads straight back, so zlib compresses and decompresses every line of every page: 8 %
of a corpus page's recognition (callgrind: 12.77 → 11.75 billion instructions, the same 554 words and
boxes, 22/11/2026). The small C library in ``line_images.c`` answers tesseract's ``pixWriteMem`` calls
and has leptonica write such lines in its own raw form, which tesseract's reader takes back exactly.
It only works when it is loaded into the process (into the global symbol scope) before tesseract's
library binds the function, so :func:`load` is called by :mod:`khoso.ocr._exec.tesseract` before it
loads an engine.

The library is compiled from the C file with the system's C compiler, once (``install.sh`` does it;
otherwise the first worker that needs it), next to the source or, where that is not writable, in the
user's cache. Without a compiler, or on a C library other than glibc, nothing is loaded and tesseract
runs as it comes: the same words, slower.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

SOURCE = Path(__file__).with_name("line_images.c")
LIBRARY_NAME = "libkhoso_line_images.so"  # not line_images.so: Python would import it as this module
COMPILE_TIMEOUT_SECONDS = 60


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "khoso"


def _fresh(library: Path) -> bool:
    return library.exists() and library.stat().st_mtime >= SOURCE.stat().st_mtime


def build() -> Path | None:
    """The compiled library, compiled now if it is missing or older than its source; ``None`` when it
    cannot be (no C compiler, nowhere writable, a compiler error: logged)."""
    for folder in (SOURCE.parent, _cache_dir()):
        library = folder / LIBRARY_NAME
        if _fresh(library):
            return library
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        logger.info("no C compiler: tesseract's text lines keep their PNG round trip")
        return None
    for folder in (SOURCE.parent, _cache_dir()):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, partial = tempfile.mkstemp(dir=folder, prefix=".libkhoso_line_images-", suffix=".so")
        except OSError:
            continue
        os.close(handle)
        command = [compiler, "-O2", "-shared", "-fPIC", "-o", partial, str(SOURCE), "-ldl"]
        try:
            subprocess.run(command, check=True, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_SECONDS)
            Path(partial).replace(folder / LIBRARY_NAME)  # several workers may build at once: each renames whole
        except (OSError, subprocess.SubprocessError) as exc:
            detail = getattr(exc, "stderr", "") or exc
            logger.warning("could not compile %s: %s", SOURCE.name, detail)
            Path(partial).unlink(missing_ok=True)
            return None
        return folder / LIBRARY_NAME
    logger.info("nowhere to write %s: tesseract's text lines keep their PNG round trip", LIBRARY_NAME)
    return None


_loaded: ctypes.CDLL | None = None
_tried = False


def load() -> ctypes.CDLL | None:
    """Load the library into this process's global symbol scope; ``None`` when it is not there.

    Tried once per process: a missing compiler or a failed build is not looked for again on every call
    (``tesseract.engine()`` asks again each time it describes the engine).
    """
    global _loaded, _tried
    if not _tried:
        _tried = True
        library = build()
        if library is not None:
            try:
                _loaded = ctypes.CDLL(str(library), mode=ctypes.RTLD_GLOBAL)
                _loaded.khoso_lines_written_raw.restype = ctypes.c_ulong
            except OSError as exc:
                logger.warning("could not load %s: %s", library, exc)
    return _loaded


def lines_written_raw() -> int:
    """How many line images tesseract wrote raw instead of as PNG in this process (0 when not loaded)."""
    return int(_loaded.khoso_lines_written_raw()) if _loaded is not None else 0


if __name__ == "__main__":  # install.sh: compile now rather than in the first worker
    raise SystemExit(0 if build() is not None else 1)
