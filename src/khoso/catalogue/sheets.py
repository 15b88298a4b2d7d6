"""Reading an uploaded catalogue into plain tables, and writing one back out (no Django).

The kind of file is told by its content, never its name: an XLSX is a ZIP, an Excel 97–2003 workbook
an OLE2 container (refused: Excel saves it as .xlsx in one step), anything else is read as CSV. A CSV
must be UTF-8 (with or without the BOM Excel writes for "CSV UTF-8"); Vietnamese text saved as
Windows-1258 or in the old TCVN3 fonts would come in as mojibake, so it is refused with the way out
named instead of being guessed at. Cells keep their types (Excel dates stay dates, numbers numbers)
until the validator reads them against the column they are in.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from khoso.core.errors import InputFileError
from khoso.core.text import nfc

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_ROWS = 100_000
#: the header row is looked for in the first rows: printed lists carry the institution and a title above
HEADER_SEARCH_ROWS = 20
DELIMITERS = (",", ";", "\t")
_QUOTED = re.compile(r'"[^"]*"')


class SheetFormatError(InputFileError):
    code = "muc_luc_sai_dinh_dang"
    message_vi = "Tệp mục lục {name} không đọc được: {reason}"
    message_en = "Catalogue file {name} cannot be read: {reason_en}"


@dataclass
class Table:
    """One worksheet (or the CSV): its name and its rows, each row numbered as the spreadsheet shows it."""

    name: str
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


def sniff_format(data: bytes) -> str:
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE2_MAGIC):
        return "xls"
    return "csv"


def read_tables(data: bytes, *, name: str) -> list[Table]:
    """Every worksheet of an XLSX, or the one table of a CSV."""
    if not data.strip():
        raise SheetFormatError(name=name, reason="tệp rỗng.", reason_en="the file is empty.")
    kind = sniff_format(data)
    if kind == "xls":
        raise SheetFormatError(
            name=name,
            reason="đây là tệp Excel 97–2003 (.xls); hãy mở bằng Excel và lưu thành .xlsx hoặc CSV UTF-8.",
            reason_en="this is an Excel 97–2003 workbook (.xls); save it as .xlsx or CSV UTF-8.",
        )
    if kind == "xlsx":
        return _read_xlsx(data, name=name)
    return [_read_csv(data, name=name)]


def _read_xlsx(data: bytes, *, name: str) -> list[Table]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise SheetFormatError(
            name=name,
            reason=f"không phải tệp XLSX hợp lệ ({error}).",
            reason_en=f"not a valid XLSX workbook ({error}).",
        ) from error
    tables = []
    try:
        for sheet in book.worksheets:
            table = Table(name=nfc(sheet.title))
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > MAX_ROWS:
                    raise _too_many(name)
                table.rows.append((number, [_cell(value) for value in values]))
            tables.append(table)
    finally:
        book.close()
    return tables


def _too_many(name: str) -> SheetFormatError:
    return SheetFormatError(
        name=name,
        reason=f"quá {MAX_ROWS} dòng; hãy chia mục lục thành nhiều tệp.",
        reason_en=f"more than {MAX_ROWS} rows; split the catalogue.",
    )


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    return value


def _read_csv(data: bytes, *, name: str) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SheetFormatError(
            name=name,
            reason=(
                f"tệp CSV không phải mã UTF-8 (byte lạ ở vị trí {error.start}; có thể là Windows-1258 hoặc "
                "TCVN3). Hãy mở bằng Excel và lưu lại với kiểu «CSV UTF-8 (Comma delimited)»."
            ),
            reason_en=(
                f"the CSV is not UTF-8 (bad byte at offset {error.start}; Windows-1258 or TCVN3?). "
                "Save it again as 'CSV UTF-8'."
            ),
        ) from error
    text = nfc(text)
    table = Table(name=name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    for number, values in enumerate(reader, start=1):
        if number > MAX_ROWS:
            raise _too_many(name)
        table.rows.append((number, values))
    return table


def _delimiter(text: str) -> str:
    """The separator of the first line, quoted text left out: Excel writes ";" where the list separator is
    ";" and "," elsewhere, and Vietnamese headings themselves hold commas ("Cơ quan, tổ chức, …")."""
    first_line = _QUOTED.sub("", text.lstrip().split("\n", 1)[0])
    return max(DELIMITERS, key=first_line.count)


def is_blank(values: Sequence[Any]) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


# -- writing -------------------------------------------------------------------------------------------


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return nfc(str(value))


def write_csv(headings: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a BOM (so Excel opens the Vietnamese text right), comma-separated, every field quoted
    where needed; codes stay text ("01")."""
    output = io.StringIO(newline="")
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow([nfc(heading) for heading in headings])
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return ("\ufeff" + output.getvalue()).encode("utf-8")
