"""Every movement of the paper, in its physical order; every impossible movement refused in Vietnamese."""

from __future__ import annotations

import pytest

from khoso.core.errors import PermissionDeniedError, WorkflowError
from khoso.custody import selectors, services
from khoso.custody.machine import MOVES, next_kinds
from khoso.custody.models import CustodyEvent, Kind, Place
from khoso.workflow.states import State

pytestmark = pytest.mark.django_db

FULL_CYCLE = [
    (Kind.LAY_KHOI_GIA, Place.NOI_GIAO_NHAN),
    (Kind.GIAO_BIEN_MUC, Place.BIEN_MUC),
    (Kind.VAN_CHUYEN_BIEN_MUC, Place.BIEN_MUC),
    (Kind.VE_SINH, Place.BIEN_MUC),
    (Kind.GIAO_SO_HOA, Place.SO_HOA),
    (Kind.VAN_CHUYEN_SO_HOA, Place.SO_HOA),
    (Kind.GIAO_NGUOI_QUET, Place.SO_HOA),
    (Kind.BOC_TACH, Place.DA_BOC_TACH),
    (Kind.HOAN_TRA, Place.DA_HOAN_TRA),
    (Kind.VAN_CHUYEN_VE_KHO, Place.DA_HOAN_TRA),
    (Kind.LEN_GIA, Place.TREN_GIA),
]


def test_every_movement_of_the_cycle_is_recorded_with_who_when_and_counts(item, record, people) -> None:  # type: ignore[no-untyped-def]
    assert selectors.current_place(item) == Place.TREN_GIA
    for kind, place in FULL_CYCLE:
        event = record(item, kind, location="Kho 1")
        assert event.place == place
        assert selectors.current_place(item) == place
        assert event.actor == people["planner"] and event.at is not None
        assert event.files_counted == 1
    events = list(CustodyEvent.objects.filter(item=item).order_by("at", "id"))
    assert [e.kind for e in events] == [kind for kind, _ in FULL_CYCLE]
    handed = events[1]
    assert handed.sheets_counted == 4 and handed.sheets_expected == 4
    assert handed.from_party == "planner" and handed.to_party == "Tổ biên mục – Trần Thị B"
    assert events[3].sheets_counted is None  # cleaning needs no count
    assert {kind for kind in Kind} == set(MOVES)


def test_the_place_is_the_last_event_and_a_new_cycle_may_start(item, walk, record) -> None:  # type: ignore[no-untyped-def]
    walk(item, Place.DA_HOAN_TRA)
    record(item, Kind.LEN_GIA)
    assert selectors.current_place(item) == Place.TREN_GIA
    record(item, Kind.LAY_KHOI_GIA)  # taken off again, e.g. for a correction after inspection
    assert selectors.current_place(item) == Place.NOI_GIAO_NHAN
    assert CustodyEvent.objects.filter(item=item).count() == 7


def test_a_file_that_needs_no_unbinding_goes_back_straight_from_scanning(item, walk, record) -> None:  # type: ignore[no-untyped-def]
    walk(item, Place.SO_HOA)
    record(item, Kind.HOAN_TRA)
    assert selectors.current_place(item) == Place.DA_HOAN_TRA


@pytest.mark.parametrize("place", list(Place))
def test_every_impossible_movement_is_refused_in_vietnamese(place, item, walk, people) -> None:  # type: ignore[no-untyped-def]
    walk(item, place)
    before = CustodyEvent.objects.filter(item=item).count()
    illegal = [kind for kind in Kind if kind not in next_kinds(place)]
    assert illegal
    for kind in illegal:
        with pytest.raises(WorkflowError) as refused:
            services.movement_record(
                item=item, kind=kind, actor=people["planner"], sheets_counted=4, to_party="Tổ số hóa"
            )
        assert refused.value.message == (
            f"Không thực hiện được bước này: hồ sơ {item.file.file_code} đang ở «{place.label}», "
            f"không thể «{kind.label}»; thao tác này chỉ thực hiện khi hồ sơ ở "
            + " hoặc ".join(f"«{p.label}»" for p in Place if p in MOVES[kind].sources)
            + "."
        )
    assert CustodyEvent.objects.filter(item=item).count() == before
    assert selectors.current_place(item) == place


def test_a_file_on_the_shelf_cannot_go_to_scanning_nor_be_reshelved(item, people) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(WorkflowError, match="đang ở «Trên giá trong kho», không thể «Giao tài liệu và phiếu tin"):
        services.movement_record(
            item=item, kind=Kind.GIAO_SO_HOA, actor=people["planner"], sheets_counted=4, to_party="Tổ số hóa"
        )
    with pytest.raises(WorkflowError, match="không thể «Đưa tài liệu trở lại giá"):
        services.movement_record(
            item=item, kind=Kind.LEN_GIA, actor=people["planner"], sheets_counted=4, to_party="Kho 1"
        )


def test_a_handover_needs_the_sheets_counted_and_the_receiver(item, people) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(WorkflowError, match="là giao nhận tay đôi: phải ghi số tờ kiểm đếm"):
        services.movement_record(item=item, kind=Kind.LAY_KHOI_GIA, actor=people["planner"], to_party="Thủ kho")
    with pytest.raises(WorkflowError, match="phải ghi bên nhận tài liệu"):
        services.movement_record(item=item, kind=Kind.LAY_KHOI_GIA, actor=people["planner"], sheets_counted=4)
    assert not CustodyEvent.objects.exists()


def test_only_the_stack_keeper_or_the_owner_of_the_step_records(item, walk, record, people, put_in_state) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDeniedError):
        record(item, Kind.LAY_KHOI_GIA, who="scanner")
    with pytest.raises(PermissionDeniedError):
        record(item, Kind.LAY_KHOI_GIA, who="outsider")
    walk(item, Place.BIEN_MUC)
    put_in_state(item, State.BIEN_MUC, people["planner"])
    assert record(item, Kind.VE_SINH, who="cataloguer").actor == people["cataloguer"]
    with pytest.raises(PermissionDeniedError):
        record(item, Kind.VE_SINH, who="scanner")
    put_in_state(item, State.SO_HOA, people["checker"])
    record(item, Kind.GIAO_SO_HOA, who="scanner")
    assert record(item, Kind.BOC_TACH, who="scanner").place == Place.DA_BOC_TACH
    assert record(item, Kind.HOAN_TRA, who="admin").actor == people["admin"]


def test_no_paper_leaves_the_stacks_before_the_plan_is_approved(draft_project, people) -> None:  # type: ignore[no-untyped-def]
    item = draft_project.items.first()
    with pytest.raises(WorkflowError, match="chưa được phê duyệt"):
        services.movement_record(
            item=item, kind=Kind.LAY_KHOI_GIA, actor=people["planner"], sheets_counted=4, to_party="Thủ kho"
        )


def test_text_is_stored_in_nfc(item, people) -> None:  # type: ignore[no-untyped-def]
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Tổ biên mục")
    event = services.movement_record(
        item=item, kind=Kind.LAY_KHOI_GIA, actor=people["planner"], sheets_counted=4, to_party=decomposed
    )
    assert event.to_party == "Tổ biên mục"


def test_paper_taken_out_again_for_a_rescan_goes_straight_to_scanning(item, people, record) -> None:  # type: ignore[no-untyped-def]
    record(item, Kind.LAY_KHOI_GIA)
    record(item, Kind.GIAO_SO_HOA)
    assert selectors.current_place(item) == Place.SO_HOA
