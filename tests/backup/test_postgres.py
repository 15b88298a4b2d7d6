"""PostgreSQL: the dump is pg_dump's custom format of an exported snapshot, and pg_restore can read it.

The drill in test_drill.py also runs on PostgreSQL when the suite does (it restores into a new, empty
database); this test checks what is specific to the PostgreSQL path."""

from __future__ import annotations

import subprocess

import pytest
from django.db import connection

from khoso.backup import backupset, services
from khoso.storage.models import StoredObject

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_pg_dump_of_the_snapshot_matches_the_object_manifest(small_archive, backup_dir) -> None:
    assert connection.vendor == "postgresql", "run with KHOSO_DATABASE_URL pointing at PostgreSQL"
    log = services.backup_run(kind=backupset.FULL)
    backup = backupset.open_set(backup_dir / log.name)
    assert backup.engine == "postgresql" and backup.dump.name == backupset.PG_DUMP
    assert backup.dump.read_bytes()[:5] == b"PGDMP"
    assert {e.sha256 for e in backup.objects()} == set(StoredObject.objects.values_list("sha256", flat=True))
    listing = subprocess.run(["pg_restore", "--list", str(backup.dump)], capture_output=True, text=True, check=True)
    assert "TABLE DATA public storage_storedobject" in listing.stdout
    assert "TABLE DATA public backup_backuplog" in listing.stdout


def test_restore_refuses_a_configured_database_that_has_tables(small_archive, backup_dir, tmp_path) -> None:
    log = services.backup_run(kind=backupset.FULL)
    with pytest.raises(services.RestoreError, match="đã có dữ liệu"):
        services.restore(source=str(backup_dir / log.name), data_dir=tmp_path / "trong")
