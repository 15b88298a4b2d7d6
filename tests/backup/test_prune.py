"""Pruning by the TT 05 rule: keep the last N months' full backups and every backup since the oldest of them,
garbage-collect the pool, never delete what a kept backup needs (every kept backup still restores)."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from khoso.archive.models import Page
from khoso.backup import backupset, services
from khoso.backup.models import BackupLog, Outcome
from khoso.storage.cas import ObjectStore
from khoso.storage.models import StoredObject
from khoso.storage.services import object_store

pytestmark = pytest.mark.django_db(transaction=True)
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def clock(monkeypatch):  # type: ignore[no-untyped-def]
    """``clock(month, day)``: from now on it is 00:30 that day of 2026 in Vietnam (backups are named and
    dated by it, as the nightly task would see it)."""

    def set_to(month: int, day: int) -> None:
        moment = datetime(2026, month, day, 0, 30, tzinfo=HCM)
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


def _backup(clock, month: int, day: int, kind: str) -> str:  # type: ignore[no-untyped-def]
    clock(month, day)
    log = services.backup_run(kind=kind)
    assert log.outcome == Outcome.OK
    return log.name


def _pool(root: Path) -> set[str]:
    return set(backupset.pool(root).iter_digests())


def test_prune_keeps_the_last_months_and_every_kept_backup_still_restores(  # type: ignore[no-untyped-def]
    small_archive, backup_dir, add_pages, clock, tmp_path
) -> None:
    full_march = _backup(clock, 3, 1, backupset.FULL)
    add_pages(small_archive.secret_file, 1, start=3, rendered=False)  # a scan later thrown away
    dropped = small_archive.secret_file.pages.get(number=3)
    incremental_march = _backup(clock, 3, 2, backupset.INCREMENTAL)
    gone, gone_size = dropped.original_id, dropped.original.size
    Page.objects.filter(pk=dropped.pk).delete()
    StoredObject.objects.filter(pk=gone).delete()
    object_store().delete(gone)
    kept = [_backup(clock, 4, 1, backupset.FULL)]
    add_pages(small_archive.public_file, 1, start=4)  # new objects, only in the later backup
    kept.append(_backup(clock, 4, 2, backupset.INCREMENTAL))
    assert gone in _pool(backup_dir)

    log = services.backup_prune(keep_full=1)

    assert (log.kind, log.outcome, log.error) == (BackupLog.Kind.PRUNE, Outcome.OK, "")
    assert log.removed_backups == [full_march, incremental_march]
    assert log.objects_removed == 1 and log.bytes_removed == gone_size
    assert [found.name for found in backupset.complete_sets(backup_dir)] == kept
    assert list((backup_dir / backupset.STAGING).iterdir()) == []
    needed = {entry.sha256 for name in kept for entry in backupset.open_set(backup_dir / name).objects()}
    assert _pool(backup_dir) == needed and gone not in needed
    for number, name in enumerate(kept):
        backup = backupset.open_set(backup_dir / name)
        assert backup.check_files() == []
        counts = backupset.restore_objects(backup, ObjectStore(tmp_path / f"kho-{number}"))
        assert counts.problems == [] and counts.copied == counts.total > 0
        if connection.vendor == "sqlite":  # on PostgreSQL a restore replaces the configured database
            report = services.restore(source=str(backup.folder), data_dir=tmp_path / f"may-{number}")
            assert report.ok, (report.problems, report.fsck)

    again = services.backup_prune(keep_full=1)
    assert again.removed_backups == [] and again.objects_removed == 0
    assert [found.name for found in backupset.complete_sets(backup_dir)] == kept


def test_a_damaged_full_backup_does_not_count_and_an_older_one_is_kept(small_archive, backup_dir, clock) -> None:  # type: ignore[no-untyped-def]
    names = [
        _backup(clock, 1, 1, backupset.FULL),
        _backup(clock, 2, 1, backupset.FULL),
        _backup(clock, 3, 1, backupset.FULL),
        _backup(clock, 4, 1, backupset.FULL),
        _backup(clock, 4, 2, backupset.INCREMENTAL),
    ]
    damaged = backupset.open_set(backup_dir / names[3]).dump
    damaged.chmod(0o644)
    damaged.write_bytes(b"hong")

    log = services.backup_prune(keep_full=2)

    assert log.outcome == Outcome.OK and log.removed_backups == [names[0]]  # March and February count, not April
    assert names[3] in log.error and "hỏng" in log.error
    assert [found.name for found in backupset.complete_sets(backup_dir)] == names[1:]


def test_prune_deletes_nothing_when_a_kept_backup_cannot_say_what_it_needs(small_archive, backup_dir, clock) -> None:  # type: ignore[no-untyped-def]
    names = [_backup(clock, month, 1, backupset.FULL) for month in (1, 2, 3)]
    listing = backup_dir / names[2] / backupset.OBJECTS
    listing.write_text(listing.read_text()[:-70])  # its last object no longer listed
    before = _pool(backup_dir)

    with pytest.raises(services.BackupError, match="objects.tsv sai mã băm"):
        services.backup_prune(keep_full=1)

    log = BackupLog.objects.filter(kind=BackupLog.Kind.PRUNE).get()
    assert log.outcome == Outcome.FAILED and "không xóa gì" in log.error
    assert [found.name for found in backupset.complete_sets(backup_dir)] == names
    assert _pool(backup_dir) == before


def test_backup_prune_command_prints_and_logs_what_it_removed(small_archive, backup_dir, clock) -> None:  # type: ignore[no-untyped-def]
    old = _backup(clock, 1, 1, backupset.FULL)
    clock(2, 1)
    out = io.StringIO()
    call_command("backup", "--full", "--prune", "--keep-full", "1", "--json", stdout=out)
    backup, pruned = json.loads(out.getvalue())["sets"]
    assert backup["outcome"] == pruned["outcome"] == Outcome.OK
    assert backup["folder"] == str(backup_dir.resolve() / "20260201-003000-full")
    assert pruned["removed"] == [old] and pruned["objects_removed"] == 0
    client = Client()
    client.force_login(small_archive.users["admin"])
    page = client.get(reverse("backup_home")).content.decode()
    assert "Dọn bản cũ" in page and f"Đã xóa: {old}; 0 đối tượng" in page

    clock(2, 2)
    out = io.StringIO()
    call_command("backup", "--prune-only", stdout=out)
    assert "Đã dọn / pruned" in out.getvalue() and "removed —" in out.getvalue()
    assert BackupLog.objects.filter(kind=BackupLog.Kind.PRUNE, outcome=Outcome.OK).count() == 2
