"""The app plugs its conditions and working pages into the workflow through the public hooks."""

from __future__ import annotations

from khoso.cataloguing import guards
from khoso.workflow.states import STEP_PAGES, State


def test_every_cataloguing_and_entry_move_carries_its_condition(only_cataloguing_guards) -> None:  # type: ignore[no-untyped-def]
    registered = only_cataloguing_guards
    expected = {
        (State.BIEN_MUC, State.KIEM_TRA_BIEN_MUC): guards.catalogue_submit,
        (State.SUA_LOI_BIEN_MUC, State.KIEM_TRA_BIEN_MUC): guards.catalogue_resubmit,
        (State.KIEM_TRA_BIEN_MUC, State.SUA_LOI_BIEN_MUC): guards.catalogue_return,
        (State.KIEM_TRA_BIEN_MUC, State.NHAP_LIEU): guards.catalogue_pass,
        (State.NHAP_LIEU, State.KIEM_TRA_NHAP): guards.entry_submit,
        (State.SUA_LOI_NHAP, State.KIEM_TRA_NHAP): guards.entry_resubmit,
        (State.KIEM_TRA_NHAP, State.SUA_LOI_NHAP): guards.entry_return,
        (State.KIEM_TRA_NHAP, State.SO_HOA): guards.entry_pass,
    }
    for pair, check in expected.items():
        assert check in registered[pair], pair


def test_each_step_links_to_its_working_page() -> None:
    pages = {state: [p.url_name for p in STEP_PAGES[state]] for state in STEP_PAGES}
    assert "worksheet_edit" in pages[State.BIEN_MUC] and "worksheet_edit" in pages[State.SUA_LOI_BIEN_MUC]
    assert "catalogue_check" in pages[State.KIEM_TRA_BIEN_MUC]
    assert "keying_list" in pages[State.NHAP_LIEU] and "keying_list" in pages[State.SUA_LOI_NHAP]
    assert "entry_check" in pages[State.KIEM_TRA_NHAP]
