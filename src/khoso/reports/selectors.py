"""Figures for the director, the province and the Ministry (standards.md §7): plain dataclasses.

Everything is an aggregate: a province holds ten million pages, so each figure comes from a handful of
grouped queries (per fonds, per project, per plan year, per day), never from a loop over files or
pages. The REST API serialises these dataclasses as they are.

Two rules shape the numbers:

- **Estimated and counted are both kept.** Holdings are estimated from shelf metres (5,000 pages per
  metre) and counted from the described files; a plan line keeps its metres and, once counted, its
  pages; a project keeps its own factors (pages per metre, VND per page). Nothing counted overwrites
  an estimate: both are reported.
- **The targets' denominator leaves out withheld material** (§7.2): mode 03, documents with a state
  secret class, and whatever the restricted-use list holds today. ``≥ 30 %`` counts digitized pages of
  the rest, ``≥ 80 %`` its pages described with metadata (catalogued, so published online). The base of
  a fonds is its counted pages, or its estimate while the counting is behind the estimate. By metres,
  a fonds's pages convert at its own ratio (metres ÷ base), so overall shares by metres weigh each
  fonds by its shelf extent and shares by pages by its pages.

Deny by default: a user needs ``reports.view_dashboard`` (an administrator has it) and sees only the
fonds granted to them, and only the projects all of whose fonds they see.

The fonds of a Party archive (``khoso.archive.profiles``) are also listed by their group of the Party fonds
list (QĐ 270-QĐ/TW), with their documents counted by độ mật and by loại bản: two grouped queries more.
"""

from __future__ import annotations

import calendar
from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, DateField, Exists, F, Func, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from khoso.access.selectors import SECRET, RestrictedSet, restricted_now, visible_fonds_ids
from khoso.archive import profiles
from khoso.archive.models import ArchiveFile, Document, Fonds, Page, Vocabulary, VocabularyKind
from khoso.backup.models import BackupLog, Outcome
from khoso.core.workdays import holidays_from_settings, is_working_day
from khoso.deadlines.rules import annual_report_due
from khoso.preservation.models import AuditRun, Replica, StorageLocation
from khoso.preservation.selectors import under_replicated_count
from khoso.reports.models import PlanLine, PlanYear
from khoso.storage.models import StoredObject
from khoso.workflow.models import PAGES_PER_METRE, Project, ProjectFile
from khoso.workflow.states import State

PERMISSION = "reports.view_dashboard"
TARGET_DIGITIZED = 30
TARGET_DESCRIBED = 80
PERMANENT = "01"  # TT05 maintenance code of permanent retention (vĩnh viễn)


class _System:
    """The operator at the command line: sees every fonds (the CLI runs on the server itself)."""

    is_authenticated = True
    is_active = True
    is_superuser = True

    def has_perm(self, permission: str) -> bool:
        return True


SYSTEM = _System()


def can_view(user: Any) -> bool:
    """Whether ``user`` may open the dashboard and the reports at all."""
    if user is SYSTEM:
        return True
    return bool(user is not None and user.is_authenticated and user.is_active and user.has_perm(PERMISSION))


def _scope(user: Any) -> set[int] | None:
    """Fonds ids the user's figures cover; ``None`` means all."""
    if user is SYSTEM:
        return None
    if not can_view(user):
        return set()
    return visible_fonds_ids(user)


def _in_scope(queryset: QuerySet, scope: set[int] | None, field_name: str) -> QuerySet:
    return queryset if scope is None else queryset.filter(**{f"{field_name}__in": scope})


def _share(part: float | Decimal | int, whole: float | Decimal | int) -> float:
    """A percentage with one decimal (0 when there is nothing to share)."""
    return round(100 * float(part) / float(whole), 1) if whole else 0.0


