"""The moves out of and back into KIEM_TRA_SAN_PHAM obey the inspection's rules, whoever tries them,
and the product is inspected by someone who does not work for the contractor."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from khoso.core.errors import WorkflowError
from khoso.inspection import guards, services
from khoso.inspection.models import CorrectionTask, ErrorClass, Inspection, InspectionFinding, InspectionItem
from khoso.workflow import services as workflow_services
from khoso.workflow.models import Contractor
from khoso.workflow.states import GUARDS, STEP_PAGES, State

from .conftest import items_of

pytestmark = pytest.mark.django_db


def refused(item, target, actor) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(WorkflowError) as caught:
        workflow_services.transition(item=item, target=target, actor=actor)
    item.refresh_from_db()
    return caught.value.message


def test_guards_and_step_pages_are_registered() -> None:
    assert guards.inspected_and_accepted in GUARDS[(State.KIEM_TRA_SAN_PHAM, State.SAO_CHEP)]
    assert guards.has_a_finding in GUARDS[(State.KIEM_TRA_SAN_PHAM, State.SUA_LOI)]
    assert guards.corrections_done in GUARDS[(State.SUA_LOI, State.KIEM_TRA_SAN_PHAM)]
    assert [page.url_name for page in STEP_PAGES[State.KIEM_TRA_SAN_PHAM]] == ["inspection_item"]
    assert "inspection_item" in [page.url_name for page in STEP_PAGES[State.SUA_LOI]]  # beside scanning's rescan


def test_an_uninspected_file_is_not_copied(project, people) -> None:  # type: ignore[no-untyped-def]
    item = items_of(project)[0]
    message = refused(item, State.SAO_CHEP, people["inspector"])
    assert message == (
        f"Không thực hiện được bước này: hồ sơ {item.file.file_code} chưa được kiểm tra trong một đợt kiểm tra "
        "sản phẩm đã kết thúc."
    )
    assert item.state == State.KIEM_TRA_SAN_PHAM


def test_a_file_in_an_open_inspection_is_not_copied_by_hand(project, plan, people) -> None:  # type: ignore[no-untyped-def]
    item = items_of(project)[0]
    services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    assert "chưa được kiểm tra trong một đợt kiểm tra sản phẩm đã kết thúc" in refused(
        item, State.SAO_CHEP, people["inspector"]
    )


def test_an_unsampled_file_of_a_failed_batch_waits_for_the_next_pass(make_project, people) -> None:  # type: ignore[no-untyped-def]
    project = make_project(30)
    services.plan_save(project=project, by=people["planner"], passes=[10], max_error_rate=0)
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    sampled = InspectionItem.objects.filter(inspection=inspection, sampled=True).first().item
    services.finding_record(
        inspection=inspection, item=sampled, error_class=ErrorClass.objects.get(code="anh_mo"), by=people["inspector"]
    )
    services.inspection_close(inspection=inspection, by=people["inspector"])
    waiting = InspectionItem.objects.filter(inspection=inspection, sampled=False).first().item
    message = refused(waiting, State.SAO_CHEP, people["inspector"])
    assert "thuộc đợt kiểm tra không đạt và chưa được lấy mẫu: chờ lượt kiểm tra sau" in message
    assert waiting.state == State.KIEM_TRA_SAN_PHAM


def test_a_file_with_an_open_finding_is_not_copied(project, plan, people, put_in_state) -> None:  # type: ignore[no-untyped-def]
    item = items_of(project)[0]
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    services.inspection_close(inspection=inspection, by=people["inspector"])
    # an error reported later against the accepted file (for instance by the archive at acceptance)
    InspectionFinding.objects.create(
        inspection=inspection,
        item=item,
        error_class=ErrorClass.objects.get(code="thieu_trang"),
        recorded_by=people["inspector"],
    )
    put_in_state(item, State.KIEM_TRA_SAN_PHAM, people["planner"])
    Inspection.objects.filter(pk=inspection.pk).update(started_at=timezone.now())
    message = refused(item, State.SAO_CHEP, people["inspector"])
    assert f"hồ sơ {item.file.file_code} còn 1 lỗi chưa khắc phục trong biên bản kiểm tra sản phẩm" in message


def test_no_correction_without_a_recorded_error(project, plan, people) -> None:  # type: ignore[no-untyped-def]
    item = items_of(project)[0]
    message = refused(item, State.SUA_LOI, people["inspector"])
    assert message == (
        f"Không thực hiện được bước này: hồ sơ {item.file.file_code} chưa có lỗi nào được ghi trong biên bản "
        "kiểm tra sản phẩm."
    )
    # a finding still being recorded in an open inspection is not yet a report
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    services.finding_record(
        inspection=inspection, item=item, error_class=ErrorClass.objects.get(code="anh_mo"), by=people["inspector"]
    )
    assert "chưa có lỗi nào được ghi" in refused(item, State.SUA_LOI, people["inspector"])


def test_no_return_to_inspection_before_every_correction_is_fixed(project, plan, people) -> None:  # type: ignore[no-untyped-def]
    item = items_of(project)[0]
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    services.finding_record(
        inspection=inspection, item=item, error_class=ErrorClass.objects.get(code="anh_mo"), by=people["inspector"]
    )
    services.inspection_close(inspection=inspection, by=people["inspector"])
    item.refresh_from_db()
    assert item.state == State.SUA_LOI
    message = refused(item, State.KIEM_TRA_SAN_PHAM, people["contractor"])
    assert message == (
        f"Không thực hiện được bước này: hồ sơ {item.file.file_code} còn 1 yêu cầu sửa lỗi chưa được đánh dấu «đã sửa»."
    )
    assert item.state == State.SUA_LOI
    CorrectionTask.objects.filter(item=item).update(status=CorrectionTask.Status.FIXED)
    workflow_services.transition(item=item, target=State.KIEM_TRA_SAN_PHAM, actor=people["contractor"])


def test_a_file_refused_at_acceptance_returns_without_correction_tasks(project, people, put_in_state) -> None:  # type: ignore[no-untyped-def]
    item = items_of(project)[0]
    put_in_state(item, State.SUA_LOI, people["approver"])
    workflow_services.transition(item=item, target=State.KIEM_TRA_SAN_PHAM, actor=people["contractor"])
    item.refresh_from_db()
    assert item.state == State.KIEM_TRA_SAN_PHAM


def contractor_staff(project, people, role: str):  # type: ignore[no-untyped-def]
    vendor = Contractor.objects.create(name="Công ty CP Số hóa Tây Nguyên", licence="GP-01")
    user = get_user_model().objects.create_user("nv_nhathau", password="mat-khau-dai-12")
    workflow_services.member_add(project=project, user=user, role=role, by=people["planner"], contractor=vendor)
    return user


def test_four_eyes_a_contractors_employee_may_not_inspect(project, plan, people) -> None:  # type: ignore[no-untyped-def]
    employee = contractor_staff(project, people, "kiem_tra_chat_luong")
    with pytest.raises(WorkflowError) as caught:
        services.inspection_start(project=project, inspector=employee, pass_number=1)
    assert caught.value.message == (
        "Không thực hiện được bước này: người kiểm tra sản phẩm không được là người làm việc cho nhà thầu "
        "(nguyên tắc hai người)."
    )
    assert not Inspection.objects.exists()


def test_four_eyes_any_contractor_membership_disqualifies(project, plan, people) -> None:  # type: ignore[no-untyped-def]
    employee = contractor_staff(project, people, "so_hoa")
    workflow_services.member_add(project=project, user=employee, role="kiem_tra_chat_luong", by=people["planner"])
    with pytest.raises(WorkflowError) as caught:
        services.inspection_start(project=project, inspector=employee, pass_number=1)
    assert "không được là người làm việc cho nhà thầu" in caught.value.message


def test_the_inspector_cannot_pass_a_file_they_sent_to_inspection(project, plan, people, put_in_state) -> None:  # type: ignore[no-untyped-def]
    item = items_of(project)[0]
    put_in_state(item, State.KIEM_TRA_SAN_PHAM, people["inspector"])
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    with pytest.raises(WorkflowError) as caught:
        services.inspection_close(inspection=inspection, by=people["inspector"])
    assert "người kiểm tra phải là người thứ hai" in caught.value.message
    inspection.refresh_from_db()
    assert inspection.is_open  # nothing of the close was kept
