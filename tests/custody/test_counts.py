"""Counting at every handover: a count that does not match opens a discrepancy, resolved only with a note."""

from __future__ import annotations

import pytest

from khoso.archive.services import file_update
from khoso.core.errors import PermissionDeniedError, WorkflowError
from khoso.custody import selectors, services
from khoso.custody.models import CustodyEvent, Discrepancy, Kind, Place

pytestmark = pytest.mark.django_db


def test_the_first_count_is_checked_against_the_number_of_sheets_in_the_metadata(item, record) -> None:  # type: ignore[no-untyped-def]
    assert item.file.number_of_paper == 4
    event = record(item, Kind.LAY_KHOI_GIA, sheets_counted=3)
    assert event.sheets_expected == 4
    discrepancy = Discrepancy.objects.get()
    assert (discrepancy.item, discrepancy.event, discrepancy.measure) == (item, event, Discrepancy.Measure.SHEETS)
    assert (discrepancy.expected, discrepancy.counted, discrepancy.status) == (4, 3, Discrepancy.Status.OPEN)
    assert str(discrepancy) == (
        f"CL-{discrepancy.pk}: số tờ kiểm đếm 3, theo sổ sách 4 (Lấy tài liệu khỏi giá, đưa đến nơi giao nhận)"
    )
    # the movement is still recorded: the paper did move, the shortfall is what must be explained
    assert selectors.current_place(item) == Place.NOI_GIAO_NHAN


def test_each_later_count_is_checked_against_the_previous_one(item, record) -> None:  # type: ignore[no-untyped-def]
    record(item, Kind.LAY_KHOI_GIA, sheets_counted=4)
    record(item, Kind.GIAO_BIEN_MUC, sheets_counted=4)
    record(item, Kind.VE_SINH)  # not counted: the expected figure stays
    assert not Discrepancy.objects.exists()
    event = record(item, Kind.GIAO_SO_HOA, sheets_counted=5)
    assert event.sheets_expected == 4
    assert Discrepancy.objects.get().counted == 5


def test_without_sheets_in_the_metadata_the_first_count_sets_the_figure(item, record) -> None:  # type: ignore[no-untyped-def]
    file_update(archive_file=item.file, number_of_paper=None)
    item.file.refresh_from_db()
    first = record(item, Kind.LAY_KHOI_GIA, sheets_counted=7)
    assert first.sheets_expected is None and not Discrepancy.objects.exists()
    assert selectors.expected_sheets(item) == 7
    record(item, Kind.GIAO_BIEN_MUC, sheets_counted=6)
    assert Discrepancy.objects.get().expected == 7


def test_resolving_needs_a_note_and_a_planner_or_approver(item, record, people) -> None:  # type: ignore[no-untyped-def]
    record(item, Kind.LAY_KHOI_GIA, sheets_counted=3)
    discrepancy = Discrepancy.objects.get()
    with pytest.raises(WorkflowError, match=f"phải ghi rõ cách giải quyết chênh lệch CL-{discrepancy.pk}"):
        services.discrepancy_resolve(discrepancy=discrepancy, by=people["planner"], note="   ")
    for name in ("scanner", "cataloguer", "outsider"):
        with pytest.raises(PermissionDeniedError):
            services.discrepancy_resolve(discrepancy=discrepancy, by=people[name], note="Đếm lại")
    services.discrepancy_resolve(
        discrepancy=discrepancy, by=people["approver"], note="Tờ 4 dính vào tờ 3; đếm lại đủ 4 tờ.", confirmed=4
    )
    discrepancy.refresh_from_db()
    assert discrepancy.status == Discrepancy.Status.RESOLVED
    assert discrepancy.resolved_by == people["approver"] and discrepancy.resolved_at is not None
    assert discrepancy.resolution == "Tờ 4 dính vào tờ 3; đếm lại đủ 4 tờ."
    with pytest.raises(WorkflowError, match="đã được giải quyết"):
        services.discrepancy_resolve(discrepancy=discrepancy, by=people["planner"], note="Lần nữa")


def test_a_recount_confirmed_at_resolution_is_the_next_expected_figure(item, record, people) -> None:  # type: ignore[no-untyped-def]
    record(item, Kind.LAY_KHOI_GIA, sheets_counted=3)
    discrepancy = Discrepancy.objects.get()
    assert selectors.expected_sheets(item) == 3  # while open: the last count
    services.discrepancy_resolve(discrepancy=discrepancy, by=people["planner"], note="Đếm sót", confirmed=4)
    assert selectors.expected_sheets(item) == 4
    record(item, Kind.GIAO_BIEN_MUC, sheets_counted=4)
    assert Discrepancy.objects.count() == 1


def test_a_resolution_without_recount_keeps_the_counted_figure(item, record, people) -> None:  # type: ignore[no-untyped-def]
    record(item, Kind.LAY_KHOI_GIA, sheets_counted=3)
    services.discrepancy_resolve(
        discrepancy=Discrepancy.objects.get(), by=people["planner"], note="Phiếu tin ghi sai số tờ; hồ sơ có 3 tờ."
    )
    assert selectors.expected_sheets(item) == 3


# -- whole boxes ----------------------------------------------------------------------------------


