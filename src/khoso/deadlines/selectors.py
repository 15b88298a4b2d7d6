"""Every deadline a person may see, gathered from the apps that hold the facts, soonest first.

Each kind is read where its facts live and scoped exactly as that app scopes it (deny by default):

- nộp lưu vào lưu trữ lịch sử: permanent files (maintenance 01) of an agency archive
  (``KHOSO_ARCHIVE_ROLE=co_quan``) with no SIP exported yet; seen by whoever keeps the fonds (a grant with
  ``can_edit``) and may see the file (``access.restrict``);
- nộp lưu vào lưu trữ cơ quan (NĐ 30 Đ30): files of an agency archive whose arrival date is not recorded yet,
  due 1 year after their work ended (3 months after a construction project's settlement); same scope;
- báo cáo năm: this year's report until a :class:`ReportSubmission` records it; ``reports.view_dashboard``;
- yêu cầu khai thác: ``readers.selectors.request_queue`` and the ``due_date`` fixed on each request;
  ``readers.change_readerrequest``, on the fonds the staff member sees;
- bản sao, kiểm tra toàn vẹn, vật mang tin: preservation's replicas and checks (``KHOSO_MIN_COPIES``,
  ``KHOSO_FIXITY_FULL_PASS_DAYS``) and :class:`StorageMedium`; ``preservation.manage_preservation``;
- sao lưu: the backup log; ``backup.view_backuplog``.

A reader holds none of these rights and no fonds: they see nothing, and the board answers 403.
Dates come from :mod:`khoso.deadlines.rules`; the state from the kind's warning window
(``KHOSO_DEADLINE_WARNING_DAYS`` over the defaults of :data:`rules.KINDS`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Container
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from khoso.access.selectors import Actor, editable_fonds_ids, is_reader_only, restrict
from khoso.archive.models import ArchiveFile, Fonds
from khoso.core.workdays import holidays_from_settings
from khoso.deadlines import rules
from khoso.deadlines.models import ReportSubmission, StorageMedium
from khoso.deadlines.rules import Kind, State

PERMANENT = "01"  # TT05 maintenance code of permanent retention (vĩnh viễn): the only files a historical archive takes
AGENCY_ARCHIVE = "co_quan"
#: a new object is copied to the other locations within minutes (replicate_pending every 5 minutes): one still
#: short after this long is a shortfall, not a copy on its way
REPLICATION_GRACE = timedelta(hours=1)

PERMISSIONS: dict[Kind, str] = {
    Kind.ANNUAL_REPORT: "reports.view_dashboard",
    Kind.READER_REQUEST: "readers.change_readerrequest",
    Kind.REPLICAS: "preservation.manage_preservation",
    Kind.FIXITY: "preservation.manage_preservation",
    Kind.MEDIA_MIGRATION: "preservation.manage_preservation",
    Kind.BACKUP: "backup.view_backuplog",
}
REPORT_SUBMIT_PERMISSION = "deadlines.add_reportsubmission"


@dataclass(frozen=True)
class DeadlineItem:
    """One thing due: what, by when, how it stands, and where to act on it."""

    kind: Kind
    key: str  # stable within the kind: the object's id, or the cycle (year) for recurring duties
    title: str
    due: date
    state: State
    url: str = ""
    fonds_id: int | None = None
    detail: str = ""

    @property
    def kind_label(self) -> str:
        return rules.KINDS[self.kind].label

    @property
    def rule(self) -> str:
        return rules.KINDS[self.kind].rule

    @property
    def state_label(self) -> str:
        return rules.STATE_LABELS[self.state]

    @property
    def overdue(self) -> bool:
        return self.state == State.OVERDUE


@dataclass(frozen=True)
class _Context:
    today: date
    holidays: Container[date]
    windows: dict[Kind, int]
    states: frozenset[State]

    def state(self, kind: Kind, due: date) -> State:
        spec = rules.KINDS[kind]
        holidays = self.holidays if spec.working_days else None
        return rules.state(due, self.today, warning=self.windows[kind], holidays=holidays)

    def item(self, kind: Kind, key: str, title: str, due: date, **extra: Any) -> DeadlineItem | None:
        state = self.state(kind, due)
        if state not in self.states:
            return None
        return DeadlineItem(kind=kind, key=key, title=title, due=due, state=state, **extra)


def warning_windows() -> dict[Kind, int]:
    return rules.parse_warning_days(getattr(settings, "KHOSO_DEADLINE_WARNING_DAYS", None) or ())


def _active_staff(user: Actor) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and not is_reader_only(user))


def visible_kinds(user: Actor) -> set[Kind]:
    """The kinds of deadline ``user`` is responsible for (none for readers and anonymous visitors)."""
    if not _active_staff(user):
        return set()
    kinds = {kind for kind, permission in PERMISSIONS.items() if user.has_perm(permission)}  # type: ignore[union-attr]
    if settings.KHOSO_ARCHIVE_ROLE == AGENCY_ARCHIVE and editable_fonds_ids(user) != set():
        kinds |= {Kind.HISTORICAL_TRANSFER, Kind.AGENCY_TRANSFER}  # whoever keeps a fonds (may edit it; None: all)
    return kinds


def may_see_board(user: Actor) -> bool:
    return bool(visible_kinds(user))


def may_record_report(user: Actor) -> bool:
    return _active_staff(user) and user.has_perm(REPORT_SUBMIT_PERMISSION)  # type: ignore[union-attr]


def due_items(
    user: Actor,
    today: date | None = None,
    *,
    kinds: Collection[Kind] | None = None,
    states: Collection[State] | None = None,
) -> list[DeadlineItem]:
    """Every deadline ``user`` may see (of ``kinds``, in ``states``; default all), soonest due first."""
    wanted = visible_kinds(user) if kinds is None else visible_kinds(user) & set(kinds)
    context = _Context(
        today=today or timezone.localdate(),
        holidays=holidays_from_settings(),
        windows=warning_windows(),
        states=frozenset(State) if states is None else frozenset(states),
    )
    collectors: dict[Kind, Callable[[Actor, _Context], list[DeadlineItem]]] = {
        Kind.HISTORICAL_TRANSFER: _historical_transfers,
        Kind.AGENCY_TRANSFER: _agency_transfers,
        Kind.ANNUAL_REPORT: _annual_report,
        Kind.READER_REQUEST: _reader_requests,
        Kind.REPLICAS: _replicas,
        Kind.FIXITY: _fixity,
        Kind.MEDIA_MIGRATION: _media,
        Kind.BACKUP: _backups,
    }
    items = [item for kind in Kind if kind in wanted for item in collectors[kind](user, context)]
    return sorted(items, key=lambda item: (item.due, list(Kind).index(item.kind), item.key))


def _url(name: str, *args: Any, query: str = "") -> str:
    """The address of an object's screen, or "" when that screen is not mounted (the enclave has no reader side)."""
    try:
        return reverse(name, args=args) + query
    except NoReverseMatch:
        return ""


