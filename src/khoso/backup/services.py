"""Backup, restore and insurance copies: database and objects always travel together (TT 05 Đ27).

A backup takes a snapshot of the database first (SQLite: the online backup API; PostgreSQL: pg_dump
of an exported REPEATABLE READ snapshot) and reads the object list *from that snapshot*, so the
manifest names exactly the objects the dump refers to: objects are stored before their rows commit
(storage/cas.py), hence every object the snapshot names is already on disk. The metadata XML is read
from the same snapshot. Then the objects go into the backup pool, each copy verified by SHA-256, and
the manifest is written last (backupset.py explains the layout and why a crash cannot look complete).

TT 05 Đ27 wants at least two backup sets on independent media: every configured target
(KHOSO_BACKUP_DIR, a comma list, or ``--to`` given more than once) gets its own complete set in one
run, one after the other, each with its own dump, pool and log row; a target that fails is logged
and the next one is still written. After the scheduled backup each target is pruned (backupset.py
says what is kept) and the prune is logged too.

A restore goes into a fresh data directory, verifies the dump and every object against the manifest,
then runs the new instance's own ``migrate`` and ``fsck`` in a child process: the check is the one an
administrator would run, on the instance as it will start.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from khoso.archive.models import Fonds
from khoso.backup import backupset, selectors
from khoso.backup.metadata_xml import write_metadata
from khoso.backup.models import BackupLog, InsuranceCopy, Outcome
from khoso.core.errors import ArchiveError, IntegrityError, ValidationError
from khoso.core.modelfields import concrete_field
from khoso.core.text import nfc
from khoso.handover.selectors import safe_name
from khoso.handover.services import copy_roots
from khoso.storage.cas import ObjectStore
from khoso.storage.services import object_store

logger = logging.getLogger(__name__)

#: The SQLite file of an instance, as settings.py names it under KHOSO_DATA_DIR.
SQLITE_NAME = "khoso.sqlite3"
INSURANCE_MANIFEST = "manifest-sha256.txt"


class BackupError(ArchiveError):
    code = "sao_luu_loi"
    message_vi = "Sao lưu không thành công: {reason}"
    message_en = "Backup failed: {reason_en}"
    http_status = 500

    def __init__(self, detail: str = "", *, reason: str, reason_en: str = "") -> None:
        super().__init__(detail, reason=reason, reason_en=reason_en or reason)


class RestoreError(ArchiveError):
    code = "khoi_phuc_loi"
    message_vi = "Không khôi phục được: {reason}"
    message_en = "Restore refused or failed: {reason_en}"

    def __init__(self, detail: str = "", *, reason: str, reason_en: str = "") -> None:
        super().__init__(detail, reason=reason, reason_en=reason_en or reason)


class InjectedBackupFault(ArchiveError):
    code = "loi_gia_lap"
    message_vi = "Lỗi giả lập khi sao lưu (chỉ dùng khi kiểm thử)."
    message_en = "Injected backup fault (tests only)."


def backup_roots() -> list[Path]:
    """Every configured backup target (KHOSO_BACKUP_DIR, parsed once into paths by the settings)."""
    roots = [Path(item) for item in settings.KHOSO_BACKUP_DIR]
    if not roots:
        raise ValidationError(reason="chưa khai báo thư mục sao lưu (KHOSO_BACKUP_DIR).")
    return roots


def backup_root() -> Path:
    """The first backup target: where a backup named without its folder is looked for first."""
    return backup_roots()[0]


def _fault_point() -> None:
    """``KHOSO_FAULT_INJECT=backup=crash`` raises, ``backup=kill`` dies at once (SIGKILL), after the objects
    are in the pool and before the manifest: the worst moment for a backup to stop."""
    spec = dict(item.split("=", 1) for item in settings.KHOSO_FAULT_INJECT.split(",") if "=" in item)
    action = spec.get("backup")
    if action == "crash":
        raise InjectedBackupFault()
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)


# -- database snapshots ------------------------------------------------------------------------------


def _pg_env() -> dict[str, str]:
    conf = connection.settings_dict
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if conf.get(key):
            env[variable] = str(conf[key])
    env["PGDATABASE"] = str(conf["NAME"])
    return env


def _run(command: list[str], *, env: dict[str, str] | None = None, what: str) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(
            reason=f"không tìm thấy chương trình {command[0]}", reason_en=f"{command[0]} not found"
        ) from error
    if result.returncode != 0:
        raise BackupError(reason=f"{what} thất bại: {result.stderr.strip()[-2000:]}", reason_en=f"{what} failed")
    return result


@contextmanager
def _snapshot(staging: Path) -> Iterator[tuple[Callable[[], Any], Path]]:
    """Dump the database into ``staging``; yield (cursor factory, dump) where the cursors read exactly the
    dumped state: on SQLite the dump file itself, on PostgreSQL the transaction whose snapshot pg_dump used."""
    if connection.in_atomic_block:
        raise BackupError(
            reason="không sao lưu bên trong một giao dịch CSDL đang mở", reason_en="cannot back up inside a transaction"
        )
    if connection.vendor == "sqlite":
        dump = staging / backupset.SQLITE_DUMP
        backupset.sqlite_snapshot(Path(connection.settings_dict["NAME"]), dump)
        reader = sqlite3.connect(backupset.read_only_uri(dump), uri=True)
        try:
            yield reader.cursor, dump
        finally:
            reader.close()
    elif connection.vendor == "postgresql":
        dump = staging / backupset.PG_DUMP
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            _run(
                ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={dump}"],
                env=_pg_env(),
                what="pg_dump",
            )
            backupset.fsync_file(dump)
            yield connection.chunked_cursor, dump
    else:
        raise BackupError(reason=f"CSDL {connection.vendor} chưa được hỗ trợ", reason_en=f"{connection.vendor}")


# -- backup ------------------------------------------------------------------------------------------


def _close_stale_logs(root: Path) -> None:
    """Rows of ``root`` still "running" while we hold its lock belong to backups that died (a backup into
    another target may be running now: its rows are not ours to close)."""
    BackupLog.objects.filter(outcome=Outcome.RUNNING, target=str(root)).update(
        outcome=Outcome.INTERRUPTED,
        finished_at=timezone.now(),
        error="Bị gián đoạn: không có bản kê hoàn thành; phần dở dang đã được dọn / interrupted, leftovers removed",
    )


def backup_run(
    *, kind: str, trigger: str = BackupLog.Trigger.MANUAL, by: Any = None, to: Path | None = None
) -> BackupLog:
    """Make one backup into ``to`` (default KHOSO_BACKUP_DIR) and return its log row."""
    if kind not in (backupset.FULL, backupset.INCREMENTAL):
        raise ValidationError(reason=f"loại sao lưu «{kind}» không hợp lệ (full hoặc incremental).")
    root = Path(to or backup_root()).resolve()
    if root.is_relative_to(Path(settings.KHOSO_OBJECTS_DIR).resolve()):
        raise ValidationError(reason="thư mục sao lưu không được nằm trong kho đối tượng.")
    try:
        with backupset.exclusive(root):
            log = _backup_locked(kind=kind, trigger=trigger, by=by, root=root)
    except backupset.BackupSetError as error:
        raise BackupError(reason=str(error)) from error
    log.refresh_from_db()
    return log


def _backup_locked(*, kind: str, trigger: str, by: Any, root: Path) -> BackupLog:
    backupset.clean_staging(root)
    _close_stale_logs(root)
    started = timezone.localtime()
    name = backupset.unique_name(root, f"{started:%Y%m%d-%H%M%S}-{kind}")
    log = BackupLog.objects.create(
        name=name, kind=kind, trigger=trigger, started_by=by, target=str(root), engine=connection.vendor
    )
    staging = backupset.new_staging(root, name)
    try:
        _backup_into(log, staging, root)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        message = error.message if isinstance(error, ArchiveError) else f"{type(error).__name__}: {error}"
        BackupLog.objects.filter(pk=log.pk).update(outcome=Outcome.FAILED, finished_at=timezone.now(), error=message)
        raise
    return log


def _backup_into(log: BackupLog, staging: Path, root: Path) -> None:
    with _snapshot(staging) as (open_cursor, dump):
        objects_sha, _, _ = backupset.write_objects(
            staging / backupset.OBJECTS, selectors.snapshot_objects(open_cursor())
        )
        write_metadata(
            staging / backupset.METADATA,
            archive=settings.KHOSO_ARCHIVE_NAME,
            created=timezone.localtime(log.started_at),
            fonds=selectors.metadata_nodes(open_cursor),
        )
        backupset.fsync_file(staging / backupset.METADATA)
    counts = backupset.fill_pool(
        backupset.pool(root),
        object_store(),
        backupset.read_objects(staging / backupset.OBJECTS),
        verify_existing=log.kind == backupset.FULL,
    )
    if counts.problems:
        raise BackupError(
            reason=f"{len(counts.problems)} đối tượng không sao được: " + "; ".join(counts.problems[:5]),
            reason_en=f"{len(counts.problems)} objects could not be copied",
        )
    _fault_point()
    dump_record = backupset.file_record(dump)
    finished = timezone.now()
    manifest_sha = backupset.write_manifest(
        staging,
        {
            "name": log.name,
            "kind": log.kind,
            "trigger": log.trigger,
            "archive": settings.KHOSO_ARCHIVE_NAME,
            "started": timezone.localtime(log.started_at).isoformat(),
            "finished": timezone.localtime(finished).isoformat(),
            "database": {"engine": connection.vendor, **dump_record},
            "pool": f"../{backupset.POOL}",
            "counts": {
                "objects": counts.total,
                "bytes": counts.total_bytes,
                "copied": counts.copied,
                "copied_bytes": counts.copied_bytes,
                "verified": counts.verified,
            },
            "files": [
                dump_record,
                {**backupset.file_record(staging / backupset.OBJECTS), "sha256": objects_sha},
                backupset.file_record(staging / backupset.METADATA),
            ],
        },
    )
    backupset.publish(staging, root)
    BackupLog.objects.filter(pk=log.pk).update(
        outcome=Outcome.OK,
        finished_at=finished,
        objects_total=counts.total,
        bytes_total=counts.total_bytes,
        objects_copied=counts.copied,
        bytes_copied=counts.copied_bytes,
        objects_verified=counts.verified,
        dump_sha256=dump_record["sha256"],
        manifest_sha256=manifest_sha,
    )


def backup_prune(
    *,
    root: Path | None = None,
    keep_full: int = backupset.KEEP_FULL,
    trigger: str = BackupLog.Trigger.MANUAL,
    by: Any = None,
) -> BackupLog:
    """Apply the retention rule to one target (default: the first) and log what it removed."""
    if keep_full < 1:
        raise ValidationError(reason="phải giữ ít nhất 1 tháng sao lưu toàn bộ (--keep-full ≥ 1).")
    root = Path(root or backup_root()).resolve()
    log = BackupLog.objects.create(
        name=f"{timezone.localtime():%Y%m%d-%H%M%S}-prune",
        kind=BackupLog.Kind.PRUNE,
        trigger=trigger,
        started_by=by,
        target=str(root),
        engine=connection.vendor,
    )
    try:
        if not root.is_dir():
            raise backupset.BackupSetError(f"không có thư mục sao lưu {root} / no backup folder {root}")
        with backupset.exclusive(root):
            result = backupset.prune(root, keep_full=keep_full)
    except BaseException as error:
        if isinstance(error, ArchiveError):
            message = error.message
        elif isinstance(error, backupset.BackupSetError):
            message = f"Không dọn bản sao lưu cũ, không xóa gì: {error}"
        else:
            message = f"{type(error).__name__}: {error}"
        BackupLog.objects.filter(pk=log.pk).update(outcome=Outcome.FAILED, finished_at=timezone.now(), error=message)
        if isinstance(error, backupset.BackupSetError):
            raise BackupError(reason=str(error)) from error
        raise
    warning = ""
    if result.damaged:
        warning = "Bản sao lưu toàn bộ hỏng, không được tính là bản giữ lại: " + "; ".join(result.damaged)
    BackupLog.objects.filter(pk=log.pk).update(
        outcome=Outcome.OK,
        finished_at=timezone.now(),
        removed_backups=result.removed,
        objects_removed=result.objects_removed,
        bytes_removed=result.bytes_removed,
        error=warning,
    )
    log.refresh_from_db()
    return log


@dataclass
class TargetResult:
    """One target of a run: its backup log row (always one, failed or not) and its prune row when asked."""

    root: Path
    backup: BackupLog
    prune: BackupLog | None = None

    @property
    def ok(self) -> bool:
        return self.backup.outcome == Outcome.OK and (self.prune is None or self.prune.outcome == Outcome.OK)


def _failed_row(root: Path, since: int, *, kind: str, trigger: str, by: Any, error: BaseException) -> BackupLog:
    """The log row of a run into ``root`` that failed: the one the run wrote, or one written now when it
    failed before it could (target missing or read-only, another backup holding the lock)."""
    row = BackupLog.objects.filter(pk__gt=since, target=str(root), kind=kind).order_by("pk").first()
    if row is not None:
        return row
    message = error.message if isinstance(error, ArchiveError) else f"{type(error).__name__}: {error}"
    return BackupLog.objects.create(
        kind=kind,
        trigger=trigger,
        started_by=by,
        target=str(root),
        engine=connection.vendor,
        outcome=Outcome.FAILED,
        finished_at=timezone.now(),
        error=message,
    )


def backup_targets(
    *,
    kind: str | None = None,
    targets: Iterable[Path] | None = None,
    trigger: str = BackupLog.Trigger.MANUAL,
    by: Any = None,
    prune: bool = False,
    keep_full: int = backupset.KEEP_FULL,
    today: date | None = None,
) -> list[TargetResult]:
    """One backup set into every target (default: every configured one), then optionally prune each.

    ``kind`` None picks per target by the schedule rule (a new target starts with a full backup). A
    failure is logged against its target and the remaining targets are still written; a target whose
    backup failed is not pruned.
    """
    roots = [Path(root).resolve() for root in (targets or backup_roots())]
    results: list[TargetResult] = []
    for root in dict.fromkeys(roots):  # the same folder twice is one set
        chosen = kind or selectors.scheduled_kind(today=today or timezone.localdate(), root=root)
        since = BackupLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        try:
            result = TargetResult(root, backup_run(kind=chosen, trigger=trigger, by=by, to=root))
        except Exception as error:  # one medium failing must not cost the other its backup
            logger.error("backup into %s failed: %s", root, error)
            results.append(
                TargetResult(root, _failed_row(root, since, kind=chosen, trigger=trigger, by=by, error=error))
            )
            continue
        if prune:
            since = BackupLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            try:
                result.prune = backup_prune(root=root, keep_full=keep_full, trigger=trigger, by=by)
            except Exception as error:
                logger.error("pruning %s failed: %s", root, error)
                result.prune = _failed_row(root, since, kind=BackupLog.Kind.PRUNE, trigger=trigger, by=by, error=error)
        results.append(result)
    return results


def backup_scheduled(*, today: date | None = None) -> list[TargetResult]:
    """The daily beat task, into every configured target: full on the first of the month (or when the target
    holds no full backup yet), else incremental; then the target is pruned."""
    return backup_targets(trigger=BackupLog.Trigger.SCHEDULED, prune=True, today=today)


# -- restore -----------------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    backup: str
    data_dir: Path
    objects: int = 0
    bytes: int = 0
    problems: list[str] = field(default_factory=list)
    fsck: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.fsck


def find_backup(source: str, *, root: Path | None = None) -> backupset.BackupSet:
    """A backup by its folder path or by its name (folder name) under ``root`` (default: every KHOSO_BACKUP_DIR
    target, the first that holds it)."""
    roots = [Path(root)] if root else backup_roots()
    candidate = Path(source)
    if not candidate.is_dir():
        candidate = next((found / source for found in roots if (found / source).is_dir()), roots[0] / source)
    if not candidate.is_dir():
        names = ", ".join(found.name for top in roots for found in backupset.complete_sets(top)) or "—"
        raise RestoreError(
            reason=f"không có bản sao lưu «{source}»; các bản hoàn chỉnh: {names}",
            reason_en=f"no backup «{source}»; complete ones: {names}",
        )
    try:
        return backupset.open_set(candidate)
    except backupset.BackupSetError as error:
        raise RestoreError(reason=str(error)) from error


def _holds_data(data_dir: Path) -> bool:
    """Settings create secret_key, static/, tmp/ and queue/ in any data directory; only a database or an
    object makes it an instance that a restore could overwrite."""
    database = data_dir / SQLITE_NAME
    if database.is_file() and database.stat().st_size > 0:
        return True
    return any(ObjectStore(data_dir / "objects").iter_digests()) if (data_dir / "objects").is_dir() else False


def _pg_has_tables() -> bool:
    return bool(connection.introspection.table_names())


def _set_aside(data_dir: Path) -> Path:
    """--force: move the old database and objects into before-restore-<time>/ (nothing is deleted)."""
    aside = data_dir / f"before-restore-{timezone.localtime():%Y%m%d-%H%M%S}"
    aside.mkdir()
    for name in (SQLITE_NAME, f"{SQLITE_NAME}-wal", f"{SQLITE_NAME}-shm", "objects"):
        if (data_dir / name).exists():
            (data_dir / name).rename(aside / name)
    return aside


def _log_completion(backup: backupset.BackupSet) -> dict[str, Any]:
    """The dump was taken while its own log row said "running"; the manifest proves it finished."""
    counts = backup.manifest["counts"]
    return {
        "outcome": Outcome.OK,
        "finished_at": datetime.fromisoformat(backup.manifest["finished"]).astimezone(UTC),
        "objects_total": counts["objects"],
        "bytes_total": counts["bytes"],
        "objects_copied": counts["copied"],
        "bytes_copied": counts["copied_bytes"],
        "objects_verified": counts["verified"],
        "dump_sha256": backup.manifest["database"]["sha256"],
    }


def _mark_log_complete_sqlite(path: Path, backup: backupset.BackupSet) -> None:
    values = _log_completion(backup)
    # Django keeps SQLite datetimes as naive UTC text (its sqlite3 backend's adapt_datetimefield_value)
    values["finished_at"] = str(values["finished_at"].replace(tzinfo=None))
    assignments = ", ".join(f'"{concrete_field(BackupLog, name).column}" = ?' for name in values)
    name_column = concrete_field(BackupLog, "name").column
    database = sqlite3.connect(path)
    try:
        with database:
            database.execute(
                f'UPDATE "{BackupLog._meta.db_table}" SET {assignments} WHERE "{name_column}" = ?',
                [*values.values(), backup.name],
            )
    finally:
        database.close()


def _restore_sqlite(backup: backupset.BackupSet, data_dir: Path) -> None:
    staged = data_dir / f".{SQLITE_NAME}.restore"
    sha256, size = backupset.copy_hashing(backup.dump, staged)
    try:
        if sha256 != backup.manifest["database"]["sha256"] or size != backup.manifest["database"]["size"]:
            raise RestoreError(
                reason="bản kết xuất CSDL sai mã băm SHA-256 so với bản kê", reason_en="database dump fails its SHA-256"
            )
        if (verdict := backupset.sqlite_integrity(staged)) != "ok":
            raise RestoreError(reason=f"CSDL hỏng: {verdict}", reason_en=f"database damaged: {verdict}")
        _mark_log_complete_sqlite(staged, backup)
        backupset.fsync_file(staged)
        staged.replace(data_dir / SQLITE_NAME)
        backupset.fsync_dir(data_dir)
    finally:
        staged.unlink(missing_ok=True)


def _restore_postgresql(backup: backupset.BackupSet, force: bool) -> None:
    command = ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={connection.settings_dict['NAME']}"]
    if force:
        command[1:1] = ["--clean", "--if-exists"]
    try:
        _run([*command, str(backup.dump)], env=_pg_env(), what="pg_restore")
    except BackupError as error:
        raise RestoreError(reason=error.params["reason"]) from error
    connection.close()
    BackupLog.objects.filter(name=backup.name).update(**_log_completion(backup))


def _instance_check(data_dir: Path) -> tuple[list[str], list[dict[str, str]]]:
    """``migrate`` then ``fsck --json`` of the restored instance, each in a fresh ``khoso`` process."""
    env = {**os.environ, "KHOSO_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    khoso = [sys.executable, "-m", "khoso"]
    migrate = subprocess.run([*khoso, "migrate", "--no-input"], env=env, capture_output=True, text=True, check=False)
    if migrate.returncode != 0:
        return [f"migrate: {migrate.stderr.strip()[-2000:]}"], []
    fsck = subprocess.run([*khoso, "fsck", "--json"], env=env, capture_output=True, text=True, check=False)
    try:
        return [], json.loads(fsck.stdout)
    except ValueError:
        return [f"fsck: {fsck.stderr.strip()[-2000:]}"], []


def restore(
    *, source: str, data_dir: Path | None = None, force: bool = False, say: Callable[[str], None] = lambda _: None
) -> RestoreReport:
    """Restore backup ``source`` (folder or name) into ``data_dir`` (default: this instance's DATA_DIR).

    The backup folder's lock is held (shared) throughout, so a prune cannot remove the set or its pool
    objects while they are being read."""
    backup = find_backup(source)
    try:
        with backupset.shared(backup.folder.parent):
            return _restore_locked(backup, data_dir=data_dir, force=force, say=say)
    except backupset.BackupSetError as error:
        raise RestoreError(reason=str(error)) from error


def _restore_locked(
    backup: backupset.BackupSet, *, data_dir: Path | None, force: bool, say: Callable[[str], None]
) -> RestoreReport:
    data_dir = Path(data_dir or settings.DATA_DIR).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    if backup.engine != vendor:
        raise RestoreError(
            reason=f"bản sao lưu là CSDL {backup.engine}, cấu hình hiện tại dùng {vendor} (KHOSO_DATABASE_URL)",
            reason_en=f"the backup holds a {backup.engine} database, this configuration uses {vendor}",
        )
    occupied = _holds_data(data_dir) or (vendor == "postgresql" and _pg_has_tables())
    if occupied and not force:
        raise RestoreError(
            reason=f"{data_dir} (hoặc CSDL đã cấu hình) đã có dữ liệu; chỉ khôi phục vào nơi trống, "
            "hoặc dùng --force (dữ liệu cũ được chuyển sang before-restore-…)",
            reason_en=f"{data_dir} (or the configured database) is not empty; use --force to set it aside",
        )
    if occupied:
        say(f"Dữ liệu cũ được chuyển sang / old data moved to {_set_aside(data_dir)}")
    damaged = backup.check_files()
    if damaged:
        raise RestoreError(reason="bản sao lưu hỏng: " + "; ".join(damaged), reason_en="the backup is damaged")
    report = RestoreReport(backup=backup.name, data_dir=data_dir)
    say(f"Khôi phục CSDL từ / restoring the database from {backup.dump}")
    if vendor == "sqlite":
        _restore_sqlite(backup, data_dir)
    else:
        _restore_postgresql(backup, force)
    say("Chép và kiểm tra mã băm từng đối tượng / copying and verifying every object")
    counts = backupset.restore_objects(backup, ObjectStore(data_dir / "objects"))
    report.objects, report.bytes = counts.copied, counts.copied_bytes
    report.problems.extend(counts.problems)
    say("Kiểm tra nhất quán của bản khôi phục (khoso migrate, khoso fsck) / checking the restored instance")
    failures, report.fsck = _instance_check(data_dir)
    report.problems.extend(failures)
    return report


# -- insurance copies --------------------------------------------------------------------------------


def _read_manifest(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    entries = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        sha256, _, relative = line.partition("  ")
        if len(sha256) == 64 and relative:
            entries[relative] = sha256
    return entries


def _copy_object(store: ObjectStore, sha256: str, dest: Path) -> int:
    """Copy an object to ``dest`` via ``dest.part`` (fsync, rename), checking its SHA-256 on the way."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(f"{dest.name}.part")
    found, size = backupset.copy_hashing(store.path_for(sha256), part)
    if found != sha256:
        part.unlink()
        raise IntegrityError(reason=f"đối tượng {sha256} trong kho sai mã băm SHA-256; không chép bản hỏng.")
    part.replace(dest)
    return size


def insurance_copy(*, fonds: Fonds, target: Path, by: Any = None) -> InsuranceCopy:
    """Write the fonds' insurance copy into ``target/<fonds code>/`` with its manifest and statistics list.

    A second run into the same folder rewrites only files whose content changed (the previous manifest
    says what is there) and removes files no longer in the fonds; the counters follow the new run.
    """
    from khoso.backup import documents

    folder = Path(target).resolve() / safe_name(fonds.code)
    if folder.is_relative_to(Path(settings.KHOSO_OBJECTS_DIR).resolve()):
        raise ValidationError(reason="không lập bản sao bảo hiểm bên trong kho đối tượng số.")
    run = InsuranceCopy.objects.create(fonds=fonds, target=str(folder), made_by=by)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        manifest_path = folder / INSURANCE_MANIFEST
        previous = _read_manifest(manifest_path)
        contents = selectors.insurance_contents(fonds=fonds)
        store = object_store()
        lines: dict[str, str] = {}
        for insured in contents:
            for item in insured.items:
                dest = folder / item.relative
                lines[item.relative] = item.sha256
                unchanged = previous.get(item.relative) == item.sha256
                if unchanged and dest.is_file() and dest.stat().st_size == item.size:
                    continue
                run.bytes_written += _copy_object(store, item.sha256, dest)
                run.files_written += 1
        for relative in previous.keys() - lines.keys():
            if relative not in documents.STATISTICS_NAMES:
                (folder / relative).unlink(missing_ok=True)
        run.files = len(contents)
        run.pages = sum(insured.pages for insured in contents)
        run.bytes = sum(insured.bytes for insured in contents)
        for name, data in documents.insurance_statistics(fonds=fonds, contents=contents, made=run).items():
            lines[name] = backupset.write_durable(folder / name, data)
        body = "".join(f"{lines[relative]}  {relative}\n" for relative in sorted(lines)).encode()
        run.manifest_sha256 = backupset.write_durable(manifest_path, body)
        backupset.fsync_dir(folder)
        run.outcome, run.finished_at = Outcome.OK, timezone.now()
        run.save()
    except BaseException as error:
        message = error.message if isinstance(error, ArchiveError) else f"{type(error).__name__}: {error}"
        InsuranceCopy.objects.filter(pk=run.pk).update(
            outcome=Outcome.FAILED, finished_at=timezone.now(), error=message
        )
        raise
    return run


def insurance_copy_queue(*, fonds: Fonds, target: str, by: Any) -> Path:
    """From the staff page: check the target folder (absolute, under KHOSO_COPY_ROOTS, outside the object
    store), then queue the copy once the request's transaction commits."""
    from khoso.backup import tasks

    raw = nfc(target).strip()
    folder = Path(raw)
    if not raw or not folder.is_absolute():
        raise ValidationError(reason=f"thư mục đích «{raw}» phải là đường dẫn tuyệt đối.")
    folder = folder.resolve()
    roots = copy_roots()
    if not any(folder.is_relative_to(root) for root in roots):
        raise ValidationError(
            reason=f"thư mục {folder} nằm ngoài các thư mục được phép: {', '.join(map(str, roots))} (KHOSO_COPY_ROOTS)."
        )
    if folder.is_relative_to(Path(settings.KHOSO_OBJECTS_DIR).resolve()):
        raise ValidationError(reason="không lập bản sao bảo hiểm bên trong kho đối tượng số.")
    transaction.on_commit(lambda: tasks.insurance_copy_run.delay(fonds.pk, str(folder), getattr(by, "pk", None)))
    return folder
