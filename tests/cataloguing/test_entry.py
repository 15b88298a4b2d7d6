"""Step (3) of TT 04/2014: keying the worksheets (once, or twice independently), the checker's
comparison and resolution of every difference, the correction loop, and the archive written only
when the entry check passes, all or nothing."""

from __future__ import annotations

from datetime import date

import pytest

from khoso.archive.models import ArchiveFile, Document, Vocabulary
from khoso.archive.services import document_create
from khoso.cataloguing import selectors, services
from khoso.cataloguing.models import CheckError, CheckReport, Difference, Keying
from khoso.core.errors import PermissionDeniedError, WorkflowError
from khoso.workflow import services as workflow
from khoso.workflow.states import State

from .conftest import document_values, file_values

pytestmark = pytest.mark.django_db

ENTRY = CheckReport.Stage.ENTRY


def _refused(item, target, who) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(WorkflowError) as caught:
        workflow.transition(item=item, target=target, actor=who)
    item.refresh_from_db()
    return caught.value.message


def _key_all(item, keyer, **file_overrides):  # type: ignore[no-untyped-def]
    for sheet in selectors.sheets_of(item=item):
        values = file_values(**file_overrides) if sheet.kind == "ho_so" else document_values(sheet.ordinal)
        services.keying_save(worksheet=sheet, by=keyer, values=values)


@pytest.fixture
def keyed_item(item, people, catalogue, put_in_state):  # type: ignore[no-untyped-def]
    """A file whose two-document worksheets passed the cataloguing check, waiting for data entry."""
    catalogue(item, people["cataloguer"])
    return put_in_state(item, State.NHAP_LIEU, people["checker"])


def test_single_keying_one_operator_per_sheet_and_every_sheet_keyed(keyed_item, people) -> None:  # type: ignore[no-untyped-def]
    item, keyer = keyed_item, people["keyer"]
    file_sheet, first, second = selectors.sheets_of(item=item)
    assert "chưa nhập đủ phiếu tin: hồ sơ, tài liệu số 1, tài liệu số 2." in _refused(item, State.KIEM_TRA_NHAP, keyer)
    services.keying_save(worksheet=file_sheet, by=keyer, values=file_values())
    services.keying_save(worksheet=first, by=keyer, values=document_values(1))
    with pytest.raises(WorkflowError) as caught:
        services.keying_save(worksheet=first, by=people["keyer2"], values=document_values(1))
    assert "Phiếu tin tài liệu số 1 đã được keyer nhập" in caught.value.message
    with pytest.raises(services.WorksheetInvalid) as invalid:
        services.keying_save(worksheet=second, by=keyer, values=document_values(2, issued_date=None))
    assert invalid.value.problems == {"issued_date": "bắt buộc (TT 05/2025)"}
    assert _refused(item, State.KIEM_TRA_NHAP, keyer).endswith("chưa nhập đủ phiếu tin: tài liệu số 2.")
    services.keying_save(worksheet=second, by=keyer, values=document_values(2))
    item = workflow.transition(item=item, target=State.KIEM_TRA_NHAP, actor=keyer)
    with pytest.raises(WorkflowError) as caught:
        services.keying_save(worksheet=second, by=keyer, values=document_values(2))
    assert "chỉ được nhập ở bước «Nhập phiếu tin» hoặc «Sửa lỗi nhập phiếu tin»" in caught.value.message
    with pytest.raises(PermissionDeniedError):
        services.keying_save(worksheet=second, by=people["cataloguer"], values=document_values(2))