# -- the kinds -------------------------------------------------------------------------------------


def _historical_transfers(user: Actor, context: _Context) -> list[DeadlineItem]:
    """Permanent files not yet sent to the historical archive. A file counts as sent once a SIP of it was
    exported (``packages.PackageRecord``, the register of the packages this archive wrote)."""
    from khoso.packages.models import PackageRecord

    exported = PackageRecord.objects.filter(
        archive_file=OuterRef("pk"), direction=PackageRecord.Direction.EXPORT, package_type__startswith="SIP"
    )
    files = _kept_files(user).filter(maintenance=PERMANENT).exclude(Exists(exported))
    if State.OK not in context.states:  # only what is due within the window: the rest need not be read
        horizon = context.today + timedelta(days=context.windows[Kind.HISTORICAL_TRANSFER])
        files = files.filter(end_date__lte=rules.add_years(horizon, -rules.HISTORICAL_TRANSFER_YEARS) + timedelta(1))
    items = []
    for pk, code, title, ended, fonds_id in files.values_list("pk", "file_code", "title", "end_date", "fonds_id"):
        due = rules.historical_transfer_due(ended, holidays=context.holidays)
        item = context.item(
            Kind.HISTORICAL_TRANSFER,
            str(pk),
            f"{code} – {title}",
            due,
            url=_url("file_detail", code),
            fonds_id=fonds_id,
            detail=f"Kết thúc ngày {ended:%d/%m/%Y}",
        )
        if item:
            items.append(item)
    return items


