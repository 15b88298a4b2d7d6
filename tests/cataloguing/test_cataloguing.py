"""Step (2) of TT 04/2014: guideline versions, worksheets with the TT 05 rules, the second-person
check, the correction loop until no blocking error is left, and the error report figures."""

from __future__ import annotations

from datetime import date

import pytest

from khoso.archive.models import ArchiveFile, Document, Vocabulary
from khoso.cataloguing import selectors, services
from khoso.cataloguing.fields import DOCUMENT
from khoso.cataloguing.models import CheckError, CheckReport, Guideline
from khoso.core.errors import PermissionDeniedError, WorkflowError
from khoso.workflow import services as workflow
from khoso.workflow.states import Role, State

from .conftest import document_values, file_values

pytestmark = pytest.mark.django_db

BLOCKING = CheckError.Severity.BLOCKING
MINOR = CheckError.Severity.MINOR


def _move(item, target, who):  # type: ignore[no-untyped-def]
    return workflow.transition(item=item, target=target, actor=who)


def _refused(item, target, who) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(WorkflowError) as caught:
        _move(item, target, who)
    item.refresh_from_db()
    return caught.value.message


# -- guidelines ------------------------------------------------------------------------------------


def test_a_new_guideline_version_replaces_the_current_one(approved_project, people, guideline) -> None:  # type: ignore[no-untyped-def]
    second = services.guideline_publish(
        project=approved_project,
        by=people["planner"],
        title="Hướng dẫn biên mục (sửa đổi)",
        text="Bổ sung quy tắc ghi từ khóa.",
        effective_date=date(2026, 3, 1),
        double_keying=True,
    )
    assert (guideline.version, second.version) == (1, 2)
    assert list(Guideline.objects.filter(project=approved_project, is_current=True)) == [second]
    assert selectors.current_guideline(project=approved_project) == second


def test_only_the_planner_publishes_a_guideline(approved_project, people) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDeniedError):
        services.guideline_publish(
            project=approved_project, by=people["cataloguer"], title="X", text="Y", effective_date=date(2026, 1, 1)
        )


def test_cataloguing_waits_for_a_guideline(approved_project, people, put_in_state) -> None:  # type: ignore[no-untyped-def]
    item = put_in_state(approved_project.items.first(), State.BIEN_MUC, people["planner"])
    with pytest.raises(WorkflowError) as caught:
        services.worksheet_save(item=item, by=people["cataloguer"], values=file_values())
    assert "chưa ban hành hướng dẫn biên mục" in caught.value.message


# -- worksheets ------------------------------------------------------------------------------------


def test_a_worksheet_names_every_broken_tt05_rule_and_leaves_the_archive_alone(item, people) -> None:  # type: ignore[no-untyped-def]
    before = ArchiveFile.objects.get(pk=item.file_id).title
    values = file_values(
        title="",
        keyword="k" * 101,
        mode="09",
        language="01, 99",
        end_date=date(1994, 12, 31),
        risk_recovery=True,
        number_of_paper=None,
    )
    with pytest.raises(services.WorksheetInvalid) as caught:
        services.worksheet_save(item=item, by=people["cataloguer"], values=values)
    problems = caught.value.problems
    assert problems["title"] == "bắt buộc (TT 05/2025)"
    assert problems["number_of_paper"] == "bắt buộc (TT 05/2025)"
    assert "vượt quá 100 ký tự" in problems["keyword"]
    assert "«09» không có trong danh mục mode" in problems["mode"]
    assert "«99»" in problems["language"]
    assert problems["end_date"] == "phải sau hoặc bằng thời gian bắt đầu"
    assert "bắt buộc khi Chế độ dự phòng = 1" in problems["risk_recovery_status"]
    assert "Tiêu đề hồ sơ: bắt buộc" in caught.value.message
    assert not item.worksheets.exists()

    sheet = services.worksheet_save(item=item, by=people["cataloguer"], values=file_values(language="01 ,02"))
    assert sheet.data["language"] == "01,02" and sheet.data["start_date"] == "1995-01-05"
    assert (sheet.guideline.version, sheet.author, sheet.round) == (1, people["cataloguer"], 0)
    assert ArchiveFile.objects.get(pk=item.file_id).title == before  # nothing reaches the archive while cataloguing


