"""The one wrapper around tesseract (in the style of OCRmyPDF's ``_exec``): the library in this process,
or the ``tesseract`` program when the library cannot be used.

Why one module: every detail of how tesseract runs lives here — which engine, the environment
(``OMP_THREAD_LIMIT=1``: tesseract's OpenMP threads oversubscribe a 2-core machine and cost more CPU
than they save), the time limit, the output format and the error handling. The rest of the package
never builds a tesseract command line nor touches the library.

Why in process: a worker recognises page after page, and the program pays on every page for its own
start, for loading the language model and for reading the page back from a file. Each thread keeps one
initialised ``TessBaseAPI`` per language for the life of the process, and the page is handed over as
pixels in memory. Two in-process engines, the first that loads is used:

1. tesseract 5.5 as the ``tesserocr`` wheel builds it (MIT; tesseract Apache-2.0, leptonica BSD),
   through tesserocr's API. Same ``vie`` model and the same word boxes as Debian's 5.3 build (one
   word of 554 read differently on a corpus page, rightly), for 17 % fewer instructions per page
   (callgrind, corpus page P01/HS001/2: 14.5 against 17.4 billion; 22/11/2026); the wheel's
   tesseract is built without OpenMP. Only raw pixels are handed over
   (``SetImageBytes``), so the image readers the wheel bundles never parse a scan.
2. Debian's ``libtesseract5`` (a dependency of ``tesseract-ocr``) through ctypes and tesseract's C API
   (``capi.h``), when tesserocr is missing (a platform without its wheel); not when it was loaded
   with an OpenMP thread limit other than 1 (libgomp reads ``OMP_THREAD_LIMIT`` once, when it is
   first loaded). It gives the same TSV as the program for the same page.

The program stays the last fallback, and the anchor the benchmarks compare against.

Time limit: the program is killed after ``timeout`` seconds. In process, tesseract's own monitor
(``ETEXT_DESC`` deadline) stops recognition, which is nearly all of the time (≈ 0.85 of ≈ 1.05 CPU-s
on a corpus page); layout analysis before it cannot be interrupted. A page stuck there is stopped
by ending the process that holds it (a Celery hard time limit kills the worker child); the page's
lease then expires and the page is retried (:mod:`khoso.capture.pipeline`).

Only TSV is asked for (word boxes with block, paragraph and line numbers): the invisible text layer
is written from the boxes by :mod:`khoso.ocr.textlayer`, not by tesseract's PDF renderer. In process,
tesseract's text lines go to its LSTM without being written as PNG and read back
(:mod:`khoso.ocr._exec.line_images`, 8 % fewer instructions, the same words).

Tests simulate a crash or a hang through :data:`FAULT_HOOK`, on either engine.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ctypes.util
import functools
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from khoso.core.errors import DependencyError
from khoso.ocr._exec import line_images
from khoso.ocr.errors import OcrError, OcrTimeoutError

logger = logging.getLogger(__name__)

PROGRAM = "tesseract"
LIBRARY = "libtesseract.so.5"
MINIMUM_VERSION = "5.0"
DEFAULT_TIMEOUT_SECONDS = 180.0
#: Tesseract's page segmentation mode 3, automatic layout (the program's default, not the library's).
PSM_AUTO = 3
#: One uniform block of text, no layout analysis (``--psm 6``, :mod:`khoso.ocr.layout`).
PSM_SINGLE_BLOCK = 6
#: Set on every engine. ``textord_disable_pitch_test``: layout analysis stops testing each text line
#: for typewriter-style fixed pitch, a test only the legacy classifier's character chopping uses; the
#: LSTM reads whole lines either way. It was 5.7 % of a corpus page's instructions (callgrind, 13.54 →
#: 12.77 billion), and the words came out identical on 22 pages: the 6 corpus pages, 8 generated and 8
#: generated in monospaced fonts (22/11/2026).
VARIABLES = {"textord_disable_pitch_test": "1"}
#: In process, also: tesseract's progress notes ("Detected 282 diacritics") went to the program's
#: captured stderr; in a worker they would fill its log.
_IN_PROCESS_VARIABLES = {"debug_file": os.devnull, **VARIABLES}

FaultHook = Callable[[list[str]], None]

#: Called with the command line (for the library, a description of the call in the same shape) just
#: before tesseract starts on a page. Tests set it to a callable that raises, e.g.
#: ``subprocess.CalledProcessError`` for a crash or ``subprocess.TimeoutExpired`` for a hang;
#: ``None`` in use.
FAULT_HOOK: FaultHook | None = None


@dataclass(frozen=True)
class TesseractOutput:
    """What one recognition produced: tesseract's TSV (word boxes) and which engine ran."""

    tsv: str
    engine: str


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
    """Return the tesseract program's version (e.g. ``"5.3.0"``); probed once per process."""
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
def _list_langs() -> list[str]:
    """The lines of ``tesseract --list-langs`` (run once per process): its data folder, then one language each."""
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
    return completed.stdout.strip().splitlines()


