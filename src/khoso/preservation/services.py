"""Copies in several locations, fixity audits and repair: the rules, written once for every location.

- A copy counts only when VERIFIED: read back from its location and hashed to the database digest.
  A replication moves its row PENDING → STAGING (committed before any byte moves) → VERIFIED
  (committed after the read-back), so a crash anywhere in between leaves a row that is not counted
  and that the next ``replicate_pending`` finishes.
- An audit hashes every copy in scope in every active location, several copies at a time (hashlib
  releases the GIL), and compares with ``StoredObject.sha256``, never with another copy. A damaged
  or missing copy is repaired only from a copy that matched that digest in the same audit, then
  hashed again. With no such copy the object is UNRECOVERABLE (logged, mailed, no "repair"); when
  every copy agrees with the others but not with the database, the database digest is what is in
  doubt: DB_MISMATCH is reported and nothing is touched (LOCKSS: no repair without agreement).
- Every check, copy and repair is a PREMIS event.
- A write killed between staging and verify leaves bytes in the location's staging area (a ``put-*``
  file, an S3 ``staging/`` key or an unfinished multipart upload) that nothing will ever read.
  ``staging_sweep`` removes those older than a threshold that no live STAGING replica owns, and keeps
  a ``StagingSweep`` row naming each one it removed.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.mail import mail_admins
from django.db.models import Exists, OuterRef
from django.utils import timezone

from khoso import __version__
from khoso.core.errors import ArchiveError, ExitCode
from khoso.preservation import selectors
from khoso.preservation.locations import LocalLocation, Location, s3_from_environment
from khoso.preservation.models import AuditRun, PremisEvent, Replica, StagingSweep, StorageLocation
from khoso.storage.cas import DigestMismatchError
from khoso.storage.models import StoredObject
from khoso.storage.services import object_store

logger = logging.getLogger(__name__)

AGENT = f"Kho Số {__version__} (khoso.preservation)"
PRIMARY_NAME = "Kho chính / primary store"
#: Objects hashed per batch: bounds the futures in flight and the rows updated per write.
BATCH = 256
#: Staging leftovers younger than this are left alone: a live write keeps its file's mtime fresh, and an S3
#: staging key lives only between the end of its upload and the copy to its final name.
STAGING_MAX_AGE = timedelta(hours=24)
State = Replica.State


class LocationUnavailableError(ArchiveError):
    code = "noi_luu_tru_khong_dung_duoc"
    message_vi = "Không dùng được nơi lưu trữ “{name}”: {reason}."
    message_en = "Storage location “{name}” cannot be used: {reason}."
    exit_code = ExitCode.dependency


class InjectedFault(ArchiveError):
    code = "loi_gia_lap"
    message_vi = "Lỗi giả lập tại {point} (chỉ dùng khi kiểm thử)."
    message_en = "Injected fault at {point} (tests only)."


def _fault(point: str) -> None:
    """``KHOSO_FAULT_INJECT="replicate_copied=crash"`` (or ``=kill``) stops a replication at ``point``:
    ``replicate_staging`` (row STAGING, nothing written), ``replicate_staged`` (bytes in the location's
    staging area, not yet under their final name), ``replicate_copied`` (in place, not read back)."""
    spec = dict(item.split("=", 1) for item in settings.KHOSO_FAULT_INJECT.split(",") if "=" in item)
    action = spec.get(point)
    if action == "crash":
        raise InjectedFault(point=point)
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)


# -- locations --------------------------------------------------------------------------------------


def location_primary() -> StorageLocation:
    """The row of this installation's own object store, made on first use and kept pointing at it."""
    path = str(settings.KHOSO_OBJECTS_DIR)
    location, created = StorageLocation.objects.get_or_create(
        is_primary=True, defaults={"name": PRIMARY_NAME, "kind": StorageLocation.Kind.LOCAL, "path": path}
    )
    if not created and location.path != path:
        location.path = path
        location.save(update_fields=["path"])
    return location


