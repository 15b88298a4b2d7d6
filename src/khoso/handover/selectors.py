"""Reads for the selection list, the copy log and the minutes: rows and totals, nothing rendered.

Estimated and counted figures stay apart (standards.md §7.1): the plan's estimate comes from shelf
metres and the project's factors; counted pages come from the files' metadata; scanned pages are
the page rows that exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import Count, QuerySet, Sum

from khoso.archive.models import ArchiveFile, Page, Vocabulary
from khoso.core.errors import WorkflowError
from khoso.handover.models import CopyRun, CopyTarget, FileCondition
from khoso.workflow.models import Project, ProjectFile
from khoso.workflow.selection import Candidate, candidates
from khoso.workflow.states import State


def conditions_for(file_ids: Any) -> dict[int, FileCondition]:
    return {c.file_id: c for c in FileCondition.objects.filter(file_id__in=file_ids)}


def candidates_for(*, project: Project, limit: int | None = 200) -> list[Candidate]:
    """Scored candidates of the project, using the survey notes recorded in this app."""
    files = ArchiveFile.objects.filter(fonds__in=project.fonds.all()).values("pk")
    return candidates(project, conditions=conditions_for(files), limit=limit)


def file_in_project_fonds(*, project: Project, file_id: int) -> ArchiveFile | None:
    return ArchiveFile.objects.filter(pk=file_id, fonds__in=project.fonds.all()).select_related("fonds").first()


def _period(archive_file: ArchiveFile) -> str:
    return f"{archive_file.start_date:%d/%m/%Y} - {archive_file.end_date:%d/%m/%Y}"


@dataclass
class SelectionRow:
    number: int
    file_code: str
    title: str
    period: str
    sheets: int | None
    pages: int
    maintenance: str
    priority: Any
    reasons: str

    def values(self) -> list[Any]:
        return [
            self.number,
            self.file_code,
            self.title,
            self.period,
            self.sheets if self.sheets is not None else "",
            self.pages,
            self.maintenance,
            float(self.priority),
            self.reasons,
        ]


@dataclass
class SelectionList:
    project: Project
    rows: list[SelectionRow]
    files: int
    sheets: int
    pages: int
    pages_estimated: int
    cost_estimated: int
    cost_listed: int


def selection_list(*, project: Project) -> SelectionList:
    """The danh mục hồ sơ lựa chọn số hóa, best priority first, with its totals."""
    items = ProjectFile.objects.filter(project=project).select_related("file").order_by("-priority", "file__file_code")
    terms = dict(Vocabulary.objects.filter(kind="maintenance").values_list("code", "label_vi"))
    rows = [
        SelectionRow(
            number=index,
            file_code=item.file.file_code,
            title=item.file.title,
            period=_period(item.file),
            sheets=item.file.number_of_paper,
            pages=item.file.number_of_page,
            maintenance=terms.get(item.file.maintenance, item.file.maintenance),
            priority=item.priority,
            reasons="; ".join(item.priority_reasons),
        )
        for index, item in enumerate(items, start=1)
    ]
    pages = sum(row.pages for row in rows)
    return SelectionList(
        project=project,
        rows=rows,
        files=len(rows),
        sheets=sum(row.sheets or 0 for row in rows),
        pages=pages,
        pages_estimated=project.planned_pages,
        cost_estimated=project.estimated_cost,
        cost_listed=pages * project.price_per_page,
    )


# -- copies ----------------------------------------------------------------------------------------


EXTENSIONS = {"image/tiff": ".tif", "image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}


@dataclass(frozen=True)
class ProductEntry:
    item_id: int
    relative: str  # inside the bag, e.g. data/UBND-DL/<file_code>/<file_code>.pdf
    sha256: str
    size: int

    @property
    def manifest_line(self) -> str:
        return f"{self.sha256}  {self.relative}"


def safe_name(component: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in component).strip(".")
    return cleaned or "_"


def product_entries(items: list[ProjectFile]) -> list[ProductEntry]:
    """The files of the product: each file's PDF/A and its pages' originals, under <fonds>/<file_code>/."""
    pages_of: dict[int, list[Page]] = {}
    pages = Page.objects.filter(file_id__in=[item.file_id for item in items]).select_related("original")
    for page in pages.order_by("file_id", "number"):
        pages_of.setdefault(page.file_id, []).append(page)
    entries: list[ProductEntry] = []
    for item in items:
        archive_file = item.file
        base = f"data/{safe_name(archive_file.fonds.code)}/{safe_name(archive_file.file_code)}"
        pdf = archive_file.pdf
        if pdf is None:
            raise WorkflowError(
                reason=f"hồ sơ {archive_file.file_code} chưa có bản PDF/A.",
                reason_en=f"file {archive_file.file_code} has no PDF/A yet.",
            )
        entries.append(ProductEntry(item.pk, f"{base}/{safe_name(archive_file.file_code)}.pdf", pdf.sha256, pdf.size))
        for page in pages_of.get(archive_file.pk, []):
            suffix = Path(page.original_name).suffix.lower() or EXTENSIONS.get(page.original.mime, ".bin")
            relative = f"{base}/trang/{page.number:04d}.{safe_name(suffix.lstrip('.'))}"
            entries.append(ProductEntry(item.pk, relative, page.original.sha256, page.original.size))
    return entries


def current_copies(items: list[ProjectFile]) -> list[CopyRun]:
    """Verified copies holding the current product of at least one of ``items``.

    A correction after copying (a page rescanned, hence a new PDF/A) leaves the earlier copies with the
    old product: they stay in the log, but neither count towards acceptance nor appear in the minutes.
    """
    items = list(
        ProjectFile.objects.filter(pk__in=[item.pk for item in items], file__pdf__isnull=False).select_related(
            "file__fonds", "file__pdf"
        )
    )
    products: dict[int, set[str]] = {}
    for entry in product_entries(items):
        products.setdefault(entry.item_id, set()).add(entry.manifest_line)
    runs = (
        CopyRun.objects.filter(items__in=items, status=CopyRun.Status.VERIFIED)
        .distinct()
        .select_related("target")
        .order_by("id")
    )
    current = []
    for run in runs:
        lines = set(run.manifest.splitlines())
        if any(product <= lines for product in products.values()):
            current.append(run)
    return current


def targets_of(*, project: Project) -> QuerySet[CopyTarget]:
    return CopyTarget.objects.filter(project=project).annotate(runs_count=Count("runs"))


def runs_of(*, project: Project) -> QuerySet[CopyRun]:
    return (
        CopyRun.objects.filter(target__project=project)
        .select_related("target", "by")
        .annotate(items_count=Count("items"))
    )


def run_get(*, project: Project, run_id: int) -> CopyRun | None:
    return CopyRun.objects.filter(pk=run_id, target__project=project).select_related("target").first()


# -- minutes ---------------------------------------------------------------------------------------

ACCEPTANCE = "nghiem_thu"
HANDOVER = "ban_giao"
MINUTES_STATES = {
    ACCEPTANCE: (State.NGHIEM_THU, State.BAN_GIAO),
    HANDOVER: (State.BAN_GIAO,),
}
MINUTES_NAMES = {ACCEPTANCE: "biên bản nghiệm thu", HANDOVER: "biên bản bàn giao"}


def minutes_items(*, project: Project, kind: str, item_ids: list[int] | None = None) -> list[ProjectFile]:
    """The files a minutes covers: the whole project, or the chosen batch, all at the right step.

    Acceptance minutes need every file at NGHIEM_THU or BAN_GIAO; handover minutes need BAN_GIAO.
    """
    chosen = ProjectFile.objects.filter(project=project).select_related("file", "file__fonds")
    if item_ids:
        chosen = chosen.filter(pk__in=item_ids)
    items = list(chosen.order_by("file__file_code"))
    name = MINUTES_NAMES[kind]
    if not items:
        raise WorkflowError(reason=f"chưa có hồ sơ nào để lập {name}.", reason_en="no file for the minutes.")
    waiting = [item for item in items if item.state not in MINUTES_STATES[kind]]
    if waiting:
        shown = ", ".join(f"{item.file.file_code} ({item.get_state_display()})" for item in waiting[:5])
        more = f" và {len(waiting) - 5} hồ sơ khác" if len(waiting) > 5 else ""
        steps = " hoặc ".join(f"«{state.label}»" for state in MINUTES_STATES[kind])
        raise WorkflowError(
            reason=f"chưa lập được {name}: {len(waiting)} hồ sơ chưa ở bước {steps}: {shown}{more}.",
            reason_en=f"{len(waiting)} files are not yet at the step the minutes need.",
        )
    return items


@dataclass
class MinutesTotals:
    files: int
    documents: int
    sheets: int
    pages_counted: int
    pages_scanned: int
    pages_estimated: int
    cost_scanned: int
    copies: list[CopyRun] = field(default_factory=list)


def minutes_totals(*, project: Project, items: list[ProjectFile]) -> MinutesTotals:
    file_ids = [item.file_id for item in items]
    sums = ArchiveFile.objects.filter(pk__in=file_ids).aggregate(
        documents=Sum("total_doc"), sheets=Sum("number_of_paper"), pages=Sum("number_of_page")
    )
    scanned = Page.objects.filter(file_id__in=file_ids).count()
    copies = current_copies(items)
    return MinutesTotals(
        files=len(items),
        documents=sums["documents"] or 0,
        sheets=sums["sheets"] or 0,
        pages_counted=sums["pages"] or 0,
        pages_scanned=scanned,
        pages_estimated=project.planned_pages,
        cost_scanned=scanned * project.price_per_page,
        copies=copies,
    )


def scanned_pages_by_file(file_ids: list[int]) -> dict[int, int]:
    rows = Page.objects.filter(file_id__in=file_ids).values("file_id").annotate(n=Count("id"))
    return {row["file_id"]: row["n"] for row in rows}


def minutes_ready(*, project: Project) -> dict[str, bool]:
    """Whether each kind of minutes can be printed for the whole project now."""
    states = set(ProjectFile.objects.filter(project=project).values_list("state", flat=True).distinct())
    return {kind: bool(states) and states <= set(allowed) for kind, allowed in MINUTES_STATES.items()}