def test_double_keying_differences_resolved_then_values_reach_the_archive_on_pass(  # type: ignore[no-untyped-def]
    item, people, double_keying, catalogue, put_in_state
) -> None:
    catalogue(item, people["cataloguer"])
    item = put_in_state(item, State.NHAP_LIEU, people["checker"])
    keyer, keyer2, checker = people["keyer"], people["keyer2"], people["checker"]
    file_sheet, first, _second = selectors.sheets_of(item=item)
    assert file_sheet.guideline == double_keying

    _key_all(item, keyer)
    message = _refused(item, State.KIEM_TRA_NHAP, keyer)
    assert "(hướng dẫn yêu cầu hai người nhập độc lập mỗi phiếu)" in message
    _key_all(item, keyer2, title="Hồ sơ về quy hoạch tỉnh Đắc Lắc năm 1995")  # keyer2 mistypes the title
    services.keying_save(worksheet=first, by=keyer, values=document_values(1, number_of_page=5))  # keyer: pages
    assert dict(Keying.objects.filter(worksheet=file_sheet).values_list("keyer__username", "pass_no")) == {
        "keyer": 1,
        "keyer2": 2,
    }
    with pytest.raises(WorkflowError) as caught:
        services.keying_save(worksheet=file_sheet, by=people["admin"], values=file_values())
    assert "Phiếu tin hồ sơ đã đủ hai lượt nhập độc lập" in caught.value.message
    item = workflow.transition(item=item, target=State.KIEM_TRA_NHAP, actor=keyer)

    report = services.check_start(item=item, by=checker)
    differences = {(d.worksheet.name, d.field): d for d in report.differences.select_related("worksheet")}
    assert set(differences) == {("Phiếu tin hồ sơ", "title"), ("Phiếu tin tài liệu số 1", "number_of_page")}
    pages = differences[("Phiếu tin tài liệu số 1", "number_of_page")]
    assert (pages.worksheet_value, pages.pass1_value, pages.pass2_value) == (3, 5, 3)
    assert "còn 2 chênh lệch" in _refused(item, State.SO_HOA, checker)
    archive_file = ArchiveFile.objects.get(pk=item.file_id)
    assert archive_file.number_of_page == 6 and not Document.objects.filter(file=archive_file).exists()

    title = differences[("Phiếu tin hồ sơ", "title")]
    services.difference_resolve(difference=title, by=checker, value=title.worksheet_value)
    services.difference_resolve(difference=pages, by=checker, value="3")
    errors = CheckError.objects.filter(report=report).order_by("field")
    assert [(e.field, e.worker.username, e.severity, e.fixed) for e in errors] == [
        ("number_of_page", "keyer", "nhe", True),
        ("title", "keyer2", "nhe", True),
    ]
    assert errors[0].message == "Nhập «5», đúng là «3»."

    item = workflow.transition(item=item, target=State.SO_HOA, actor=checker)
    assert item.state == State.SO_HOA
    archive_file.refresh_from_db()
    assert archive_file.title == file_values()["title"]
    assert (archive_file.number_of_paper, archive_file.format, archive_file.total_doc) == (4, "01", 2)
    documents = list(Document.objects.filter(file=archive_file).order_by("ordinal"))
    assert [(d.ordinal, d.number_of_page, d.type_name, d.issued_date) for d in documents] == [
        (1, 3, "02", date(1995, 3, 1)),
        (2, 3, "02", date(1995, 3, 2)),
    ]
    assert documents[0].doc_code.startswith(archive_file.file_code)
    assert selectors.report_of(item=item, stage=ENTRY, round=0).applied_at is not None

    stats = selectors.error_stats(project=item.project, stage=ENTRY)
    workers = {r.name: r for r in stats.by_worker}
    assert (workers["keyer"].sheets, workers["keyer"].errors, workers["keyer2"].errors) == (3, 1, 1)


def test_the_checker_may_not_have_keyed_the_file(keyed_item, people) -> None:  # type: ignore[no-untyped-def]
    admin = people["admin"]
    _key_all(keyed_item, admin)
    item = workflow.transition(item=keyed_item, target=State.KIEM_TRA_NHAP, actor=admin)
    with pytest.raises(WorkflowError) as caught:
        services.check_start(item=item, by=admin)
    assert "không kiểm tra phiếu tin do chính mình nhập" in caught.value.message


def test_entry_loop_blocking_error_rekey_recheck_pass(keyed_item, people) -> None:  # type: ignore[no-untyped-def]
    keyer, checker = people["keyer"], people["checker"]
    _key_all(keyed_item, keyer, description="Người lập: Nguyễn Văn B")
    item = workflow.transition(item=keyed_item, target=State.KIEM_TRA_NHAP, actor=keyer)
    expected = "chỉ trả lại để sửa khi biên bản kiểm tra của lượt này có ít nhất một lỗi phải sửa"
    assert expected in _refused(item, State.SUA_LOI_NHAP, checker)
    assert "chưa đối chiếu dữ liệu nhập của lượt này" in _refused(item, State.SO_HOA, checker)

    file_sheet = selectors.file_sheet(item=item)
    error = services.check_error_add(
        item=item,
        by=checker,
        worksheet=file_sheet,
        field="description",
        severity=CheckError.Severity.BLOCKING,
        message="Nhập sai tên người lập hồ sơ, nhập lại theo phiếu.",
    )
    assert (error.worker, error.keying.pass_no, error.value) == (keyer, 1, "Người lập: Nguyễn Văn B")
    assert "còn 1 chênh lệch giữa các lượt nhập và phiếu tin chưa được người kiểm tra xử lý" in _refused(
        item, State.SO_HOA, checker
    )
    difference = Difference.objects.get(field="description")
    services.difference_resolve(difference=difference, by=checker, value=difference.worksheet_value)
    assert "còn 1 lỗi phải sửa chưa được sửa" in _refused(item, State.SO_HOA, checker)
    item = workflow.transition(item=item, target=State.SUA_LOI_NHAP, actor=checker)
    assert item.round == 1
    assert "còn 1 lỗi phải sửa" in _refused(item, State.KIEM_TRA_NHAP, keyer)

    services.keying_save(worksheet=file_sheet, by=keyer, values=file_values())
    error.refresh_from_db()
    assert error.fixed and error.fixed_value == "Người lập hồ sơ: Nguyễn Văn A"
    item = workflow.transition(item=item, target=State.KIEM_TRA_NHAP, actor=keyer)
    report = services.check_start(item=item, by=checker)
    assert report.round == 1 and not report.differences.exists()
    item = workflow.transition(item=item, target=State.SO_HOA, actor=checker)
    assert ArchiveFile.objects.get(pk=item.file_id).description == "Người lập hồ sơ: Nguyễn Văn A"


