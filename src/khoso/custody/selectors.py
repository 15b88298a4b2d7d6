"""Reads of custody: a file's place and history, the expected sheet count, open discrepancies."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from khoso.core.errors import NotFoundError
from khoso.custody.machine import START
from khoso.custody.models import CustodyEvent, Discrepancy, Place
from khoso.workflow.models import Project, ProjectFile
from khoso.workflow.selectors import project_get, roles_of
from khoso.workflow.states import OWNER, Role, State


def last_event(item: ProjectFile) -> CustodyEvent | None:
    return CustodyEvent.objects.filter(item=item).order_by("-at", "-id").first()


def current_place(item: ProjectFile) -> Place:
    """The place the file's last movement left it in; on the shelf if it was never moved."""
    event = last_event(item)
    return Place(event.place) if event is not None else START


def history(item: ProjectFile) -> QuerySet[CustodyEvent]:
    return CustodyEvent.objects.filter(item=item).select_related("actor", "box").order_by("-at", "-id")


def expected_sheets(item: ProjectFile) -> int | None:
    """The sheet count the next count must match.

    The previous count (or, when a recount settled a discrepancy on it, the confirmed figure); for
    the first count, the file's number of sheets in its metadata (None when that is unknown).
    """
    previous = CustodyEvent.objects.filter(item=item, sheets_counted__isnull=False).order_by("-at", "-id").first()
    if previous is None:
        return item.file.number_of_paper
    settled = (
        Discrepancy.objects.filter(
            event=previous,
            measure=Discrepancy.Measure.SHEETS,
            status=Discrepancy.Status.RESOLVED,
            confirmed__isnull=False,
        )
        .values_list("confirmed", flat=True)
        .first()
    )
    return settled if settled is not None else previous.sheets_counted


def open_discrepancies(item: ProjectFile) -> QuerySet[Discrepancy]:
    """Open discrepancies on the file itself or on the file count of a box movement it was part of."""
    batches = CustodyEvent.objects.filter(item=item).values("batch")
    return (
        Discrepancy.objects.filter(project_id=item.project_id, status=Discrepancy.Status.OPEN)
        .filter(Q(item=item) | Q(item__isnull=True, event__batch__in=batches))
        .select_related("event")
        .order_by("opened_at", "id")
    )


def may_move(user: Any, item: ProjectFile) -> bool:
    """The stack keeper (planner) or the role owning the file's current workflow step."""
    roles = roles_of(user, item.project)
    owner = OWNER.get(State(item.state))
    return Role.PLANNER in roles or (owner is not None and str(owner) in roles)


def may_resolve(user: Any, project: Project) -> bool:
    roles = roles_of(user, project)
    return Role.PLANNER in roles or Role.APPROVER in roles


def batch_events(batch: uuid.UUID) -> QuerySet[CustodyEvent]:
    return (
        CustodyEvent.objects.filter(batch=batch)
        .select_related("item__file", "box", "actor", "project")
        .order_by("item__file__file_code", "id")
    )


def event_get(*, user: Any, event_id: int) -> CustodyEvent:
    """A custody event of a project the user is a member of (NotFoundError otherwise)."""
    event = CustodyEvent.objects.select_related("project").filter(pk=event_id).first()
    if event is None or not roles_of(user, event.project):
        raise NotFoundError(what="Sự kiện giao nhận", key=event_id)
    return event


def discrepancy_get(*, user: Any, discrepancy_id: int) -> Discrepancy:
    discrepancy = Discrepancy.objects.select_related("project", "event", "item__file").filter(pk=discrepancy_id).first()
    if discrepancy is None or not roles_of(user, discrepancy.project):
        raise NotFoundError(what="Chênh lệch kiểm đếm", key=discrepancy_id)
    return discrepancy


def project_discrepancies(*, user: Any, project_id: int, status: str | None = None) -> QuerySet[Discrepancy]:
    project = project_get(user=user, project_id=project_id)
    rows = Discrepancy.objects.filter(project=project)
    if status in Discrepancy.Status.values:
        rows = rows.filter(status=status)
    return rows.select_related("event", "event__box", "item__file", "resolved_by")


def project_movements(project: Project, limit: int = 30) -> list[dict[str, Any]]:
    """The project's latest movements, one row per batch, with its first event (the receipt's key)."""
    batches = list(
        CustodyEvent.objects.filter(project=project)
        .values("batch")
        .annotate(files=Count("id"), first_id=Min("id"), last_at=Max("at"))
        .order_by("-last_at", "-first_id")[:limit]
    )
    firsts = CustodyEvent.objects.select_related("actor", "box").in_bulk([row["first_id"] for row in batches])
    return [{"event": firsts[row["first_id"]], "files": row["files"]} for row in batches]


def place_counts(project: Project) -> list[tuple[str, int]]:
    """How many of the project's files are in each place now (one query, the last event per file)."""
    last_place = Subquery(CustodyEvent.objects.filter(item=OuterRef("pk")).order_by("-at", "-id").values("place")[:1])
    rows = (
        ProjectFile.objects.filter(project=project)
        .annotate(place=Coalesce(last_place, Value(START.value)))
        .order_by()
        .values("place")
        .annotate(n=Count("id"))
    )
    counts = {row["place"]: row["n"] for row in rows}
    return [(place.label, counts.get(place.value, 0)) for place in Place]
