"""Django system checks: the pipeline cannot run without tesseract and its Vietnamese data."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from khoso.core.errors import DependencyError


@register()
def ocr_programs_present(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from khoso.ocr._exec import tesseract

    try:
        tesseract.version()
        tesseract.check_language(settings.KHOSO_OCR_LANGUAGE)
    except DependencyError as error:
        return [Error(error.message, hint="apt-get install tesseract-ocr tesseract-ocr-vie", id="khoso.E001")]
    return []
