"""Backups as TT 05 wants them: monthly full and daily incremental, the pool shared, the log honest, and a
backup that stops midway never taken for a complete one."""

from __future__ import annotations

from datetime import date

import pytest

from khoso.backup import backupset, services, tasks
from khoso.backup.models import BackupLog, Outcome
from khoso.backup.selectors import scheduled_kind
from khoso.storage.models import StoredObject

pytestmark = pytest.mark.django_db(transaction=True)


def test_incremental_after_full_copies_only_new_objects(small_archive, backup_dir, add_pages) -> None:
    full = services.backup_run(kind=backupset.FULL)
    assert full.objects_copied == full.objects_total == StoredObject.objects.count()

    add_pages(small_archive.secret_file, 1, start=3, rendered=False)  # one new object: the scan of page 3
    incremental = services.backup_run(kind=backupset.INCREMENTAL)
    assert incremental.objects_total == full.objects_total + 1
    assert incremental.objects_copied == 1
    new_page = small_archive.secret_file.pages.get(number=3)
    assert incremental.bytes_copied == new_page.original.size

    # each backup names every object it needs, the pool holds each object once
    needed = {e.sha256 for e in backupset.open_set(backup_dir / incremental.name).objects()}
    assert needed == set(StoredObject.objects.values_list("sha256", flat=True))
    assert sorted(backupset.pool(backup_dir).iter_digests()) == sorted(needed)
    assert [found.name for found in backupset.complete_sets(backup_dir)] == [full.name, incremental.name]


def test_full_backup_re_verifies_the_pool_and_repairs_a_damaged_copy(small_archive, backup_dir) -> None:
    first = services.backup_run(kind=backupset.FULL)
    victim = small_archive.public_file.pdf_id
    damaged = backup_dir / backupset.POOL / victim[:2] / victim[2:4] / victim
    damaged.chmod(0o644)
    damaged.write_bytes(b"x" * small_archive.public_file.pdf.size)  # same size, wrong content

    incremental = services.backup_run(kind=backupset.INCREMENTAL)
    assert incremental.objects_copied == 0  # an incremental trusts an object present with the right size
    assert not backupset.pool(backup_dir).verify(victim)

    full = services.backup_run(kind=backupset.FULL)
    assert full.objects_copied == 1 and full.objects_verified == first.objects_total
    assert backupset.pool(backup_dir).verify(victim)


def test_a_backup_that_fails_midway_is_not_complete_and_cannot_be_restored(small_archive, backup_dir, settings) -> None:
    settings.KHOSO_FAULT_INJECT = "backup=crash"
    with pytest.raises(services.InjectedBackupFault):
        services.backup_run(kind=backupset.FULL)

    log = BackupLog.objects.get()
    assert log.outcome == Outcome.FAILED and "giả lập" in log.error and log.finished_at
    assert backupset.complete_sets(backup_dir) == []
    assert not (backup_dir / log.name).exists()
    assert list((backup_dir / backupset.STAGING).iterdir()) == []
    with pytest.raises(services.RestoreError, match="không có bản sao lưu"):
        services.find_backup(log.name)


def test_a_killed_backup_leaves_no_complete_marker_and_is_cleaned_next_time(
    small_archive, backup_dir, fresh_instance, khoso_at
) -> None:
    """A real crash: the backup process SIGKILLs itself after copying the objects, before the manifest."""
    full = services.backup_run(kind=backupset.FULL)
    restored = khoso_at(fresh_instance, "restore", str(backup_dir / full.name))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    other_backups = fresh_instance.data_dir / "sao-luu-khac"

    killed = khoso_at(
        fresh_instance, "backup", "--full", "--to", str(other_backups), extra_env={"KHOSO_FAULT_INJECT": "backup=kill"}
    )
    assert killed.returncode == -9
    assert backupset.complete_sets(other_backups) == []
    (leftover,) = (other_backups / backupset.STAGING).iterdir()
    assert not (leftover / backupset.MANIFEST).exists()
    refused = khoso_at(fresh_instance, "restore", str(leftover), "--data-dir", str(fresh_instance.data_dir / "x"))
    assert refused.returncode == 1 and "chưa hoàn thành" in refused.stderr

    again = khoso_at(fresh_instance, "backup", "--incremental", "--to", str(other_backups))
    assert again.returncode == 0, again.stderr
    assert list((other_backups / backupset.STAGING).iterdir()) == []
    assert len(backupset.complete_sets(other_backups)) == 1
    log = khoso_at(
        fresh_instance,
        "shell",
        "-c",
        "from khoso.backup.models import BackupLog as B; "
        "print('LOG=' + ','.join(b.kind + ':' + b.outcome for b in B.objects.order_by('pk')))",
    )
    assert "LOG=full:thanh_cong,full:gian_doan,incremental:thanh_cong" in log.stdout, log.stderr


@pytest.mark.parametrize(
    ("today", "has_full", "expected"),
    [
        (date(2026, 5, 1), True, backupset.FULL),  # first day of the month: always full
        (date(2026, 5, 1), False, backupset.FULL),
        (date(2026, 5, 2), False, backupset.FULL),  # nothing full to build on yet
        (date(2026, 5, 2), True, backupset.INCREMENTAL),
        (date(2026, 12, 31), True, backupset.INCREMENTAL),
    ],
)
def test_schedule_full_on_the_first_of_the_month_else_incremental(
    small_archive, backup_dir, today, has_full, expected
) -> None:
    if has_full:
        services.backup_run(kind=backupset.FULL)
    assert scheduled_kind(today=today, root=backup_dir) == expected


def test_the_beat_task_backs_up_prunes_and_logs_a_scheduled_run(small_archive, backup_dir) -> None:
    first, pruned = BackupLog.objects.filter(pk__in=tasks.backup_scheduled.apply().get()).order_by("pk")
    assert (first.kind, first.trigger, first.outcome) == (backupset.FULL, BackupLog.Trigger.SCHEDULED, Outcome.OK)
    assert first.started_by is None and first.target == str(backup_dir.resolve())
    assert (pruned.kind, pruned.trigger, pruned.outcome) == (BackupLog.Kind.PRUNE, first.trigger, Outcome.OK)
    assert pruned.removed_backups == [] and pruned.target == first.target  # one full backup: nothing to let go
    [result] = services.backup_scheduled(today=date(2026, 5, 2))
    assert result.backup.kind == backupset.INCREMENTAL and result.backup.objects_copied == 0 and result.ok


def test_a_second_backup_at_the_same_time_is_refused(small_archive, backup_dir) -> None:
    with backupset.exclusive(backup_dir), pytest.raises(services.BackupError, match="đang chạy"):
        services.backup_run(kind=backupset.INCREMENTAL)


def test_a_restore_holds_the_folder_so_a_prune_or_backup_cannot_pull_the_set_away(
    small_archive, backup_dir, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    log = services.backup_run(kind=backupset.FULL)
    with backupset.shared(backup_dir):  # what restore() holds while it reads the set
        with pytest.raises(services.BackupError, match="đang bận"):
            services.backup_prune(root=backup_dir)
        with pytest.raises(services.BackupError, match="đang bận"):
            services.backup_run(kind=backupset.INCREMENTAL)
    with backupset.exclusive(backup_dir), pytest.raises(services.RestoreError, match="đang bận"):
        services.restore(source=log.name, data_dir=tmp_path / "moi")
    assert not (tmp_path / "moi").exists() or not any((tmp_path / "moi").iterdir()), "a refused restore writes nothing"
