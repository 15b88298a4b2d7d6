"""The on-disk form of backups: one folder per backup beside one content-addressed pool of objects.

TT 05 Đ27 asks that documents and database be backed up and restored *together*, daily
incremental and monthly full. A backup folder therefore holds the database dump, the list of
every object that dump refers to, and the metadata as XML (TT 02 Đ10); the objects themselves go
into ``pool/`` (the same ``ab/cd/<sha256>`` layout as the live store), shared by all backups, so an
incremental backup copies only objects the pool does not hold yet and every backup still names
exactly the objects it needs::

    BACKUP_DIR/
      .lock                      only one backup at a time (flock)
      .staging/<name>/           a backup being written; removed at the next start if it crashed
      pool/ab/cd/<sha256>        every object of every backup, verified by SHA-256 as it is copied
      20260501-003000-full/
        database.sqlite3         (or database.pgdump: pg_dump --format=custom)
        objects.tsv              sha256 <TAB> size <TAB> mime, one line per object of the dump
        metadata.xml             fonds, files, documents and pages (see metadata_xml.py)
        manifest.json            written LAST: digests of the three files above; its presence
                                 in a folder outside .staging is what makes a backup complete

Every file is written in staging, fsync'ed, and the folder is renamed into place only after the
manifest is on disk, so a crash at any moment leaves no folder that looks complete.

Pruning (TT 05 style retention) keeps the full backups of the last ``KEEP_FULL`` months that have one
and every backup since the oldest of them, then deletes from the pool the objects no kept manifest
names. A full backup counts toward the months only when its files still match its manifest, so a
damaged recent full never pushes out an older good one. A pruned folder is first renamed into
``.staging`` (one atomic step: it stops looking complete), then removed; the pool is cleaned only
after every kept backup's object list was read and checked against its manifest, so an object a
kept backup needs is never deleted.

No Django here: the ``backup``/``restore`` commands, the Celery task and the tests share it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from khoso.storage.cas import CHUNK, DigestMismatchError, ObjectStore, sha256_file

FORMAT = "khoso-backup/1"
MANIFEST = "manifest.json"
OBJECTS = "objects.tsv"
METADATA = "metadata.xml"
SQLITE_DUMP = "database.sqlite3"
PG_DUMP = "database.pgdump"
POOL = "pool"
STAGING = ".staging"
LOCK = ".lock"
FULL = "full"
INCREMENTAL = "incremental"
#: Months of full backups kept by pruning (with every incremental since the oldest kept full).
KEEP_FULL = 3


class BackupSetError(Exception):
    """A backup folder that cannot be used; the message is Vietnamese / English."""


@dataclass(frozen=True)
class ObjectEntry:
    sha256: str
    size: int
    mime: str

    def line(self) -> str:
        return f"{self.sha256}\t{self.size}\t{self.mime}\n"


@dataclass
class CopyCounts:
    """What one pass over the objects did (copied into the pool or into a restored store)."""

    total: int = 0
    total_bytes: int = 0
    copied: int = 0
    copied_bytes: int = 0
    verified: int = 0
    problems: list[str] = field(default_factory=list)


# -- small durable-write helpers ---------------------------------------------------------------


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def write_durable(path: Path, data: bytes) -> str:
    """Write ``data`` to ``path`` (via ``path.part``, fsync, rename); return its SHA-256."""
    part = path.with_name(f"{path.name}.part")
    with open(part, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    part.replace(path)
    fsync_dir(path.parent)
    return hashlib.sha256(data).hexdigest()


def copy_hashing(source: Path, target: Path) -> tuple[str, int]:
    """Copy ``source`` to ``target`` (fsync'ed), hashing while copying; return (sha256, size)."""
    digest = hashlib.sha256()
    size = 0
    with open(source, "rb") as reader, open(target, "wb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    return digest.hexdigest(), size


# -- the backup root ---------------------------------------------------------------------------


@contextmanager
def exclusive(root: Path) -> Iterator[None]:
    """Hold the backup root's lock; a second backup, a prune or a restore at the same time is refused, not queued."""
    with _locked(root, fcntl.LOCK_EX):
        yield


@contextmanager
def shared(root: Path) -> Iterator[None]:
    """Hold the backup root's lock for reading (a restore): a prune cannot remove what is being restored."""
    with _locked(root, fcntl.LOCK_SH):
        yield


@contextmanager
def _locked(root: Path, mode: int) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), mode | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise BackupSetError(
                f"Thư mục sao lưu {root} đang bận (một lần sao lưu, dọn dẹp hoặc khôi phục khác đang chạy) / "
                f"the backup folder {root} is busy (another backup, prune or restore is running)"
            ) from error
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def clean_staging(root: Path) -> list[str]:
    """Remove what crashed backups left in staging (call with the lock held); return their names."""
    staging = root / STAGING
    if not staging.is_dir():
        return []
    removed = []
    for leftover in sorted(staging.iterdir()):
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        removed.append(leftover.name)
    return removed


def new_staging(root: Path, name: str) -> Path:
    folder = root / STAGING / name
    folder.mkdir(parents=True)
    return folder


def unique_name(root: Path, stem: str) -> str:
    name, n = stem, 1
    while (root / name).exists() or (root / STAGING / name).exists():
        n += 1
        name = f"{stem}-{n}"
    return name


def publish(staging: Path, root: Path) -> Path:
    """Move a finished backup folder (manifest already written) into place."""
    final = root / staging.name
    staging.replace(final)
    fsync_dir(root)
    fsync_dir(staging.parent)
    return final


def pool(root: Path) -> ObjectStore:
    return ObjectStore(root / POOL)


# -- manifests -----------------------------------------------------------------------------------


def write_objects(path: Path, entries: Iterable[ObjectEntry]) -> tuple[str, int, int]:
    """Write objects.tsv (fsync'ed); return (its sha256, object count, total bytes)."""
    digest = hashlib.sha256()
    count = total = 0
    with open(path, "wb") as handle:
        for entry in entries:
            line = entry.line().encode()
            digest.update(line)
            handle.write(line)
            count += 1
            total += entry.size
        handle.flush()
        os.fsync(handle.fileno())
    return digest.hexdigest(), count, total


def read_objects(path: Path) -> Iterator[ObjectEntry]:
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or len(parts[0]) != 64 or not parts[1].isdigit():
                raise BackupSetError(f"{path} dòng {number} sai định dạng / line {number} is malformed")
            yield ObjectEntry(parts[0], int(parts[1]), parts[2])


def file_record(path: Path) -> dict[str, Any]:
    return {"name": path.name, "sha256": sha256_file(path), "size": path.stat().st_size}


def write_manifest(folder: Path, manifest: dict[str, Any]) -> str:
    """The completion marker: written after every other file of the backup is on disk."""
    data = json.dumps({"format": FORMAT, **manifest}, ensure_ascii=False, indent=2).encode()
    return write_durable(folder / MANIFEST, data)


@dataclass(frozen=True)
class BackupSet:
    """A complete backup folder and its manifest."""

    folder: Path
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def kind(self) -> str:
        return self.manifest["kind"]

    @property
    def engine(self) -> str:
        return self.manifest["database"]["engine"]

    @property
    def dump(self) -> Path:
        return self.folder / self.manifest["database"]["name"]

    @property
    def pool(self) -> ObjectStore:
        return pool(self.folder.parent)

    @property
    def started(self) -> datetime:
        """When the backup began, in the time zone it was written with (the month it belongs to)."""
        return datetime.fromisoformat(self.manifest["started"])

    def objects(self) -> Iterator[ObjectEntry]:
        return read_objects(self.folder / OBJECTS)

    def checked_objects(self) -> Iterator[ObjectEntry]:
        """The object list, refused unless it is the one the manifest recorded (size and SHA-256)."""
        path = self.folder / OBJECTS
        record = next((item for item in self.manifest["files"] if item["name"] == OBJECTS), None)
        if record is None or not path.is_file():
            raise BackupSetError(f"{self.name}: thiếu {OBJECTS} / {OBJECTS} missing")
        if path.stat().st_size != record["size"] or sha256_file(path) != record["sha256"]:
            raise BackupSetError(f"{self.name}: {OBJECTS} sai mã băm SHA-256 / {OBJECTS} fails its SHA-256")
        return read_objects(path)

    def check_files(self) -> list[str]:
        """Every file the manifest lists must be there with its size and SHA-256."""
        problems = []
        for record in self.manifest["files"]:
            path = self.folder / record["name"]
            if not path.is_file():
                problems.append(f"thiếu tệp {record['name']} / missing file")
            elif path.stat().st_size != record["size"] or sha256_file(path) != record["sha256"]:
                problems.append(f"tệp {record['name']} sai mã băm SHA-256 / fails its SHA-256")
        return problems


def open_set(folder: Path) -> BackupSet:
    """The backup in ``folder``, refusing one without a manifest (a crashed or foreign folder)."""
    folder = Path(folder)
    if folder.parent.name == STAGING:
        raise BackupSetError(
            f"{folder} là bản sao lưu chưa hoàn thành (bị gián đoạn) / is an unfinished (interrupted) backup"
        )
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupSetError(
            f"{folder} không có {MANIFEST}: không phải bản sao lưu hoàn chỉnh / "
            f"has no {MANIFEST}: not a complete backup"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupSetError(f"{path} hỏng / is damaged: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupSetError(f"{path}: định dạng «{manifest.get('format')}» không hỗ trợ / unsupported format")
    return BackupSet(folder, manifest)


def complete_sets(root: Path) -> list[BackupSet]:
    """Complete backups under ``root``, oldest first; unfinished folders are ignored."""
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and not folder.name.startswith(".") and folder.name != POOL:
            try:
                found.append(open_set(folder))
            except BackupSetError:
                continue
    return found


# -- retention -------------------------------------------------------------------------------------


@dataclass
class RetentionPlan:
    keep: list[BackupSet]
    remove: list[BackupSet]
    #: Full backups that did not count toward the kept months: name and what is wrong with them.
    damaged: list[str] = field(default_factory=list)


def retention_plan(sets: Iterable[BackupSet], *, keep_full: int = KEEP_FULL) -> RetentionPlan:
    """Keep the last ``keep_full`` months' full backups and every backup since the oldest of them.

    Months are counted over full backups whose files match their manifest, newest first; the cut is the
    earliest good full of the oldest kept month. With no good full nothing is removed.
    """
    if keep_full < 1:
        raise ValueError("keep_full must be at least 1")
    ordered = sorted(sets, key=lambda backup: (backup.started, backup.name))
    months: list[tuple[int, int]] = []
    cut: BackupSet | None = None
    damaged: list[str] = []
    for backup in reversed(ordered):
        if backup.kind != FULL:
            continue
        month = (backup.started.year, backup.started.month)
        if month not in months and len(months) == keep_full:
            break
        if problems := backup.check_files():
            damaged.append(f"{backup.name}: {'; '.join(problems)}")
            continue
        if month not in months:
            months.append(month)
        cut = backup
    if cut is None:
        return RetentionPlan(keep=ordered, remove=[], damaged=damaged)
    index = ordered.index(cut)
    return RetentionPlan(keep=ordered[index:], remove=ordered[:index], damaged=damaged)


@dataclass
class PruneResult:
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)
    objects_removed: int = 0
    bytes_removed: int = 0


def prune(root: Path, *, keep_full: int = KEEP_FULL) -> PruneResult:
    """Apply the retention plan to ``root`` and empty the pool of objects no kept backup names (lock held)."""
    clean_staging(root)
    plan = retention_plan(complete_sets(root), keep_full=keep_full)
    needed: set[str] = set()
    for backup in plan.keep:  # read them all first: any doubt about what is needed stops the prune here
        needed.update(entry.sha256 for entry in backup.checked_objects())
    result = PruneResult(kept=[backup.name for backup in plan.keep], damaged=plan.damaged)
    for backup in plan.remove:
        doomed = root / STAGING / f"{backup.name}.pruned"
        doomed.parent.mkdir(exist_ok=True)
        backup.folder.replace(doomed)
        fsync_dir(root)
        shutil.rmtree(doomed)
        result.removed.append(backup.name)
    store = pool(root)
    for sha256 in list(store.iter_digests()):
        if sha256 in needed:
            continue
        path = store.path_for(sha256)
        size = path.stat().st_size
        path.unlink()
        result.objects_removed += 1
        result.bytes_removed += size
    return result


# -- objects ---------------------------------------------------------------------------------------


def _copy_verified(counts: CopyCounts, store: ObjectStore, source: Path, entry: ObjectEntry) -> None:
    """Copy ``source`` into ``store`` and count it, or record a problem when it is not ``entry.sha256``
    (the store then keeps nothing of it)."""
    try:
        with open(source, "rb") as handle:
            store.put_stream(handle, expected_sha256=entry.sha256)
    except DigestMismatchError as error:
        counts.problems.append(
            f"{entry.sha256}: nội dung sai mã băm SHA-256 (thấy {error.found}) / content fails its SHA-256"
        )
        return
    counts.copied += 1
    counts.copied_bytes += entry.size
    counts.verified += 1


def fill_pool(
    target: ObjectStore, live: ObjectStore, entries: Iterable[ObjectEntry], *, verify_existing: bool
) -> CopyCounts:
    """Copy into the pool the objects it lacks, verifying each copy by its SHA-256.

    ``verify_existing`` (full backups) re-hashes objects already in the pool and copies damaged ones
    again; otherwise (incremental) an object already there with the right size is trusted.
    """
    counts = CopyCounts()
    for entry in entries:
        counts.total += 1
        counts.total_bytes += entry.size
        held = target.path_for(entry.sha256)
        if held.is_file() and held.stat().st_size == entry.size:
            if not verify_existing:
                continue
            if target.verify(entry.sha256):
                counts.verified += 1
                continue
            held.unlink()
        source = live.path_for(entry.sha256)
        if not source.is_file():
            counts.problems.append(f"{entry.sha256}: thiếu trong kho đối tượng / missing from the object store")
            continue
        _copy_verified(counts, target, source, entry)
    return counts


def restore_objects(backup: BackupSet, target: ObjectStore) -> CopyCounts:
    """Copy every object the backup needs from the pool into ``target``, verifying each one."""
    counts = CopyCounts()
    source_pool = backup.pool
    for entry in backup.objects():
        counts.total += 1
        counts.total_bytes += entry.size
        source = source_pool.path_for(entry.sha256)
        if not source.is_file():
            counts.problems.append(f"{entry.sha256}: thiếu trong kho sao lưu / missing from the backup pool")
            continue
        _copy_verified(counts, target, source, entry)
    return counts


# -- SQLite ----------------------------------------------------------------------------------------


def read_only_uri(path: Path) -> str:
    """``file:`` URI of a database opened read-only (percent-encoded, so any file name works)."""
    return f"{Path(path).resolve().as_uri()}?mode=ro"


def sqlite_snapshot(database: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database with the online backup API (one step, one read
    transaction), safe while the site writes; the copy uses a rollback journal, so opening it
    later creates no -wal file beside it."""
    source = sqlite3.connect(read_only_uri(database), uri=True, timeout=60)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
            copy.commit()
        finally:
            copy.close()
    finally:
        source.close()
    fsync_file(target)


def sqlite_integrity(path: Path) -> str:
    connection = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()