def location_backend(location: StorageLocation) -> Location:
    if location.is_primary:
        return LocalLocation(object_store().root)
    if location.kind == StorageLocation.Kind.LOCAL:
        if not location.path:
            raise LocationUnavailableError(name=location.name, reason="chưa khai báo đường dẫn / no path")
        return LocalLocation(Path(location.path))
    try:
        return s3_from_environment(
            endpoint_url=location.endpoint_url,
            bucket=location.bucket,
            region=location.region,
            access_key_env=location.access_key_env,
            secret_key_env=location.secret_key_env,
        )
    except KeyError as error:
        raise LocationUnavailableError(
            name=location.name, reason=f"thiếu biến môi trường / missing environment variable {error.args[0]}"
        ) from error


def _backends(locations: Iterable[StorageLocation]) -> tuple[dict[int, Location], list[str]]:
    backends: dict[int, Location] = {}
    unavailable: list[str] = []
    for location in locations:
        try:
            backends[location.pk] = location_backend(location)
        except (ArchiveError, OSError) as error:
            logger.error("%s", error)
            unavailable.append(str(error))
    return backends, unavailable


def _event(
    event_type: str,
    outcome: str,
    *,
    sha256: str,
    location: StorageLocation,
    detail: str,
    audit_run: AuditRun | None = None,
) -> PremisEvent:
    return PremisEvent(
        event_type=event_type,
        outcome=outcome,
        detail=detail[:1000],
        object_sha256=sha256,
        location=location,
        location_name=location.name,
        agent=AGENT,
        audit_run=audit_run,
        occurred_at=timezone.now(),
    )


def premis_event_record(
    event_type: str, *, succeeded: bool, sha256: str, detail: str, agent: str = AGENT
) -> PremisEvent:
    """Record one event about an object as a whole (not one copy of it): signing, signature validation."""
    return PremisEvent.objects.create(
        event_type=event_type,
        outcome=PremisEvent.Outcome.SUCCESS if succeeded else PremisEvent.Outcome.FAILURE,
        detail=detail[:1000],
        object_sha256=sha256,
        location=None,
        location_name="",
        agent=agent,
        occurred_at=timezone.now(),
    )


# -- replication ------------------------------------------------------------------------------------


def replicas_sync(digests: Iterable[str] | None = None) -> int:
    """Give every object (or those of ``digests``) its row in the primary store; returns rows made.

    The primary copy was hashed while it was written at ingest and is named by that digest, so a
    present file of the right size starts VERIFIED (hashing it again here would double the reads);
    the audits then check it like every other copy. A file that is not there starts MISSING.
    """
    primary = location_primary()
    store = object_store()
    has_row = Replica.objects.filter(stored_object=OuterRef("pk"), location=primary)
    objects = StoredObject.objects.filter(~Exists(has_row))
    chunks: Iterator[list[str]] | list[None]
    if digests is None:
        chunks = [None]
    else:
        listed = list(digests)
        chunks = iter([listed[i : i + 500] for i in range(0, len(listed), 500)])
    made = 0
    for chunk in chunks:
        query = objects if chunk is None else objects.filter(pk__in=chunk)
        rows = []
        for sha256, size in query.values_list("sha256", "size").iterator(chunk_size=2000):
            path = store.path_for(sha256)
            present = path.is_file() and path.stat().st_size == size
            rows.append(
                Replica(stored_object_id=sha256, location=primary, state=State.VERIFIED if present else State.MISSING)
            )
        Replica.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        made += len(rows)
    return made


def _good_source(sha256: str, *, exclude: StorageLocation) -> StorageLocation | None:
    """An active location other than ``exclude`` whose copy was verified; the primary store first."""
    replica = (
        Replica.objects.filter(stored_object_id=sha256, state=State.VERIFIED, location__active=True)
        .exclude(location=exclude)
        .select_related("location")
        .order_by("-location__is_primary", "location__name")
        .first()
    )
    return replica.location if replica else None


