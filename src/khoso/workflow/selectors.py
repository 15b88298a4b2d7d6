"""Reads of the digitization workflow: roles, task queues, the project dashboard.

Queues and dashboards are read many times a minute by every operator, so each is a handful of
indexed aggregate queries whose cost does not grow with the number of files in other states.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from khoso.archive.models import Page
from khoso.core.errors import NotFoundError
from khoso.workflow.models import DailyThroughput, Project, ProjectFile, ProjectMember, WorkflowEvent
from khoso.workflow.states import OWNER, Role, State, next_steps, states_of


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def roles_of(user: Any, project: Project) -> set[str]:
    """The roles ``user`` holds in ``project``; an administrator (superuser) holds them all."""
    if not _active(user):
        return set()
    if user.is_superuser:
        return set(Role.values)
    return set(ProjectMember.objects.filter(project=project, user=user).values_list("role", flat=True))


def has_role(user: Any, project: Project, role: Role | str) -> bool:
    return str(role) in roles_of(user, project)


def projects_for(user: Any) -> QuerySet[Project]:
    """Projects the user takes part in (all of them for an administrator)."""
    if not _active(user):
        return Project.objects.none()
    if user.is_superuser:
        return Project.objects.all()
    return Project.objects.filter(members__user=user).distinct()


def project_get(*, user: Any, project_id: int) -> Project:
    project = projects_for(user).filter(pk=project_id).first()
    if project is None:
        raise NotFoundError(what="Đề án", key=project_id)
    return project


def item_get(*, user: Any, item_id: int) -> ProjectFile:
    item = ProjectFile.objects.select_related("file", "project", "assignee").filter(pk=item_id).first()
    if item is None or not roles_of(user, item.project):
        raise NotFoundError(what="Hồ sơ trong đề án", key=item_id)
    return item


def last_entry_actor_id(item: ProjectFile) -> int | None:
    """Who moved the file into its current state (for the four-eyes rule)."""
    return (
        WorkflowEvent.objects.filter(item=item, target=item.state, action__in=["chuyen_buoc", "phe_duyet"])
        .order_by("-at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )


def queue(*, user: Any, project: Project | None = None, state: str | None = None) -> QuerySet[ProjectFile]:
    """The user's task queue: files waiting in a step one of their roles owns, unassigned or theirs.

    Only approved projects have work; files someone else has taken are not shown.
    """
    if not _active(user):
        return ProjectFile.objects.none()
    memberships: dict[int, set[str]] = {}
    if user.is_superuser:
        ids = Project.objects.filter(status=Project.Status.APPROVED).values_list("id", flat=True)
        memberships = {pid: set(Role.values) for pid in ids}
    else:
        rows = ProjectMember.objects.filter(user=user, project__status=Project.Status.APPROVED).values_list(
            "project_id", "role"
        )
        for project_id, role in rows:
            memberships.setdefault(project_id, set()).add(role)
    if project is not None:
        memberships = {project.pk: memberships[project.pk]} if project.pk in memberships else {}
    condition = Q(pk__in=[])
    for project_id, roles in memberships.items():
        states = states_of(roles)
        if state is not None:
            states = [s for s in states if s == state]
        if states:
            condition |= Q(project_id=project_id, state__in=states)
    return (
        ProjectFile.objects.filter(condition)
        .filter(Q(assignee__isnull=True) | Q(assignee=user))
        .select_related("file", "project", "assignee")
        .order_by("-priority", "id")
    )


def queue_counts(*, user: Any) -> dict[str, int]:
    """Files waiting per state in the user's queue (for the queue tabs)."""
    rows = queue(user=user).order_by().values("state").annotate(n=Count("id"))
    return {row["state"]: row["n"] for row in rows}


def allowed_steps(*, user: Any, item: ProjectFile) -> list[Any]:
    """Transitions the user may try on ``item`` now (guards are checked when they act)."""
    owner = OWNER[State(item.state)]
    if owner is None or str(owner) not in roles_of(user, item.project):
        return []
    if item.assignee_id not in (None, user.pk) and not user.is_superuser:
        return []
    return next_steps(State(item.state))


@dataclass
class Dashboard:
    project: Project
    files: int
    by_state: list[tuple[str, str, int]]
    pages_estimated: int
    pages_planned: int
    pages_counted: int
    pages_scanned: int
    pages_qc_failed: int
    pages_rescan: int
    files_done: int
    cost_planned: int
    cost_to_date: int
    throughput: list[dict[str, Any]] = field(default_factory=list)

    @property
    def percent_done(self) -> float:
        return round(100 * self.files_done / self.files, 1) if self.files else 0.0

    @property
    def qc_failure_rate(self) -> float:
        return round(100 * self.pages_qc_failed / self.pages_scanned, 2) if self.pages_scanned else 0.0


def dashboard(*, project: Project, days: int = 14) -> Dashboard:
    """Figures of one project: estimated and counted pages apart, cost, states, throughput."""
    items = ProjectFile.objects.filter(project=project)
    state_counts = dict(items.order_by().values_list("state").annotate(n=Count("id")))
    counted = items.aggregate(n=Sum("file__number_of_page"))["n"] or 0
    # Three counts, each answered from an index (the failing ones from small partial indexes),
    # instead of one pass that reads every page row of the project.
    project_pages = Page.objects.filter(file__in=items.values("file_id"))
    pages = {
        "scanned": project_pages.count(),
        "failed": project_pages.filter(qc_passed=False).count(),
        "rescan": project_pages.filter(needs_rescan=True).count(),
    }
    done = state_counts.get(State.BAN_GIAO, 0)
    return Dashboard(
        project=project,
        files=sum(state_counts.values()),
        by_state=[(s.value, s.label, state_counts.get(s.value, 0)) for s in State],
        pages_estimated=project.estimated_pages,
        pages_planned=project.planned_pages,
        pages_counted=counted,
        pages_scanned=pages["scanned"],
        pages_qc_failed=pages["failed"],
        pages_rescan=pages["rescan"],
        files_done=done,
        cost_planned=project.estimated_cost,
        cost_to_date=pages["scanned"] * project.price_per_page,
        throughput=throughput(project=project, days=days),
    )


def throughput(*, project: Project, days: int = 14, until: date | None = None) -> list[dict[str, Any]]:
    """Steps completed per person per day (supervisors' view), newest day first."""
    until = until or timezone.localdate()
    since = until - timedelta(days=days - 1)
    rows = (
        DailyThroughput.objects.filter(project=project, day__gte=since, day__lte=until)
        .values("day", "actor__username", "step", "steps")
        .order_by("-day", "actor__username", "step")
    )
    return [
        {
            "day": row["day"],
            "user": row["actor__username"],
            "step": State(row["step"]).label if row["step"] in State.values else row["step"],
            "steps": row["steps"],
        }
        for row in rows
    ]
