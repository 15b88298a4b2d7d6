"""``{% load signing %}{% file_signatures file %}``: the signature section of a file page (one line to include)."""

from __future__ import annotations

from typing import Any

from django import template

from khoso.signing.selectors import file_signatures as select_file_signatures

register = template.Library()


@register.inclusion_tag("signing/_file_signatures.html")
def file_signatures(archive_file: Any) -> dict[str, Any]:
    found = select_file_signatures(archive_file)
    return {"rendition": found.rendition, "versions": found.versions, "checks": found.checks}