def replicate(*, stored_object: StoredObject, location: StorageLocation) -> Replica:
    """Copy one object into ``location`` from a verified copy, read it back, and count it only if it matches."""
    sha256 = stored_object.sha256
    replica, _ = Replica.objects.get_or_create(stored_object=stored_object, location=location)
    replica.state = State.STAGING
    replica.error = ""
    replica.save(update_fields=["state", "error", "updated_at"])
    _fault("replicate_staging")
    source = _good_source(sha256, exclude=location)
    if source is None:
        replica.state = State.PENDING
        replica.error = "Chưa có bản sao nguồn đã xác minh / no verified source copy"
        replica.save(update_fields=["state", "error", "updated_at"])
        return replica
    target = location_backend(location)
    try:
        with closing(location_backend(source).open(sha256)) as stream:
            target.put_from(stream, sha256, staged=lambda: _fault("replicate_staged"))
    except (DigestMismatchError, FileNotFoundError) as error:
        # The source no longer holds what it was verified to hold: it is not a good copy any more.
        Replica.objects.filter(stored_object_id=sha256, location=source).update(
            state=State.MISSING if isinstance(error, FileNotFoundError) else State.CORRUPT,
            updated_at=timezone.now(),
        )
        replica.state = State.PENDING
        replica.error = f"Bản nguồn ở {source.name} hỏng hoặc mất / source copy damaged or missing"
        replica.save(update_fields=["state", "error", "updated_at"])
        _event(
            PremisEvent.Type.REPLICATION,
            PremisEvent.Outcome.FAILURE,
            sha256=sha256,
            location=location,
            detail=f"{replica.error} ({error})",
        ).save()
        return replica
    _fault("replicate_copied")
    return _record_readback(replica, target.sha256_of(sha256), PremisEvent.Type.REPLICATION, source=source)


def _record_readback(
    replica: Replica,
    found: str | None,
    event_type: str,
    *,
    source: StorageLocation,
    audit_run: AuditRun | None = None,
) -> Replica:
    """After a copy was written: VERIFIED if it reads back to the database digest, CORRUPT otherwise."""
    sha256 = replica.stored_object_id
    now = timezone.now()
    replica.last_checked_at = now
    if found == sha256:
        replica.state = State.VERIFIED
        replica.last_verified_at = now
        replica.error = ""
        outcome = PremisEvent.Outcome.SUCCESS
        detail = f"Đã sao từ {source.name}, đọc lại khớp SHA-256 / copied from {source.name}, read back verified"
    else:
        replica.state = State.CORRUPT if found else State.MISSING
        replica.error = f"Đọc lại được {found or 'không có'} / read back {found or 'nothing'}"
        outcome = PremisEvent.Outcome.FAILURE
        detail = f"Sao từ {source.name} nhưng đọc lại sai / copied from {source.name}, read back wrong: {found}"
    replica.save()
    _event(event_type, outcome, sha256=sha256, location=replica.location, detail=detail, audit_run=audit_run).save()
    return replica


def replicate_pending() -> dict[str, int]:
    """Bring every object to a verified copy in every active location (≥ KHOSO_MIN_COPIES when there are
    that many); finishes replications a crash left PENDING or STAGING. Returns counts by outcome."""
    replicas_sync()
    counts = {"verified": 0, "failed": 0, "waiting": 0, "unavailable": 0}
    for location in selectors.locations_active():
        try:
            location_backend(location)
        except ArchiveError as error:
            logger.error("%s", error)
            counts["unavailable"] += 1
            continue
        for stored_object in selectors.objects_missing_at(location).iterator(chunk_size=500):
            try:
                replica = replicate(stored_object=stored_object, location=location)
            except InjectedFault:
                raise
            except Exception as error:  # one object's failure (network, disk) must not stop the others
                logger.exception("replication of %s to %s failed", stored_object.sha256, location.name)
                Replica.objects.filter(stored_object=stored_object, location=location).update(
                    state=State.PENDING, error=str(error)[:500]
                )
                counts["failed"] += 1
                continue
            if replica.state == State.VERIFIED:
                counts["verified"] += 1
            elif replica.state == State.PENDING:
                counts["waiting"] += 1
            else:
                counts["failed"] += 1
    counts["under_replicated"] = selectors.under_replicated_count()
    return counts


# -- staging leftovers ------------------------------------------------------------------------------


