"""Reads of the backup app: the log, the metadata of a database snapshot, insurance-copy contents and counters."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date
from pathlib import Path
from typing import Any

from django.db.models import Count, DateTimeField, ForeignKey, Model, OuterRef, Q, QuerySet, Subquery
from django.utils.dateparse import parse_datetime

from khoso.archive.models import (
    DOCUMENT_DESCRIPTION_FIELDS,
    FILE_DESCRIPTION_FIELDS,
    FONDS_DESCRIPTION_FIELDS,
    ArchiveFile,
    Document,
    Fonds,
    Institution,
    Page,
)
from khoso.backup import backupset
from khoso.backup.metadata_xml import Node
from khoso.backup.models import BackupLog, InsuranceCopy, Outcome
from khoso.core.modelfields import concrete_field
from khoso.handover.selectors import safe_name
from khoso.storage.models import StoredObject


def backup_logs(limit: int = 200) -> QuerySet[BackupLog]:
    return BackupLog.objects.select_related("started_by")[:limit]


def scheduled_kind(*, today: date, root: Path) -> str:
    """TT 02 Đ10 / TT 05: a full backup on the first day of the month, or when ``root`` holds none yet;
    an incremental one on every other day."""
    if today.day == 1:
        return backupset.FULL
    has_full = any(found.kind == backupset.FULL for found in backupset.complete_sets(root))
    return backupset.INCREMENTAL if has_full else backupset.FULL


# -- what a snapshot holds -------------------------------------------------------------------------
#
# A snapshot is read through a plain DB-API cursor: on SQLite one opened on the dump file itself, on
# PostgreSQL the connection holding the exported REPEATABLE READ snapshot. The SQL is built from the
# models' own table and column names and each value goes through its field's ``to_python``, so the
# result is what the ORM would give, from exactly the state that was dumped.


def snapshot_rows(
    cursor: Any, model: type[Model], names: Sequence[str], order: Sequence[str], where: str = ""
) -> Iterator[dict[str, Any]]:
    fields = [concrete_field(model, name) for name in names]
    columns = ", ".join(f'"{field.column}"' for field in fields)
    ordering = ", ".join(f'"{concrete_field(model, name).column}"' for name in order)
    condition = f" WHERE {where}" if where else ""
    cursor.execute(f'SELECT {columns} FROM "{model._meta.db_table}"{condition} ORDER BY {ordering}')
    while batch := cursor.fetchmany(5000):
        for row in batch:
            yield {
                name: (None if value is None else _python(f, value))
                for name, f, value in zip(names, fields, row, strict=True)
            }


def _python(model_field: Any, value: Any) -> Any:
    if isinstance(model_field, ForeignKey):
        return value
    if isinstance(model_field, DateTimeField) and isinstance(value, str):
        parsed = parse_datetime(value)
        return parsed.replace(tzinfo=UTC) if parsed and parsed.tzinfo is None else parsed
    return model_field.to_python(value)


def snapshot_objects(cursor: Any) -> Iterator[backupset.ObjectEntry]:
    for row in snapshot_rows(cursor, StoredObject, ("sha256", "size", "mime"), ("sha256",)):
        yield backupset.ObjectEntry(row["sha256"], row["size"], row["mime"])


FONDS_FIELDS = FONDS_DESCRIPTION_FIELDS
FILE_FIELDS = ("file_code", "organ_id", "file_catalog", "file_notation", *FILE_DESCRIPTION_FIELDS, "deleted_at")
DOCUMENT_FIELDS = ("doc_code", "doc_id", "ordinal", *DOCUMENT_DESCRIPTION_FIELDS, "deleted_at")
PAGE_FIELDS = ("file", "number", "document", "original", "rendition", "original_name")


class _Groups:
    """Rows sorted by file, handed out one file at a time: one query per table for the whole archive."""

    def __init__(self, rows: Iterator[dict[str, Any]]) -> None:
        self.rows = rows
        self.head: dict[str, Any] | None = next(rows, None)

    def take(self, file_id: int) -> list[dict[str, Any]]:
        taken = []
        while self.head is not None and self.head["file"] == file_id:
            taken.append(self.head)
            self.head = next(self.rows, None)
        return taken


def metadata_nodes(open_cursor: Callable[[], Any]) -> Iterator[Node]:
    """Every fonds, file (deleted ones too, with deletedAt), document and page as XML nodes, streamed.

    ``open_cursor`` gives a new cursor on the snapshot: per fonds, files, documents and pages are read
    side by side in file order, so memory holds one file at a time.
    """
    institutions = dict(
        (row["id"], row["code"]) for row in snapshot_rows(open_cursor(), Institution, ("id", "code"), ("id",))
    )
    fonds_names = ("id", "institution", "code", "name", *FONDS_FIELDS)
    for fonds in list(snapshot_rows(open_cursor(), Fonds, fonds_names, ("id",))):
        in_fonds = f'"{concrete_field(ArchiveFile, "fonds").column}" = {int(fonds["id"])}'
        in_files = f'"file_id" IN (SELECT "id" FROM "{ArchiveFile._meta.db_table}" WHERE {in_fonds})'
        files = snapshot_rows(open_cursor(), ArchiveFile, ("id", *FILE_FIELDS), ("id",), in_fonds)
        documents = _Groups(
            snapshot_rows(open_cursor(), Document, ("id", "file", *DOCUMENT_FIELDS), ("file", "ordinal"), in_files)
        )
        pages = _Groups(snapshot_rows(open_cursor(), Page, PAGE_FIELDS, ("file", "number"), in_files))
        yield Node(
            "fonds",
            fields={
                "institution_code": institutions.get(fonds["institution"], ""),
                "fonds_code": fonds["code"],
                "fonds_name": fonds["name"],
                **{name: fonds[name] for name in FONDS_FIELDS},
            },
            children=(_file_node(row, documents.take(row["id"]), pages.take(row["id"])) for row in files),
        )


def _file_node(row: dict[str, Any], documents: list[dict[str, Any]], pages: list[dict[str, Any]]) -> Node:
    doc_codes = {d["id"]: d["doc_code"] for d in documents}
    return Node(
        "file",
        fields={name: row[name] for name in FILE_FIELDS if name != "deleted_at" or row[name]},
        children=[
            *(
                Node("document", fields={n: d[n] for n in DOCUMENT_FIELDS if n != "deleted_at" or d[n]})
                for d in documents
            ),
            *(
                Node(
                    "page",
                    attrs={
                        "number": p["number"],
                        "document": doc_codes.get(p["document"]),
                        "original": p["original"],
                        "original_name": p["original_name"],
                        "rendition": p["rendition"],
                    },
                )
                for p in pages
            ),
        ],
    )


# -- insurance copies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CopyItem:
    relative: str  # under <target>/<fonds code>/
    sha256: str
    size: int


@dataclass
class InsuredFile:
    """One file of the fonds in the insurance copy and what of it is written."""

    file: ArchiveFile
    pages: int
    items: list[CopyItem] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return sum(item.size for item in self.items)


def insurance_contents(*, fonds: Fonds) -> list[InsuredFile]:
    """What the insurance copy of ``fonds`` holds: per file, its PDF/A when it has one (the whole file in
    one archival PDF, as handed over after digitization), otherwise each page's PDF rendition, and for
    a page not rendered yet its original scan, so every page of every digitized file is in the copy.
    Files with no digital content are left out; deleted files too."""
    contents: list[InsuredFile] = []
    files = (
        ArchiveFile.objects.filter(fonds=fonds, deleted_at__isnull=True)
        .select_related("pdf")
        .annotate(page_count=Count("pages"))
        .filter(Q(pdf__isnull=False) | Q(page_count__gt=0))
        .order_by("file_code")
    )
    for archive_file in files:
        folder = safe_name(archive_file.file_code)
        insured = InsuredFile(file=archive_file, pages=archive_file.page_count)
        if archive_file.pdf is not None:
            insured.items.append(CopyItem(f"{folder}/{folder}.pdf", archive_file.pdf.sha256, archive_file.pdf.size))
        else:
            for page in archive_file.pages.select_related("rendition", "original").order_by("number"):
                stored = page.rendition or page.original
                suffix = "pdf" if page.rendition else safe_name(Path(page.original_name).suffix.lower().lstrip("."))
                insured.items.append(
                    CopyItem(f"{folder}/{folder}-{page.number:04d}.{suffix}", stored.sha256, stored.size)
                )
        contents.append(insured)
    return contents


def insurance_copies(limit: int = 100) -> QuerySet[InsuranceCopy]:
    return InsuranceCopy.objects.select_related("fonds", "made_by")[:limit]


def insured_pages(*, fonds: Fonds) -> int:
    """The fonds counter (TT 02 CopyNumber): pages in its latest complete insurance copy."""
    latest = InsuranceCopy.objects.filter(fonds=fonds, outcome=Outcome.OK).order_by("-finished_at", "-pk").first()
    return latest.pages if latest else 0


def insurance_counters() -> QuerySet[Fonds]:
    """Every fonds with its digitized pages, the pages of its latest insurance copy, and when that was."""
    latest = InsuranceCopy.objects.filter(fonds=OuterRef("pk"), outcome=Outcome.OK).order_by("-finished_at", "-pk")
    return (
        Fonds.objects.annotate(
            digital_pages=Count("files__pages", filter=Q(files__deleted_at__isnull=True)),
            insured_pages=Subquery(latest.values("pages")[:1]),
            insured_at=Subquery(latest.values("finished_at")[:1]),
        )
        .select_related("institution")
        .order_by("code")
    )
