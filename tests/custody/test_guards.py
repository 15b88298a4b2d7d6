"""The workflow waits for the paper: guarded transitions through ``khoso.workflow.services.transition``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from khoso.core.errors import WorkflowError
from khoso.custody import services as custody
from khoso.custody.models import Discrepancy, Kind, Place
from khoso.workflow.services import transition
from khoso.workflow.states import GUARDS, STEP_PAGES, State

# GUARDS above is the real registry; the tests below run with custody's guards alone
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("custody_guards_only")]


def test_guards_and_step_pages_are_registered() -> None:
    for pair in [
        (State.DA_DUYET, State.XUAT_KHO),
        (State.XUAT_KHO, State.BIEN_MUC),
        (State.KIEM_TRA_NHAP, State.SO_HOA),
        (State.HOAN_KHO, State.KIEM_TRA_SAN_PHAM),
        (State.SUA_LOI, State.KIEM_TRA_SAN_PHAM),
    ]:
        assert any(fn.__module__ == "khoso.custody.guards" for fn in GUARDS[pair]), pair
    for state in (State.DA_DUYET, State.XUAT_KHO, State.HOAN_KHO, State.SO_HOA):
        assert "custody_item" in [page.url_name for page in STEP_PAGES[state]]


def test_taking_off_the_shelf_needs_the_off_shelf_event(item, record, people) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(WorkflowError) as refused:
        transition(item=item, target=State.XUAT_KHO, actor=people["planner"])
    assert refused.value.message == (
        f"Không thực hiện được bước này: chưa ghi nhận «Lấy tài liệu khỏi giá, đưa đến nơi giao nhận» "
        f"cho hồ sơ {item.file.file_code} (hồ sơ đang ở «Trên giá trong kho»)."
    )
    record(item, Kind.LAY_KHOI_GIA)
    assert transition(item=item, target=State.XUAT_KHO, actor=people["planner"]).state == State.XUAT_KHO


def test_cataloguing_starts_only_once_the_team_has_signed_for_the_paper(item, record, people) -> None:  # type: ignore[no-untyped-def]
    record(item, Kind.LAY_KHOI_GIA)
    transition(item=item, target=State.XUAT_KHO, actor=people["planner"])
    with pytest.raises(WorkflowError, match="chưa ghi nhận «Giao tài liệu cho tổ biên mục»"):
        transition(item=item, target=State.BIEN_MUC, actor=people["planner"])
    record(item, Kind.GIAO_BIEN_MUC)
    assert transition(item=item, target=State.BIEN_MUC, actor=people["planner"]).state == State.BIEN_MUC


def test_scanning_starts_only_once_the_scanning_team_has_the_paper(item, walk, record, people, put_in_state) -> None:  # type: ignore[no-untyped-def]
    walk(item, Place.BIEN_MUC)
    put_in_state(item, State.KIEM_TRA_NHAP, people["keyer"])
    with pytest.raises(WorkflowError, match="chưa ghi nhận «Giao tài liệu và phiếu tin cho tổ số hóa»"):
        transition(item=item, target=State.SO_HOA, actor=people["checker"])
    record(item, Kind.GIAO_SO_HOA, who="checker", to_party="Tổ số hóa – Lê Văn C")
    assert transition(item=item, target=State.SO_HOA, actor=people["checker"]).state == State.SO_HOA


def test_inspection_waits_until_the_file_is_back_on_its_shelf(item, walk, record, people, put_in_state) -> None:  # type: ignore[no-untyped-def]
    put_in_state(item, State.HOAN_KHO, people["checker"])
    with pytest.raises(WorkflowError, match="chưa được đưa trở lại giá .*hồ sơ đang ở «Trên giá trong kho»"):
        transition(item=item, target=State.KIEM_TRA_SAN_PHAM, actor=people["planner"])  # never taken off
    walk(item, Place.DA_HOAN_TRA)
    with pytest.raises(WorkflowError, match="chưa ghi nhận «Đưa tài liệu trở lại giá \\(hoàn kho\\)»"):
        transition(item=item, target=State.KIEM_TRA_SAN_PHAM, actor=people["planner"])
    record(item, Kind.LEN_GIA, to_party="Kho 1, giá G02")
    assert transition(item=item, target=State.KIEM_TRA_SAN_PHAM, actor=people["planner"]).state == (
        State.KIEM_TRA_SAN_PHAM
    )


def test_paper_taken_out_for_a_correction_is_reshelved_before_reinspection(  # type: ignore[no-untyped-def]
    item, walk, record, people, put_in_state
) -> None:
    walk(item, Place.DA_HOAN_TRA)
    record(item, Kind.LEN_GIA, to_party="Kho 1, giá G02")
    put_in_state(item, State.SUA_LOI, people["inspector"])
    record(item, Kind.LAY_KHOI_GIA)  # a page to rescan: the contractor needs the paper again
    with pytest.raises(WorkflowError) as refused:
        transition(item=item, target=State.KIEM_TRA_SAN_PHAM, actor=people["contractor"])
    assert refused.value.message == (
        f"Không thực hiện được bước này: hồ sơ {item.file.file_code} đã được lấy ra để sửa lỗi và chưa được đưa "
        "trở lại giá (hồ sơ đang ở «Đã lấy khỏi giá, tại nơi giao nhận»; ghi nhận «Đưa tài liệu trở lại giá "
        "(hoàn kho)» trước)."
    )
    for kind in (Kind.GIAO_BIEN_MUC, Kind.GIAO_SO_HOA, Kind.HOAN_TRA, Kind.LEN_GIA):
        record(item, kind)
    assert transition(item=item, target=State.KIEM_TRA_SAN_PHAM, actor=people["contractor"]).state == (
        State.KIEM_TRA_SAN_PHAM
    )


def test_a_correction_that_needs_no_paper_is_not_held(item, people, put_in_state) -> None:  # type: ignore[no-untyped-def]
    put_in_state(item, State.SUA_LOI, people["inspector"])  # never taken off: it is on its shelf
    assert transition(item=item, target=State.KIEM_TRA_SAN_PHAM, actor=people["contractor"]).state == (
        State.KIEM_TRA_SAN_PHAM
    )


def test_a_count_mismatch_blocks_the_step_until_resolved(item, record, people) -> None:  # type: ignore[no-untyped-def]
    record(item, Kind.LAY_KHOI_GIA, sheets_counted=3)
    discrepancy = Discrepancy.objects.get()
    with pytest.raises(WorkflowError) as refused:
        transition(item=item, target=State.XUAT_KHO, actor=people["planner"])
    assert refused.value.message == (
        f"Không thực hiện được bước này: hồ sơ {item.file.file_code} còn chênh lệch kiểm đếm chưa giải quyết: "
        f"CL-{discrepancy.pk}: số tờ kiểm đếm 3, theo sổ sách 4 (Lấy tài liệu khỏi giá, đưa đến nơi giao nhận)."
    )
    item.refresh_from_db()
    assert item.state == State.DA_DUYET
    custody.discrepancy_resolve(discrepancy=discrepancy, by=people["planner"], note="Đếm lại đủ 4 tờ.", confirmed=4)
    assert transition(item=item, target=State.XUAT_KHO, actor=people["planner"]).state == State.XUAT_KHO


def test_a_missing_file_in_a_box_blocks_every_file_of_that_box(approved_project, box_of_two, people) -> None:  # type: ignore[no-untyped-def]
    boxed = list(approved_project.items.filter(file__box=box_of_two))
    custody.box_movement_record(
        project=approved_project,
        box=box_of_two,
        kind=Kind.LAY_KHOI_GIA,
        actor=people["planner"],
        files_counted=1,
        sheets={i.pk: 4 for i in boxed},
        to_party="Tổ biên mục",
    )
    discrepancy = Discrepancy.objects.get()
    for project_file in boxed:
        with pytest.raises(WorkflowError, match=f"CL-{discrepancy.pk}: số hồ sơ kiểm đếm 1, theo sổ sách 2"):
            transition(item=project_file, target=State.XUAT_KHO, actor=people["planner"])
    custody.discrepancy_resolve(
        discrepancy=discrepancy, by=people["approver"], note="Hồ sơ thứ hai nằm ở hộp bên cạnh, đã đặt lại."
    )
    for project_file in boxed:
        transition(item=project_file, target=State.XUAT_KHO, actor=people["planner"])


def test_the_task_page_links_to_the_custody_page(item, client, people) -> None:  # type: ignore[no-untyped-def]
    client.force_login(people["planner"])
    page = client.get(reverse("item_detail", kwargs={"item_id": item.pk})).content.decode()
    assert reverse("custody_item", kwargs={"item_id": item.pk}) in page
    assert "Giao nhận, vận chuyển tài liệu" in page
