"""OCR and PDF/A rendition of scanned pages, with no Django imports.

Why this package exists: OCRmyPDF re-rasterises every page and runs Ghostscript twice, which
costs about 10 CPU-seconds per page. Kho Số already holds the scanned image, so it only needs
tesseract's invisible text layer laid over that image and a PDF/A-2b wrapper around the pages.
Doing that here (tesseract once per page, in process, on a page whose paper is already white,
pikepdf for the PDF work) is several times cheaper, keeps the scan bytes untouched where possible,
and can be called from the CLI, the worker and the tests alike.

Modules:

* :mod:`khoso.ocr.engine` — image preparation and :func:`~khoso.ocr.engine.ocr_page`.
* :mod:`khoso.ocr.textlayer` — the invisible text layer, written from the word boxes.
* :mod:`khoso.ocr.pdfa` — one-page rendering, PDF/A-2b assembly and a light self-check.
* :mod:`khoso.ocr._exec.tesseract` — the only place tesseract runs (library in process, or program).
"""
