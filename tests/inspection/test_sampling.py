"""Sampling plans and the drawn sample: reproducible, seeded by the inspection, never empty."""

from __future__ import annotations

from decimal import Decimal

import pytest

from khoso.core.errors import PermissionDeniedError, WorkflowError
from khoso.inspection import selectors, services
from khoso.inspection.models import Inspection, InspectionItem, SamplingPlan
from khoso.workflow.models import Contractor, WorkflowEvent

from .conftest import items_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("batch", "rate", "size"),
    [(30, 100, 30), (30, 10, 3), (31, 10, 4), (5, 10, 1), (1, 10, 1), (1, Decimal("0.5"), 1), (0, 10, 0)],
)
def test_sample_size_rounds_up_and_is_never_zero(batch: int, rate: Decimal, size: int) -> None:
    assert services.sample_size(batch, Decimal(rate)) == size


def test_the_same_seed_draws_the_same_files_whatever_order_they_come_in() -> None:
    ids = list(range(100, 130))
    first = services.draw_sample(ids, size=3, seed=7)
    assert first == services.draw_sample(list(reversed(ids)), size=3, seed=7)
    assert len(set(first)) == 3 and set(first) <= set(ids)
    assert len({tuple(services.draw_sample(ids, size=3, seed=seed)) for seed in range(1, 11)}) > 1


def test_pass_one_at_100_percent_inspects_every_file(project, plan, people) -> None:  # type: ignore[no-untyped-def]
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    assert inspection.sample_rate == 100
    entries = InspectionItem.objects.filter(inspection=inspection)
    assert entries.count() == 3
    assert all(entry.sampled for entry in entries)
    assert all(entry.pages == 6 for entry in entries)  # no scan yet: the pages of the metadata
    log = WorkflowEvent.objects.get(action="bat_dau_kiem_tra_san_pham")
    assert log.counts == {"pass": 1, "files": 3, "sample": 3}


def test_ten_percent_of_thirty_files_samples_three_reproducibly(make_project, people) -> None:  # type: ignore[no-untyped-def]
    project = make_project(30)
    services.plan_save(project=project, by=people["planner"], passes=[100, 10], max_error_rate=10)
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=2)
    assert inspection.sample_rate == 10
    sampled = sorted(InspectionItem.objects.filter(inspection=inspection, sampled=True).values_list("item", flat=True))
    assert len(sampled) == 3
    assert InspectionItem.objects.filter(inspection=inspection).count() == 30
    # anyone can redraw it from the inspection's number
    all_ids = [item.pk for item in items_of(project)]
    assert services.draw_sample(all_ids, size=3, seed=inspection.pk) == sampled


def test_a_file_refused_at_acceptance_and_corrected_is_always_in_the_sample(  # type: ignore[no-untyped-def]
    make_project, people, put_in_state
) -> None:
    from khoso.workflow.services import transition

    project = make_project(12)
    services.plan_save(project=project, by=people["planner"], passes=[100, 10], max_error_rate=10)
    refused = items_of(project)[-1]
    put_in_state(refused, "NGHIEM_THU", people["contractor"])
    transition(item=refused, target="SUA_LOI", actor=people["approver"], note="Trang 2 bị cắt lề")
    transition(item=refused, target="KIEM_TRA_SAN_PHAM", actor=people["contractor"])  # no correction task
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=2)
    entry = InspectionItem.objects.get(inspection=inspection, item=refused)
    assert entry.sampled and entry.verification
    assert InspectionItem.objects.filter(inspection=inspection, sampled=True).count() == 1 + 2  # + 10 % of 11


def test_one_file_at_ten_percent_is_still_inspected(project, people) -> None:  # type: ignore[no-untyped-def]
    services.plan_save(project=project, by=people["planner"], passes=[10], max_error_rate=10)
    first, *rest = items_of(project)
    for other in rest:
        other.state = "HOAN_KHO"
        other.save(update_fields=["state"])
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    assert list(InspectionItem.objects.filter(inspection=inspection, sampled=True).values_list("item", flat=True)) == [
        first.pk
    ]


def test_passes_beyond_the_plan_use_its_last_rate(project, plan, people) -> None:  # type: ignore[no-untyped-def]
    assert plan.rate_of_pass(1) == 100
    assert plan.rate_of_pass(2) == 10
    assert plan.rate_of_pass(5) == 10


