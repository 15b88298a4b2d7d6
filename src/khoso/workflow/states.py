"""The digitization state machine of TT 04/2014 (standards.md §4), declared once as data.

Each state is the step a file waits for; the role that owns the state sees the file in its queue.
A transition is legal only if it is listed here. ``second_person`` marks the checks of the four-eyes
rule: whoever moved the file into the check may not be the one who passes or fails it. Other apps
add their own conditions with :func:`guard` (for example "no blocking cataloguing error left"),
so the step rules live beside the step's data and the machine stays one table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from khoso.workflow.models import ProjectFile


class Role(models.TextChoices):
    PLANNER = "lap_ke_hoach", "Lập kế hoạch, thủ kho"
    CATALOGUER = "bien_muc", "Biên mục phiếu tin"
    DATA_ENTRY = "nhap_lieu", "Nhập phiếu tin"
    CHECKER = "kiem_tra", "Kiểm tra"
    SCANNER = "so_hoa", "Số hóa (vận hành máy quét)"
    QC_INSPECTOR = "kiem_tra_chat_luong", "Kiểm tra chất lượng"
    CONTRACTOR_MANAGER = "quan_ly_nha_thau", "Quản lý nhà thầu"
    APPROVER = "phe_duyet", "Lưu trữ viên phê duyệt"


ROLE_EN = {
    Role.PLANNER: "Planner and stack keeper",
    Role.CATALOGUER: "Cataloguer",
    Role.DATA_ENTRY: "Data-entry operator",
    Role.CHECKER: "Checker",
    Role.SCANNER: "Scanner operator",
    Role.QC_INSPECTOR: "QC inspector",
    Role.CONTRACTOR_MANAGER: "Contractor manager",
    Role.APPROVER: "Approving archivist",
}


class State(models.TextChoices):
    KE_HOACH = "KE_HOACH", "Lập kế hoạch"
    DA_DUYET = "DA_DUYET", "Đã duyệt, chờ xuất kho"
    XUAT_KHO = "XUAT_KHO", "Đã xuất kho, chờ giao biên mục"
    BIEN_MUC = "BIEN_MUC", "Biên mục phiếu tin"
    KIEM_TRA_BIEN_MUC = "KIEM_TRA_BIEN_MUC", "Kiểm tra biên mục"
    SUA_LOI_BIEN_MUC = "SUA_LOI_BIEN_MUC", "Sửa lỗi biên mục"
    NHAP_LIEU = "NHAP_LIEU", "Nhập phiếu tin"
    KIEM_TRA_NHAP = "KIEM_TRA_NHAP", "Kiểm tra nhập phiếu tin"
    SUA_LOI_NHAP = "SUA_LOI_NHAP", "Sửa lỗi nhập phiếu tin"
    SO_HOA = "SO_HOA", "Số hóa"
    KIEM_TRA_CHAT_LUONG = "KIEM_TRA_CHAT_LUONG", "Kiểm tra chất lượng ảnh"
    SO_HOA_LAI = "SO_HOA_LAI", "Số hóa lại"
    LIEN_KET = "LIEN_KET", "Liên kết dữ liệu đặc tả với tệp số hóa"
    KIEM_TRA_LIEN_KET = "KIEM_TRA_LIEN_KET", "Kiểm tra liên kết"
    HOAN_KHO = "HOAN_KHO", "Hoàn trả tài liệu về kho"
    KIEM_TRA_SAN_PHAM = "KIEM_TRA_SAN_PHAM", "Kiểm tra sản phẩm"
    SUA_LOI = "SUA_LOI", "Sửa lỗi sản phẩm"
    SAO_CHEP = "SAO_CHEP", "Sao chép sản phẩm ra thiết bị lưu trữ"
    NGHIEM_THU = "NGHIEM_THU", "Nghiệm thu"
    BAN_GIAO = "BAN_GIAO", "Đã nghiệm thu và bàn giao"


#: Who works on a file while it waits in a state (whose queue it is in).
OWNER: dict[State, Role | None] = {
    State.KE_HOACH: Role.PLANNER,
    State.DA_DUYET: Role.PLANNER,
    State.XUAT_KHO: Role.PLANNER,
    State.BIEN_MUC: Role.CATALOGUER,
    State.KIEM_TRA_BIEN_MUC: Role.CHECKER,
    State.SUA_LOI_BIEN_MUC: Role.CATALOGUER,
    State.NHAP_LIEU: Role.DATA_ENTRY,
    State.KIEM_TRA_NHAP: Role.CHECKER,
    State.SUA_LOI_NHAP: Role.DATA_ENTRY,
    State.SO_HOA: Role.SCANNER,
    State.KIEM_TRA_CHAT_LUONG: Role.QC_INSPECTOR,
    State.SO_HOA_LAI: Role.SCANNER,
    State.LIEN_KET: Role.DATA_ENTRY,
    State.KIEM_TRA_LIEN_KET: Role.CHECKER,
    State.HOAN_KHO: Role.PLANNER,
    State.KIEM_TRA_SAN_PHAM: Role.QC_INSPECTOR,
    State.SUA_LOI: Role.CONTRACTOR_MANAGER,
    State.SAO_CHEP: Role.CONTRACTOR_MANAGER,
    State.NGHIEM_THU: Role.APPROVER,
    State.BAN_GIAO: None,
}


@dataclass(frozen=True)
class Transition:
    source: State
    target: State
    label_vi: str
    label_en: str
    second_person: bool = False  # four-eyes: not the actor who moved the file into ``source``
    by_project: bool = False  # only the project approval performs it, never a single file
    needs_note: bool = False  # a refusal with no report of its own: the reason must be written


_T = Transition
TRANSITIONS: tuple[Transition, ...] = (
    _T(State.KE_HOACH, State.DA_DUYET, "Phê duyệt kế hoạch", "Approve the plan", by_project=True),
    _T(State.DA_DUYET, State.XUAT_KHO, "Xuất kho", "Take off the shelf"),
    _T(State.XUAT_KHO, State.BIEN_MUC, "Giao cho tổ biên mục", "Hand over to cataloguing"),
    _T(State.BIEN_MUC, State.KIEM_TRA_BIEN_MUC, "Gửi kiểm tra biên mục", "Submit cataloguing for checking"),
    _T(State.KIEM_TRA_BIEN_MUC, State.SUA_LOI_BIEN_MUC, "Trả lại để sửa lỗi", "Return for correction", True),
    _T(State.KIEM_TRA_BIEN_MUC, State.NHAP_LIEU, "Đạt, chuyển nhập phiếu tin", "Pass, on to data entry", True),
    _T(State.SUA_LOI_BIEN_MUC, State.KIEM_TRA_BIEN_MUC, "Gửi kiểm tra lại", "Submit for re-check"),
    _T(State.NHAP_LIEU, State.KIEM_TRA_NHAP, "Gửi kiểm tra nhập liệu", "Submit data entry for checking"),
    _T(State.KIEM_TRA_NHAP, State.SUA_LOI_NHAP, "Trả lại để sửa lỗi", "Return for correction", True),
    _T(State.KIEM_TRA_NHAP, State.SO_HOA, "Đạt, giao số hóa", "Pass, hand over to scanning", True),
    _T(State.SUA_LOI_NHAP, State.KIEM_TRA_NHAP, "Gửi kiểm tra lại", "Submit for re-check"),
    _T(State.SO_HOA, State.KIEM_TRA_CHAT_LUONG, "Gửi kiểm tra chất lượng", "Submit scans for QC"),
    _T(State.KIEM_TRA_CHAT_LUONG, State.SO_HOA_LAI, "Yêu cầu quét lại", "Send pages for rescan", True),
    _T(State.KIEM_TRA_CHAT_LUONG, State.LIEN_KET, "Đạt, chuyển liên kết", "Pass, on to linking", True),
    _T(State.SO_HOA_LAI, State.KIEM_TRA_CHAT_LUONG, "Gửi kiểm tra lại", "Submit rescans for QC"),
    _T(State.LIEN_KET, State.KIEM_TRA_LIEN_KET, "Gửi kiểm tra liên kết", "Submit links for checking"),
    _T(State.KIEM_TRA_LIEN_KET, State.LIEN_KET, "Trả lại để sửa liên kết", "Return for correction", True),
    _T(State.KIEM_TRA_LIEN_KET, State.HOAN_KHO, "Đạt, hoàn trả về kho", "Pass, return to the stacks", True),
    _T(State.HOAN_KHO, State.KIEM_TRA_SAN_PHAM, "Đã hoàn kho, chờ kiểm tra sản phẩm", "Re-shelved, to inspection"),
    _T(State.KIEM_TRA_SAN_PHAM, State.SUA_LOI, "Yêu cầu sửa lỗi", "Order corrections", True),
    _T(State.KIEM_TRA_SAN_PHAM, State.SAO_CHEP, "Đạt, chuyển sao chép", "Pass, on to copying", True),
    _T(State.SUA_LOI, State.KIEM_TRA_SAN_PHAM, "Gửi kiểm tra lại", "Submit for re-inspection"),
    _T(State.SAO_CHEP, State.NGHIEM_THU, "Đã sao chép, đề nghị nghiệm thu", "Copied, ask for acceptance"),
    _T(
        State.NGHIEM_THU,
        State.SUA_LOI,
        "Không nghiệm thu, yêu cầu sửa",
        "Refuse acceptance, order fixes",
        second_person=True,
        needs_note=True,
    ),
    _T(State.NGHIEM_THU, State.BAN_GIAO, "Nghiệm thu và bàn giao", "Accept and hand over", True),
)

#: Steps a check sends a file back to: entering one starts a new correction round (ProjectFile.round).
CORRECTIONS = frozenset({State.SUA_LOI_BIEN_MUC, State.SUA_LOI_NHAP, State.SO_HOA_LAI, State.SUA_LOI})

BY_PAIR: dict[tuple[State, State], Transition] = {(t.source, t.target): t for t in TRANSITIONS}

type Guard = Callable[["ProjectFile", Any], None]
GUARDS: dict[tuple[State, State], list[Guard]] = defaultdict(list)


def guard(source: State, target: State) -> Callable[[Guard], Guard]:
    """Register a condition for a transition; it raises an ``ArchiveError`` to refuse it.

    The guard gets the work item and the acting user. Apps register guards in ``ready()``.
    """
    if (source, target) not in BY_PAIR:
        raise ValueError(f"no transition {source} → {target}")

    def register(function: Guard) -> Guard:
        if function not in GUARDS[(source, target)]:
            GUARDS[(source, target)].append(function)
        return function

    return register


def next_steps(state: State) -> list[Transition]:
    """Transitions a person may perform on a file in ``state`` (the project approval excluded)."""
    return [t for t in TRANSITIONS if t.source == state and not t.by_project]


def states_of(roles: set[str]) -> list[State]:
    """States whose queue belongs to one of ``roles``."""
    return [state for state, owner in OWNER.items() if owner is not None and owner in roles]


@dataclass(frozen=True)
class StepPage:
    url_name: str  # a route taking ``item_id``
    label_vi: str
    label_en: str


STEP_PAGES: dict[State, list[StepPage]] = defaultdict(list)


def step_page(state: State, url_name: str, label_vi: str, label_en: str) -> None:
    """Declare the working page of a step, linked from the file's task page while it is in ``state``."""
    page = StepPage(url_name, label_vi, label_en)
    if page not in STEP_PAGES[state]:
        STEP_PAGES[state].append(page)
