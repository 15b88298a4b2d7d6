"""Export → (edit) → import keeps the same records and identifiers; an unchanged re-import changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from khoso.archive.models import ArchiveFile, Document
from khoso.catalogue import documents, services
from khoso.catalogue.columns import Level

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, Any]:
    skip = {"updated_at"}
    files = [{k: v for k, v in row.items() if k not in skip} for row in ArchiveFile.objects.order_by("pk").values()]
    docs = [{k: v for k, v in row.items() if k not in skip} for row in Document.objects.order_by("pk").values()]
    return {"files": files, "documents": docs}


@pytest.mark.parametrize("form", ["xlsx", "csv"])
def test_unchanged_export_reimports_as_unchanged(form: str, fonds, holdings, secret_archivist) -> None:  # type: ignore[no-untyped-def]
    before = _snapshot()
    for level in Level:
        make = documents.catalogue_xlsx if form == "xlsx" else documents.catalogue_csv
        data = make(fonds=fonds, inventory=None, level=level, include_secret=True)
        result = services.commit_data(data, name=f"muc-luc.{form}", fonds=fonds, inventory=None, user=secret_archivist)
        counts = result.counts()
        assert counts["create"] == counts["update"] == counts["errors"] == 0, result.as_dict()
        expected = 3 if level is Level.FILE else 4
        assert counts["unchanged"] == expected
    assert _snapshot() == before


def test_edited_title_updates_only_that_file(fonds, holdings, archivist) -> None:  # type: ignore[no-untyped-def]
    data = documents.catalogue_xlsx(fonds=fonds, inventory=None, level=Level.FILE, include_secret=False)
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    header_row = next(r for r in range(1, 10) if sheet.cell(r, 1).value == "Mã hồ sơ (fileCode)")
    title_column = next(c for c in range(1, 30) if sheet.cell(header_row, c).value == "Tiêu đề hồ sơ (title)")
    target_row = next(
        r for r in range(header_row + 1, header_row + 5) if sheet.cell(r, 1).value == holdings["second"].file_code
    )
    sheet.cell(target_row, title_column).value = "Hồ sơ hội nghị tổng kết công tác năm 1995 (đã sửa)"
    output = io.BytesIO()
    book.save(output)
    before = _snapshot()

    result = services.commit_data(output.getvalue(), name="sua.xlsx", fonds=fonds, inventory=None, user=archivist)

    counts = result.counts()
    assert (counts["create"], counts["update"], counts["unchanged"], counts["errors"]) == (0, 1, 1, 0)
    after = _snapshot()
    changed = [(b, a) for b, a in zip(before["files"], after["files"], strict=True) if b != a]
    assert len(changed) == 1
    old, new = changed[0]
    assert new["file_code"] == holdings["second"].file_code and new["id"] == old["id"]
    assert {k for k in old if old[k] != new[k]} == {"title", "title_sort"}  # the collation key follows the title
    assert after["documents"] == before["documents"]
    assert ArchiveFile.objects.count() == 3


def test_export_then_import_into_empty_fonds_recreates_identifiers(
    fonds, other_fonds, holdings, secret_archivist
) -> None:  # type: ignore[no-untyped-def]
    files_sheet = documents.catalogue_csv(fonds=fonds, inventory=None, level=Level.FILE, include_secret=True)
    docs_sheet = documents.catalogue_csv(fonds=fonds, inventory=None, level=Level.DOCUMENT, include_secret=True)
    originals = {
        d.doc_id: (d.doc_code, d.subject, d.secret_class, d.file.file_code)
        for d in Document.objects.select_related("file")
    }
    # the same catalogue is moved: delete the rows first (test only), then import into the fonds again
    Document.objects.all().delete()
    from khoso.search.models import IndexChange

    IndexChange.objects.all().delete()
    from khoso.access.models import AccessChange

    AccessChange.objects.all().delete()
    ArchiveFile.objects.all().delete()
    services.commit_data(files_sheet, name="hs.csv", fonds=fonds, inventory=None, user=secret_archivist)
    services.commit_data(docs_sheet, name="vb.csv", fonds=fonds, inventory=None, user=secret_archivist)
    again = {
        d.doc_id: (d.doc_code, d.subject, d.secret_class, d.file.file_code)
        for d in Document.objects.select_related("file")
    }
    assert again == originals
