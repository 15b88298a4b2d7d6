"""Page processes keep the buffers a page frees for the next page, instead of handing them back to the kernel.

Why its own module: the pipeline's page processes and Celery workers set it when they import
:mod:`khoso.capture.pipeline`, and ``bench/ingest.py`` measures the stages without Django, so it must
set it the same way to measure what the page processes spend.
"""

from __future__ import annotations

import ctypes
import ctypes.util

#: glibc ``mallopt`` parameters (``malloc.h``) and the values the page processes run with.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
PAGE_BUFFER_BYTES = 32 << 20  # glibc's largest allowed mmap threshold; an RGB page is 26 MB
KEPT_FREE_BYTES = 256 << 20


def keep_freed_page_buffers() -> bool:
    """Let glibc keep the page-sized buffers a page frees, for the next page, instead of unmapping them.

    By default every block over 128 KB (its threshold grows only to the largest block freed so far) is
    mapped for its own and handed back to the kernel when freed, so the next page's arrays (9 MB of
    luma, 26 MB of colour, tesseract's images) are faulted in and zeroed afresh: 13,000 page faults a
    page, ≈ 0.04 CPU-s of system time (40 generated pages, 22/11/2026: 525,000 faults against
    137,000 kept). The cost is memory kept for reuse, up to the largest page's working set, which the
    process reaches anyway. False where the C library is not glibc (nothing is changed).
    """
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, PAGE_BUFFER_BYTES) and mallopt(_M_TRIM_THRESHOLD, KEPT_FREE_BYTES))
