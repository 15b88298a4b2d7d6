"""Planning: estimates with per-project factors, selection of whole files, the approval gate."""

from __future__ import annotations

from decimal import Decimal

import pytest

from khoso.core.errors import PermissionDeniedError, WorkflowError
from khoso.workflow import selectors, services
from khoso.workflow.models import Project, WorkflowEvent
from khoso.workflow.states import State

pytestmark = pytest.mark.django_db


def test_estimates_use_5000_pages_per_metre_and_4384_vnd_per_page(draft_project) -> None:  # type: ignore[no-untyped-def]
    assert draft_project.estimated_pages == 62_500
    assert draft_project.estimated_cost == 62_500 * 4_384


def test_seed_002_figures_reproduce_exactly(people, institution, fonds) -> None:  # type: ignore[no-untyped-def]
    project = services.project_create(
        planner=people["planner"],
        code="DL-2026-2028",
        name="Số hóa 30 % tài liệu cấp huyện",
        institution=institution,
        fonds=[fonds],
        year_from=1976,
        year_to=2025,
        target_metres="2165",
    )
    assert project.estimated_pages == 10_825_000
    assert project.estimated_cost == 47_456_800_000


def test_factors_are_editable_per_project_and_counted_pages_stay_apart(  # type: ignore[no-untyped-def]
    people, institution, fonds, project_files
) -> None:
    project = services.project_create(
        planner=people["planner"],
        code="BK-2024",
        name="Bắc Kạn 2024",
        institution=institution,
        fonds=[fonds],
        year_from=1950,
        year_to=2021,
        target_metres=Decimal("96.33"),
        pages_per_metre=6709,
        price_per_page=6290,
    )
    services.files_select(project=project, files=project_files, by=people["planner"])
    board = selectors.dashboard(project=project)
    assert board.pages_estimated == 646_278  # 96.33 × 6,709, rounded half up
    assert board.cost_planned == 646_278 * 6_290
    assert board.pages_counted == 18  # three files × 6 pages in their metadata
    assert board.pages_scanned == 0


def test_only_whole_files_of_the_project_fonds_and_years_are_selected(  # type: ignore[no-untyped-def]
    draft_project, people, archive_file_factory
) -> None:
    late = archive_file_factory(2005, "09.TH")
    with pytest.raises(WorkflowError, match="nằm ngoài 1976–2000"):
        services.files_select(project=draft_project, files=[late], by=people["planner"])
    with pytest.raises(PermissionDeniedError):
        services.files_select(project=draft_project, files=[late], by=people["scanner"])


def test_a_file_is_in_one_unfinished_project_at_a_time(  # type: ignore[no-untyped-def]
    draft_project, people, institution, fonds, project_files
) -> None:
    other = services.project_create(
        planner=people["planner"],
        code="SH-2026-02",
        name="Đề án khác",
        institution=institution,
        fonds=[fonds],
        year_from=1976,
        year_to=2000,
        target_metres=1,
    )
    with pytest.raises(WorkflowError, match="đề án khác"):
        services.files_select(project=other, files=project_files[:1], by=people["planner"])


def test_no_file_moves_before_approval_and_the_planner_cannot_approve(draft_project, people, no_guards) -> None:  # type: ignore[no-untyped-def]
    item = draft_project.items.first()
    with pytest.raises(WorkflowError, match="không được chuyển"):
        services.transition(item=item, target=State.DA_DUYET, actor=people["planner"])
    assert selectors.queue(user=people["planner"]).count() == 0
    with pytest.raises(WorkflowError, match="chưa được gửi"):
        services.project_approve(project=draft_project, by=people["approver"])
    services.project_submit(project=draft_project, by=people["planner"])
    services.member_add(project=draft_project, user=people["planner"], role="phe_duyet", by=people["planner"])
    with pytest.raises(WorkflowError, match="không tự phê duyệt"):
        services.project_approve(project=draft_project, by=people["planner"])
    services.project_approve(project=draft_project, by=people["approver"], decision="QĐ 12")
    assert set(draft_project.items.values_list("state", flat=True)) == {State.DA_DUYET}
    assert WorkflowEvent.objects.filter(project=draft_project, action="phe_duyet").count() == 3


def test_rejection_needs_a_reason_and_returns_the_plan_to_draft(draft_project, people) -> None:  # type: ignore[no-untyped-def]
    services.project_submit(project=draft_project, by=people["planner"])
    with pytest.raises(WorkflowError, match="lý do"):
        services.project_reject(project=draft_project, by=people["approver"], reason="  ")
    services.project_reject(project=draft_project, by=people["approver"], reason="Thiếu hồ sơ năm 1990")
    draft_project.refresh_from_db()
    assert draft_project.status == Project.Status.DRAFT
    assert draft_project.rejection_reason == "Thiếu hồ sơ năm 1990"


def test_the_planner_gives_roles_in_the_web_ui(draft_project, people, client) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    client.force_login(people["planner"])
    url = reverse("project_member_add", args=[draft_project.pk])
    response = client.post(url, {"username": "outsider", "role": "so_hoa"}, follow=True)
    assert "Đã giao vai trò «Số hóa (vận hành máy quét)» cho outsider." in response.content.decode()
    assert selectors.has_role(people["outsider"], draft_project, "so_hoa")
    response = client.post(url, {"username": "khong-co-ai", "role": "so_hoa"}, follow=True)
    assert "Không tìm thấy người dùng «khong-co-ai»." in response.content.decode()
    page = client.get(reverse("project_detail", args=[draft_project.pk])).content.decode()
    assert "Thành viên và vai trò" in page and "outsider" in page
