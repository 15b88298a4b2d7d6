"""The exported catalogue: XLSX (the printed-list layout of ``khoso.core.printing``) and CSV (UTF-8).

Both carry the same columns, headed "Vietnamese title (TT 05 element)", with the stable identifiers
first (file code; docId and docCode), so that a list edited in Excel and imported again updates the
same records. The models have no UUID of their own: the TT 05 codes are the identifiers. Codes stay
text ("01"), dates are dd/mm/yyyy, counts are numbers. A Party archive's document list has the Party
columns in the Party order (``columns.columns_for``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from khoso.archive import profiles
from khoso.archive.models import Fonds, Inventory
from khoso.catalogue import selectors
from khoso.catalogue.columns import Column, Kind, Level, columns_for
from khoso.catalogue.sheets import write_csv
from khoso.core.printing import Column as PrintedColumn
from khoso.core.printing import xlsx_table

TITLES = {Level.FILE: "MỤC LỤC HỒ SƠ", Level.DOCUMENT: "MỤC LỤC VĂN BẢN"}
WIDTHS = {
    "title": 40,
    "subject": 40,
    "description": 30,
    "organ_name": 25,
    "file_code": 26,
    "doc_id": 28,
    "doc_code": 30,
    "signer": 20,
    "topic": 25,
    "file_names": 30,
}


def exported_columns(level: Level, profile: str = profiles.STATE) -> list[Column]:
    return [column for column in columns_for(level, profile) if column.exported]


def _derived(record: Any, column: Column) -> str:
    """A column computed from the archive: the document's scanned files (as they were named when
    delivered, in page order) and its date."""
    if column.field == "file_names":
        return "; ".join(dict.fromkeys(page.original_name for page in record.pages.all() if page.original_name))
    if column.field == "document_time":
        return record.issued_date.strftime("%d/%m/%Y") if record.issued_date else ""
    raise ValueError(f"no derived column {column.field}")


def _cell(record: Any, column: Column) -> Any:
    if column.kind is Kind.DERIVED:
        return _derived(record, column)
    if column.field == "file_code" and not hasattr(record, "file_code"):
        return record.file.file_code
    value = getattr(record, column.field)
    if column.field == "inventory":
        return value.number if value else None
    if column.kind is Kind.BOOL:
        return "" if value is None else ("1" if value else "0")
    if column.kind is Kind.DATE:
        return value.strftime("%d/%m/%Y") if value else ""
    return value


def _records(
    fonds: Fonds, inventory: Inventory | None, level: Level, include_secret: bool, columns: list[Column]
) -> QuerySet:
    if level is Level.FILE:
        return selectors.export_files(fonds=fonds, inventory=inventory, include_secret=include_secret)
    with_pages = any(column.field == "file_names" for column in columns)
    return selectors.export_documents(
        fonds=fonds, inventory=inventory, include_secret=include_secret, with_pages=with_pages
    )


def _rows(records: QuerySet, columns: list[Column]) -> Iterator[list[Any]]:
    for record in records.iterator(chunk_size=2000):
        yield [_cell(record, column) for column in columns]


def catalogue_csv(*, fonds: Fonds, inventory: Inventory | None, level: Level, include_secret: bool) -> bytes:
    columns = exported_columns(level, profiles.of_fonds(fonds))
    records = _records(fonds, inventory, level, include_secret, columns)
    return write_csv([column.heading for column in columns], _rows(records, columns))


def catalogue_xlsx(*, fonds: Fonds, inventory: Inventory | None, level: Level, include_secret: bool) -> bytes:
    columns = exported_columns(level, profiles.of_fonds(fonds))
    records = _records(fonds, inventory, level, include_secret, columns)
    lines = [fonds.institution.name, f"Phông {fonds.code} – {fonds.name}"]
    if inventory is not None:
        lines.append(f"Mục lục số {inventory.number}{f' – {inventory.title}' if inventory.title else ''}")
    printed = [
        PrintedColumn(column.heading, WIDTHS.get(column.field, 14), numeric=column.kind is Kind.INT)
        for column in columns
    ]
    return xlsx_table(TITLES[level], lines, printed, _rows(records, columns), sheet_name=level.label)


def export_name(fonds: Fonds, inventory: Inventory | None, level: Level, extension: str) -> str:
    inventory_part = f"-muc-luc-{inventory.number}" if inventory else ""
    return f"muc-luc-{level.value}-{fonds.code}{inventory_part}.{extension}"
