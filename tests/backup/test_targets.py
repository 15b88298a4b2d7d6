"""TT 05 Đ27: at least two backup sets on independent media, from one command and from the nightly task. Each set
is complete on its own; a target that fails is in the backup log and does not cost the other its backup."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from khoso.backup import backupset, services
from khoso.backup.models import BackupLog, Outcome
from khoso.storage.cas import ObjectStore
from khoso.storage.models import StoredObject

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_command_writes_a_complete_set_into_each_target(small_archive, tmp_path) -> None:  # type: ignore[no-untyped-def]
    first, second = tmp_path / "o-dia-1", tmp_path / "may-chu-du-phong"
    out = io.StringIO()
    call_command("backup", "--full", "--to", str(first), "--to", str(second), "--json", stdout=out)

    sets = json.loads(out.getvalue())["sets"]
    assert [(s["target"], s["outcome"], s["kind"]) for s in sets] == [
        (str(first), Outcome.OK, backupset.FULL),
        (str(second), Outcome.OK, backupset.FULL),
    ]
    everything = set(StoredObject.objects.values_list("sha256", flat=True))
    for root in (first, second):
        [backup] = backupset.complete_sets(root)
        assert backup.check_files() == [] and {e.sha256 for e in backup.objects()} == everything
    shutil.rmtree(first)  # the first medium is lost: the second restores on its own
    [survivor] = backupset.complete_sets(second)
    counts = backupset.restore_objects(survivor, ObjectStore(tmp_path / "khoi-phuc"))
    assert counts.problems == [] and counts.copied == len(everything)


def test_a_failing_target_is_logged_and_the_other_is_still_written(small_archive, tmp_path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "o-dia-hong"
    broken.write_text("không phải thư mục")  # a medium that is not what it should be
    good = tmp_path / "o-dia-tot"

    with pytest.raises(CommandError) as refused:
        call_command("backup", "--to", str(broken), "--to", str(good), stdout=io.StringIO())

    assert refused.value.returncode == 1 and str(broken) in str(refused.value)
    failed, done = BackupLog.objects.order_by("pk")
    assert (failed.target, failed.outcome, failed.finished_at is not None) == (str(broken), Outcome.FAILED, True)
    assert "FileExistsError" in failed.error or "tồn tại" in failed.error or "exists" in failed.error
    assert (done.target, done.outcome) == (str(good), Outcome.OK)
    assert len(backupset.complete_sets(good)) == 1


def test_the_nightly_task_backs_up_every_configured_target(small_archive, tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    first, second = tmp_path / "luu-tru", tmp_path / "trung-tam-du-lieu"
    settings.KHOSO_BACKUP_DIR = [first]
    [only] = services.backup_scheduled(today=date(2026, 5, 2))
    assert only.backup.kind == backupset.FULL and only.ok

    # a second medium is added: it starts with a full set while the first continues incrementally
    settings.KHOSO_BACKUP_DIR = [first, second]
    results = services.backup_scheduled(today=date(2026, 5, 3))

    assert [(r.root, r.backup.kind, r.ok) for r in results] == [
        (first, backupset.INCREMENTAL, True),
        (second, backupset.FULL, True),
    ]
    assert all(r.prune is not None and r.prune.outcome == Outcome.OK for r in results)
    # a backup named without its folder is looked for in every target, the first holding it wins
    incremental = results[0].backup.name
    assert services.find_backup(incremental).folder == first / incremental
    assert not (second / incremental).exists()
