"""The replica half of ``khoso fsck``: are the copies the database counts really where it says?

A copy counts toward KHOSO_MIN_COPIES only while its row is VERIFIED, so a VERIFIED row whose object
has gone, or shrunk, in its location overstates how safe the holding is until the next audit reaches
it (up to KHOSO_FIXITY_FULL_PASS_DAYS later). ``fsck`` checks every VERIFIED row of every active
location at once, cheaply: one listing per two-hex-digit prefix that holds copies (at most 256 per
location, so an S3 location costs LIST requests, not one HEAD per object), comparing sizes. Rows are
read a range of prefixes at a time, about ``ROWS_PER_RANGE`` objects each: memory stays bounded on a
large holding and a small one needs two queries. ``deep`` also hashes each copy against the database
digest. Then every object must still have KHOSO_MIN_COPIES good copies (the primary store's copy
counts when the store check passed).

It changes nothing: no state is updated and nothing is repaired (that is ``khoso fixity``).
Objects younger than ``UNDER_REPLICATED_GRACE`` are not called short: replication runs every few
minutes and has not reached them yet.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from khoso.core.errors import ArchiveError
from khoso.preservation import selectors
from khoso.preservation.locations import PREFIXES, Location
from khoso.preservation.models import Replica, StorageLocation
from khoso.storage.models import StoredObject

UNDER_REPLICATED_GRACE = timedelta(hours=1)
ROWS_PER_RANGE = 50_000

MESSAGES = {
    "ban_sao_thieu": "Bản sao đã xác minh nhưng không còn ở nơi lưu trữ / verified copy missing from its location",
    "ban_sao_sai_kich_thuoc": "Bản sao có kích thước khác bản ghi / copy size differs from the row",
    "ban_sao_sai_ma_bam": "Bản sao không khớp mã băm SHA-256 trong CSDL / copy fails the database SHA-256",
    "duoi_so_ban_toi_thieu": "Ít hơn {min} bản sao đúng (có {n}) / fewer than {min} good copies ({n})",
    "noi_luu_tru_khong_dung_duoc": "Không kiểm tra được nơi lưu trữ: {reason} / location cannot be checked",
}


@dataclass
class LocationSummary:
    """What fsck saw in one location; ``wrong_digest`` is None when the copies were not hashed."""

    location: str
    kind: str
    verified: int = 0
    missing: int = 0
    wrong_size: int = 0
    wrong_digest: int | None = None
    error: str = ""


@dataclass
class ReplicaReport:
    problems: list[dict[str, str]]
    locations: list[LocationSummary]
    #: Said once when no second location is declared: copies cannot reach KHOSO_MIN_COPIES at all.
    note: str = ""

    def summaries(self) -> list[dict[str, object]]:
        return [asdict(summary) for summary in self.locations]


def _problem(code: str, sha256: str, location: str, **params: object) -> dict[str, str]:
    return {"code": code, "object": sha256, "location": location, "message": MESSAGES[code].format(**params)}


def _next_prefix(prefix: str) -> str:
    return f"{int(prefix, 16) + 1:02x}" if prefix != "ff" else "g"


def _ranges(total: int) -> list[tuple[str, str]]:
    """[low, high) digest ranges on prefix boundaries, each holding about ROWS_PER_RANGE objects."""
    count = max(1, min(len(PREFIXES), -(-total // ROWS_PER_RANGE)))
    step = -(-len(PREFIXES) // count)
    groups = [PREFIXES[i : i + step] for i in range(0, len(PREFIXES), step)]
    return [(group[0], _next_prefix(group[-1])) for group in groups]


def replica_problems(
    *, deep: bool = False, primary_bad: set[str] | frozenset[str] = frozenset(), now: datetime | None = None
) -> ReplicaReport:
    """Check the VERIFIED copies of every active non-primary location and the number of good copies per object.

    ``primary_bad``: objects whose copy in this machine's store failed the store check (missing, wrong
    size or digest); every other object with a row is taken to have its primary copy.
    """
    from khoso.preservation.services import audit_threads, location_backend

    minimum = settings.KHOSO_MIN_COPIES
    born_before = (now or timezone.now()) - UNDER_REPLICATED_GRACE
    problems: list[dict[str, str]] = []
    backends: dict[int, tuple[StorageLocation, Location, LocationSummary]] = {}
    locations = [location for location in selectors.locations_active() if not location.is_primary]
    report = ReplicaReport(problems, [])
    for location in locations:
        summary = LocationSummary(location.name, location.kind, wrong_digest=0 if deep else None)
        report.locations.append(summary)
        try:
            backends[location.pk] = (location, location_backend(location), summary)
        except (ArchiveError, OSError) as error:
            summary.error = str(error)
            problems.append(_problem("noi_luu_tru_khong_dung_duoc", "", location.name, reason=error))
    if not locations:
        if minimum > 1:
            report.note = (
                f"Chưa khai báo nơi lưu trữ nào ngoài kho chính: mỗi đối tượng chỉ có 1 bản, "
                f"KHOSO_MIN_COPIES={minimum} / no storage location besides the primary store"
            )
        return report
    short: list[dict[str, str]] = []
    with ThreadPoolExecutor(max_workers=audit_threads()) as pool:
        for low, high in _ranges(StoredObject.objects.count()):
            good = _check_range(low, high, backends, deep, pool, problems)
            _short_objects(low, high, good, primary_bad, born_before, minimum, short)
    if any(summary.error for summary in report.locations):
        # copies in a location we could not read are unknown, not absent: one line says so instead of one per object
        report.note = (
            "Không đếm số bản sao của từng đối tượng vì có nơi lưu trữ không kiểm tra được / "
            "copies per object not counted: a location could not be checked"
        )
    else:
        problems.extend(short)
    return report


def _check_range(
    low: str,
    high: str,
    backends: dict[int, tuple[StorageLocation, Location, LocationSummary]],
    deep: bool,
    pool: ThreadPoolExecutor,
    problems: list[dict[str, str]],
) -> Counter[str]:
    """Good copies per object of the range, over every checked location; problems appended."""
    good: Counter[str] = Counter()
    rows = Replica.objects.filter(
        location_id__in=backends,
        state=Replica.State.VERIFIED,
        stored_object_id__gte=low,
        stored_object_id__lt=high,
    ).values_list("location_id", "stored_object_id", "stored_object__size")
    by_location: dict[int, list[tuple[str, int]]] = {}
    for location_id, sha256, size in rows:
        by_location.setdefault(location_id, []).append((sha256, size))
    for location_id, copies in by_location.items():
        location, backend, summary = backends[location_id]
        summary.verified += len(copies)
        if summary.error:  # it failed on an earlier range; do not wait on it again
            continue
        try:
            listed: dict[str, int] = {}
            for prefix in sorted({sha256[:2] for sha256, _ in copies}):
                listed.update(backend.sizes(prefix))
        except Exception as error:  # the location stopped answering: say so once, count nothing from it
            summary.error = str(error)
            problems.append(_problem("noi_luu_tru_khong_dung_duoc", "", location.name, reason=error))
            continue
        present = []
        for sha256, size in copies:
            found = listed.get(sha256)
            if found is None:
                summary.missing += 1
                problems.append(_problem("ban_sao_thieu", sha256, location.name))
            elif found != size:
                summary.wrong_size += 1
                problems.append(_problem("ban_sao_sai_kich_thuoc", sha256, location.name))
            else:
                present.append(sha256)
        if deep:
            hashed = dict(zip(present, pool.map(_hash_or_error(backend), present), strict=True))
            for sha256, result in hashed.items():
                if result == sha256:
                    good[sha256] += 1
                    continue
                summary.wrong_digest = (summary.wrong_digest or 0) + 1
                problems.append(_problem("ban_sao_sai_ma_bam", sha256, location.name))
        else:
            good.update(present)
    return good


def _hash_or_error(backend: Location):  # type: ignore[no-untyped-def]
    def run(sha256: str) -> str | None:
        try:
            return backend.sha256_of(sha256)
        except Exception as error:  # unreadable counts as not good, with the reason
            return f"error: {error}"

    return run


def _short_objects(
    low: str,
    high: str,
    good: Counter[str],
    primary_bad: set[str] | frozenset[str],
    born_before: datetime,
    minimum: int,
    problems: list[dict[str, str]],
) -> None:
    objects = StoredObject.objects.filter(sha256__gte=low, sha256__lt=high, created_at__lt=born_before).values_list(
        "sha256", flat=True
    )
    for sha256 in objects:
        copies = good[sha256] + (0 if sha256 in primary_bad else 1)
        if copies < minimum:
            problems.append(_problem("duoi_so_ban_toi_thieu", sha256, "", min=minimum, n=copies))