def _kept_files(user: Actor) -> QuerySet[ArchiveFile]:
    """Live files of the fonds ``user`` keeps (a grant that may edit; None: every fonds) that they may see."""
    files = restrict(ArchiveFile.objects.filter(deleted_at__isnull=True), user)
    kept = editable_fonds_ids(user)
    return files if kept is None else files.filter(fonds_id__in=kept)


def _agency_transfers(user: Actor, context: _Context) -> list[DeadlineItem]:
    """Files not yet in the agency archive (no ``archived_on``), NĐ 30/2020 Đ30 k2."""
    files = _kept_files(user).filter(archived_on__isnull=True)
    if State.OK not in context.states:  # only what is due within the window: the rest need not be read
        horizon = context.today + timedelta(days=context.windows[Kind.AGENCY_TRANSFER])
        files = files.filter(
            Q(construction_settled_on__isnull=True, end_date__lte=rules.add_years(horizon, -1) + timedelta(1))
            | Q(construction_settled_on__lte=rules.add_months(horizon, -3) + timedelta(1))
        )
    rows = files.values_list("pk", "file_code", "title", "end_date", "construction_settled_on", "fonds_id")
    items = []
    for pk, code, title, ended, settled, fonds_id in rows:
        due = rules.agency_transfer_due(ended, construction_settled=settled, holidays=context.holidays)
        detail = f"Quyết toán ngày {settled:%d/%m/%Y}" if settled else f"Kết thúc ngày {ended:%d/%m/%Y}"
        item = context.item(
            Kind.AGENCY_TRANSFER,
            str(pk),
            f"{code} – {title}",
            due,
            url=_url("file_detail", code),
            fonds_id=fonds_id,
            detail=detail,
        )
        if item:
            items.append(item)
    return items


def _annual_report(user: Actor, context: _Context) -> list[DeadlineItem]:
    """This year's report, until it is recorded as sent."""
    year = context.today.year
    if ReportSubmission.objects.filter(year=year).exists():
        return []
    due = rules.annual_report_due(year, holidays=context.holidays)
    item = context.item(
        Kind.ANNUAL_REPORT,
        str(year),
        f"Báo cáo kết quả năm {year} gửi Bộ Nội vụ",
        due,
        url=_url("deadlines_board", query=f"?loai={Kind.ANNUAL_REPORT.value}"),
        detail="Hạn theo văn bản: trước ngày 15/12",
    )
    return [item] if item else []


def _reader_requests(user: Actor, context: _Context) -> list[DeadlineItem]:
    """Open requests on the fonds ``user`` sees, with the due date the readers app fixed when each arrived."""
    from khoso.readers.selectors import request_queue

    items = []
    for row in request_queue(user=user):
        request = row.item
        item = context.item(
            Kind.READER_REQUEST,
            str(request.pk),
            f"{request.code} – {request.file.file_code}",
            request.due_date,
            url=_url("reader_request_review", request.pk),
            fonds_id=request.file.fonds_id,
            detail=f"{request.get_kind_display()}, gửi ngày {timezone.localtime(request.submitted_at):%d/%m/%Y}",
        )
        if item:
            items.append(item)
    return items


def _replicas(user: Actor, context: _Context) -> list[DeadlineItem]:
    """Objects with fewer verified copies in active locations than ``KHOSO_MIN_COPIES`` (as preservation
    counts them), past the grace a fresh object needs to be copied; due since the oldest was stored."""
    from khoso.preservation.selectors import under_replicated

    short = under_replicated().filter(created_at__lt=timezone.now() - REPLICATION_GRACE)
    found = short.aggregate(count=Count("pk"), since=Min("created_at"))
    if not found["count"]:
        return []
    minimum = settings.KHOSO_MIN_COPIES
    item = context.item(
        Kind.REPLICAS,
        "thieu_ban_sao",
        f"{found['count']} đối tượng số chưa đủ {minimum} bản sao đã xác minh",
        rules.replica_due(timezone.localdate(found["since"])),
        url=_url("preservation_dashboard"),
    )
    return [item] if item else []


