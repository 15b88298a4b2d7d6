"""Import of existing catalogues: every error kind with its Vietnamese message, TT 02 legacy columns,
CSV encodings, NFC, atomic commit, locks and four-eyes proposals."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from khoso.access.models import AccessChange, FileLock
from khoso.archive.models import ArchiveFile, Document
from khoso.catalogue import services
from khoso.catalogue.services import CatalogueError
from khoso.catalogue.sheets import SheetFormatError
from khoso.catalogue.validation import preview

pytestmark = pytest.mark.django_db

FILE_HEADINGS = [
    "Mã hồ sơ",
    "Tiêu đề hồ sơ",
    "Thời hạn bảo quản",
    "Chế độ sử dụng",
    "Ngôn ngữ",
    "Thời gian bắt đầu",
    "Thời gian kết thúc",
    "Số lượng trang",
    "Ghi chú",
]


def _file_row(code: str, title: str = "Hồ sơ hội nghị", **over: Any) -> list[Any]:
    values = {
        "code": code,
        "title": title,
        "maintenance": "01",
        "mode": "01",
        "language": "01",
        "start": "03/01/1996",
        "end": "28/12/1996",
        "pages": 10,
        "description": "Người lập: Trần Thị B",
    }
    values.update(over)
    return list(values.values())


def _rules(result: Any) -> list[str]:
    return [f"{p.row}|{p.column}|{p.value}|{p.rule}" for p in result.problems]


def test_new_files_from_a_tt05_xlsx_are_created(fonds, inventory, archivist, make_xlsx) -> None:  # type: ignore[no-untyped-def]
    data = make_xlsx(
        [FILE_HEADINGS, _file_row("000.00.00.H15.1996.01.TH"), _file_row("000.00.00.H15.1996.02.TH", "Hồ sơ thi đua")]
    )
    result = services.commit_data(data, name="moi.xlsx", fonds=fonds, inventory=inventory, user=archivist)
    assert result.counts()["create"] == 2
    created = ArchiveFile.objects.get(file_code="000.00.00.H15.1996.02.TH")
    assert created.title == "Hồ sơ thi đua" and created.inventory == inventory and created.fonds == fonds
    assert created.start_date.isoformat() == "1996-01-03" and created.number_of_page == 10


def test_every_row_error_is_named_in_vietnamese(fonds, other_fonds, holdings, archivist, make_xlsx) -> None:  # type: ignore[no-untyped-def]
    from khoso.archive import services as archive_services

    archive_services.file_create(
        fonds=other_fonds,
        file_catalog=1996,
        file_notation="09.KHAC",
        organ_id="000.00.00.H15",
        title="Hồ sơ phông khác",
        mode="01",
        start_date="1996-01-01",
        end_date="1996-12-31",
        description="Người lập: C",
    )
    rows = [
        FILE_HEADINGS,
        _file_row("000.00.00.H15.1996.01.TH", title=""),  # 2: required
        _file_row("000.00.00.H15.1996.02.TH", title="x" * 1001),  # 3: length
        _file_row("000.00.00.H15.1996.03.TH", start="31/02/1996"),  # 4: bad date
        _file_row("000.00.00.H15.1996.04.TH", maintenance="09"),  # 5: vocabulary
        _file_row("000.00.00.H15.1996.05.TH"),  # 6: fine
        _file_row("000.00.00.H15.1996.05.TH"),  # 7: duplicate of row 6
        _file_row("000.00.00.H15.1996.09.KHAC"),  # 8: another fonds' file
        _file_row("H15 1996 khong hop le"),  # 9: bad code
        _file_row("000.00.00.H15.1996.10.TH", start="05/05/1996", end="01/01/1996"),  # 10: end before start
        _file_row("000.00.00.H15.1996.11.TH", pages="mười"),  # 11: not a number
    ]
    result = preview(make_xlsx(rows), name="loi.xlsx", fonds=fonds, user=archivist)
    found = _rules(result)
    expected = [
        "2|Tiêu đề hồ sơ||Tiêu đề hồ sơ: bắt buộc (TT 05/2025), không được để trống.",
        f"3|Tiêu đề hồ sơ|{'x' * 200}|dài 1001 ký tự, tối đa 1000 ký tự (TT 05/2025).",
        "4|Thời gian bắt đầu|31/02/1996|ngày không hợp lệ; ghi theo dạng dd/mm/yyyy, ví dụ 25/12/2001 (TT 05/2025).",
        "5|Thời hạn bảo quản|09|mã không có trong danh mục maintenance (các mã hợp lệ: 01, 02, 03, 04, 05, 06, 07).",
        "7|Mã hồ sơ|000.00.00.H15.1996.05.TH|trùng mã hồ sơ với dòng 6 của tệp này.",
        "8|Mã hồ sơ|000.00.00.H15.1996.09.KHAC|mã hồ sơ «000.00.00.H15.1996.09.KHAC» đã thuộc một phông khác; "
        "mỗi mã hồ sơ là duy nhất trong kho, không nhập vào phông này được.",
        "11|Số lượng trang|mười|phải là số nguyên không âm.",
    ]
    for line in expected:
        assert line in found, (line, found)
    assert any(line.startswith("9|Mã hồ sơ|H15 1996 khong hop le|Mã hồ sơ «H15 1996") for line in found), found
    assert any(
        line.startswith("10|Thời gian kết thúc|01/01/1996|Thời gian kết thúc: phải sau hoặc bằng") for line in found
    ), found
    assert len(result.problems) == 9
    assert [a.key for a in result.actions] == ["000.00.00.H15.1996.05.TH"]
    assert str(result.problems[0]).startswith("Mục lục, dòng 2, cột «Tiêu đề hồ sơ»")
    with pytest.raises(CatalogueError, match="tệp có 9 lỗi"):
        services.commit_data(make_xlsx(rows), name="loi.xlsx", fonds=fonds, inventory=None, user=archivist)
    assert not ArchiveFile.objects.filter(file_code="000.00.00.H15.1996.05.TH").exists()


def test_missing_required_column_for_a_new_file(fonds, archivist, make_csv) -> None:  # type: ignore[no-untyped-def]
    data = make_csv([["Mã hồ sơ", "Tiêu đề hồ sơ"], ["000.00.00.H15.1996.01.TH", "Hồ sơ thiếu cột"]])
    result = preview(data, name="thieu.csv", fonds=fonds, user=archivist)
    assert _rules(result) == [
        "2||000.00.00.H15.1996.01.TH|hồ sơ mới thiếu cột bắt buộc: Chế độ sử dụng, Thời gian bắt đầu, "
        "Thời gian kết thúc, Ghi chú (TT 05/2025)."
    ]


def test_legacy_tt02_file_and_document_lists(fonds, archivist, make_xlsx, make_csv) -> None:  # type: ignore[no-untyped-def]
    """TT 02/2019 columns: Identifier + OrganId + FileCatalog + FileNotation → fileCode; Rights → mode;
    SheetNumber → numberOfPaper; PageNumber → numberOfPage; DocCode → docId; PageAmount → numberOfPage;
    names instead of codes (TypeName "Quyết định", Maintenance "Vĩnh viễn")."""
    files = make_xlsx(
        [
            [
                "STT",
                "Identifier",
                "OrganId",
                "FileCatalog",
                "FileNotation",
                "Title",
                "Maintenance",
                "Rights",
                "Language",
                "StartDate",
                "EndDate",
                "SheetNumber",
                "PageNumber",
                "Description",
            ],
            [
                1,
                "H15",
                "UBND",
                1990,
                "12",
                "Hồ sơ ngân sách năm 1990",
                "Vĩnh viễn",
                "Công khai",
                1,
                "02/01/1990",
                "30/12/1990",
                20,
                38,
                "Người lập: D",
            ],
        ]
    )
    result = services.commit_data(files, name="tt02-hs.xlsx", fonds=fonds, inventory=None, user=archivist)
    assert result.counts()["create"] == 1, result.as_dict()
    archive_file = ArchiveFile.objects.get(file_code="H15.UBND.1990.12")
    assert (archive_file.maintenance, archive_file.mode, archive_file.language) == ("01", "01", "01")
    assert (archive_file.number_of_paper, archive_file.number_of_page) == (20, 38)
    documents = make_csv(
        [
            [
                "DocCode",
                "Identifier",
                "OrganId",
                "FileCatalog",
                "FileNotation",
                "DocOrdinal",
                "TypeName",
                "CodeNumber",
                "CodeNotation",
                "IssuedDate",
                "OrganName",
                "Subject",
                "Language",
                "PageAmount",
                "Mode",
            ],
            [
                "H15.UBND.1990.12.1",
                "H15",
                "UBND",
                "1990",
                "12",
                "1",
                "Quyết định",
                "7",
                "QĐ-UB",
                "05/01/1990",
                "UBND tỉnh Đắk Lắk",
                "Về việc giao dự toán ngân sách",
                "01",
                "2",
                "01",
            ],
        ],
        bom=False,
    )
    result = services.commit_data(documents, name="tt02-vb.csv", fonds=fonds, inventory=None, user=archivist)
    assert result.counts()["create"] == 1, result.as_dict()
    document = Document.objects.get(doc_id="H15.UBND.1990.12.1")
    assert document.doc_code == "H15.UBND.1990.12.0000001"
    assert (document.type_name, document.number_of_page, document.file_id) == ("02", 2, archive_file.pk)


def test_csv_must_be_utf8(fonds, archivist, make_csv) -> None:  # type: ignore[no-untyped-def]
    # Windows-1258 writes Vietnamese with combining tone marks: "Đê điều" is Đ ê space đ i ê + U+0300 u
    headings = [
        "fileCode",
        "title",
        "maintenance",
        "mode",
        "language",
        "startDate",
        "endDate",
        "numberOfPage",
        "description",
    ]
    title = "\u0110\u00ea \u0111i\u00ea\u0300u"
    row = _file_row("000.00.00.H15.1996.01.TH", title, description="Nguoi lap: B")
    data = make_csv([headings, row], bom=False, encoding="cp1258")
    with pytest.raises(SheetFormatError) as refused:
        preview(data, name="cu.csv", fonds=fonds, user=archivist)
    assert "không phải mã UTF-8" in refused.value.message and "CSV UTF-8" in refused.value.message


def test_semicolon_csv_with_bom_and_excel_numbers(fonds, archivist) -> None:  # type: ignore[no-untyped-def]
    lines = [";".join(FILE_HEADINGS), "000.00.00.H15.1996.01.TH;Hồ sơ A;1;1;1;3/1/1996;28/12/1996;4;Người lập: E"]
    data = ("\ufeff" + "\r\n".join(lines)).encode()
    result = services.commit_data(data, name="excel.csv", fonds=fonds, inventory=None, user=archivist)
    created = ArchiveFile.objects.get(file_code="000.00.00.H15.1996.01.TH")
    assert result.counts()["create"] == 1 and (created.maintenance, created.mode) == ("01", "01")


def test_decomposed_input_is_stored_nfc(fonds, archivist, make_csv) -> None:  # type: ignore[no-untyped-def]
    title = unicodedata.normalize("NFD", "Hồ sơ về việc đắp đê Đắk Lắk")
    services.commit_data(
        make_csv([FILE_HEADINGS, _file_row("000.00.00.H15.1996.01.TH", title)]),
        name="nfd.csv",
        fonds=fonds,
        inventory=None,
        user=archivist,
    )
    stored = ArchiveFile.objects.get(file_code="000.00.00.H15.1996.01.TH").title
    assert stored == unicodedata.normalize("NFC", title) and stored != title


def test_a_row_failing_at_write_time_writes_nothing(fonds, archivist, make_xlsx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from khoso.archive import services as archive_services
    from khoso.core.errors import ValidationError

    real = archive_services.file_create

    def refuse_third(**kwargs: Any) -> Any:
        if kwargs["file_code"].endswith(".03.TH"):
            raise ValidationError(reason="thử nghiệm: từ chối dòng thứ ba")
        return real(**kwargs)

    monkeypatch.setattr(archive_services, "file_create", refuse_third)
    rows = [FILE_HEADINGS, *(_file_row(f"000.00.00.H15.1996.0{n}.TH") for n in (1, 2, 3, 4))]
    with pytest.raises(CatalogueError, match="dòng 4 .*không dòng nào được ghi"):
        services.commit_data(make_xlsx(rows), name="nguyen-tu.xlsx", fonds=fonds, inventory=None, user=archivist)
    assert not ArchiveFile.objects.filter(file_code__startswith="000.00.00.H15.1996").exists()


def test_locked_file_is_refused(fonds, holdings, archivist, make_xlsx) -> None:  # type: ignore[no-untyped-def]
    lock = FileLock.objects.create(scope=FileLock.Scope.FILES, fonds=fonds, reason="Đang kiểm tra", locked_by=archivist)
    lock.files.set([holdings["first"]])
    code = holdings["first"].file_code
    rows = [
        ["Mã hồ sơ", "Tiêu đề hồ sơ"],
        [code, "Tiêu đề sửa khi đang khóa"],
        [holdings["first"].file_code.replace("01.TH", "02.TH"), holdings["second"].title],
    ]
    result = preview(make_xlsx(rows), name="khoa.xlsx", fonds=fonds, user=archivist)
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert (problem.row, problem.column, problem.value) == (2, "Mã hồ sơ", code)
    assert problem.rule.startswith(f"hồ sơ {code} đang bị khóa (") and "không được sửa" in problem.rule
    # an unchanged row of a locked file is no edit: it passes
    same = preview(make_xlsx([rows[0], [code, holdings["first"].title]]), name="k.xlsx", fonds=fonds, user=archivist)
    assert not same.problems and same.counts()["unchanged"] == 1


def test_a_new_access_mode_becomes_a_four_eyes_proposal(fonds, holdings, archivist, make_xlsx) -> None:  # type: ignore[no-untyped-def]
    code = holdings["second"].file_code
    data = make_xlsx([["Mã hồ sơ", "Chế độ sử dụng"], [code, "02"]])
    result = services.commit_data(data, name="che-do.xlsx", fonds=fonds, inventory=None, user=archivist)
    assert result.counts()["proposals"] == 1
    assert ArchiveFile.objects.get(file_code=code).mode == "01"  # not written
    change = AccessChange.objects.get(file=holdings["second"], status=AccessChange.Status.PENDING)
    assert change.after == {"mode": "02"} and change.proposed_by == archivist
    without_user = preview(data, name="che-do.xlsx", fonds=fonds, user=None)
    assert "cần người thứ hai xác nhận" in without_user.problems[0].rule


def test_secret_rows_are_out_of_reach_without_the_right(fonds, holdings, archivist, make_xlsx) -> None:  # type: ignore[no-untyped-def]
    secret_code = holdings["secret_file"].file_code
    result = preview(
        make_xlsx([["Mã hồ sơ", "Tiêu đề hồ sơ"], [secret_code, "Đổi tên hồ sơ mật"]]),
        name="mat.xlsx",
        fonds=fonds,
        user=archivist,
    )
    assert "bạn không được xem (chế độ sử dụng 03)" in result.problems[0].rule
    new_secret = preview(
        make_xlsx([FILE_HEADINGS, _file_row("000.00.00.H15.1996.01.TH", mode="03")]),
        name="mat-moi.xlsx",
        fonds=fonds,
        user=archivist,
    )
    assert "chỉ người có quyền xem tài liệu Mật" in new_secret.problems[0].rule


def test_document_list_errors(fonds, holdings, archivist, make_xlsx) -> None:  # type: ignore[no-untyped-def]
    first = holdings["first"].file_code
    headings = [
        "Mã định danh tài liệu",
        "Tên loại tài liệu",
        "Ngày tháng năm tài liệu",
        "Cơ quan, tổ chức, cá nhân ban hành",
        "Trích yếu nội dung",
        "Số lượng trang",
        "Độ mật",
    ]
    rows = [
        headings,
        [f"{first}.4", "99", "01/02/1995", "UBND tỉnh", "Về việc A", 2, ""],  # unknown typeName
        [f"{first}.5", "02", "01/02/1995", "UBND tỉnh", "Về việc B", 2, ""],
        [f"{first}.5", "02", "01/02/1995", "UBND tỉnh", "Về việc C", 2, ""],  # duplicate
        ["000.00.00.H15.1995.77.TH.1", "02", "01/02/1995", "UBND tỉnh", "Về việc D", 2, ""],  # no such file
        [f"{first}.1", "02", "01/03/1995", "UBND tỉnh Đắk Lắk", "Quyết định phê duyệt quy hoạch", 3, "mat"],
        [f"{first}.6", "02", "01/02/1995", "UBND tỉnh", "Về việc E", 12000, ""],  # over the limit
    ]
    result = preview(make_xlsx(rows), name="vb.xlsx", fonds=fonds, user=archivist)
    found = _rules(result)
    assert any(line.startswith("2|Tên loại tài liệu|99|mã không có trong danh mục typeName") for line in found), found
    assert f"4|Mã định danh tài liệu|{first}.5|trùng tài liệu số 5 của hồ sơ {first} với dòng 3." in found
    assert any(line.startswith("5|Mã định danh tài liệu|000.00.00.H15.1995.77.TH|hồ sơ «") for line in found), found
    assert any("độ mật chỉ thay đổi qua đề nghị" in line for line in found), found
    assert "7|Số lượng trang|12000|tối đa 9999." in found
    assert [a.key for a in result.actions] == [f"{first}.5"]


def test_no_heading_row_and_old_excel_are_refused(fonds, archivist, make_xlsx) -> None:  # type: ignore[no-untyped-def]
    result = preview(make_xlsx([["a", "b"], [1, 2]]), name="rong.xlsx", fonds=fonds, user=archivist)
    assert "không tìm thấy dòng tiêu đề cột" in result.problems[0].rule
    with pytest.raises(SheetFormatError, match="Excel 97–2003"):
        preview(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, name="cu.xls", fonds=fonds, user=archivist)


def test_semicolon_csv_whose_headings_hold_commas(fonds, holdings, archivist) -> None:  # type: ignore[no-untyped-def]
    first = holdings["first"].file_code
    lines = [
        'Mã định danh tài liệu;Tên loại tài liệu;Ngày tháng năm tài liệu;"Cơ quan, tổ chức, cá nhân ban hành";'
        "Trích yếu nội dung;Số lượng trang",
        f'{first}.4;Báo cáo;02/04/1995;"UBND tỉnh Đắk Lắk, Sở Xây dựng";Báo cáo tiến độ, kết quả;4',
    ]
    result = services.commit_data(
        "\r\n".join(lines).encode(), name="vb.csv", fonds=fonds, inventory=None, user=archivist
    )
    assert result.counts()["create"] == 1, result.as_dict()
    document = Document.objects.get(doc_id=f"{first}.4")
    assert (document.type_name, document.organ_name) == ("14", "UBND tỉnh Đắk Lắk, Sở Xây dựng")
    assert document.maintenance == holdings["first"].maintenance and document.ordinal == 4