def _pages(metres: Decimal, per_metre: int) -> int:
    return int((metres * per_metre).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# -- fonds -------------------------------------------------------------------------------------------


class _TargetShares:
    """The two targets' shares (digitized ≥ 30 %, described ≥ 80 % of the open material), by pages and by
    metres, of whatever holds the open, digitized and described pages and metres: one fonds or the total."""

    if TYPE_CHECKING:  # fields of one subclass, properties of the other; only declared for the type checker

        @property
        def pages_open(self) -> int: ...
        @property
        def pages_digitized_open(self) -> int: ...
        @property
        def pages_described_open(self) -> int: ...
        @property
        def metres_open(self) -> Decimal: ...
        @property
        def metres_digitized_open(self) -> Decimal: ...
        @property
        def metres_described_open(self) -> Decimal: ...

    @property
    def digitized_share_pages(self) -> float:
        return _share(self.pages_digitized_open, self.pages_open)

    @property
    def digitized_share_metres(self) -> float:
        return _share(self.metres_digitized_open, self.metres_open)

    @property
    def described_share_pages(self) -> float:
        return _share(self.pages_described_open, self.pages_open)

    @property
    def described_share_metres(self) -> float:
        return _share(self.metres_described_open, self.metres_open)


@dataclass
class FondsFigures(_TargetShares):
    """One fonds: its extent, its pages estimated and counted, what is withheld, digitized and described."""

    fonds_id: int
    code: str
    name: str
    metres: Decimal
    pages_estimated: int
    pages_counted: int = 0
    pages_withheld: int = 0  # counted pages in mode 03, with a secret class, or on the restricted list
    pages_digitized: int = 0  # scanned pages done, all material
    pages_digitized_open: int = 0  # of them, outside the withheld material
    files: int = 0
    files_withheld: int = 0
    files_permanent: int = 0
    documents: int = 0
    pages_digitized_in_year: int = 0

    @property
    def pages_base(self) -> int:
        """The fonds's size in pages: counted, or the estimate while counting is behind it."""
        return max(self.pages_counted, self.pages_estimated)

    @property
    def pages_open(self) -> int:
        """The targets' denominator in pages: the base without withheld material."""
        return max(self.pages_base - self.pages_withheld, 0)

    @property
    def pages_described_open(self) -> int:
        """Pages of open material described (catalogued, so its metadata is online)."""
        return max(self.pages_counted - self.pages_withheld, 0)

    @property
    def files_limited(self) -> int:
        return self.files - self.files_permanent

    def _metres_of(self, pages: int) -> Decimal:
        base = self.pages_base
        return self.metres * pages / base if base else Decimal(0)

    @property
    def metres_open(self) -> Decimal:
        return self._metres_of(self.pages_open)

    @property
    def metres_digitized_open(self) -> Decimal:
        return self._metres_of(self.pages_digitized_open)

    @property
    def metres_described_open(self) -> Decimal:
        return self._metres_of(self.pages_described_open)


@dataclass
class HoldingTotals(_TargetShares):
    """The sum over the fonds a user sees, with the two targets by pages and by metres."""

    fonds: int
    metres: Decimal
    pages_estimated: int
    pages_counted: int
    pages_withheld: int
    pages_open: int
    pages_digitized: int
    pages_digitized_open: int
    pages_described_open: int
    metres_open: Decimal
    metres_digitized_open: Decimal
    metres_described_open: Decimal
    files: int
    files_permanent: int
    documents: int
    pages_digitized_in_year: int = 0
    target_digitized: int = TARGET_DIGITIZED
    target_described: int = TARGET_DESCRIBED

    @property
    def digitized_target_met(self) -> bool:
        return self.digitized_share_pages >= self.target_digitized

    @property
    def described_target_met(self) -> bool:
        return self.described_share_pages >= self.target_described


def _withheld_file(restricted: RestrictedSet, prefix: str = "") -> Q:
    """Files (reached through ``prefix``) left out of the targets: mode 03 or on the restricted list."""
    return (
        Q(**{f"{prefix}mode": SECRET})
        | Q(**{f"{prefix}pk__in": restricted.file_ids})
        | Q(**{f"{prefix}fonds_id__in": restricted.fonds_ids})
    )


def _withheld_document(restricted: RestrictedSet, prefix: str = "") -> Q:
    """Documents left out: mode 03, any secret class, or on the restricted list."""
    return (
        Q(**{f"{prefix}mode": SECRET})
        | Q(**{f"{prefix}secret_class__gt": ""})
        | Q(**{f"{prefix}pk__in": restricted.document_ids})
    )


def fonds_figures(*, user: Any, year: int | None = None, today: date | None = None) -> list[FondsFigures]:
    """Per fonds the user sees, in code order: five grouped queries whatever the number of pages.

    ``year`` adds the pages digitized during that year."""
    scope = _scope(user)
    if scope is not None and not scope:
        return []
    restricted = restricted_now(today)
    rows = {
        row["pk"]: FondsFigures(
            fonds_id=row["pk"],
            code=row["code"],
            name=row["name"],
            metres=row["paper_total"],
            pages_estimated=_pages(row["paper_total"], PAGES_PER_METRE),
        )
        for row in _in_scope(Fonds.objects.all(), scope, "pk")
        .order_by("code")
        .values("pk", "code", "name", "paper_total")
    }
    withheld_file = _withheld_file(restricted)
    files = _in_scope(ArchiveFile.objects.filter(deleted_at__isnull=True), scope, "fonds_id")
    for row in (
        files.values("fonds_id")
        .annotate(
            n=Count("pk"),
            sum_pages=Sum("number_of_page"),
            n_withheld=Count("pk", filter=withheld_file),
            pages_withheld=Sum("number_of_page", filter=withheld_file),
            n_permanent=Count("pk", filter=Q(maintenance=PERMANENT)),
        )
        .order_by()
    ):
        figures = rows[row["fonds_id"]]
        figures.files, figures.files_withheld, figures.files_permanent = row["n"], row["n_withheld"], row["n_permanent"]
        figures.pages_counted = row["sum_pages"] or 0
        figures.pages_withheld = row["pages_withheld"] or 0
    documents = _in_scope(
        Document.objects.filter(deleted_at__isnull=True, file__deleted_at__isnull=True), scope, "file__fonds_id"
    )
    withheld_in_open_file = _withheld_document(restricted) & ~_withheld_file(restricted, "file__")
    for row in (
        documents.values("file__fonds_id")
        .annotate(n=Count("pk"), pages_withheld=Sum("number_of_page", filter=withheld_in_open_file))
        .order_by()
    ):
        figures = rows[row["file__fonds_id"]]
        figures.documents = row["n"]
        figures.pages_withheld += row["pages_withheld"] or 0
    pages = _in_scope(
        Page.objects.filter(file__deleted_at__isnull=True, stage=Page.Stage.DONE), scope, "file__fonds_id"
    )
    withheld_page = _withheld_file(restricted, "file__") | (
        Q(document__isnull=False) & _withheld_document(restricted, "document__")
    )
    extra: dict[str, Any] = {}
    if year is not None:
        extra["in_year"] = Count("pk", filter=Q(created_at__year=year))
    for row in (
        pages.values("file__fonds_id")
        .annotate(n=Count("pk"), n_withheld=Count("pk", filter=withheld_page), **extra)
        .order_by()
    ):
        figures = rows[row["file__fonds_id"]]
        figures.pages_digitized = row["n"]
        figures.pages_digitized_open = row["n"] - row["n_withheld"]
        figures.pages_digitized_in_year = row.get("in_year", 0)
    return list(rows.values())


def holding_totals(figures: list[FondsFigures]) -> HoldingTotals:
    """The sum of per-fonds figures (the shares are recomputed from the sums, never averaged)."""
    return HoldingTotals(
        fonds=len(figures),
        metres=sum((f.metres for f in figures), Decimal(0)),
        pages_estimated=sum(f.pages_estimated for f in figures),
        pages_counted=sum(f.pages_counted for f in figures),
        pages_withheld=sum(f.pages_withheld for f in figures),
        pages_open=sum(f.pages_open for f in figures),
        pages_digitized=sum(f.pages_digitized for f in figures),
        pages_digitized_open=sum(f.pages_digitized_open for f in figures),
        pages_described_open=sum(f.pages_described_open for f in figures),
        metres_open=sum((f.metres_open for f in figures), Decimal(0)),
        metres_digitized_open=sum((f.metres_digitized_open for f in figures), Decimal(0)),
        metres_described_open=sum((f.metres_described_open for f in figures), Decimal(0)),
        files=sum(f.files for f in figures),
        files_permanent=sum(f.files_permanent for f in figures),
        documents=sum(f.documents for f in figures),
        pages_digitized_in_year=sum(f.pages_digitized_in_year for f in figures),
    )


@dataclass
class PartyFondsGroup:
    """One group of the Party fonds list (QĐ 270-QĐ/TW) with the Party archives' fonds filed under it."""

    code: str
    label: str
    fonds: list[FondsFigures]
    totals: HoldingTotals
    #: documents per secret class code ("" = not secret) and per copy type code ("" = not stated)
    by_secret_class: dict[str, int] = field(default_factory=dict)
    by_copy_type: dict[str, int] = field(default_factory=dict)


@dataclass
class PartyStatistics:
    """The Party archives' part of the fonds statistics: groups in the list's order, and the columns of
    the two document counts (code, label), every code of the vocabulary and then "" (none given)."""

    groups: list[PartyFondsGroup]
    secret_classes: list[tuple[str, str]]
    copy_types: list[tuple[str, str]]
    #: fonds id → documents per code, for the per-fonds lines
    secret_by_fonds: dict[int, dict[str, int]] = field(default_factory=dict)
    copy_by_fonds: dict[int, dict[str, int]] = field(default_factory=dict)


@dataclass
class FondsStatistics:
    """The fonds statistics list (TT02/TT05 counts kept live)."""

    generated_on: date
    fonds: list[FondsFigures]
    totals: HoldingTotals
    party: PartyStatistics | None = None  # when the user sees fonds of a Party archive


NOT_SECRET = ("", "Không mật")
COPY_NOT_STATED = ("", "Chưa ghi loại bản")
UNGROUPED = "Chưa xếp nhóm"


def _labels(kind: str) -> list[tuple[str, str]]:
    return list(Vocabulary.objects.filter(kind=kind).order_by("position", "code").values_list("code", "label_vi"))


def _counts_by(documents: QuerySet, field_name: str) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = {}
    for row in documents.values("file__fonds_id", field_name).annotate(n=Count("pk")).order_by():
        found.setdefault(row["file__fonds_id"], {})[row[field_name]] = row["n"]
    return found


def _summed(counts: list[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for each in counts:
        for code, n in each.items():
            total[code] = total.get(code, 0) + n
    return total


def party_statistics(figures: list[FondsFigures]) -> PartyStatistics | None:
    """The Party archives' fonds among ``figures`` by group of the Party fonds list, with their documents
    by độ mật and by loại bản; None when none of them belongs to a Party archive."""
    party_fonds = dict(
        Fonds.objects.filter(
            pk__in=[figure.fonds_id for figure in figures], institution__profile=profiles.PARTY
        ).values_list("pk", "party_group")
    )
    if not party_fonds:
        return None
    documents = Document.objects.filter(
        deleted_at__isnull=True, file__deleted_at__isnull=True, file__fonds_id__in=list(party_fonds)
    )
    secret_by_fonds = _counts_by(documents, "secret_class")
    copy_by_fonds = _counts_by(documents, "original_status")
    listed = _labels(VocabularyKind.PARTY_FONDS)
    known = {code for code, _ in listed}
    groups = []
    for code, label in [*listed, ("", UNGROUPED)]:
        members = [f for f in figures if f.fonds_id in party_fonds and (party_fonds[f.fonds_id] or "") == code]
        if code == "":
            members += [f for f in figures if party_fonds.get(f.fonds_id) not in (None, "", *known)]
        if not members:
            continue
        groups.append(
            PartyFondsGroup(
                code=code,
                label=label,
                fonds=members,
                totals=holding_totals(members),
                by_secret_class=_summed([secret_by_fonds.get(f.fonds_id, {}) for f in members]),
                by_copy_type=_summed([copy_by_fonds.get(f.fonds_id, {}) for f in members]),
            )
        )
    return PartyStatistics(
        groups=groups,
        secret_classes=[*_labels(VocabularyKind.SECRET_CLASS), NOT_SECRET],
        copy_types=[*_labels(VocabularyKind.ORIGINAL_STATUS), COPY_NOT_STATED],
        secret_by_fonds=secret_by_fonds,
        copy_by_fonds=copy_by_fonds,
    )


def fonds_statistics(*, user: Any, today: date | None = None) -> FondsStatistics:
    figures = fonds_figures(user=user, today=today)
    return FondsStatistics(
        generated_on=today or timezone.localdate(),
        fonds=figures,
        totals=holding_totals(figures),
        party=party_statistics(figures),
    )


# -- projects and their yearly plans -----------------------------------------------------------------


@dataclass
class PlanYearFigures:
    """One year of a project's plan: metres, pages estimated and counted apart, cost and budget."""

    project_id: int
    project_code: str
    year: int
    lines: int
    fonds: int
    metres: Decimal
    pages_estimated: int  # every line's metres × the project's pages per metre
    pages_counted: int | None  # the lines counted so far (None: none counted)
    pages_planned: int  # counted where counted, estimated elsewhere
    price_per_page: int
    budget_vnd: int | None

    @property
    def cost_planned(self) -> int:
        return self.pages_planned * self.price_per_page

    @property
    def budget(self) -> int:
        """The allocated budget, or pages × unit price when none was entered."""
        return self.budget_vnd if self.budget_vnd is not None else self.cost_planned

    @property
    def pages_per_metre(self) -> int:
        """The year's actual ratio (pages planned ÷ metres), e.g. ≈ 6,709 in seed 000."""
        return int((self.pages_planned / self.metres).quantize(Decimal(1), ROUND_HALF_UP)) if self.metres else 0

    @property
    def vnd_per_page(self) -> int:
        """The year's actual unit cost (budget ÷ pages planned), e.g. ≈ 6,497 in 2024 of seed 000."""
        if not self.pages_planned:
            return 0
        return int((Decimal(self.budget) / self.pages_planned).quantize(Decimal(1), ROUND_HALF_UP))


class _PlanSums:
    """Totals over ``plan`` (plan years), shared by a project's figures and the annual report."""

    plan: list[PlanYearFigures]

    @property
    def plan_metres(self) -> Decimal:
        return sum((year.metres for year in self.plan), Decimal(0))

    @property
    def plan_pages_estimated(self) -> int:
        return sum(year.pages_estimated for year in self.plan)

    @property
    def plan_pages_planned(self) -> int:
        return sum(year.pages_planned for year in self.plan)


@dataclass
class ProjectFigures(_PlanSums):
    """One project: its targets (own factors), its yearly plan, its progress, quality and cost to date."""

    project_id: int
    code: str
    name: str
    status: str
    year_from: int
    year_to: int
    target_metres: Decimal
    pages_per_metre: int
    price_per_page: int
    pages_estimated: int
    pages_planned: int
    cost_estimated: int
    budget_vnd: int | None
    files: int = 0
    files_done: int = 0
    pages_counted_files: int = 0  # number_of_page of the files selected (counted at cataloguing)
    pages_scanned: int = 0
    pages_qc_failed: int = 0
    pages_rescan: int = 0
    plan: list[PlanYearFigures] = field(default_factory=list)
    plan_fonds: int = 0

    @property
    def cost_to_date(self) -> int:
        return self.pages_scanned * self.price_per_page

    @property
    def budget(self) -> int:
        if self.budget_vnd is not None:
            return self.budget_vnd
        if self.plan:
            return sum(year.budget for year in self.plan)
        return self.cost_estimated

    @property
    def plan_pages_counted(self) -> int | None:
        counted = [year.pages_counted for year in self.plan if year.pages_counted is not None]
        return sum(counted) if counted else None

    @property
    def plan_cost(self) -> int:
        return sum(year.cost_planned for year in self.plan)

    @property
    def plan_budget(self) -> int:
        return sum(year.budget for year in self.plan)

    @property
    def pages_per_metre_actual(self) -> int:
        metres = self.plan_metres
        return int((self.plan_pages_planned / metres).quantize(Decimal(1), ROUND_HALF_UP)) if metres else 0

    @property
    def vnd_per_page_actual(self) -> int:
        pages = self.plan_pages_planned
        return int((Decimal(self.plan_budget) / pages).quantize(Decimal(1), ROUND_HALF_UP)) if pages else 0

    @property
    def progress_share(self) -> float:
        """Pages scanned against the pages planned."""
        return _share(self.pages_scanned, self.plan_pages_planned or self.pages_planned)

    @property
    def spent_share(self) -> float:
        return _share(self.cost_to_date, self.budget)

    @property
    def qc_failure_rate(self) -> float:
        return _share(self.pages_qc_failed, self.pages_scanned)

    @property
    def rescan_rate(self) -> float:
        return _share(self.pages_rescan, self.pages_scanned)


def projects_visible(user: Any) -> QuerySet[Project]:
    """Projects whose every fonds the user sees (a shared project would leak the other fonds)."""
    scope = _scope(user)
    projects = Project.objects.all()
    if scope is None:
        return projects
    if not scope:
        return projects.none()
    return projects.exclude(fonds__in=Fonds.objects.exclude(pk__in=scope)).filter(fonds__isnull=False).distinct()


def plan_year_figures(projects: QuerySet[Project], *, year: int | None = None) -> list[PlanYearFigures]:
    """Every plan year of ``projects`` (or only ``year``), one grouped query."""
    lines = PlanLine.objects.filter(plan_year__project__in=projects)
    if year is not None:
        lines = lines.filter(plan_year__year=year)
    rows = (
        lines.values(
            "plan_year__project_id",
            "plan_year__project__code",
            "plan_year__project__pages_per_metre",
            "plan_year__project__price_per_page",
            "plan_year__year",
            "plan_year__budget_vnd",
        )
        .annotate(
            n_lines=Count("pk"),
            n_fonds=Count("fonds", distinct=True),
            sum_metres=Sum("metres"),
            sum_metres_uncounted=Sum("metres", filter=Q(pages_counted__isnull=True)),
            sum_counted=Sum("pages_counted"),
        )
        .order_by("plan_year__project__code", "plan_year__year")
    )
    result = []
    for row in rows:
        per_metre = row["plan_year__project__pages_per_metre"]
        metres = row["sum_metres"] or Decimal(0)
        counted = row["sum_counted"]
        result.append(
            PlanYearFigures(
                project_id=row["plan_year__project_id"],
                project_code=row["plan_year__project__code"],
                year=row["plan_year__year"],
                lines=row["n_lines"],
                fonds=row["n_fonds"],
                metres=metres,
                pages_estimated=_pages(metres, per_metre),
                pages_counted=counted,
                pages_planned=(counted or 0) + _pages(row["sum_metres_uncounted"] or Decimal(0), per_metre),
                price_per_page=row["plan_year__project__price_per_page"],
                budget_vnd=row["plan_year__budget_vnd"],
            )
        )
    return result


def project_figures(*, user: Any, year: int | None = None) -> list[ProjectFigures]:
    """Every project the user sees; ``year`` keeps the projects running that year and that year's plan."""
    projects = projects_visible(user)
    if year is not None:
        projects = projects.filter(year_from__lte=year, year_to__gte=year)
    figures = {
        project.pk: ProjectFigures(
            project_id=project.pk,
            code=project.code,
            name=project.name,
            status=project.get_status_display(),
            year_from=project.year_from,
            year_to=project.year_to,
            target_metres=project.target_metres,
            pages_per_metre=project.pages_per_metre,
            price_per_page=project.price_per_page,
            pages_estimated=project.estimated_pages,
            pages_planned=project.planned_pages,
            cost_estimated=project.estimated_cost,
            budget_vnd=project.budget_vnd,
        )
        for project in projects.order_by("code")
    }
    if not figures:
        return []
    for row in (
        ProjectFile.objects.filter(project_id__in=figures)
        .values("project_id")
        .annotate(
            n=Count("pk"), done=Count("pk", filter=Q(state=State.BAN_GIAO)), sum_pages=Sum("file__number_of_page")
        )
        .order_by()
    ):
        project = figures[row["project_id"]]
        project.files, project.files_done, project.pages_counted_files = row["n"], row["done"], row["sum_pages"] or 0
    plan_fonds = (
        PlanLine.objects.filter(plan_year__project_id__in=figures)
        .values("plan_year__project_id")
        .annotate(n=Count("fonds", distinct=True))
        .order_by()
    )
    for fonds_row in plan_fonds:
        figures[fonds_row["plan_year__project_id"]].plan_fonds = fonds_row["n"]
    for plan in plan_year_figures(Project.objects.filter(pk__in=figures), year=year):
        figures[plan.project_id].plan.append(plan)
    # Pages are reached from a project only through its files; one indexed aggregate per project
    # (projects are few) rather than a join of every page with every project.
    for project_id, project in figures.items():
        counts = Page.objects.filter(
            file__in=ProjectFile.objects.filter(project_id=project_id).values("file_id"), stage=Page.Stage.DONE
        ).aggregate(
            scanned=Count("pk"),
            failed=Count("pk", filter=Q(qc_passed=False)),
            rescan=Count("pk", filter=Q(needs_rescan=True)),
        )
        project.pages_scanned, project.pages_qc_failed, project.pages_rescan = (
            counts["scanned"],
            counts["failed"],
            counts["rescan"],
        )
    return list(figures.values())


# -- throughput ------------------------------------------------------------------------------------


@dataclass
class DayThroughput:
    day: date
    pages: int
    planned: int
    working_day: bool


def _working_days(year: int, holidays: Container[date]) -> int:
    days = 366 if calendar.isleap(year) else 365
    start = date(year, 1, 1)
    return sum(is_working_day(start + timedelta(days=n), holidays=holidays) for n in range(days))


def planned_pages_per_day(*, user: Any, year: int) -> int:
    """The plan's pace: pages planned for ``year`` (plan years, else each running project's estimate
    spread over its years) divided by the year's working days."""
    projects = projects_visible(user).filter(year_from__lte=year, year_to__gte=year)
    planned = {plan.project_id: plan.pages_planned for plan in plan_year_figures(projects, year=year)}
    for project in projects.exclude(pk__in=planned):
        planned[project.pk] = project.planned_pages // (project.year_to - project.year_from + 1)
    working = _working_days(year, holidays_from_settings())
    return round(sum(planned.values()) / working) if working else 0


def _local_day(field_name: str, moment: datetime) -> Any:
    """The local calendar day of a timestamp column, computed inside the database.

    On SQLite Django truncates through a Python function called once per row (seconds for a month of
    a province's pages); SQLite's own ``date()`` with the zone's offset does it natively. Vietnam keeps
    one offset all year, so the offset at ``moment`` holds for the whole window.
    """
    if connection.vendor != "sqlite":
        return TruncDate(field_name)
    offset = timezone.localtime(moment).utcoffset() or timedelta(0)
    return Func(
        F(field_name), Value(f"{int(offset.total_seconds()):+d} seconds"), function="date", output_field=DateField()
    )


def throughput(*, user: Any, days: int = 30, until: date | None = None) -> list[DayThroughput]:
    """Pages digitized per day over the last ``days`` days, oldest first, against the plan's pace."""
    scope = _scope(user)
    until = until or timezone.localdate()
    since = until - timedelta(days=days - 1)
    counts: dict[date, int] = {}
    if scope is None or scope:
        pages = _in_scope(Page.objects.filter(stage=Page.Stage.DONE), scope, "file__fonds_id")
        start = timezone.make_aware(datetime.combine(since, datetime.min.time()))
        end = timezone.make_aware(datetime.combine(until + timedelta(days=1), datetime.min.time()))
        rows = (
            pages.filter(created_at__gte=start, created_at__lt=end)
            .annotate(day=_local_day("created_at", start))
            .values("day")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counts = {row["day"]: row["n"] for row in rows}
    holidays = holidays_from_settings()
    pace = {year: planned_pages_per_day(user=user, year=year) for year in {since.year, until.year}}
    result = []
    for n in range(days):
        day = since + timedelta(days=n)
        working = is_working_day(day, holidays=holidays)
        result.append(
            DayThroughput(
                day=day, pages=counts.get(day, 0), planned=pace[day.year] if working else 0, working_day=working
            )
        )
    return result


# -- preservation ----------------------------------------------------------------------------------


@dataclass
class PreservationFigures:
    """Backup, fixity and copies (standards.md §7.2 preservation KPIs)."""

    last_full_backup: datetime | None
    last_incremental_backup: datetime | None
    daily_backup_ok: bool  # a backup finished today or yesterday
    monthly_full_ok: bool  # a full backup within the last 31 days
    last_audit_at: datetime | None
    last_audit_healthy: bool | None
    objects: int
    objects_checked_recently: int  # with a copy checked within KHOSO_FIXITY_FULL_PASS_DAYS
    fixity_window_days: int
    min_copies: int
    locations: int
    under_replicated: int

    @property
    def checked_share(self) -> float:
        return _share(self.objects_checked_recently, self.objects)


def preservation_figures(*, now: datetime | None = None) -> PreservationFigures:
    now = now or timezone.now()
    ok = BackupLog.objects.filter(outcome=Outcome.OK, finished_at__isnull=False)
    last = {
        kind: ok.filter(kind=kind).order_by("-finished_at").values_list("finished_at", flat=True).first()
        for kind in (BackupLog.Kind.FULL, BackupLog.Kind.INCREMENTAL)
    }
    latest = max((moment for moment in last.values() if moment), default=None)
    today = timezone.localdate(now)
    audit = AuditRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
    window = int(settings.KHOSO_FIXITY_FULL_PASS_DAYS)
    recent = Replica.objects.filter(stored_object=OuterRef("pk"), last_checked_at__gte=now - timedelta(days=window))
    full = last[BackupLog.Kind.FULL]
    return PreservationFigures(
        last_full_backup=full,
        last_incremental_backup=last[BackupLog.Kind.INCREMENTAL],
        daily_backup_ok=bool(latest and timezone.localdate(latest) >= today - timedelta(days=1)),
        monthly_full_ok=bool(full and full >= now - timedelta(days=31)),
        last_audit_at=audit.finished_at if audit else None,
        last_audit_healthy=audit.healthy if audit else None,
        objects=StoredObject.objects.count(),
        objects_checked_recently=StoredObject.objects.filter(Exists(recent)).count(),
        fixity_window_days=window,
        min_copies=int(settings.KHOSO_MIN_COPIES),
        locations=StorageLocation.objects.filter(active=True).count(),
        under_replicated=under_replicated_count(),
    )


# -- the dashboard and the annual report ---------------------------------------------------------------


@dataclass
class DirectorDashboard:
    generated_on: date
    totals: HoldingTotals
    fonds: list[FondsFigures]
    projects: list[ProjectFigures]
    throughput: list[DayThroughput]
    preservation: PreservationFigures

    @property
    def pages_last_week(self) -> int:
        return sum(day.pages for day in self.throughput[-7:])

    @property
    def planned_last_week(self) -> int:
        return sum(day.planned for day in self.throughput[-7:])


def director_dashboard(*, user: Any, days: int = 30, today: date | None = None) -> DirectorDashboard:
    today = today or timezone.localdate()
    figures = fonds_figures(user=user, today=today)
    return DirectorDashboard(
        generated_on=today,
        totals=holding_totals(figures),
        fonds=figures,
        projects=project_figures(user=user),
        throughput=throughput(user=user, days=days, until=today),
        preservation=preservation_figures(),
    )


@dataclass
class AnnualReport(_PlanSums):
    """The yearly report to the Ministry and the province (due before 15 December)."""

    year: int
    generated_on: date
    totals: HoldingTotals
    fonds: list[FondsFigures]
    projects: list[ProjectFigures]
    plan: list[PlanYearFigures]
    preservation: PreservationFigures

    @property
    def due(self) -> date:
        """The last working day before 15 December (the deadlines board counts the same way)."""
        return annual_report_due(self.year, holidays=holidays_from_settings())

    @property
    def plan_budget(self) -> int:
        return sum(year.budget for year in self.plan)

    @property
    def plan_fonds(self) -> int:
        return sum(year.fonds for year in self.plan)


def annual_report(*, year: int, user: Any, today: date | None = None) -> AnnualReport:
    today = today or timezone.localdate()
    figures = fonds_figures(user=user, year=year, today=today)
    projects = project_figures(user=user, year=year)
    plan = [year_figures for project in projects for year_figures in project.plan]
    return AnnualReport(
        year=year,
        generated_on=today,
        totals=holding_totals(figures),
        fonds=figures,
        projects=projects,
        plan=plan,
        preservation=preservation_figures(),
    )


def plan_years_of(project: Project) -> QuerySet[PlanYear]:
    return PlanYear.objects.filter(project=project).prefetch_related("lines")