def test_document_sheets_follow_the_file_sheet_count(item, people) -> None:  # type: ignore[no-untyped-def]
    cataloguer = people["cataloguer"]
    with pytest.raises(WorkflowError) as caught:
        services.worksheet_save(item=item, by=cataloguer, values=document_values(1), kind=DOCUMENT, ordinal=1)
    assert "phải lập phiếu tin hồ sơ trước" in caught.value.message
    services.worksheet_save(item=item, by=cataloguer, values=file_values(total_doc=2))
    with pytest.raises(WorkflowError) as caught:
        services.worksheet_save(item=item, by=cataloguer, values=document_values(3), kind=DOCUMENT, ordinal=3)
    assert "số thứ tự tài liệu phải từ 1 đến 2" in caught.value.message
    with pytest.raises(services.WorksheetInvalid) as invalid:
        services.worksheet_save(
            item=item,
            by=cataloguer,
            values=document_values(1, type_name="99", number_of_page=0),
            kind=DOCUMENT,
            ordinal=1,
        )
    assert set(invalid.value.problems) == {"type_name", "number_of_page"}
    services.worksheet_save(item=item, by=cataloguer, values=document_values(2), kind=DOCUMENT, ordinal=2)
    with pytest.raises(services.WorksheetInvalid) as invalid:
        services.worksheet_save(item=item, by=cataloguer, values=file_values(total_doc=1))
    assert "đã có phiếu tin tài liệu số 2" in invalid.value.problems["total_doc"]


def test_only_the_author_corrects_a_sheet_and_only_while_cataloguing(item, people, put_in_state) -> None:  # type: ignore[no-untyped-def]
    services.worksheet_save(item=item, by=people["cataloguer"], values=file_values(total_doc=0))
    with pytest.raises(WorkflowError) as caught:
        services.worksheet_save(item=item, by=people["cataloguer2"], values=file_values(total_doc=0))
    assert "chỉ người biên mục sửa phiếu tin của mình" in caught.value.message
    with pytest.raises(PermissionDeniedError):
        services.worksheet_save(item=item, by=people["keyer"], values=file_values(total_doc=0))
    put_in_state(item, State.NHAP_LIEU, people["checker"])
    with pytest.raises(WorkflowError) as caught:
        services.worksheet_save(item=item, by=people["cataloguer"], values=file_values(total_doc=0))
    assert "chỉ được biên mục ở bước «Biên mục phiếu tin» hoặc «Sửa lỗi biên mục»" in caught.value.message


# -- guards on the cataloguing moves ---------------------------------------------------------------


def test_submitting_needs_the_file_sheet_and_one_sheet_per_document(item, people) -> None:  # type: ignore[no-untyped-def]
    cataloguer = people["cataloguer"]
    assert "chưa lập phiếu tin hồ sơ" in _refused(item, State.KIEM_TRA_BIEN_MUC, cataloguer)
    services.worksheet_save(item=item, by=cataloguer, values=file_values(total_doc=3))
    services.worksheet_save(item=item, by=cataloguer, values=document_values(2), kind=DOCUMENT, ordinal=2)
    message = _refused(item, State.KIEM_TRA_BIEN_MUC, cataloguer)
    assert message == (
        "Không thực hiện được bước này: thiếu phiếu tin tài liệu số 1, 3 (phiếu tin hồ sơ ghi 3 tài liệu)."
    )
    assert item.state == State.BIEN_MUC
    for ordinal in (1, 3):
        services.worksheet_save(
            item=item, by=cataloguer, values=document_values(ordinal), kind=DOCUMENT, ordinal=ordinal
        )
    assert _move(item, State.KIEM_TRA_BIEN_MUC, cataloguer).state == State.KIEM_TRA_BIEN_MUC


def test_the_full_loop_check_report_fix_recheck_pass(item, people, catalogue) -> None:  # type: ignore[no-untyped-def]
    cataloguer, checker = people["cataloguer"], people["checker"]
    catalogue(item, cataloguer)
    item = _move(item, State.KIEM_TRA_BIEN_MUC, cataloguer)
    sheets = selectors.sheets_of(item=item)
    file_sheet, first_doc = sheets[0], sheets[1]

    # a pass needs a report of this round
    assert "chưa có biên bản kiểm tra biên mục của lượt này" in _refused(item, State.NHAP_LIEU, checker)
    services.check_error_add(
        item=item, by=checker, worksheet=file_sheet, field="title", severity=BLOCKING, message="Sai tiêu đề so với bìa."
    )
    services.check_error_add(
        item=item, by=checker, worksheet=first_doc, field="keyword", severity=MINOR, message="Nên thêm từ khóa."
    )
    report = selectors.report_of(item=item, stage=CheckReport.Stage.CATALOGUE)
    assert (report.round, report.checker, report.errors.count(), report.sheets.count()) == (0, checker, 2, 3)
    assert "còn 1 lỗi phải sửa chưa được sửa" in _refused(item, State.NHAP_LIEU, checker)

    item = _move(item, State.SUA_LOI_BIEN_MUC, checker)
    assert item.round == 1
    assert "còn 1 lỗi phải sửa chưa được sửa" in _refused(item, State.KIEM_TRA_BIEN_MUC, cataloguer)

    # the author corrects the field: saving marks the error on that field fixed
    services.worksheet_save(item=item, by=cataloguer, values=file_values(title="Hồ sơ quy hoạch tỉnh Đắk Lắk 1995"))
    error = CheckError.objects.get(field="title")
    assert error.fixed and error.fixed_by == cataloguer
    assert error.value != error.fixed_value == "Hồ sơ quy hoạch tỉnh Đắk Lắk 1995"
    assert not CheckError.objects.get(field="keyword").fixed  # a minor error does not hold the file back
    item = _move(item, State.KIEM_TRA_BIEN_MUC, cataloguer)

    # the re-check is a new round with its own report
    assert "chưa có biên bản kiểm tra biên mục của lượt này" in _refused(item, State.NHAP_LIEU, checker)
    services.check_start(item=item, by=checker)
    item = _move(item, State.NHAP_LIEU, checker)
    assert item.state == State.NHAP_LIEU
    assert list(CheckReport.objects.filter(item=item).values_list("round", flat=True)) == [0, 1]
    assert not Document.objects.filter(file_id=item.file_id).exists()


