"""The state machine: every legal move, every illegal one refused in Vietnamese, roles, four-eyes."""

from __future__ import annotations

import pytest

from khoso.core.errors import IllegalTransitionError, PermissionDeniedError, WorkflowError
from khoso.workflow import selectors, services
from khoso.workflow.models import WorkflowEvent
from khoso.workflow.states import BY_PAIR, OWNER, TRANSITIONS, State

pytestmark = pytest.mark.django_db

HAPPY_PATH = [
    (State.XUAT_KHO, "planner"),
    (State.BIEN_MUC, "planner"),
    (State.KIEM_TRA_BIEN_MUC, "cataloguer"),
    (State.SUA_LOI_BIEN_MUC, "checker"),
    (State.KIEM_TRA_BIEN_MUC, "cataloguer"),
    (State.NHAP_LIEU, "checker"),
    (State.KIEM_TRA_NHAP, "keyer"),
    (State.SO_HOA, "checker"),
    (State.KIEM_TRA_CHAT_LUONG, "scanner"),
    (State.SO_HOA_LAI, "inspector"),
    (State.KIEM_TRA_CHAT_LUONG, "scanner"),
    (State.LIEN_KET, "inspector"),
    (State.KIEM_TRA_LIEN_KET, "keyer"),
    (State.HOAN_KHO, "checker"),
    (State.KIEM_TRA_SAN_PHAM, "planner"),
    (State.SUA_LOI, "inspector"),
    (State.KIEM_TRA_SAN_PHAM, "contractor"),
    (State.SAO_CHEP, "inspector"),
    (State.NGHIEM_THU, "contractor"),
    (State.BAN_GIAO, "approver"),
]


def test_every_state_has_a_way_in_and_every_unfinished_state_a_way_out() -> None:
    sources = {t.source for t in TRANSITIONS}
    targets = {t.target for t in TRANSITIONS}
    assert set(State) - sources == {State.BAN_GIAO}
    assert set(State) - targets == {State.KE_HOACH}
    assert OWNER[State.BAN_GIAO] is None


def test_a_file_walks_the_six_steps_with_loops_and_each_step_is_logged(  # type: ignore[no-untyped-def]
    approved_project, people, no_guards
) -> None:
    item = approved_project.items.first()
    for target, who in HAPPY_PATH:
        item = services.transition(item=item, target=target, actor=people[who], counts={"sheets": 4})
    assert item.state == State.BAN_GIAO
    assert item.round == 3  # one cataloguing correction, one rescan, one product correction
    log = list(WorkflowEvent.objects.filter(item=item, action="chuyen_buoc").values_list("target", "actor__username"))
    assert log == [(t.value, who) for t, who in HAPPY_PATH]
    assert WorkflowEvent.objects.filter(item=item, action="chuyen_buoc").first().counts == {"sheets": 4}


@pytest.mark.parametrize("target", [s for s in State if (State.DA_DUYET, s) not in BY_PAIR])
def test_every_illegal_move_from_an_approved_file_is_refused_in_vietnamese(  # type: ignore[no-untyped-def]
    approved_project, people, target, no_guards
) -> None:
    item = approved_project.items.first()
    with pytest.raises(IllegalTransitionError) as caught:
        services.transition(item=item, target=target, actor=people["admin"])
    assert "không được chuyển sang" in caught.value.message
    assert target.label in caught.value.message
    item.refresh_from_db()
    assert item.state == State.DA_DUYET


def test_only_the_owning_role_may_act(approved_project, people, no_guards) -> None:  # type: ignore[no-untyped-def]
    item = approved_project.items.first()
    with pytest.raises(PermissionDeniedError):
        services.transition(item=item, target=State.XUAT_KHO, actor=people["scanner"])
    with pytest.raises(PermissionDeniedError):
        services.transition(item=item, target=State.XUAT_KHO, actor=people["outsider"])


def test_the_check_is_done_by_a_second_person(approved_project, people, no_guards) -> None:  # type: ignore[no-untyped-def]
    item = approved_project.items.first()
    services.member_add(project=approved_project, user=people["cataloguer"], role="kiem_tra", by=people["planner"])
    for target, who in HAPPY_PATH[:3]:
        item = services.transition(item=item, target=target, actor=people[who])
    with pytest.raises(WorkflowError, match="người thứ hai"):
        services.transition(item=item, target=State.NHAP_LIEU, actor=people["cataloguer"])
    services.transition(item=item, target=State.NHAP_LIEU, actor=people["checker"])


def test_queues_show_each_person_only_their_work(approved_project, people, no_guards) -> None:  # type: ignore[no-untyped-def]
    assert selectors.queue(user=people["planner"]).count() == 3
    assert selectors.queue(user=people["cataloguer"]).count() == 0
    assert selectors.queue(user=people["outsider"]).count() == 0
    item = approved_project.items.first()
    services.transition(item=item, target=State.XUAT_KHO, actor=people["planner"])
    services.transition(item=item, target=State.BIEN_MUC, actor=people["planner"])
    assert [i.pk for i in selectors.queue(user=people["cataloguer"])] == [item.pk]
    services.task_claim(item=item, user=people["cataloguer"])
    assert selectors.queue(user=people["cataloguer2"]).count() == 0
    with pytest.raises(WorkflowError, match="người khác"):
        services.transition(item=item, target=State.KIEM_TRA_BIEN_MUC, actor=people["cataloguer2"])
    with pytest.raises(WorkflowError, match="đã có người nhận"):
        services.task_claim(item=item, user=people["cataloguer2"])
    services.transition(item=item, target=State.KIEM_TRA_BIEN_MUC, actor=people["cataloguer"])
    assert selectors.queue_counts(user=people["checker"]) == {State.KIEM_TRA_BIEN_MUC.value: 1}


def test_throughput_per_person_per_day(approved_project, people, no_guards) -> None:  # type: ignore[no-untyped-def]
    for item in approved_project.items.all():
        services.transition(item=item, target=State.XUAT_KHO, actor=people["planner"])
    rows = selectors.throughput(project=approved_project)
    assert rows[0]["user"] == "planner" and rows[0]["steps"] == 3


def test_refusing_acceptance_needs_a_written_reason(approved_project, people, no_guards, put_in_state) -> None:  # type: ignore[no-untyped-def]
    item = put_in_state(approved_project.items.first(), State.NGHIEM_THU, people["contractor"])
    with pytest.raises(WorkflowError, match="phải ghi rõ lý do"):
        services.transition(item=item, target=State.SUA_LOI, actor=people["approver"], note="  ")
    item = services.transition(item=item, target=State.SUA_LOI, actor=people["approver"], note="Trang 2 bị cắt lề")
    assert item.state == State.SUA_LOI


def test_a_project_closes_only_when_every_file_is_handed_over(approved_project, people, put_in_state) -> None:  # type: ignore[no-untyped-def]
    from khoso.workflow.models import Project

    with pytest.raises(WorkflowError, match="còn 3 hồ sơ chưa nghiệm thu"):
        services.project_close(project=approved_project, by=people["approver"])
    for item in approved_project.items.all():
        put_in_state(item, State.BAN_GIAO, people["approver"])
    with pytest.raises(PermissionDeniedError):
        services.project_close(project=approved_project, by=people["planner"])
    assert services.project_close(project=approved_project, by=people["approver"]).status == Project.Status.CLOSED
    assert selectors.queue(user=people["planner"]).count() == 0
