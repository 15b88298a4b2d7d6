"""Writes of custody: record a movement of a file or of a whole box, resolve a discrepancy.

A movement is checked against the physical order (:mod:`khoso.custody.machine`) with the file's
row locked, so two people recording at once cannot put the same file in two places. Counting
is part of the movement: a hand-to-hand movement must state the sheets counted, and a count that
differs from the expected one opens a :class:`Discrepancy` in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from khoso.archive.models import Box
from khoso.core.errors import PermissionDeniedError, WorkflowError
from khoso.core.text import nfc
from khoso.custody import selectors
from khoso.custody.machine import HANDOVERS, MOVES
from khoso.custody.models import PLACE_EN, CustodyEvent, Discrepancy, Kind, Place
from khoso.workflow.models import Project, ProjectFile
from khoso.workflow.states import Role


def _clean(text: str) -> str:
    return nfc(text or "").strip()


def _require_mover(item: ProjectFile, actor: Any) -> None:
    if not selectors.may_move(actor, item):
        raise PermissionDeniedError(
            f"Ghi giao nhận hồ sơ {item.file.file_code} cần vai trò «{Role.PLANNER.label}» "
            f"hoặc vai trò phụ trách bước «{item.get_state_display()}»."
        )


def _require_approved(project: Project) -> None:
    if project.status != Project.Status.APPROVED:
        raise WorkflowError(
            reason=f"đề án {project.code} chưa được phê duyệt (hoặc đã kết thúc): chưa được xuất tài liệu khỏi kho.",
            reason_en=f"project {project.code} is not approved: no paper leaves the stacks.",
        )


def _check_order(item: ProjectFile, kind: Kind) -> Place:
    """The place ``kind`` leaves the file in; WorkflowError if the file cannot make that movement now."""
    place = selectors.current_place(item)
    move = MOVES[kind]
    if place not in move.sources:
        allowed = " hoặc ".join(f"«{p.label}»" for p in Place if p in move.sources)
        raise WorkflowError(
            reason=f"hồ sơ {item.file.file_code} đang ở «{place.label}», không thể «{kind.label}»; "
            f"thao tác này chỉ thực hiện khi hồ sơ ở {allowed}.",
            reason_en=f"file {item.file.file_code} is {PLACE_EN[place]}: it cannot {move.label_en}.",
        )
    return move.target


def _check_counts(item: ProjectFile, kind: Kind, sheets_counted: int | None, to_party: str) -> None:
    if kind not in HANDOVERS:
        return
    if sheets_counted is None:
        raise WorkflowError(
            reason=f"«{kind.label}» là giao nhận tay đôi: phải ghi số tờ kiểm đếm của hồ sơ {item.file.file_code}.",
            reason_en=f"a handover needs the sheets counted for file {item.file.file_code}.",
        )
    if not to_party:
        raise WorkflowError(
            reason=f"«{kind.label}» phải ghi bên nhận tài liệu.", reason_en="a handover names the receiving party."
        )


@dataclass(frozen=True)
class _Movement:
    kind: Kind
    batch: uuid.UUID
    actor: Any
    from_party: str
    to_party: str
    location: str
    note: str
    boxes_counted: int
    files_counted: int
    box: Box | None


def _record(item: ProjectFile, movement: _Movement, sheets_counted: int | None) -> CustodyEvent:
    target = _check_order(item, movement.kind)
    _check_counts(item, movement.kind, sheets_counted, movement.to_party)
    expected = selectors.expected_sheets(item) if sheets_counted is not None else None
    event = CustodyEvent.objects.create(
        project=item.project,
        item=item,
        box=movement.box if movement.box is not None else item.file.box,
        batch=movement.batch,
        kind=movement.kind,
        place=target,
        from_party=movement.from_party,
        to_party=movement.to_party,
        location=movement.location,
        actor=movement.actor,
        boxes_counted=movement.boxes_counted,
        files_counted=movement.files_counted,
        sheets_counted=sheets_counted,
        sheets_expected=expected,
        note=movement.note,
    )
    if sheets_counted is not None and expected is not None and sheets_counted != expected:
        Discrepancy.objects.create(
            project=item.project,
            event=event,
            item=item,
            measure=Discrepancy.Measure.SHEETS,
            expected=expected,
            counted=sheets_counted,
        )
    return event


def _party(text: str, actor: Any) -> str:
    return _clean(text) or (actor.get_full_name() or actor.get_username())


@transaction.atomic
def movement_record(
    *,
    item: ProjectFile,
    kind: Kind | str,
    actor: Any,
    sheets_counted: int | None = None,
    from_party: str = "",
    to_party: str = "",
    location: str = "",
    note: str = "",
) -> CustodyEvent:
    """Record one movement of one file; opens a discrepancy when the sheets counted are not the expected.

    Raises WorkflowError (in Vietnamese, naming the places) for a movement the physical order does
    not allow, PermissionDeniedError for someone who is neither the stack keeper nor the owner of
    the file's current step.
    """
    kind = Kind(kind)
    item = ProjectFile.objects.select_for_update().select_related("file", "project").get(pk=item.pk)
    _require_mover(item, actor)
    _require_approved(item.project)
    movement = _Movement(
        kind=kind,
        batch=uuid.uuid4(),
        actor=actor,
        from_party=_party(from_party, actor),
        to_party=_clean(to_party),
        location=_clean(location),
        note=_clean(note),
        boxes_counted=0,
        files_counted=1,
        box=None,
    )
    return _record(item, movement, sheets_counted)


@transaction.atomic
def box_movement_record(
    *,
    project: Project,
    box: Box,
    kind: Kind | str,
    actor: Any,
    files_counted: int,
    sheets: Mapping[int, int | None] | None = None,
    from_party: str = "",
    to_party: str = "",
    location: str = "",
    note: str = "",
) -> list[CustodyEvent]:
    """Move every file of ``project`` kept in ``box`` at once: one event per file, one batch, one receipt.

    ``sheets`` maps a ProjectFile id to the sheets counted in it. Every file must be able to make
    the movement, or none moves. A ``files_counted`` different from the number of the project's
    files in the box opens a discrepancy on the whole movement.
    """
    kind = Kind(kind)
    sheets = dict(sheets or {})
    items = list(
        ProjectFile.objects.select_for_update()
        .select_related("file", "project")
        .filter(project=project, file__box=box)
        .order_by("file__file_code")
    )
    if not items:
        raise WorkflowError(
            reason=f"{box} không có hồ sơ nào thuộc đề án {project.code}.",
            reason_en=f"box {box.location} holds no file of project {project.code}.",
        )
    _require_approved(project)
    for item in items:
        _require_mover(item, actor)
    movement = _Movement(
        kind=kind,
        batch=uuid.uuid4(),
        actor=actor,
        from_party=_party(from_party, actor),
        to_party=_clean(to_party),
        location=_clean(location),
        note=_clean(note),
        boxes_counted=1,
        files_counted=files_counted,
        box=box,
    )
    events = [_record(item, movement, sheets.get(item.pk)) for item in items]
    if files_counted != len(items):
        Discrepancy.objects.create(
            project=project,
            event=events[0],
            item=None,
            measure=Discrepancy.Measure.FILES,
            expected=len(items),
            counted=files_counted,
        )
    return events


@transaction.atomic
def discrepancy_resolve(*, discrepancy: Discrepancy, by: Any, note: str, confirmed: int | None = None) -> Discrepancy:
    """Close a discrepancy with the explanation found (and, for sheets, the figure confirmed by a recount).

    Only a planner (stack keeper) or an approving archivist of the project may, and never without a note.
    """
    discrepancy = Discrepancy.objects.select_for_update().select_related("project").get(pk=discrepancy.pk)
    if not selectors.may_resolve(by, discrepancy.project):
        raise PermissionDeniedError(
            f"Giải quyết chênh lệch cần vai trò «{Role.PLANNER.label}» hoặc «{Role.APPROVER.label}»."
        )
    if discrepancy.status == Discrepancy.Status.RESOLVED:
        raise WorkflowError(
            reason=f"chênh lệch CL-{discrepancy.pk} đã được giải quyết.",
            reason_en=f"discrepancy CL-{discrepancy.pk} is already resolved.",
        )
    note = _clean(note)
    if not note:
        raise WorkflowError(
            reason=f"phải ghi rõ cách giải quyết chênh lệch CL-{discrepancy.pk}.",
            reason_en="a resolution note is required.",
        )
    discrepancy.status = Discrepancy.Status.RESOLVED
    discrepancy.resolution = note
    discrepancy.confirmed = confirmed
    discrepancy.resolved_by = by
    discrepancy.resolved_at = timezone.now()
    discrepancy.save(update_fields=["status", "resolution", "confirmed", "resolved_by", "resolved_at"])
    return discrepancy