def test_returning_for_correction_needs_a_blocking_error_in_this_rounds_report(item, people, catalogue) -> None:  # type: ignore[no-untyped-def]
    cataloguer, checker = people["cataloguer"], people["checker"]
    catalogue(item, cataloguer, total_doc=0)
    item = _move(item, State.KIEM_TRA_BIEN_MUC, cataloguer)
    expected = "chỉ trả lại để sửa khi biên bản kiểm tra của lượt này có ít nhất một lỗi phải sửa"
    assert expected in _refused(item, State.SUA_LOI_BIEN_MUC, checker)
    sheet = selectors.file_sheet(item=item)
    services.check_error_add(item=item, by=checker, worksheet=sheet, field="keyword", severity=MINOR, message="Thiếu.")
    assert expected in _refused(item, State.SUA_LOI_BIEN_MUC, checker)
    assert item.state == State.KIEM_TRA_BIEN_MUC


def test_the_check_is_done_by_a_second_person(item, people, catalogue) -> None:  # type: ignore[no-untyped-def]
    cataloguer = people["cataloguer"]
    workflow.member_add(project=item.project, user=cataloguer, role=Role.CHECKER, by=people["planner"])
    catalogue(item, cataloguer, total_doc=0)
    item = _move(item, State.KIEM_TRA_BIEN_MUC, cataloguer)
    sheet = selectors.file_sheet(item=item)
    with pytest.raises(WorkflowError) as caught:
        services.check_error_add(
            item=item, by=cataloguer, worksheet=sheet, field="title", severity=BLOCKING, message="x"
        )
    assert (
        "người kiểm tra phải là người thứ hai: không kiểm tra phiếu tin do chính mình biên mục" in caught.value.message
    )
    with pytest.raises(WorkflowError):
        services.check_start(item=item, by=cataloguer)
    assert not CheckReport.objects.exists()
    with pytest.raises(PermissionDeniedError):
        services.check_start(item=item, by=people["cataloguer2"])  # not a checker at all


def test_an_error_fixed_without_changing_its_field_needs_a_note_by_its_author(item, people, catalogue) -> None:  # type: ignore[no-untyped-def]
    cataloguer, checker = people["cataloguer"], people["checker"]
    catalogue(item, cataloguer, total_doc=0)
    item = _move(item, State.KIEM_TRA_BIEN_MUC, cataloguer)
    sheet = selectors.file_sheet(item=item)
    error = services.check_error_add(
        item=item,
        by=checker,
        worksheet=sheet,
        field="description",
        severity=BLOCKING,
        message="Kiểm tra lại người lập.",
    )
    with pytest.raises(WorkflowError) as caught:
        services.error_fix(error=error, by=cataloguer, note="Đã đối chiếu")
    assert "lỗi chỉ được sửa ở bước «Sửa lỗi biên mục»" in caught.value.message
    item = _move(item, State.SUA_LOI_BIEN_MUC, checker)
    with pytest.raises(WorkflowError) as caught:
        services.error_fix(error=error, by=people["cataloguer2"], note="Đã đối chiếu")
    assert "chỉ người làm sai sửa lỗi của mình" in caught.value.message
    with pytest.raises(WorkflowError) as caught:
        services.error_fix(error=error, by=cataloguer, note="  ")
    assert "phải ghi rõ đã sửa lỗi thế nào" in caught.value.message
    services.error_fix(error=error, by=cataloguer, note="Đã đối chiếu với bìa hồ sơ: đúng người lập.")
    error.refresh_from_db()
    assert error.fixed and error.fix_note.startswith("Đã đối chiếu")
    assert _move(item, State.KIEM_TRA_BIEN_MUC, cataloguer).state == State.KIEM_TRA_BIEN_MUC