def test_a_contractors_own_plan_wins_over_the_general_one(project, plan, people) -> None:  # type: ignore[no-untyped-def]
    vendor = Contractor.objects.create(name="Công ty CP Số hóa Tây Nguyên", licence="GP-01")
    project.contractor = vendor
    project.save(update_fields=["contractor"])
    own = services.plan_save(
        project=project, by=people["planner"], passes=["50", "5"], max_error_rate="2,5", contractor=vendor
    )
    assert own.passes == [50, 5] and own.max_error_rate == Decimal("2.5")
    assert selectors.plan_for(project=project) == own
    inspection = services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    assert inspection.plan == own and inspection.contractor == vendor and inspection.sample_rate == 50
    assert InspectionItem.objects.filter(inspection=inspection, sampled=True).count() == 2  # 1.5 rounded up


def test_saving_a_plan_again_replaces_it(project, plan, people) -> None:  # type: ignore[no-untyped-def]
    services.plan_save(
        project=project, by=people["planner"], passes=[100, 20], max_error_rate=5, class_thresholds={"thieu_trang": 0}
    )
    plan = SamplingPlan.objects.get(project=project)
    assert plan.passes == [100, 20] and plan.class_thresholds == {"thieu_trang": 0}


@pytest.mark.parametrize(
    ("passes", "max_error_rate", "thresholds", "message"),
    [
        ([], 5, {}, "phải có ít nhất một lượt kiểm tra"),
        ([100, 0], 5, {}, "phải lớn hơn 0 %"),
        ([150], 5, {}, "Tỷ lệ lấy mẫu lượt 1 phải là một tỷ lệ phần trăm từ 0 đến 100"),
        (["mười"], 5, {}, "Tỷ lệ lấy mẫu lượt 1 phải là một tỷ lệ phần trăm"),
        ([100], 101, {}, "Tỷ lệ hồ sơ lỗi tối đa phải là một tỷ lệ phần trăm"),
        ([100], 5, {"khong_co": 1}, "không có loại lỗi «khong_co»"),
    ],
)
def test_a_wrong_plan_is_refused(project, people, passes, max_error_rate, thresholds, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(WorkflowError) as caught:
        services.plan_save(
            project=project,
            by=people["planner"],
            passes=passes,
            max_error_rate=max_error_rate,
            class_thresholds=thresholds,
        )
    assert message in caught.value.message
    assert not SamplingPlan.objects.exists()


def test_only_the_planner_sets_the_plan(project, people) -> None:  # type: ignore[no-untyped-def]
    for who in ("inspector", "contractor"):
        with pytest.raises(PermissionDeniedError):
            services.plan_save(project=project, by=people[who], passes=[100], max_error_rate=5)


def test_no_inspection_without_a_plan(project, people) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(WorkflowError) as caught:
        services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    assert "đề án chưa có kế hoạch lấy mẫu kiểm tra sản phẩm" in caught.value.message
    assert not Inspection.objects.exists()


def test_no_inspection_without_files_waiting(approved_project, people) -> None:  # type: ignore[no-untyped-def]
    services.plan_save(project=approved_project, by=people["planner"], passes=[100], max_error_rate=5)
    with pytest.raises(WorkflowError) as caught:
        services.inspection_start(project=approved_project, inspector=people["inspector"], pass_number=1)
    assert "không có hồ sơ nào đang chờ kiểm tra sản phẩm" in caught.value.message


def test_pass_numbers_start_at_one(project, plan, people) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(WorkflowError) as caught:
        services.inspection_start(project=project, inspector=people["inspector"], pass_number=0)
    assert "lượt kiểm tra phải từ 1 trở lên" in caught.value.message


def test_a_file_is_in_one_open_inspection_at_a_time(project, plan, people) -> None:  # type: ignore[no-untyped-def]
    services.inspection_start(project=project, inspector=people["inspector"], pass_number=1)
    with pytest.raises(WorkflowError) as caught:
        services.inspection_start(project=project, inspector=people["admin"], pass_number=1)
    assert "không có hồ sơ nào đang chờ" in caught.value.message


def test_only_a_qc_inspector_starts_an_inspection(project, plan, people) -> None:  # type: ignore[no-untyped-def]
    for who in ("contractor", "scanner", "planner", "outsider"):
        with pytest.raises(PermissionDeniedError):
            services.inspection_start(project=project, inspector=people[who], pass_number=1)