def staging_sweep(*, older_than: timedelta = STAGING_MAX_AGE, now: datetime | None = None) -> StagingSweep:
    """Remove what killed writes left in the staging areas of this machine's store and every active location.

    A leftover goes when it is older than ``older_than`` and no replica of its object in that location is
    STAGING with a change inside the same window (a replication that may still be running). Local staging
    files carry no digest, so for them the age (last write) alone decides. Returns the recorded sweep.
    """
    now = now or timezone.now()
    cutoff = now - older_than
    sweep = StagingSweep.objects.create(started_at=timezone.now(), older_than_seconds=int(older_than.total_seconds()))
    primary = location_primary()
    locations = [primary, *(location for location in selectors.locations_active() if not location.is_primary)]
    for location in locations:
        try:
            backend = location_backend(location)
            owned = set(
                Replica.objects.filter(location=location, state=State.STAGING, updated_at__gte=cutoff).values_list(
                    "stored_object_id", flat=True
                )
            )
            for leftover in backend.staging_leftovers():
                if leftover.modified >= cutoff or (leftover.sha256 and leftover.sha256 in owned):
                    sweep.kept += 1
                    continue
                try:
                    backend.remove_leftover(leftover)
                except Exception as error:  # one key that will not go must not stop the others
                    sweep.errors.append(f"{location.name}: {leftover.key}: {error}"[:500])
                    continue
                sweep.removed.append(
                    {
                        "location": location.name,
                        "key": leftover.key,
                        "kind": leftover.kind,
                        "size": leftover.size,
                        "modified": leftover.modified.isoformat(timespec="seconds"),
                        "object": leftover.sha256 or "",
                    }
                )
                sweep.removed_bytes += leftover.size
        except Exception as error:  # an unreachable location is reported; the others are still swept
            logger.error("staging sweep of %s failed: %s", location.name, error)
            sweep.errors.append(f"{location.name}: {error}"[:500])
    sweep.removed_count = len(sweep.removed)
    sweep.finished_at = timezone.now()
    sweep.save()
    for item in sweep.removed:
        logger.info("staging sweep: removed %s %s at %s", item["kind"], item["key"], item["location"])
    return sweep


# -- fixity audits ----------------------------------------------------------------------------------


class Finding:
    OK = "OK"
    CORRUPT = "CORRUPT"
    MISSING = "MISSING"
    UNEXPECTED = "UNEXPECTED"
    DB_MISMATCH = "DB_MISMATCH"
    UNREADABLE = "UNREADABLE"


@dataclass
class Problem:
    """One thing an audit found wrong, and what it did about it (``action``: repaired, unrecoverable, none)."""

    status: str
    object: str
    location: str
    path: str
    expected: str
    found: str | None
    action: str = "none"
    message: str = ""


MESSAGES = {
    Finding.CORRUPT: "Bản sao sai mã băm / copy fails its SHA-256",
    Finding.MISSING: "Thiếu bản sao / copy missing",
    Finding.UNEXPECTED: "Đối tượng không có bản ghi trong CSDL / object without a database row",
    Finding.DB_MISMATCH: (
        "Mọi bản sao giống nhau nhưng khác mã băm trong CSDL / copies agree, the database digest differs"
    ),
    Finding.UNREADABLE: "Không đọc được để kiểm tra / could not be read",
}


def _hash_copies(
    sha256: str, backends: dict[int, Location], location_ids: list[int]
) -> dict[int, str | None | Exception]:
    found: dict[int, str | None | Exception] = {}
    for location_id in location_ids:
        try:
            found[location_id] = backends[location_id].sha256_of(sha256)
        except Exception as error:  # a location that cannot be read is reported, not taken for a loss
            found[location_id] = error
    return found


def audit_threads() -> int:
    """Copies hashed at once: two per core, so one thread's read overlaps another's hashing."""
    return max(2, 2 * (os.cpu_count() or 1))