def test_a_tt05_rule_broken_when_writing_refuses_the_pass_and_writes_nothing(keyed_item, people) -> None:  # type: ignore[no-untyped-def]
    keyer, checker = people["keyer"], people["checker"]
    _key_all(keyed_item, keyer)
    item = workflow.transition(item=keyed_item, target=State.KIEM_TRA_NHAP, actor=keyer)
    services.check_start(item=item, by=checker)
    before = ArchiveFile.objects.get(pk=item.file_id)
    # the vocabulary changed after keying: the archive service refuses the second document's type
    Vocabulary.objects.filter(kind="typeName", code="02").update(active=False)
    message = _refused(item, State.SO_HOA, checker)
    assert message.startswith(
        "Không thực hiện được bước này: dữ liệu phiếu tin vi phạm quy tắc TT 05/2025 khi ghi vào hồ sơ lưu trữ"
    )
    assert "«02» không có trong danh mục typeName" in message
    assert item.state == State.KIEM_TRA_NHAP
    after = ArchiveFile.objects.get(pk=item.file_id)
    assert (after.title, after.number_of_paper, after.total_doc) == (before.title, before.number_of_paper, 0)
    assert not Document.objects.filter(file=after).exists()
    assert selectors.report_of(item=item, stage=ENTRY).applied_at is None


def test_an_existing_archive_document_takes_the_verified_values_and_keeps_its_codes(keyed_item, people) -> None:  # type: ignore[no-untyped-def]
    """…except its access mode: a different verified mode becomes a four-eyes proposal (NĐ 30 PL VI)."""
    from khoso.access.models import AccessChange

    keyer, checker = people["keyer"], people["checker"]
    inventoried = document_create(
        archive_file=keyed_item.file, ordinal=1, **{**document_values(1), "code_number": "77", "mode": "03"}
    )
    Document.objects.filter(pk=inventoried.pk).update(first_page=1)  # already linked to its page
    _key_all(keyed_item, keyer)
    item = workflow.transition(item=keyed_item, target=State.KIEM_TRA_NHAP, actor=keyer)
    services.check_start(item=item, by=checker)
    assert workflow.transition(item=item, target=State.SO_HOA, actor=checker).state == State.SO_HOA
    rows = Document.objects.filter(file=item.file).order_by("ordinal")
    assert list(rows.values_list("pk", "ordinal", "code_number", "mode", "first_page")) == [
        (inventoried.pk, 1, "1", "03", 1),
        (rows[1].pk, 2, "2", "01", None),
    ]
    proposal = AccessChange.objects.get(document=inventoried)
    assert (proposal.status, proposal.before["mode"], proposal.after["mode"]) == ("cho", "03", "01")
    assert proposal.proposed_by == checker
    assert rows[0].doc_code == inventoried.doc_code
    assert ArchiveFile.objects.get(pk=item.file_id).total_doc == 2


def test_a_verified_value_that_breaks_an_archive_rule_refuses_the_pass(keyed_item, people) -> None:  # type: ignore[no-untyped-def]
    keyer, checker = people["keyer"], people["checker"]
    inventoried = document_create(archive_file=keyed_item.file, ordinal=1, **document_values(1))
    Document.objects.filter(pk=inventoried.pk).update(organ_name="")
    _key_all(keyed_item, keyer)
    item = workflow.transition(item=keyed_item, target=State.KIEM_TRA_NHAP, actor=keyer)
    services.check_start(item=item, by=checker)
    Vocabulary.objects.filter(kind="typeName", code="02").update(active=False)  # retired since the keying
    assert "vi phạm quy tắc TT 05/2025 khi ghi vào hồ sơ lưu trữ" in _refused(item, State.SO_HOA, checker)
    assert Document.objects.get(pk=inventoried.pk).organ_name == ""  # nothing half written


def test_a_resolution_is_checked_against_tt05_and_may_be_changed(keyed_item, people) -> None:  # type: ignore[no-untyped-def]
    keyer, checker = people["keyer"], people["checker"]
    _key_all(keyed_item, keyer, mode="02")
    item = workflow.transition(item=keyed_item, target=State.KIEM_TRA_NHAP, actor=keyer)
    report = services.check_start(item=item, by=checker)
    difference = Difference.objects.get(report=report)
    with pytest.raises(services.WorksheetInvalid) as caught:
        services.difference_resolve(difference=difference, by=checker, value="07")
    assert "«07» không có trong danh mục mode" in caught.value.problems["mode"]
    services.difference_resolve(difference=difference, by=checker, value="01")
    assert CheckError.objects.filter(difference=difference).count() == 1
    services.difference_resolve(difference=difference, by=checker, value="02")  # the keyer was right after all
    assert not CheckError.objects.filter(difference=difference).exists()
    assert selectors.verified_data(report=report)[difference.worksheet_id]["mode"] == "02"