def languages() -> frozenset[str]:
    """Return the set of installed tesseract languages."""
    lines = _list_langs()[1:]  # first line: "List of available languages in …"
    return frozenset(line.strip() for line in lines if line.strip())


def tessdata_dir() -> str:
    """The language data folder the program reads (``TESSDATA_PREFIX`` or its built-in one)."""
    header = next(iter(_list_langs()), "")  # List of available languages in "/usr/share/…/tessdata/" (3):
    folder = header.split('"')[1] if header.count('"') >= 2 else ""
    if not folder:
        raise DependencyError(program=PROGRAM, need=f">= {MINIMUM_VERSION}", reason=f"no tessdata folder in {header!r}")
    return folder if folder.endswith("/") else folder + "/"


def check_language(lang: str) -> None:
    """Raise :class:`DependencyError` unless every language of ``lang`` (``vie+eng``) exists."""
    missing = [code for code in lang.split("+") if code not in languages()]
    if missing:
        raise DependencyError(
            program=PROGRAM,
            need=f"{MINIMUM_VERSION}+ với dữ liệu ngôn ngữ / with language data {lang}",
            reason=f"thiếu / missing: {', '.join(missing)} (apt install tesseract-ocr-{missing[0]})",
        )


def engine() -> str:
    """Which engine recognises pages in this process, e.g. ``"libtesseract 5.5.4 (tesserocr, in process,
    raw line images)"``; the last part only when :mod:`khoso.ocr._exec.line_images` is loaded."""
    library = _library()
    if library is not None:
        raw = ", raw line images" if line_images.load() is not None else ""
        return f"libtesseract {library.version} ({library.source}, in process{raw})"
    return f"tesseract {version()} (program)"


