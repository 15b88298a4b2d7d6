"""The inspection loop of TT 04/2014 step 5: inspect → report → fix → re-inspect → pass, with thresholds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from khoso.archive.services import document_create
from khoso.core.errors import PermissionDeniedError, WorkflowError
from khoso.inspection import selectors, services
from khoso.inspection.models import CorrectionTask, ErrorClass, Inspection, InspectionFinding, InspectionItem
from khoso.workflow.models import Contractor, WorkflowEvent
from khoso.workflow.states import State

from .conftest import items_of

pytestmark = pytest.mark.django_db


def error(code: str) -> ErrorClass:
    return ErrorClass.objects.get(code=code)


def record(inspection, item, code, people, **fields):  # type: ignore[no-untyped-def]
    return services.finding_record(
        inspection=inspection, item=item, error_class=error(code), by=people["inspector"], **fields
    )


def test_inspect_report_fix_reinspect_pass(project, plan, people) -> None:  # type: ignore[no-untyped-def]
    first, second, third = items_of(project)
    # pass 1, 100 %: one blurred page in the first file
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    finding = record(inspection, first, "anh_mo", people, page_number=2, note="Trang 2 mờ, không đọc được số văn bản")
    assert finding.worker == people["scanner"]  # the scanner completed SO_HOA
    report = services.inspection_close(inspection=inspection, by=people["inspector"], conclusion="Quét lại trang 2.")
    inspection.refresh_from_db()
    assert (inspection.status, inspection.result) == (Inspection.Status.CLOSED, Inspection.Result.FAILED)
    assert inspection.finished_at is not None
    assert (report.batch_size, report.sample_size, report.files_with_errors, report.findings) == (3, 3, 1, 1)
    assert report.pages_sampled == 18
    assert report.rate.quantize(Decimal("0.01")) == Decimal("33.33") and report.overall_exceeded
    blurred = next(row for row in report.classes if row.error_class.code == "anh_mo")
    assert (blurred.files, blurred.findings) == (1, 1)
    assert report.workers == [{"worker": "scanner", "error_class": "Ảnh mờ, không đọc được", "findings": 1}]
    for item in (first, second, third):
        item.refresh_from_db()
    assert (first.state, second.state, third.state) == (State.SUA_LOI, State.SAO_CHEP, State.SAO_CHEP)
    assert first.round == 1
    task = CorrectionTask.objects.get(item=first)
    assert task.status == CorrectionTask.Status.OPEN and list(task.findings.all()) == [finding]
    closing = WorkflowEvent.objects.get(action="ket_thuc_kiem_tra_san_pham")
    assert closing.counts == {"pass": 1, "sample": 3, "loi": 1, "dat": 2, "sua_loi": 1, "kiem_tra_lai": 0}

    # the contractor fixes; with its last task fixed the file returns to inspection
    services.correction_mark_fixed(task=task, by=people["contractor"], note="Đã quét lại trang 2")
    task.refresh_from_db()
    first.refresh_from_db()
    assert task.status == CorrectionTask.Status.FIXED and task.fixed_by == people["contractor"]
    assert first.state == State.KIEM_TRA_SAN_PHAM
    assert InspectionFinding.objects.get(pk=finding.pk).resolved_at is None  # not until verified

    # pass 2, 10 %: the corrected file is always re-inspected, and passes
    recheck = services.inspection_start(project=project, inspector=people["inspector"], pass_number=2)
    entry = InspectionItem.objects.get(inspection=recheck)
    assert entry.item == first and entry.sampled and entry.verification
    report = services.inspection_close(inspection=recheck, by=people["inspector"])
    assert report.passed and report.verifications == 1
    first.refresh_from_db()
    task.refresh_from_db()
    assert first.state == State.SAO_CHEP
    assert task.status == CorrectionTask.Status.VERIFIED and task.verified_by == people["inspector"]
    assert InspectionFinding.objects.get(pk=finding.pk).resolved_at is not None
    one_third = Decimal(100) / Decimal(3)
    assert selectors.pass_statistics(project=project) == [
        {
            "pass_number": 1,
            "inspections": 1,
            "failed": 1,
            "sampled": 3,
            "files_with_errors": 1,
            "rate": one_third,
        },
        {"pass_number": 2, "inspections": 1, "failed": 0, "sampled": 1, "files_with_errors": 0, "rate": Decimal(0)},
    ]


def test_a_correction_that_did_not_fix_the_error_goes_back_again(project, plan, people) -> None:  # type: ignore[no-untyped-def]
    first = items_of(project)[0]
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    record(inspection, first, "thieu_trang", people, page_number=5)
    services.inspection_close(inspection=inspection, by=people["inspector"])
    old_task = CorrectionTask.objects.get(item=first)
    services.correction_mark_fixed(task=old_task, by=people["contractor"])

    recheck = services.inspection_start(project=project, inspector=people["inspector"], pass_number=2)
    record(recheck, first, "thieu_trang", people, page_number=5, note="Vẫn thiếu trang 5")
    report = services.inspection_close(inspection=recheck, by=people["inspector"])
    assert not report.passed
    first.refresh_from_db()
    assert first.state == State.SUA_LOI and first.round == 2
    assert set(CorrectionTask.objects.filter(item=first).values_list("status", flat=True)) == {
        CorrectionTask.Status.OPEN
    }
    assert CorrectionTask.objects.filter(item=first).count() == 2
    assert InspectionFinding.objects.filter(item=first, resolved_at__isnull=True).count() == 2

    # both tasks must be fixed before the file returns
    tasks = list(CorrectionTask.objects.filter(item=first).order_by("id"))
    services.correction_mark_fixed(task=tasks[0], by=people["contractor"])
    first.refresh_from_db()
    assert first.state == State.SUA_LOI
    services.correction_mark_fixed(task=tasks[1], by=people["contractor"])
    first.refresh_from_db()
    assert first.state == State.KIEM_TRA_SAN_PHAM
    third = services.inspection_start(project=project, inspector=people["inspector"], pass_number=3)
    services.inspection_close(inspection=third, by=people["inspector"])
    first.refresh_from_db()
    assert first.state == State.SAO_CHEP
    assert not InspectionFinding.objects.filter(item=first, resolved_at__isnull=True).exists()


@pytest.mark.parametrize(("files_with_errors", "passed"), [(0, True), (1, True), (2, False)])
def test_overall_threshold_is_a_maximum(make_project, people, files_with_errors, passed) -> None:  # type: ignore[no-untyped-def]
    project = make_project(10)
    services.plan_save(project=project, by=people["planner"], passes=[100], max_error_rate=10)
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    for item in items_of(project)[:files_with_errors]:
        record(inspection, item, "sai_thu_tu_trang", people)
    report = services.inspection_close(inspection=inspection, by=people["inspector"])
    assert report.passed is passed
    assert Inspection.objects.get().result == (Inspection.Result.PASSED if passed else Inspection.Result.FAILED)
    assert project.items.filter(state=State.SUA_LOI).count() == files_with_errors
    assert project.items.filter(state=State.SAO_CHEP).count() == 10 - files_with_errors


def test_a_class_threshold_fails_a_batch_within_the_overall_rate(make_project, people) -> None:  # type: ignore[no-untyped-def]
    project = make_project(10)
    services.plan_save(
        project=project,
        by=people["planner"],
        passes=[100],
        max_error_rate=20,
        class_thresholds={"thieu_trang": 0, "sai_thu_tu_trang": 30},
    )
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    record(inspection, items_of(project)[0], "thieu_trang", people, page_number=3)
    report = services.inspection_close(inspection=inspection, by=people["inspector"])
    assert report.rate == 10 and not report.overall_exceeded
    assert [row.error_class.code for row in report.exceeded_classes] == ["thieu_trang"]
    assert not report.passed


def test_a_failed_sample_keeps_the_unsampled_files_for_the_next_pass(make_project, people) -> None:  # type: ignore[no-untyped-def]
    project = make_project(30)
    services.plan_save(project=project, by=people["planner"], passes=[10], max_error_rate=10)
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    sampled = [entry.item for entry in InspectionItem.objects.filter(inspection=inspection, sampled=True)]
    record(inspection, sampled[0], "sai_dac_ta", people, note="Sai ngày văn bản")
    report = services.inspection_close(inspection=inspection, by=people["inspector"])
    assert not report.passed and report.sample_size == 3
    assert project.items.filter(state=State.SUA_LOI).count() == 1
    assert project.items.filter(state=State.SAO_CHEP).count() == 2
    assert project.items.filter(state=State.KIEM_TRA_SAN_PHAM).count() == 27
    assert InspectionItem.objects.filter(inspection=inspection, outcome=InspectionItem.Outcome.REINSPECT).count() == 27
    assert selectors.next_pass_number(project) == 2
    # the next pass draws from the 27 waiting files
    following = services.inspection_start(project=project, inspector=people["inspector"], pass_number=2)
    assert InspectionItem.objects.filter(inspection=following).count() == 27
    assert InspectionItem.objects.filter(inspection=following, sampled=True).count() == 3
    services.inspection_close(inspection=following, by=people["inspector"])
    assert project.items.filter(state=State.SAO_CHEP).count() == 29


def test_a_passed_sample_accepts_the_whole_batch(make_project, people) -> None:  # type: ignore[no-untyped-def]
    project = make_project(30)
    services.plan_save(project=project, by=people["planner"], passes=[100, 10], max_error_rate=10)
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=2)
    report = services.inspection_close(inspection=inspection, by=people["inspector"])
    assert report.passed and report.sample_size == 3
    assert project.items.filter(state=State.SAO_CHEP).count() == 30


def test_errors_are_attributed_to_the_worker_of_the_step_they_come_from(project, plan, people) -> None:  # type: ignore[no-untyped-def]
    first, second, _ = items_of(project)
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    assert record(inspection, first, "anh_mo", people, page_number=1).worker == people["scanner"]
    assert record(inspection, first, "sai_dac_ta", people).worker == people["keyer"]
    assert record(inspection, second, "sai_lien_ket", people).worker == people["keyer2"]
    assert record(inspection, second, "thieu_ocr", people).worker is None
    report = selectors.inspection_report(inspection=inspection)
    assert report.workers == [
        {"worker": "—", "error_class": "Thiếu lớp văn bản OCR", "findings": 1},
        {"worker": "keyer", "error_class": "Sai dữ liệu đặc tả", "findings": 1},
        {"worker": "keyer2", "error_class": "Sai liên kết dữ liệu đặc tả với tệp", "findings": 1},
        {"worker": "scanner", "error_class": "Ảnh mờ, không đọc được", "findings": 1},
    ]
    assert report.files_with_errors == 2 and report.findings == 4
    assert {row["worker__username"] for row in selectors.worker_statistics(project=project)} == {
        "scanner",
        "keyer",
        "keyer2",
    }


def test_error_statistics_per_contractor(project, plan, people) -> None:  # type: ignore[no-untyped-def]
    vendor = Contractor.objects.create(name="Công ty CP Số hóa Tây Nguyên", licence="GP-01")
    project.contractor = vendor
    project.save(update_fields=["contractor"])
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    first = items_of(project)[0]
    record(inspection, first, "anh_mo", people, page_number=1)
    record(inspection, first, "anh_mo", people, page_number=2)
    services.inspection_close(inspection=inspection, by=people["inspector"])
    stats = selectors.contractor_statistics(user=people["inspector"])
    assert len(stats) == 1
    row = stats[0]
    assert (row["contractor"], row["inspections"], row["sampled"], row["files_with_errors"], row["findings"]) == (
        vendor.name,
        1,
        3,
        1,
        2,
    )
    assert row["classes"] == [
        {
            "error_class__label": "Ảnh mờ, không đọc được",
            "error_class__severity": "nghiem_trong",
            "findings": 2,
            "files": 1,
        }
    ]
    assert selectors.contractor_statistics(user=people["outsider"]) == []


def test_findings_only_on_sampled_files_pages_and_documents_of_the_file(make_project, people) -> None:  # type: ignore[no-untyped-def]
    project = make_project(30)
    services.plan_save(project=project, by=people["planner"], passes=[10], max_error_rate=10)
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    sampled = InspectionItem.objects.filter(inspection=inspection, sampled=True).first().item
    unsampled = InspectionItem.objects.filter(inspection=inspection, sampled=False).first().item
    with pytest.raises(WorkflowError) as caught:
        record(inspection, unsampled, "anh_mo", people)
    assert "không nằm trong mẫu của đợt kiểm tra này" in caught.value.message
    with pytest.raises(WorkflowError) as caught:
        record(inspection, sampled, "anh_mo", people, page_number=7)
    assert "trang 7 không có trong hồ sơ" in caught.value.message
    fields = dict(
        type_name="02",
        issued_date=date(1995, 5, 1),
        organ_name="UBND tỉnh Đắk Lắk",
        subject="Quyết định phê duyệt quy hoạch",
        number_of_page=3,
    )
    other_document = document_create(archive_file=unsampled.file, **fields)
    with pytest.raises(WorkflowError) as caught:
        record(inspection, sampled, "sai_dac_ta", people, document=other_document)
    assert f"tài liệu {other_document.doc_code} không thuộc hồ sơ {sampled.file.file_code}" in caught.value.message
    own_document = document_create(archive_file=sampled.file, **fields)
    assert (
        record(inspection, sampled, "sai_dac_ta", people, document=own_document, page_number=6).document == own_document
    )
    retired = error("thieu_ocr")
    retired.active = False
    retired.save()
    with pytest.raises(WorkflowError) as caught:
        record(inspection, sampled, "thieu_ocr", people)
    assert "đã ngừng dùng" in caught.value.message


def test_only_the_inspections_own_inspector_records_and_only_while_open(project, plan, people) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    from khoso.workflow import services as workflow_services

    second = get_user_model().objects.create_user("inspector2", password="mat-khau-dai-12")
    workflow_services.member_add(project=project, user=second, role="kiem_tra_chat_luong", by=people["planner"])
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    item = items_of(project)[0]
    with pytest.raises(PermissionDeniedError):
        services.finding_record(inspection=inspection, item=item, error_class=error("anh_mo"), by=second)
    with pytest.raises(PermissionDeniedError):
        services.inspection_close(inspection=inspection, by=second)
    finding = record(inspection, item, "anh_mo", people)
    services.finding_delete(finding=finding, by=people["inspector"])
    assert not InspectionFinding.objects.exists()
    finding = record(inspection, item, "anh_mo", people)
    services.inspection_close(inspection=inspection, by=people["inspector"])
    with pytest.raises(WorkflowError) as caught:
        record(inspection, item, "sai_dac_ta", people)
    assert "đợt kiểm tra đã kết thúc" in caught.value.message
    with pytest.raises(WorkflowError):
        services.finding_delete(finding=finding, by=people["inspector"])
    with pytest.raises(WorkflowError):
        services.inspection_close(inspection=inspection, by=people["inspector"])


def test_only_the_contractor_manager_reports_a_fix_and_only_once(project, plan, people) -> None:  # type: ignore[no-untyped-def]
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    record(inspection, items_of(project)[0], "sai_ten_tep", people)
    services.inspection_close(inspection=inspection, by=people["inspector"])
    task = CorrectionTask.objects.get()
    for who in ("inspector", "scanner"):
        with pytest.raises(PermissionDeniedError):
            services.correction_mark_fixed(task=task, by=people[who])
    services.correction_mark_fixed(task=task, by=people["contractor"])
    with pytest.raises(WorkflowError) as caught:
        services.correction_mark_fixed(task=task, by=people["contractor"])
    assert "không còn ở trạng thái cần sửa" in caught.value.message
