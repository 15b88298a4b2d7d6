"""The metadata of the archive as one XML file in every backup (TT 02 Đ10: metadata backed up as XML).

The database dump is what a restore uses; this file is for people and other software when no Kho Số
is at hand: it must be readable in twenty years with any XML tool. Layout (namespace
``urn:khoso:metadata:1``)::

    <khoSoMetadata archive="…" created="2026-05-01T00:30:00.000+07:00">
      <fonds> fondsCode, fondsName, … (TT 05 fonds fields)
        <file> fileCode, title, maintenance, mode, … (the 18 TT 05 EAD fields, TT 05 element names)
          <document> docCode, typeName, issuedDate, subject, … (TT 05 EAD_doc fields)
          <page number="1" document="…" original="<sha256>" rendition="<sha256>"/>

Element names are the model fields in camelCase, which are TT 05's element names; dates are
DD/MM/YYYY (standards.md §2), booleans 1/0, text NFC. Written as a stream (lxml ``xmlfile``), so a
million pages need no more memory than one. No Django here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from lxml import etree

from khoso.core.text import nfc

NAMESPACE = "urn:khoso:metadata:1"
ROOT = "khoSoMetadata"
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Node:
    """One element: ``fields`` become child elements, ``attrs`` attributes, then ``children``."""

    tag: str
    fields: dict[str, Any] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)
    children: Iterable[Node] = ()


def camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return _NOT_XML.sub("", nfc(str(value)))


def _write(xf: Any, node: Node) -> None:
    attrs = {camel(k): text(v) for k, v in node.attrs.items() if v not in (None, "")}
    with xf.element(f"{{{NAMESPACE}}}{node.tag}", attrs):
        for name, value in node.fields.items():
            element = etree.Element(f"{{{NAMESPACE}}}{camel(name)}")
            element.text = text(value)
            xf.write(element)
        for child in node.children:
            _write(xf, child)


def write_metadata(path: Path, *, archive: str, created: datetime, fonds: Iterable[Node]) -> None:
    """Write the XML to ``path`` (the caller fsyncs and records its digest)."""
    with etree.xmlfile(str(path), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(
            f"{{{NAMESPACE}}}{ROOT}", {"archive": text(archive), "created": text(created)}, nsmap={None: NAMESPACE}
        ):
            for node in fonds:
                _write(xf, node)