def recognise(
    image: Image.Image,
    *,
    lang: str,
    dpi: int,
    page_segmentation_mode: int | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> TesseractOutput:
    """Recognise a prepared page (mode ``"1"`` or ``"L"``; other modes are converted to ``"L"``) once.

    Boxes in the TSV are pixels of ``image``; ``dpi`` is its resolution (tesseract scales its layout
    rules by it).
    """
    check_language(lang)
    if image.mode not in ("1", "L"):
        image = image.convert("L")
    library = _library()
    if library is not None:
        return library.recognise(image, lang=lang, dpi=dpi, psm=page_segmentation_mode, timeout=timeout)
    with tempfile.TemporaryDirectory(prefix="khoso-ocr-") as workdir:
        # PBM (mode "1") or PGM: no compression to spend CPU on, and leptonica reads both.
        image_path = Path(workdir) / ("page.pbm" if image.mode == "1" else "page.pgm")
        image.save(image_path, format="PPM")
        return run(image_path, lang=lang, dpi=dpi, page_segmentation_mode=page_segmentation_mode, timeout=timeout)


def load(lang: str) -> None:
    """Load ``lang``'s model into this thread's in-process engine now (≈ 0.1 CPU-s), ahead of the first
    page; nothing to load when pages go to the program."""
    library = _library()
    if library is not None:
        library._api(lang)


@contextlib.contextmanager
def _failures_as_ocr_errors(timeout: float) -> Iterator[None]:
    """The failures of a run (or of :data:`FAULT_HOOK`) as :class:`OcrError` / :class:`OcrTimeoutError`."""
    try:
        yield
    except subprocess.TimeoutExpired as exc:
        raise OcrTimeoutError(seconds=f"{timeout:g}") from exc
    except subprocess.CalledProcessError as exc:
        raise OcrError(reason=f"tesseract exit {exc.returncode}: {_tail(exc.stderr)}") from exc
    except OSError as exc:
        raise OcrError(reason=f"cannot start tesseract: {exc}") from exc


def run(
    image_path: Path,
    *,
    lang: str,
    dpi: int,
    page_segmentation_mode: int | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> TesseractOutput:
    """Recognise ``image_path`` with the tesseract program, returning its TSV word boxes.

    The output is written next to the image (callers put it in a temporary directory).
    """
    check_language(lang)
    output_base = image_path.with_name(image_path.stem + "-ocr")
    command = [_executable(), str(image_path), str(output_base), "-l", lang, "--dpi", str(dpi)]
    if page_segmentation_mode is not None:
        command += ["--psm", str(page_segmentation_mode)]
    for name, value in VARIABLES.items():
        command += ["-c", f"{name}={value}"]
    command += ["tsv"]
    with _failures_as_ocr_errors(timeout):
        if FAULT_HOOK is not None:
            FAULT_HOOK(command)
        completed = subprocess.run(command, capture_output=True, timeout=timeout, env=_environment(), check=False)
    if completed.returncode != 0:
        raise OcrError(reason=f"tesseract exit {completed.returncode}: {_tail(completed.stderr)}")
    try:
        tsv = output_base.with_suffix(".tsv").read_text(encoding="utf-8")
    except OSError as exc:
        raise OcrError(reason=f"tesseract wrote no output: {exc}; {_tail(completed.stderr)}") from exc
    return TesseractOutput(tsv=tsv, engine="program")


def _tail(stderr: bytes | str | None, limit: int = 500) -> str:
    if not stderr:
        return "(no message)"
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    return text.strip()[-limit:]


# --------------------------------------------------------------------------- the library, in process


class _Library:
    """libtesseract through its C API; one ``TessBaseAPI`` per thread and language, kept loaded."""

    def __init__(self, cdll: ctypes.CDLL, found_version: str) -> None:
        self.cdll = cdll
        self.version = found_version
        self.source = "libtesseract5"
        self._local = threading.local()
        self._lock = threading.Lock()
        self._handles: list[tuple[int, int]] = []  # (process id, TessBaseAPI*) to end at exit
        atexit.register(self._end_all)

    def _api(self, lang: str) -> int:
        handles: dict[str, int] = self._local.__dict__.setdefault("handles", {})
        handle = handles.get(lang)
        if handle is None:
            handle = self.cdll.TessBaseAPICreate()
            # NULL data path: the same tessdata directory the program uses (TESSDATA_PREFIX or built in).
            if self.cdll.TessBaseAPIInit3(handle, None, lang.encode("ascii")) != 0:
                self.cdll.TessBaseAPIDelete(handle)
                raise OcrError(reason=f"libtesseract could not load the language data {lang}")
            for name, value in _IN_PROCESS_VARIABLES.items():
                self.cdll.TessBaseAPISetVariable(handle, name.encode(), value.encode())
            handles[lang] = handle
            with self._lock:
                self._handles.append((os.getpid(), handle))
        return handle

    def recognise(self, image: Image.Image, *, lang: str, dpi: int, psm: int | None, timeout: float) -> TesseractOutput:
        width, height = image.size
        description = [LIBRARY, f"<{image.mode} {width}×{height} px in memory>", "-l", lang, "--dpi", str(dpi)]
        if psm is not None:
            description += ["--psm", str(psm)]
        with _failures_as_ocr_errors(timeout):
            if FAULT_HOOK is not None:
                FAULT_HOOK(description)
        api = self._api(lang)
        lib = self.cdll
        # Mode "1" rows are packed most significant bit first, 1 = white, as SetImage wants for depth 0.
        pixels = image.tobytes()
        bytes_per_line = (width + 7) // 8 if image.mode == "1" else width
        monitor = lib.TessMonitorCreate()
        try:
            lib.TessBaseAPISetImage(api, pixels, width, height, 0 if image.mode == "1" else 1, bytes_per_line)
            lib.TessBaseAPISetSourceResolution(api, dpi)
            lib.TessBaseAPISetPageSegMode(api, PSM_AUTO if psm is None else psm)
            started = time.monotonic()
            lib.TessMonitorSetDeadlineMSecs(monitor, max(1, round(timeout * 1000)))
            status = lib.TessBaseAPIRecognize(api, monitor)  # releases the GIL while it runs
            if status != 0:
                if time.monotonic() - started >= timeout:
                    raise OcrTimeoutError(seconds=f"{timeout:g}")
                raise OcrError(reason="libtesseract could not recognise the page")
            text = lib.TessBaseAPIGetTsvText(api, 0)
            if not text:
                raise OcrError(reason="libtesseract returned no TSV")
            try:
                tsv = ctypes.string_at(text).decode("utf-8", "replace")
            finally:
                lib.TessDeleteText(text)
        finally:
            lib.TessMonitorDelete(monitor)
            lib.TessBaseAPIClear(api)
        return TesseractOutput(tsv=tsv, engine="library")

    def _end_all(self) -> None:
        """End this process's APIs at exit (forked children inherit the list but not the ownership)."""
        with self._lock:
            mine = [handle for pid, handle in self._handles if pid == os.getpid()]
            self._handles.clear()
        for handle in mine:
            self.cdll.TessBaseAPIEnd(handle)
            self.cdll.TessBaseAPIDelete(handle)


_C_API: dict[str, tuple[list[type], type | None]] = {
    "TessVersion": ([], ctypes.c_char_p),
    "TessBaseAPICreate": ([], ctypes.c_void_p),
    "TessBaseAPIDelete": ([ctypes.c_void_p], None),
    "TessBaseAPIEnd": ([ctypes.c_void_p], None),
    "TessBaseAPIInit3": ([ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p], ctypes.c_int),
    "TessBaseAPISetVariable": ([ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p], ctypes.c_int),
    "TessBaseAPISetImage": (
        [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int],
        None,
    ),
    "TessBaseAPISetSourceResolution": ([ctypes.c_void_p, ctypes.c_int], None),
    "TessBaseAPISetPageSegMode": ([ctypes.c_void_p, ctypes.c_int], None),
    "TessBaseAPIRecognize": ([ctypes.c_void_p, ctypes.c_void_p], ctypes.c_int),
    "TessBaseAPIGetTsvText": ([ctypes.c_void_p, ctypes.c_int], ctypes.c_void_p),
    "TessBaseAPIClear": ([ctypes.c_void_p], None),
    "TessDeleteText": ([ctypes.c_void_p], None),
    "TessMonitorCreate": ([], ctypes.c_void_p),
    "TessMonitorDelete": ([ctypes.c_void_p], None),
    "TessMonitorSetDeadlineMSecs": ([ctypes.c_void_p, ctypes.c_int], None),
}


class _Tesserocr:
    """tesseract through the tesserocr wheel (see the module's docstring); same interface as :class:`_Library`."""

    source = "tesserocr"

    def __init__(self, module: Any, found_version: str) -> None:
        self.module = module
        self.version = found_version
        self._local = threading.local()

    def _api(self, lang: str) -> Any:
        apis: dict[str, Any] = self._local.__dict__.setdefault("apis", {})
        api = apis.get(lang)
        if api is None:
            try:
                api = self.module.PyTessBaseAPI(path=tessdata_dir(), lang=lang)
            except RuntimeError as exc:
                raise OcrError(reason=f"tesserocr could not load the language data {lang}: {exc}") from exc
            for name, value in _IN_PROCESS_VARIABLES.items():
                api.SetVariable(name, value)
            apis[lang] = api
        return api

    def recognise(self, image: Image.Image, *, lang: str, dpi: int, psm: int | None, timeout: float) -> TesseractOutput:
        width, height = image.size
        description = [f"tesserocr {self.version}", f"<{image.mode} {width}×{height} px in memory>", "-l", lang]
        description += ["--dpi", str(dpi), *(["--psm", str(psm)] if psm is not None else [])]
        with _failures_as_ocr_errors(timeout):
            if FAULT_HOOK is not None:
                FAULT_HOOK(description)
        api = self._api(lang)
        try:
            # Mode "1" rows are packed most significant bit first, 1 = white: depth 0 for SetImage.
            depth, bytes_per_line = (0, (width + 7) // 8) if image.mode == "1" else (1, width)
            api.SetImageBytes(image.tobytes(), width, height, depth, bytes_per_line)
            api.SetSourceResolution(dpi)
            api.SetPageSegMode(PSM_AUTO if psm is None else psm)
            started = time.monotonic()
            if not api.Recognize(timeout=max(1, round(timeout * 1000))):  # releases the GIL while it runs
                if time.monotonic() - started >= timeout:
                    raise OcrTimeoutError(seconds=f"{timeout:g}")
                raise OcrError(reason="tesserocr could not recognise the page")
            tsv = api.GetTSVText(0)
        finally:
            api.Clear()
        if not tsv:
            raise OcrError(reason="tesserocr returned no TSV")
        return TesseractOutput(tsv=tsv, engine="library")


@functools.cache
def _library() -> _Tesserocr | _Library | None:
    """The in-process engine, chosen once per process; ``None`` (use the program) when neither loads.

    Before either engine loads, :mod:`khoso.ocr._exec.line_images` takes over the PNG round trip of
    tesseract's text lines (8 % of a page's recognition); the words stay the same."""
    line_images.load()
    return _tesserocr() or _system_library()


def _tesserocr() -> _Tesserocr | None:
    try:
        import tesserocr
    except ImportError:
        logger.info("tesserocr is not installed; trying Debian's libtesseract")
        return None
    banner = tesserocr.tesseract_version().split()  # "tesseract 5.5.4 leptonica-1.87.0 …"
    found_version = banner[1] if len(banner) > 1 else ""
    if _version_tuple(found_version) < _version_tuple(MINIMUM_VERSION):
        logger.warning("tesserocr's tesseract %s is older than %s; not used", found_version, MINIMUM_VERSION)
        return None
    return _Tesserocr(tesserocr, found_version)


@functools.cache
def _system_library() -> _Library | None:
    """Debian's libtesseract, loaded once per process; ``None`` when it cannot be used."""
    # libgomp reads OMP_THREAD_LIMIT once, when it is loaded; libtesseract brings it in.
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        cdll = ctypes.CDLL(LIBRARY)
    except OSError:
        found = ctypes.util.find_library("tesseract")
        if found is None:
            logger.info("libtesseract not found; pages are recognised by the tesseract program")
            return None
        try:
            cdll = ctypes.CDLL(found)
        except OSError as exc:
            logger.info("libtesseract not loadable (%s); pages are recognised by the tesseract program", exc)
            return None
    try:
        for name, (argtypes, restype) in _C_API.items():
            function = getattr(cdll, name)
            function.argtypes = argtypes
            function.restype = restype
    except AttributeError as exc:
        logger.warning("libtesseract lacks the C API (%s); pages are recognised by the tesseract program", exc)
        return None
    found_version = (cdll.TessVersion() or b"").decode("ascii", "replace")
    if _version_tuple(found_version) < _version_tuple(MINIMUM_VERSION):
        logger.warning("libtesseract %s is older than %s; using the program", found_version, MINIMUM_VERSION)
        return None
    limit = _openmp_thread_limit()
    if limit not in (None, 1):
        logger.warning(
            "OpenMP was loaded with a thread limit of %s before libtesseract; using the program "
            "(set OMP_THREAD_LIMIT=1 before the process starts)",
            limit,
        )
        return None
    return _Library(cdll, found_version)


def _openmp_thread_limit() -> int | None:
    """libgomp's thread limit in this process, or None when no libgomp is loaded."""
    try:
        gomp = ctypes.CDLL("libgomp.so.1", mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
    except OSError:
        return None
    gomp.omp_get_thread_limit.restype = ctypes.c_int
    return int(gomp.omp_get_thread_limit())
