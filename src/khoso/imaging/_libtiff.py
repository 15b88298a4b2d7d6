"""Group 4 coding of bits numpy has already packed, through libtiff itself (ctypes).

Why: Pillow keeps a bilevel image at one byte per pixel and packs it to bits, pixel by pixel, before its
libtiff sees it. Of the 18 ms it took to code the text mask of a 300-dpi A4 page, 13 went to that
packing (22/11/2026); numpy packs the same bits in 0.4 ms, and libtiff then codes them in about 4. The
library is Debian's ``libtiff6``, which leptonica, and so tesseract, already needs; it codes the same
bits into the same Group 4 bytes as Pillow's copy (tested). Where libtiff or ``memfd_create`` is
missing, :func:`g4_tiff` returns ``None`` and :func:`khoso.imaging.mrc.encode_g4` lets Pillow code.

The TIFF is written through libtiff's own file functions into an anonymous in-memory file (memfd), so
no callbacks into Python are needed and nothing touches the disk.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import os

import numpy as np

logger = logging.getLogger(__name__)

MINIMUM_VERSION = (4, 0)

_IMAGE_WIDTH, _IMAGE_LENGTH, _BITS_PER_SAMPLE, _COMPRESSION = 256, 257, 258, 259
_PHOTOMETRIC, _FILL_ORDER, _SAMPLES_PER_PIXEL, _ROWS_PER_STRIP, _PLANAR_CONFIG = 262, 266, 277, 278, 284
_COMPRESSION_CCITT_G4, _MIN_IS_BLACK = 4, 1


@functools.cache
def _library() -> ctypes.CDLL | None:
    """libtiff, loaded once per process, with its messages to standard error turned off (a failure is
    seen in the return values); ``None`` when it is missing or older than :data:`MINIMUM_VERSION`."""
    if not hasattr(os, "memfd_create"):
        return None
    name = ctypes.util.find_library("tiff") or "libtiff.so.6"
    try:
        library = ctypes.CDLL(name)
        library.TIFFGetVersion.restype = ctypes.c_char_p
        library.TIFFFdOpen.restype = ctypes.c_void_p
        library.TIFFFdOpen.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p]
        library.TIFFSetField.restype = ctypes.c_int
        library.TIFFWriteEncodedStrip.restype = ctypes.c_ssize_t
        library.TIFFWriteEncodedStrip.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_void_p, ctypes.c_ssize_t]
        library.TIFFClose.argtypes = [ctypes.c_void_p]
        for handler in (library.TIFFSetErrorHandler, library.TIFFSetWarningHandler):
            handler.restype = ctypes.c_void_p
            handler.argtypes = [ctypes.c_void_p]
            handler(None)
    except (OSError, AttributeError) as exc:
        logger.info("libtiff not loaded (%s): Group 4 is coded through Pillow", exc)
        return None
    found = _parse_version(library.TIFFGetVersion() or b"")
    if found < MINIMUM_VERSION:
        logger.info("libtiff %s is older than %s: Group 4 is coded through Pillow", found, MINIMUM_VERSION)
        return None
    return library


def _parse_version(banner: bytes) -> tuple[int, ...]:
    """(4, 5, 0) from libtiff's banner, ``b"LIBTIFF, Version 4.5.0\\nCopyright ..."``; () if unreadable."""
    text = banner.decode("ascii", "replace")
    marker = "Version "
    if marker not in text:
        return ()
    number = text.split(marker, 1)[1].split()[0]
    parts = [part for part in number.split(".") if part.isdigit()]
    return tuple(int(part) for part in parts)


def version() -> str | None:
    """The libtiff version that codes Group 4 here, or ``None`` (Pillow codes it)."""
    library = _library()
    if library is None:
        return None
    return ".".join(map(str, _parse_version(library.TIFFGetVersion())))


def g4_tiff(packed: np.ndarray, width: int) -> bytes | None:
    """A one-strip TIFF of ``packed`` coded with CCITT Group 4, or ``None`` when libtiff is not available.

    ``packed`` holds one row of the image per row, eight pixels a byte, the first pixel in the high bit
    and 1 for white, as :func:`numpy.packbits` makes them from Pillow's mode ``"1"`` (and as Pillow's
    own TIFF writer lays them out, with the same photometric interpretation, black is zero).
    """
    library = _library()
    if library is None:
        return None
    height = packed.shape[0]
    if packed.dtype != np.uint8 or packed.ndim != 2 or packed.shape[1] != -(-width // 8) or not height:
        raise ValueError(f"packed bits of {width} px wide rows expected, got {packed.dtype} {packed.shape}")
    rows = np.ascontiguousarray(packed)
    memory = os.memfd_create("khoso-g4")
    try:
        duplicate = os.dup(memory)
        handle = library.TIFFFdOpen(duplicate, b"khoso-g4", b"w")  # TIFFClose closes the duplicate
        if not handle:
            os.close(duplicate)
            return None
        try:
            fields = (
                (_IMAGE_WIDTH, ctypes.c_uint32(width)),
                (_IMAGE_LENGTH, ctypes.c_uint32(height)),
                (_BITS_PER_SAMPLE, ctypes.c_int(1)),
                (_SAMPLES_PER_PIXEL, ctypes.c_int(1)),
                (_COMPRESSION, ctypes.c_int(_COMPRESSION_CCITT_G4)),
                (_PHOTOMETRIC, ctypes.c_int(_MIN_IS_BLACK)),
                (_FILL_ORDER, ctypes.c_int(1)),
                (_PLANAR_CONFIG, ctypes.c_int(1)),
                (_ROWS_PER_STRIP, ctypes.c_uint32(height)),
            )
            for tag, value in fields:
                if library.TIFFSetField(ctypes.c_void_p(handle), ctypes.c_uint32(tag), value) != 1:
                    return None
            if library.TIFFWriteEncodedStrip(handle, 0, rows.ctypes.data, rows.nbytes) < 0:
                return None
        finally:
            library.TIFFClose(handle)
        size = os.lseek(memory, 0, os.SEEK_END)
        return os.pread(memory, size, 0)
    finally:
        os.close(memory)
