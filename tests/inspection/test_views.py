"""The inspection pages, walked by the people who use them: plan, sample, findings, report, corrections."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from khoso.inspection.models import CorrectionTask, ErrorClass, Inspection, InspectionFinding, SamplingPlan
from khoso.workflow.states import State

from .conftest import items_of

pytestmark = pytest.mark.django_db


def as_user(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def test_the_whole_loop_through_the_web(project, people, client: Client) -> None:  # type: ignore[no-untyped-def]
    first, second, third = items_of(project)
    as_user(client, people["planner"])
    response = client.post(
        reverse("inspection_plan", kwargs={"project_id": project.pk}),
        {"passes": "100%; 10", "max_error_rate": "10", "contractor": "", "nguong_thieu_trang": "0"},
    )
    assert response.status_code == 302
    plan = SamplingPlan.objects.get(project=project)
    assert plan.passes == [100, 10] and plan.class_thresholds == {"thieu_trang": 0}

    as_user(client, people["inspector"])
    page = client.get(reverse("inspection_list", kwargs={"project_id": project.pk})).content.decode()
    assert "3 hồ sơ đang chờ kiểm tra sản phẩm" in page
    response = client.post(reverse("inspection_start", kwargs={"project_id": project.pk}), {"pass_number": 1})
    inspection = Inspection.objects.get()
    assert response["Location"] == reverse("inspection_detail", kwargs={"inspection_id": inspection.pk})
    page = client.get(response["Location"]).content.decode()
    for item in (first, second, third):
        assert item.file.file_code in page
    assert f'name="i{first.pk}-error_class"' in page

    blurred = ErrorClass.objects.get(code="anh_mo")
    response = client.post(
        reverse("inspection_finding_add", kwargs={"inspection_id": inspection.pk}),
        {
            "item": first.pk,
            f"i{first.pk}-error_class": blurred.pk,
            f"i{first.pk}-page_number": 2,
            f"i{first.pk}-note": "Trang 2 mờ",
        },
        follow=True,
    )
    assert f"Đã ghi lỗi «Ảnh mờ, không đọc được» cho hồ sơ {first.file.file_code}." in response.content.decode()
    assert InspectionFinding.objects.get().page_number == 2

    response = client.post(
        reverse("inspection_close", kwargs={"inspection_id": inspection.pk}), {"conclusion": "Quét lại trang 2"}
    )
    assert response["Location"] == reverse("inspection_report", kwargs={"inspection_id": inspection.pk})
    report = client.get(response["Location"]).content.decode()
    assert "BIÊN BẢN KIỂM TRA SẢN PHẨM SỐ HÓA" in report
    assert "KHÔNG ĐẠT" in report
    assert timezone.localdate().strftime("%d/%m/%Y") in report
    assert "Trang 2 mờ" in report and "scanner" in report and "Quét lại trang 2" in report

    as_user(client, people["contractor"])
    page = client.get(reverse("inspection_corrections", kwargs={"project_id": project.pk})).content.decode()
    task = CorrectionTask.objects.get()
    assert first.file.file_code in page
    assert reverse("inspection_correction_fixed", kwargs={"task_id": task.pk}) in page
    response = client.post(
        reverse("inspection_correction_fixed", kwargs={"task_id": task.pk}), {"note": "Đã quét lại", "tu": "ho-so"}
    )
    assert response["Location"] == reverse("inspection_item", kwargs={"item_id": first.pk})
    first.refresh_from_db()
    assert first.state == State.KIEM_TRA_SAN_PHAM

    as_user(client, people["inspector"])
    page = client.get(reverse("item_detail", kwargs={"item_id": first.pk})).content.decode()
    assert reverse("inspection_item", kwargs={"item_id": first.pk}) in page
    client.post(reverse("inspection_start", kwargs={"project_id": project.pk}), {"pass_number": 2})
    recheck = Inspection.objects.filter(pass_number=2).get()
    client.post(reverse("inspection_close", kwargs={"inspection_id": recheck.pk}))
    first.refresh_from_db()
    assert first.state == State.SAO_CHEP
    page = client.get(reverse("inspection_stats", kwargs={"project_id": project.pk})).content.decode()
    assert "Ảnh mờ, không đọc được" in page and "scanner" in page
    page = client.get(reverse("inspection_item", kwargs={"item_id": first.pk})).content.decode()
    assert "Đã kiểm tra lại, đạt" in page


def test_a_refused_start_shows_the_reason(project, people, client: Client) -> None:  # type: ignore[no-untyped-def]
    as_user(client, people["inspector"])
    response = client.post(
        reverse("inspection_start", kwargs={"project_id": project.pk}), {"pass_number": 1}, follow=True
    )
    assert "Không thực hiện được bước này: đề án chưa có kế hoạch lấy mẫu kiểm tra sản phẩm." in (
        response.content.decode()
    )
    assert not Inspection.objects.exists()


def test_a_wrong_plan_is_shown_on_the_form(project, people, client: Client) -> None:  # type: ignore[no-untyped-def]
    as_user(client, people["planner"])
    response = client.post(
        reverse("inspection_plan", kwargs={"project_id": project.pk}),
        {"passes": "100, 0", "max_error_rate": "5", "contractor": ""},
    )
    assert response.status_code == 200
    assert "tỷ lệ lấy mẫu của mỗi lượt phải lớn hơn 0 %" in response.content.decode()
    assert not SamplingPlan.objects.exists()


def test_the_generic_step_button_shows_the_guards_message(project, people, client: Client) -> None:  # type: ignore[no-untyped-def]
    item = items_of(project)[0]
    as_user(client, people["inspector"])
    response = client.post(
        reverse("item_transition", kwargs={"item_id": item.pk}), {"target": State.SAO_CHEP, "note": ""}, follow=True
    )
    assert "chưa được kiểm tra trong một đợt kiểm tra sản phẩm đã kết thúc" in response.content.decode()
    item.refresh_from_db()
    assert item.state == State.KIEM_TRA_SAN_PHAM