def test_a_box_moves_all_its_project_files_in_one_batch(approved_project, box_of_two, people) -> None:  # type: ignore[no-untyped-def]
    boxed = list(approved_project.items.filter(file__box=box_of_two).order_by("file__file_code"))
    events = services.box_movement_record(
        project=approved_project,
        box=box_of_two,
        kind=Kind.LAY_KHOI_GIA,
        actor=people["planner"],
        files_counted=2,
        sheets={boxed[0].pk: 4, boxed[1].pk: 4},
        to_party="Trần Thị B (tổ biên mục)",
    )
    assert [e.item for e in events] == boxed
    assert len({e.batch for e in events}) == 1
    assert all(e.box == box_of_two and e.boxes_counted == 1 and e.files_counted == 2 for e in events)
    assert all(selectors.current_place(i) == Place.NOI_GIAO_NHAN for i in boxed)
    loose = approved_project.items.exclude(file__box=box_of_two).get()
    assert selectors.current_place(loose) == Place.TREN_GIA
    assert not Discrepancy.objects.exists()


def test_a_box_with_a_file_missing_opens_one_discrepancy_for_the_movement(approved_project, box_of_two, people) -> None:  # type: ignore[no-untyped-def]
    boxed = list(approved_project.items.filter(file__box=box_of_two))
    events = services.box_movement_record(
        project=approved_project,
        box=box_of_two,
        kind=Kind.LAY_KHOI_GIA,
        actor=people["planner"],
        files_counted=1,
        sheets={i.pk: 4 for i in boxed},
        to_party="Tổ biên mục",
    )
    discrepancy = Discrepancy.objects.get()
    assert discrepancy.measure == Discrepancy.Measure.FILES and discrepancy.item is None
    assert (discrepancy.expected, discrepancy.counted, discrepancy.event) == (2, 1, events[0])
    for project_file in boxed:
        assert list(selectors.open_discrepancies(project_file)) == [discrepancy]


def test_a_box_handover_counts_the_sheets_of_every_file(approved_project, box_of_two, people) -> None:  # type: ignore[no-untyped-def]
    first = approved_project.items.filter(file__box=box_of_two).order_by("file__file_code").first()
    with pytest.raises(WorkflowError, match="phải ghi số tờ kiểm đếm của hồ sơ"):
        services.box_movement_record(
            project=approved_project,
            box=box_of_two,
            kind=Kind.LAY_KHOI_GIA,
            actor=people["planner"],
            files_counted=2,
            sheets={first.pk: 4},
            to_party="Tổ biên mục",
        )
    assert not CustodyEvent.objects.exists()


def test_a_box_moves_whole_or_not_at_all(approved_project, box_of_two, people, record) -> None:  # type: ignore[no-untyped-def]
    first, second = approved_project.items.filter(file__box=box_of_two).order_by("file__file_code")
    record(first, Kind.LAY_KHOI_GIA)  # one file already off the shelf on its own
    with pytest.raises(WorkflowError, match=f"hồ sơ {second.file.file_code} đang ở «Trên giá trong kho»"):
        services.box_movement_record(
            project=approved_project,
            box=box_of_two,
            kind=Kind.GIAO_BIEN_MUC,
            actor=people["planner"],
            files_counted=2,
            sheets={first.pk: 4, second.pk: 4},
            to_party="Tổ biên mục",
        )
    assert CustodyEvent.objects.count() == 1
    assert selectors.current_place(first) == Place.NOI_GIAO_NHAN


def test_a_box_without_project_files_is_refused(approved_project, fonds, people) -> None:  # type: ignore[no-untyped-def]
    from khoso.archive.models import Box

    empty = Box.objects.create(fonds=fonds, stack="K1", shelf="G09", number="01")
    with pytest.raises(WorkflowError, match="không có hồ sơ nào thuộc đề án SH-2026-01"):
        services.box_movement_record(
            project=approved_project, box=empty, kind=Kind.LAY_KHOI_GIA, actor=people["planner"], files_counted=0
        )


def test_the_team_owning_every_file_of_the_box_may_move_it(approved_project, box_of_two, people, put_in_state) -> None:  # type: ignore[no-untyped-def]
    boxed = list(approved_project.items.filter(file__box=box_of_two))
    sheets = {i.pk: 4 for i in boxed}
    for kind in (Kind.LAY_KHOI_GIA, Kind.GIAO_BIEN_MUC):
        services.box_movement_record(
            project=approved_project,
            box=box_of_two,
            kind=kind,
            actor=people["planner"],
            files_counted=2,
            sheets=sheets,
            to_party="Tổ biên mục",
        )
    with pytest.raises(PermissionDeniedError):
        services.box_movement_record(
            project=approved_project, box=box_of_two, kind=Kind.VE_SINH, actor=people["cataloguer"], files_counted=2
        )
    for project_file in boxed:
        put_in_state(project_file, "BIEN_MUC", people["planner"])
    events = services.box_movement_record(
        project=approved_project, box=box_of_two, kind=Kind.VE_SINH, actor=people["cataloguer"], files_counted=2
    )
    assert len(events) == 2 and events[0].actor == people["cataloguer"]