def audit(*, scope: selectors.Scope, kind: str = AuditRun.Kind.ON_DEMAND, by=None) -> AuditRun:  # type: ignore[no-untyped-def]
    """Check every copy of every object in ``scope`` against the database digest; repair what can be repaired."""
    started = time.monotonic()
    run = AuditRun.objects.create(kind=kind, scope=scope.label[:300], requested_by=by, started_at=timezone.now())
    objects = selectors.scope_objects(scope)
    replicas_sync(objects)
    locations = {location.pk: location for location in selectors.locations_active()}
    backends, unavailable = _backends(locations.values())
    problems: list[Problem] = []
    for reason in unavailable:
        problems.append(Problem(Finding.UNREADABLE, "", "", "", "", None, message=reason))
    digests = sorted(objects)
    with ThreadPoolExecutor(max_workers=audit_threads()) as pool:
        for start in range(0, len(digests), BATCH):
            batch = digests[start : start + BATCH]
            rows = _replica_rows(batch, backends)
            futures = {
                sha256: pool.submit(_hash_copies, sha256, backends, list(rows[sha256]))
                for sha256 in batch
                if rows.get(sha256)
            }
            for sha256, future in futures.items():
                _judge(run, sha256, objects[sha256], rows[sha256], future.result(), backends, problems)
    run.objects_checked = len(objects)
    if scope.kind == "all":
        _find_unexpected(run, set(objects), locations, backends, problems)
    run.findings = [asdict(problem) for problem in problems]
    run.finished_at = timezone.now()
    run.save()
    logger.info(
        "fixity audit %s: %d copies, %d bytes in %.1f s",
        scope.label,
        run.copies_checked,
        run.bytes_checked,
        time.monotonic() - started,
    )
    if run.unrecoverable or run.db_mismatch:
        _alert(run, problems)
    return run


def _replica_rows(batch: list[str], backends: dict[int, Location]) -> dict[str, dict[int, Replica]]:
    """The copies to check: rows in available locations, except replications not finished yet."""
    rows: dict[str, dict[int, Replica]] = {}
    query = Replica.objects.filter(stored_object_id__in=batch, location_id__in=backends).exclude(
        state__in=selectors.IN_FLIGHT_STATES
    )
    for replica in query.select_related("location"):
        rows.setdefault(replica.stored_object_id, {})[replica.location_id] = replica
    return rows


def _judge(
    run: AuditRun,
    sha256: str,
    size: int,
    replicas: dict[int, Replica],
    found: dict[int, str | None | Exception],
    backends: dict[int, Location],
    problems: list[Problem],
) -> None:
    now = timezone.now()
    events: list[PremisEvent] = []
    good: list[int] = []
    bad: dict[int, str | None] = {}
    for location_id, result in found.items():
        replica = replicas[location_id]
        path = backends[location_id].describe(sha256)
        run.copies_checked += 1
        if isinstance(result, Exception):
            problems.append(
                Problem(Finding.UNREADABLE, sha256, replica.location.name, path, sha256, None, message=str(result))
            )
            continue
        replica.last_checked_at = now
        if result == sha256:
            good.append(location_id)
            run.ok += 1
            run.bytes_checked += size
            replica.state = State.VERIFIED
            replica.last_verified_at = now
            replica.error = ""
            events.append(
                _event(
                    PremisEvent.Type.FIXITY_CHECK,
                    PremisEvent.Outcome.SUCCESS,
                    sha256=sha256,
                    location=replica.location,
                    detail="Khớp SHA-256 / SHA-256 matches",
                    audit_run=run,
                )
            )
        else:
            bad[location_id] = result
            if result is not None:
                run.bytes_checked += size
    if bad and not good and len(bad) >= 2 and None not in bad.values() and len(set(bad.values())) == 1:
        _db_mismatch(run, sha256, replicas, bad, backends, events, problems)
    elif bad:
        _damaged(run, sha256, replicas, good, bad, backends, events, problems)
    Replica.objects.bulk_update(
        list(replicas.values()), ["state", "last_checked_at", "last_verified_at", "error"], batch_size=500
    )
    PremisEvent.objects.bulk_create(events)


def _failed_check(
    problems: list[Problem],
    events: list[PremisEvent],
    run: AuditRun,
    problem: Problem,
    location: StorageLocation,
    detail: str,
) -> Problem:
    """Record what a check found wrong twice over: in the audit's report and as a failed PREMIS event."""
    problems.append(problem)
    events.append(
        _event(
            PremisEvent.Type.FIXITY_CHECK,
            PremisEvent.Outcome.FAILURE,
            sha256=problem.object,
            location=location,
            audit_run=run,
            detail=detail,
        )
    )
    return problem


