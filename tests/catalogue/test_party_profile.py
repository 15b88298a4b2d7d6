"""The document list of a Party archive (HD 40-HD/VPTW): its columns in the Party order, exported and read
back unchanged, edited and imported with the Party rules; a State archive's lists keep the TT 05 columns."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from khoso.archive import profiles
from khoso.archive.models import Document, Fonds, Page
from khoso.archive.services import document_update, fonds_set_party_group, institution_set_profile
from khoso.catalogue import documents, services
from khoso.catalogue.columns import Level
from khoso.catalogue.validation import preview
from khoso.storage.services import object_put_bytes

pytestmark = pytest.mark.django_db

#: the Party document list (standards.md §3.6), as the export heads it
PARTY_ORDER = [
    "Số TT",
    "Số",
    "Ký hiệu",
    "Ngày",
    "Cơ quan ban hành",
    "Tên loại",
    "Trích yếu",
    "Người ký",
    "Độ mật",
    "Loại bản",
    "Trang số",
    "Số trang",
    "Số lượng tệp",
    "Tên tệp",
    "Thời gian tài liệu",
    "Chế độ sử dụng",
    "Từ khóa",
    "Ghi chú",
    "Ngôn ngữ",
    "Bút tích",
    "Chuyên đề",
    "Ký hiệu thông tin",
    "Mức độ tin cậy",
    "Tình trạng vật lý",
]
PARTY_ONLY = {"Người ký", "Loại bản", "Số lượng tệp", "Tên tệp", "Chuyên đề", "Thời gian tài liệu"}


@pytest.fixture
def party(fonds: Fonds, holdings: dict[str, Any]) -> dict[str, Any]:
    """The conftest fonds's institution as a Party archive, its documents with their Party fields, and two
    scanned pages of the first document."""
    fonds_set_party_group(fonds=fonds, party_group="02")
    institution_set_profile(institution=fonds.institution, profile=profiles.PARTY)
    values = {
        "doc1": dict(signer="Lê Văn Hiệu", original_status="chinh", number_of_files=2, topic="Quy hoạch"),
        "doc2": dict(signer="", original_status="sao_y", topic="Kinh tế"),
        "secret_doc": dict(original_status="chinh"),
        "doc_secret_file": dict(original_status="thao"),
    }
    for key, fields in values.items():
        holdings[key] = document_update(document=holdings[key], **fields)
    for number, name in enumerate(("qh_001.jpg", "qh_002.jpg"), start=1):
        Page.objects.create(
            file=holdings["first"],
            document=holdings["doc1"],
            number=number,
            original=object_put_bytes(data=f"trang {number}".encode(), mime="image/jpeg"),
            original_name=name,
        )
    return holdings


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def titles(headings: list[str]) -> list[str]:
    return [heading.rsplit(" (", 1)[0] for heading in headings]


def test_party_document_list_has_the_party_columns_in_order(fonds, party) -> None:  # type: ignore[no-untyped-def]
    heading, *rows = csv_rows(
        documents.catalogue_csv(fonds=fonds, inventory=None, level=Level.DOCUMENT, include_secret=False)
    )
    assert heading[:3] == ["Mã định danh tài liệu (docId)", "Mã lưu trữ của tài liệu (docCode)", "Mã hồ sơ (fileCode)"]
    assert titles(heading[3 : 3 + len(PARTY_ORDER)]) == PARTY_ORDER
    # the TT 05 fields the Party list does not name follow it, so nothing is lost on the way back
    assert titles(heading[3 + len(PARTY_ORDER) :]) == [
        "Thời hạn lưu trữ",
        "Chế độ dự phòng",
        "Tình trạng dự phòng",
        "Quy trình xử lý",
    ]
    first = dict(zip(titles(heading), rows[0], strict=True))
    assert first["Số TT"] == "1" and first["Người ký"] == "Lê Văn Hiệu" and first["Loại bản"] == "chinh"
    assert first["Số lượng tệp"] == "2" and first["Chuyên đề"] == "Quy hoạch"
    assert first["Tên tệp"] == "qh_001.jpg; qh_002.jpg"
    assert first["Thời gian tài liệu"] == first["Ngày"] == "01/03/1995"
    assert len(rows) == 2  # the secret document and the secret file's stay out without the right


@pytest.mark.parametrize("form", ["xlsx", "csv"])
def test_party_list_reimports_unchanged(form: str, fonds, party, secret_archivist) -> None:  # type: ignore[no-untyped-def]
    make = documents.catalogue_xlsx if form == "xlsx" else documents.catalogue_csv
    before = list(Document.objects.order_by("pk").values())
    data = make(fonds=fonds, inventory=None, level=Level.DOCUMENT, include_secret=True)
    result = services.commit_data(data, name=f"muc-luc.{form}", fonds=fonds, inventory=None, user=secret_archivist)
    counts = result.counts()
    assert (counts["unchanged"], counts["update"], counts["create"], counts["errors"]) == (4, 0, 0, 0)
    assert result.warnings == []  # every column is understood, the derived ones included
    assert [
        {k: v for k, v in row.items() if k != "updated_at"} for row in Document.objects.order_by("pk").values()
    ] == [{k: v for k, v in row.items() if k != "updated_at"} for row in before]


def test_edited_party_fields_update_the_document(fonds, party, archivist) -> None:  # type: ignore[no-untyped-def]
    data = documents.catalogue_xlsx(fonds=fonds, inventory=None, level=Level.DOCUMENT, include_secret=False)
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    header_row = next(r for r in range(1, 10) if sheet.cell(r, 1).value == "Mã định danh tài liệu (docId)")
    column = {sheet.cell(header_row, c).value: c for c in range(1, 40) if sheet.cell(header_row, c).value}
    row = next(r for r in range(header_row + 1, header_row + 4) if sheet.cell(r, 1).value == party["doc2"].doc_id)
    sheet.cell(row, column["Người ký (signer)"]).value = "Phạm Xuân Thăng"
    sheet.cell(row, column["Chuyên đề (topic)"]).value = "Kinh tế - xã hội"
    sheet.cell(row, column["Loại bản (originalStatus)"]).value = "Bản chính"  # a label is read as its code
    sheet.cell(row, column["Tên tệp (fileNames)"]).value = "tep-khac.pdf"  # derived: read back, never written
    output = io.BytesIO()
    book.save(output)

    result = services.commit_data(output.getvalue(), name="sua.xlsx", fonds=fonds, inventory=None, user=archivist)

    assert result.counts()["update"] == 1, result.as_dict()
    (action,) = [action for action in result.actions if action.verb == "update"]
    assert set(action.changes) == {"signer", "topic", "original_status"}
    document = Document.objects.get(pk=party["doc2"].pk)
    assert (document.signer, document.topic, document.original_status) == (
        "Phạm Xuân Thăng",
        "Kinh tế - xã hội",
        "chinh",
    )


def test_a_new_party_document_needs_its_copy_type(fonds, party, archivist, make_csv) -> None:  # type: ignore[no-untyped-def]
    code = party["second"].file_code
    heading = ["Mã hồ sơ", "Số TT", "Ngày", "Cơ quan ban hành", "Tên loại", "Trích yếu", "Số trang"]
    row = [code, "7", "12/05/1995", "Tỉnh ủy Đắk Lắk", "Báo cáo", "Báo cáo công tác Đảng", "2"]
    without_column = preview(make_csv([heading, row]), name="a.csv", fonds=fonds, user=archivist)
    assert any("thiếu cột bắt buộc: Loại bản" in problem.rule for problem in without_column.problems)

    empty = preview(make_csv([[*heading, "Loại bản"], [*row, ""]]), name="b.csv", fonds=fonds, user=archivist)
    (problem,) = empty.problems
    assert problem.column == "Loại bản" and "bắt buộc với tài liệu Lưu trữ Đảng (HD 40-HD/VPTW)" in problem.rule

    wrong = preview(make_csv([[*heading, "Loại bản"], [*row, "bản photo"]]), name="c.csv", fonds=fonds, user=archivist)
    assert "danh mục originalStatus" in wrong.problems[0].rule

    good = [*heading, "Loại bản", "Người ký", "Số lượng tệp", "Chuyên đề"]
    values = [*row, "Bản gốc", "Nguyễn Văn Linh", "1", "Xây dựng Đảng"]
    result = services.commit_data(make_csv([good, values]), name="d.csv", fonds=fonds, inventory=None, user=archivist)
    assert result.counts()["create"] == 1
    # a bare "Số TT" numbers the sheet's rows: the document takes the file's next ordinal
    document = Document.objects.get(file=party["second"], ordinal=1)
    assert (document.original_status, document.signer, document.number_of_files, document.topic) == (
        "goc",
        "Nguyễn Văn Linh",
        1,
        "Xây dựng Đảng",
    )
    assert document.issued_date == date(1995, 5, 12)


def test_a_state_list_keeps_the_tt05_columns(fonds, holdings, archivist, make_csv) -> None:  # type: ignore[no-untyped-def]
    heading = csv_rows(documents.catalogue_csv(fonds=fonds, inventory=None, level=Level.DOCUMENT, include_secret=True))[
        0
    ]
    assert not PARTY_ONLY & set(titles(heading))
    assert titles(heading)[-2:] == ["Độ mật", "Độ gốc"]

    sheet = [
        [
            "Mã hồ sơ",
            "Ngày tháng năm tài liệu",
            "Cơ quan ban hành",
            "Tên loại tài liệu",
            "Trích yếu",
            "Số trang",
            "Người ký",
        ],
        [holdings["second"].file_code, "12/05/1995", "UBND tỉnh", "Báo cáo", "Báo cáo tổng kết", "2", "Y Ngông"],
    ]
    result = preview(make_csv(sheet), name="e.csv", fonds=fonds, user=archivist)
    assert result.problems == [] and result.counts()["create"] == 1  # no copy type needed
    assert any("«Người ký» không thuộc mục lục TT 05" in warning for warning in result.warnings)
