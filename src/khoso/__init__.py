"""Kho Số: an electronic archive with a built-in paper-digitization workflow.

The package is split into Django apps, one per area of the mission (archive of record, capture,
imaging, OCR, storage, search, web), over a ``core`` that has no Django imports so that the CLI,
the worker and the tests can use it directly.
"""

__version__ = "0.1.0"