# -- error report ----------------------------------------------------------------------------------


def test_error_figures_per_field_and_per_worker(approved_project, people, guideline, put_in_state, catalogue) -> None:  # type: ignore[no-untyped-def]
    checker = people["checker"]
    first, second = approved_project.items.order_by("id")[:2]
    for item, author in ((first, people["cataloguer"]), (second, people["cataloguer2"])):
        put_in_state(item, State.BIEN_MUC, people["planner"])
        catalogue(item, author, total_doc=1)
        _move(item, State.KIEM_TRA_BIEN_MUC, author)
    one_file, one_doc = selectors.sheets_of(item=first)
    two_file, _two_doc = selectors.sheets_of(item=second)
    for sheet, field, severity in (
        (one_file, "title", BLOCKING),
        (one_file, "end_date", BLOCKING),
        (one_doc, "subject", MINOR),
        (two_file, "title", MINOR),
    ):
        services.check_error_add(
            item=sheet.item, by=checker, worksheet=sheet, field=field, severity=severity, message="Sai."
        )

    stats = selectors.error_stats(project=approved_project, stage=CheckReport.Stage.CATALOGUE)
    assert (stats.reports, stats.sheets, stats.errors, stats.blocking) == (2, 4, 4, 2)
    fields = {(r.kind, r.field): r for r in stats.by_field}
    title = fields[("ho_so", "title")]
    assert (title.label, title.checked, title.errors, title.blocking, title.rate) == ("Tiêu đề hồ sơ", 2, 2, 1, 100.0)
    subject = fields[("tai_lieu", "subject")]
    assert (subject.checked, subject.errors, subject.rate) == (2, 1, 50.0)
    assert fields[("ho_so", "keyword")].errors == 0
    assert stats.by_field[0].field == "title"  # the most frequent error comes first

    workers = {r.name: r for r in stats.by_worker}
    one, two = workers["cataloguer"], workers["cataloguer2"]
    # each wrote one file sheet (17 fields) and one document sheet (19 fields)
    assert (one.sheets, one.fields, one.errors, one.blocking) == (2, 36, 3, 2)
    assert (one.rate, one.per_sheet) == (8.33, 1.5)
    assert (two.sheets, two.fields, two.errors, two.blocking, two.rate) == (2, 36, 1, 0, 2.78)
    assert [r.name for r in stats.by_worker] == ["cataloguer", "cataloguer2"]
    entry = selectors.error_stats(project=approved_project, stage=CheckReport.Stage.ENTRY)
    assert (entry.reports, entry.errors, entry.by_worker) == (0, 0, [])


def test_a_sheet_that_no_longer_meets_tt05_holds_the_submission(item, people, catalogue) -> None:  # type: ignore[no-untyped-def]
    catalogue(item, people["cataloguer"], total_doc=0)
    Vocabulary.objects.filter(kind="format", code="01").update(active=False)  # the administrator retired a code
    message = _refused(item, State.KIEM_TRA_BIEN_MUC, people["cataloguer"])
    assert message == "Không thực hiện được bước này: Phiếu tin hồ sơ chưa đầy đủ, đúng quy tắc TT 05/2025."


def test_a_document_sheet_written_by_mistake_is_deleted_until_it_is_checked(item, people, catalogue) -> None:  # type: ignore[no-untyped-def]
    cataloguer, checker = people["cataloguer"], people["checker"]
    catalogue(item, cataloguer, total_doc=2)
    second = item.worksheets.get(kind=DOCUMENT, ordinal=2)
    services.worksheet_delete(worksheet=second, by=cataloguer)
    services.worksheet_save(item=item, by=cataloguer, values=file_values(total_doc=1))
    item = _move(item, State.KIEM_TRA_BIEN_MUC, cataloguer)
    services.check_start(item=item, by=checker)
    item = _move(item, State.NHAP_LIEU, checker)
    first = item.worksheets.get(kind=DOCUMENT, ordinal=1)
    with pytest.raises(WorkflowError) as caught:
        services.worksheet_delete(worksheet=first, by=cataloguer)
    assert "chỉ xóa phiếu tin tài liệu khi đang biên mục" in caught.value.message


def test_data_entry_needs_worksheets(approved_project, people, guideline, put_in_state) -> None:  # type: ignore[no-untyped-def]
    item = put_in_state(approved_project.items.first(), State.NHAP_LIEU, people["checker"])
    assert _refused(item, State.KIEM_TRA_NHAP, people["keyer"]).endswith("hồ sơ chưa có phiếu tin để nhập.")
