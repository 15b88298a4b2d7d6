"""Conditions custody puts on the workflow: the paper must physically be where the step needs it.

The state machine says what work is done; custody says where the paper is. A file may not enter
cataloguing before the cataloguing team has signed for it, nor enter scanning before the scanning
team has, nor leave the return step (or a correction that took the paper out again) before it is
back on its shelf; and no guarded step is taken while a count on the file is unexplained.
"""

from __future__ import annotations

from typing import Any

from khoso.core.errors import WorkflowError
from khoso.custody import selectors
from khoso.custody.machine import reached
from khoso.custody.models import PLACE_EN, Kind, Place
from khoso.workflow.models import ProjectFile
from khoso.workflow.states import State, guard


def _no_open_discrepancy(item: ProjectFile) -> None:
    pending = list(selectors.open_discrepancies(item))
    if pending:
        names = "; ".join(str(d) for d in pending)
        raise WorkflowError(
            reason=f"hồ sơ {item.file.file_code} còn chênh lệch kiểm đếm chưa giải quyết: {names}.",
            reason_en=f"file {item.file.file_code} has an unresolved count discrepancy: "
            + ", ".join(f"CL-{d.pk}" for d in pending),
        )


def _requires(milestone: Place, kind: Kind) -> Any:
    def check(item: ProjectFile, actor: Any) -> None:
        place = selectors.current_place(item)
        if not reached(place, milestone):
            raise WorkflowError(
                reason=f"chưa ghi nhận «{kind.label}» cho hồ sơ {item.file.file_code} (hồ sơ đang ở «{place.label}»).",
                reason_en=f"file {item.file.file_code} is {PLACE_EN[place]}: record «{kind.value}» first.",
            )
        _no_open_discrepancy(item)

    check.__name__ = f"custody_requires_{milestone.value}"
    return check


def back_on_shelf(item: ProjectFile, actor: Any) -> None:
    event = selectors.last_event(item)
    if event is None or event.kind != Kind.LEN_GIA:
        place = selectors.current_place(item)
        raise WorkflowError(
            reason=f"hồ sơ {item.file.file_code} chưa được đưa trở lại giá "
            f"(chưa ghi nhận «{Kind.LEN_GIA.label}»; hồ sơ đang ở «{place.label}»).",
            reason_en=f"file {item.file.file_code} is not re-shelved yet ({PLACE_EN[place]}).",
        )
    _no_open_discrepancy(item)


def not_out_of_the_stacks(item: ProjectFile, actor: Any) -> None:
    """A correction after product inspection may take the paper off again (a page to rescan); it is
    re-inspected only once the paper is back on its shelf. A file never moved is on its shelf."""
    place = selectors.current_place(item)
    if place != Place.TREN_GIA:
        raise WorkflowError(
            reason=f"hồ sơ {item.file.file_code} đã được lấy ra để sửa lỗi và chưa được đưa trở lại giá "
            f"(hồ sơ đang ở «{place.label}»; ghi nhận «{Kind.LEN_GIA.label}» trước).",
            reason_en=f"file {item.file.file_code} was taken out for a correction and is {PLACE_EN[place]}.",
        )
    _no_open_discrepancy(item)


off_shelf = _requires(Place.NOI_GIAO_NHAN, Kind.LAY_KHOI_GIA)
with_cataloguing = _requires(Place.BIEN_MUC, Kind.GIAO_BIEN_MUC)
with_scanning = _requires(Place.SO_HOA, Kind.GIAO_SO_HOA)


def register() -> None:
    guard(State.DA_DUYET, State.XUAT_KHO)(off_shelf)
    guard(State.XUAT_KHO, State.BIEN_MUC)(with_cataloguing)
    guard(State.KIEM_TRA_NHAP, State.SO_HOA)(with_scanning)
    guard(State.HOAN_KHO, State.KIEM_TRA_SAN_PHAM)(back_on_shelf)
    guard(State.SUA_LOI, State.KIEM_TRA_SAN_PHAM)(not_out_of_the_stacks)