def _db_mismatch(run, sha256, replicas, bad, backends, events, problems) -> None:  # type: ignore[no-untyped-def]
    """Every copy agrees with the others, not with the database: report, change nothing (T4c)."""
    run.db_mismatch += 1
    for location_id, result in bad.items():
        replica = replicas[location_id]
        problem = Problem(
            Finding.DB_MISMATCH,
            sha256,
            replica.location.name,
            backends[location_id].describe(sha256),
            sha256,
            result,
            message=MESSAGES[Finding.DB_MISMATCH],
        )
        _failed_check(problems, events, run, problem, replica.location, f"{MESSAGES[Finding.DB_MISMATCH]}: {result}")
    logger.error("fixity: every copy of %s hashes to %s, the database says otherwise", sha256, next(iter(bad.values())))


def _damaged(run, sha256, replicas, good, bad, backends, events, problems) -> None:  # type: ignore[no-untyped-def]
    """Repair each bad copy from a copy verified in this audit; with none, the object is unrecoverable."""
    source_id = next(iter(sorted(good, key=lambda pk: not replicas[pk].location.is_primary)), None)
    if source_id is None:
        run.unrecoverable += 1
    for location_id, result in bad.items():
        replica = replicas[location_id]
        status = Finding.MISSING if result is None else Finding.CORRUPT
        if status == Finding.MISSING:
            run.missing += 1
        else:
            run.corrupt += 1
        replica.state = State.MISSING if result is None else State.CORRUPT
        replica.error = MESSAGES[status]
        unrecoverable = " — không thể phục hồi / unrecoverable" if source_id is None else ""
        problem = _failed_check(
            problems,
            events,
            run,
            Problem(
                status,
                sha256,
                replica.location.name,
                backends[location_id].describe(sha256),
                sha256,
                result,
                message=MESSAGES[status],
            ),
            replica.location,
            f"{MESSAGES[status]}: {result or '-'}{unrecoverable}",
        )
        if source_id is None:
            problem.action = "unrecoverable"
            logger.error(
                "fixity: %s at %s is %s and no copy matches the database digest", sha256, replica.location.name, status
            )
            continue
        source = replicas[source_id].location
        try:
            with closing(backends[source_id].open(sha256)) as stream:
                backends[location_id].put_from(stream, sha256)
            readback = backends[location_id].sha256_of(sha256)
        except Exception as error:  # the repair failed; the copy stays bad and is reported
            readback = None
            logger.exception("repair of %s at %s failed", sha256, replica.location.name)
            problem.message += f" ({error})"
        PremisEvent.objects.bulk_create(events)
        events.clear()
        _record_readback(replica, readback, PremisEvent.Type.RECOVERY, source=source, audit_run=run)
        if replica.state == State.VERIFIED:
            problem.action = "repaired"
            run.repaired += 1
        else:
            problem.action = "repair_failed"


def _find_unexpected(run, known, locations, backends, problems) -> None:  # type: ignore[no-untyped-def]
    """Objects a location holds that the database has no row for: reported, never deleted."""
    events: list[PremisEvent] = []
    for location_id, backend in backends.items():
        for sha256 in backend.iter_digests():
            if sha256 in known:
                continue
            run.unexpected += 1
            problem = Problem(
                Finding.UNEXPECTED,
                sha256,
                locations[location_id].name,
                backend.describe(sha256),
                "",
                sha256,
                message=MESSAGES[Finding.UNEXPECTED],
            )
            _failed_check(problems, events, run, problem, locations[location_id], MESSAGES[Finding.UNEXPECTED])
    PremisEvent.objects.bulk_create(events, batch_size=1000)


def _alert(run: AuditRun, problems: list[Problem]) -> None:
    serious = [p for p in problems if p.action == "unrecoverable" or p.status == Finding.DB_MISMATCH]
    lines = [f"{p.status}: {p.object} @ {p.location} ({p.path}) — {p.message}" for p in serious[:200]]
    logger.error(
        "fixity audit %s: %d unrecoverable, %d database mismatches", run.pk, run.unrecoverable, run.db_mismatch
    )
    mail_admins(
        f"Kiểm tra toàn vẹn: {run.unrecoverable} đối tượng không thể phục hồi, {run.db_mismatch} lệch CSDL / "
        f"fixity audit: {run.unrecoverable} unrecoverable, {run.db_mismatch} database mismatches",
        "\n".join([run.scope, *lines]),
    )