def _fixity(user: Actor, context: _Context) -> list[DeadlineItem]:
    """The full pass: due when the least recently checked object (or one never checked, from when it was stored)
    reaches ``KHOSO_FIXITY_FULL_PASS_DAYS``. The daily slice keeps that age just under the window, so only
    falling behind shows (the default warning window is 0 days)."""
    from khoso.storage.models import StoredObject

    oldest = (
        StoredObject.objects.annotate(checked=Coalesce(Max("replicas__last_checked_at"), "created_at"))
        .order_by("checked")
        .values_list("checked", flat=True)
        .first()
    )
    if oldest is None:
        return []
    checked = timezone.localdate(oldest)
    item = context.item(
        Kind.FIXITY,
        "toan_bo_kho",
        "Kiểm tra toàn vẹn toàn bộ kho",
        rules.fixity_pass_due(checked, full_pass_days=settings.KHOSO_FIXITY_FULL_PASS_DAYS),
        url=_url("preservation_dashboard"),
        detail=f"Đối tượng lâu chưa kiểm tra nhất: lần cuối ngày {checked:%d/%m/%Y}",
    )
    return [item] if item else []


def _media(user: Actor, context: _Context) -> list[DeadlineItem]:
    items = []
    for medium in StorageMedium.objects.filter(retired_on__isnull=True).order_by("name"):
        due = rules.media_migration_due(
            medium.in_service_since,
            last_migrated=medium.last_migrated_on,
            interval_years=medium.migration_interval_years,
            rated_life_years=medium.rated_life_years,
        )
        since = medium.last_migrated_on or medium.in_service_since
        item = context.item(
            Kind.MEDIA_MIGRATION,
            str(medium.pk),
            f"{medium.name} ({medium.get_kind_display()})",
            due,
            url=_url("admin:deadlines_storagemedium_change", medium.pk),
            detail=f"Dữ liệu trên vật mang tin từ ngày {since:%d/%m/%Y}",
        )
        if item:
            items.append(item)
    return items


def _backups(user: Actor, context: _Context) -> list[DeadlineItem]:
    """The next daily backup and the next monthly full one, from the backup log. Before the first backup they
    are due from the day the archive got its first fonds or object."""
    from khoso.backup.models import BackupLog, Outcome
    from khoso.storage.models import StoredObject

    done = BackupLog.objects.filter(outcome=Outcome.OK, finished_at__isnull=False).exclude(kind=BackupLog.Kind.PRUNE)
    last_any = done.aggregate(last=Max("finished_at"))["last"]
    last_full = done.filter(kind=BackupLog.Kind.FULL).aggregate(last=Max("finished_at"))["last"]
    starts = [
        moment
        for moment in (
            Fonds.objects.aggregate(first=Min("created_at"))["first"],
            StoredObject.objects.aggregate(first=Min("created_at"))["first"],
        )
        if moment
    ]
    if not starts and last_any is None:
        return []  # nothing to back up yet
    began = timezone.localdate(min(starts)) if starts else context.today
    backup_url = _url("backup_home")
    daily = rules.daily_backup_due(timezone.localdate(last_any)) if last_any else began
    full = rules.monthly_full_backup_due(timezone.localdate(last_full)) if last_full else began
    found = [
        context.item(
            Kind.BACKUP,
            "hang_ngay",
            "Sao lưu hằng ngày",
            daily,
            url=backup_url,
            detail=f"Lần gần nhất: {timezone.localtime(last_any):%d/%m/%Y}" if last_any else "Chưa sao lưu lần nào",
        ),
        context.item(
            Kind.BACKUP,
            "toan_bo_hang_thang",
            "Sao lưu toàn bộ hằng tháng",
            full,
            url=backup_url,
            detail=f"Lần gần nhất: {timezone.localtime(last_full):%d/%m/%Y}" if last_full else "Chưa sao lưu toàn bộ",
        ),
    ]
    return [item for item in found if item]


# -- the board's extras ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    overdue: int
    soon: int
    first: list[DeadlineItem]


def summary(user: Actor, today: date | None = None, *, limit: int = 5) -> Summary:
    """For the home page panel: counts of overdue and "sắp đến hạn" items and the first few of them."""
    items = due_items(user, today, states={State.SOON, State.OVERDUE})
    overdue = sum(1 for item in items if item.state == State.OVERDUE)
    return Summary(overdue=overdue, soon=len(items) - overdue, first=items[:limit])


def report_submissions(limit: int = 5) -> list[ReportSubmission]:
    return list(ReportSubmission.objects.select_related("recorded_by")[:limit])
