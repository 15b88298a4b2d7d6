"""Reads for preservation: what an audit covers, which copies are short, what the staff page shows."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet

from khoso.core.errors import NotFoundError
from khoso.preservation.models import AuditRun, Replica, StorageLocation
from khoso.storage.models import StoredObject

PROBLEM_STATES = (Replica.State.CORRUPT, Replica.State.MISSING)
IN_FLIGHT_STATES = (Replica.State.PENDING, Replica.State.STAGING)


@dataclass(frozen=True)
class Scope:
    """What an audit covers. ``kind``: all, fonds, file, sample or daily; ``label`` is shown to people."""

    kind: str
    label: str
    fonds_ids: tuple[int, ...] = ()
    file_id: int | None = None
    percent: float = 0.0
    quota: int = 0
    digests: tuple[str, ...] = field(default=(), repr=False)


class ScopeNotFoundError(NotFoundError):
    code = "khong_tim_thay_pham_vi"
    message_vi = "Không tìm thấy {what} “{code}” để kiểm tra."
    message_en = "No {what_en} “{code}” to audit."


def scope_everything() -> Scope:
    return Scope(kind="all", label="Toàn bộ kho / everything")


def scope_fonds(code: str) -> Scope:
    from khoso.archive.models import Fonds

    ids = tuple(Fonds.objects.filter(code=code).values_list("pk", flat=True))
    if not ids:
        raise ScopeNotFoundError(what="phông", what_en="fonds", code=code)
    return Scope(kind="fonds", label=f"Phông / fonds {code}", fonds_ids=ids)


def scope_file(file_code: str) -> Scope:
    from khoso.archive.models import ArchiveFile

    file_id = ArchiveFile.objects.filter(file_code=file_code).values_list("pk", flat=True).first()
    if file_id is None:
        raise ScopeNotFoundError(what="hồ sơ", what_en="file", code=file_code)
    return Scope(kind="file", label=f"Hồ sơ / file {file_code}", file_id=file_id)


def scope_sample(percent: float) -> Scope:
    if not 0 < percent <= 100:
        raise ValueError("percent must be in (0, 100]")
    return Scope(kind="sample", label=f"Mẫu ngẫu nhiên / random sample {percent:g} %", percent=percent)


def scope_daily() -> Scope:
    quota = daily_quota()
    return Scope(kind="daily", label=f"Lượt hằng ngày / daily slice ({quota})", quota=quota)


def daily_quota(total: int | None = None) -> int:
    """Objects to check per day so the whole holding is checked within KHOSO_FIXITY_FULL_PASS_DAYS."""
    total = StoredObject.objects.count() if total is None else total
    return math.ceil(total / max(1, settings.KHOSO_FIXITY_FULL_PASS_DAYS))


def sample_size(percent: float, total: int | None = None) -> int:
    total = StoredObject.objects.count() if total is None else total
    return min(total, math.ceil(total * percent / 100))


def _file_digests(files: QuerySet) -> set[str]:
    from khoso.archive.models import Page

    digests: set[str] = set()
    pages = Page.objects.filter(file__in=files).values_list(
        "original_id", "rendition_id", "thumbnail_id", "qc__delivered_sha256"
    )
    for row in pages.iterator(chunk_size=2000):
        digests.update(value for value in row if value)
    digests.update(files.exclude(pdf=None).values_list("pdf_id", flat=True))
    from khoso.signing.models import RenditionVersion, SignatureCheck  # earlier PDF/A versions, signed originals

    for content, previous in RenditionVersion.objects.filter(file__in=files).values_list("content_id", "previous_id"):
        digests.update(value for value in (content, previous) if value)
    digests.update(SignatureCheck.objects.filter(file__in=files).values_list("content_id", flat=True))
    return digests


def scope_objects(scope: Scope) -> dict[str, int]:
    """Digest → size of every stored object the scope covers."""
    from khoso.archive.models import ArchiveFile

    objects = StoredObject.objects.all()
    if scope.kind == "fonds":
        objects = objects.filter(pk__in=_file_digests(ArchiveFile.objects.filter(fonds_id__in=scope.fonds_ids)))
    elif scope.kind == "file":
        objects = objects.filter(pk__in=_file_digests(ArchiveFile.objects.filter(pk=scope.file_id or 0)))
    elif scope.kind == "sample":
        return _random_slice(sample_size(scope.percent))
    elif scope.kind == "daily":
        objects = objects.annotate(checked=Min("replicas__last_checked_at")).order_by(
            F("checked").asc(nulls_first=True), "pk"
        )[: scope.quota]
    elif scope.kind != "all":
        raise ValueError(f"unknown scope {scope.kind!r}")
    return dict(objects.values_list("sha256", "size"))


def _random_slice(count: int) -> dict[str, int]:
    """``count`` objects from a random point of the digest space, wrapping round: digests are uniform,
    so this is a uniform sample read through the primary key, without ORDER BY RANDOM() over everything."""
    start = secrets.token_hex(32)
    rows = list(StoredObject.objects.filter(pk__gte=start).order_by("pk").values_list("sha256", "size")[:count])
    if len(rows) < count:
        rows += (
            StoredObject.objects.filter(pk__lt=start).order_by("pk").values_list("sha256", "size")[: count - len(rows)]
        )
    return dict(rows)


def locations_active() -> list[StorageLocation]:
    return list(StorageLocation.objects.filter(active=True))


def objects_missing_at(location: StorageLocation) -> QuerySet[StoredObject]:
    """Objects without a verified copy in ``location``."""
    verified_here = Replica.objects.filter(
        stored_object=OuterRef("pk"), location=location, state=Replica.State.VERIFIED
    )
    return StoredObject.objects.filter(~Exists(verified_here)).order_by("pk")


def under_replicated() -> QuerySet[StoredObject]:
    """Objects with fewer than KHOSO_MIN_COPIES verified copies in active locations."""
    verified = Count("replicas", filter=Q(replicas__state=Replica.State.VERIFIED, replicas__location__active=True))
    return StoredObject.objects.annotate(copies=verified).filter(copies__lt=settings.KHOSO_MIN_COPIES)


def under_replicated_count() -> int:
    return under_replicated().count()


def location_summaries() -> list[dict]:
    """Per location: verified, in-flight and bad copies."""
    counts = {
        (row["location"], row["state"]): row["n"]
        for row in Replica.objects.values("location", "state").annotate(n=Count("pk")).order_by()
    }
    rows = []
    for location in StorageLocation.objects.all():
        rows.append(
            {
                "location": location,
                "verified": counts.get((location.pk, Replica.State.VERIFIED), 0),
                "pending": sum(counts.get((location.pk, state), 0) for state in IN_FLIGHT_STATES),
                "bad": sum(counts.get((location.pk, state), 0) for state in PROBLEM_STATES),
            }
        )
    return rows


def open_problems(limit: int = 50) -> QuerySet[Replica]:
    return (
        Replica.objects.filter(state__in=PROBLEM_STATES)
        .select_related("location", "stored_object")
        .order_by("-updated_at")[:limit]
    )


def recent_audits(limit: int = 10) -> QuerySet[AuditRun]:
    return AuditRun.objects.select_related("requested_by")[:limit]
