"""T17, the backup and restore drill (engineering.md C5): back up a small archive, restore it into a fresh
data directory with ``khoso restore`` in another process, and check the restored instance as an
administrator would: fsck clean, the same objects with the same digests, the same access rules."""

from __future__ import annotations

import json
import random

import pytest
from lxml import etree

from khoso.backup import backupset, services
from khoso.backup.models import Outcome
from khoso.storage.cas import ObjectStore, sha256_file
from khoso.storage.models import StoredObject

pytestmark = pytest.mark.django_db(transaction=True)

ACCESS_CHECK = """
import json
from django.contrib.auth.models import User
from django.test import Client
from django.test.utils import setup_test_environment
from khoso.archive.models import ArchiveFile
setup_test_environment()
seen = {}
for name in ("thu-kho", "thu-kho-mat", "nguoi-ngoai"):
    client = Client()
    client.force_login(User.objects.get(username=name))
    seen[name] = {f.mode: client.get(f"/ho-so/{f.file_code}/").status_code for f in ArchiveFile.objects.all()}
client = Client()
seen["anonymous"] = {f.mode: client.get(f"/ho-so/{f.file_code}/").status_code for f in ArchiveFile.objects.all()}
print("ACCESS=" + json.dumps(seen))
"""


def test_restore_drill_gives_an_identical_instance(small_archive, backup_dir, fresh_instance, khoso_at) -> None:
    log = services.backup_run(kind=backupset.FULL)
    assert log.outcome == Outcome.OK and log.objects_total == StoredObject.objects.count()
    folder = backup_dir / log.name

    fresh = fresh_instance.data_dir
    restored = khoso_at(fresh_instance, "restore", str(folder), "--data-dir", str(fresh))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "fsck: 0 vấn đề" in restored.stdout

    fsck = khoso_at(fresh_instance, "fsck", "--json")
    assert fsck.returncode == 0 and json.loads(fsck.stdout) == []
    source_digests = sorted(StoredObject.objects.values_list("sha256", flat=True))
    restored_objects = sorted(path.name for path in (fresh / "objects").glob("??/??/*"))
    assert restored_objects == source_digests
    for sha256 in random.Random(17).sample(source_digests, min(50, len(source_digests))):
        assert sha256_file(fresh / "objects" / sha256[:2] / sha256[2:4] / sha256) == sha256

    # force_login stands for a completed login, second factor included (as tests/conftest.py says in-process)
    access = khoso_at(fresh_instance, "shell", "-c", ACCESS_CHECK, extra_env={"KHOSO_STAFF_TOTP": "0"})
    assert access.returncode == 0, access.stderr
    seen = json.loads(access.stdout.split("ACCESS=", 1)[1])
    assert seen["thu-kho"] == {"01": 200, "03": 404}  # granted the fonds, not the secret right
    assert seen["thu-kho-mat"] == {"01": 200, "03": 200}
    assert seen["nguoi-ngoai"] == {"01": 404, "03": 404}  # no fonds granted
    assert all(code == 302 for code in seen["anonymous"].values())

    # the restored log shows this backup finished, not "running" as it was when the dump was taken
    state = khoso_at(
        fresh_instance,
        "shell",
        "-c",
        f"from khoso.backup.models import BackupLog; b = BackupLog.objects.get(name={log.name!r}); "
        "print('LOG=' + b.outcome + ':' + str(b.objects_total))",
    )
    assert f"LOG=thanh_cong:{log.objects_total}" in state.stdout, state.stderr


def test_backup_holds_metadata_xml_and_manifest_with_digests(small_archive, backup_dir) -> None:
    log = services.backup_run(kind=backupset.FULL)
    backup = backupset.open_set(backup_dir / log.name)
    assert backup.check_files() == []
    assert backup.manifest["database"]["sha256"] == log.dump_sha256
    assert {entry.sha256 for entry in backup.objects()} == set(StoredObject.objects.values_list("sha256", flat=True))
    if backup.engine == "sqlite":
        assert backupset.sqlite_integrity(backup.dump) == "ok"
    else:
        assert backup.dump.read_bytes()[:5] == b"PGDMP"  # pg_dump --format=custom

    tree = etree.parse(str(backup.folder / backupset.METADATA))
    ns = {"k": "urn:khoso:metadata:1"}
    codes = tree.xpath("//k:file/k:fileCode/text()", namespaces=ns)
    assert sorted(codes) == sorted([small_archive.public_file.file_code, small_archive.secret_file.file_code])
    public = tree.xpath(f"//k:file[k:fileCode='{small_archive.public_file.file_code}']", namespaces=ns)[0]
    assert public.findtext("k:startDate", namespaces=ns) == "03/01/1995"
    assert public.findtext("k:title", namespaces=ns) == "Hồ sơ quy hoạch tỉnh Đắk Lắk"
    assert len(public.xpath("k:page", namespaces=ns)) == 3
    assert public.xpath("k:document/k:subject/text()", namespaces=ns) == ["Quyết định phê duyệt quy hoạch"]
    assert tree.xpath("//k:fonds/k:fondsCode/text()", namespaces=ns) == ["UBND-DL"]


IN_USE = "SQLite format 3\x00 dữ liệu đang dùng".encode()


def test_restore_refuses_a_data_dir_that_holds_data(small_archive, backup_dir, fresh_instance, khoso_at) -> None:
    log = services.backup_run(kind=backupset.FULL)
    occupied = fresh_instance.data_dir
    occupied.mkdir()
    (occupied / "khoso.sqlite3").write_bytes(IN_USE)
    by_name = {"KHOSO_BACKUP_DIR": str(backup_dir)}

    refused = khoso_at(fresh_instance, "restore", log.name, extra_env=by_name)
    assert refused.returncode == 1
    assert "đã có dữ liệu" in refused.stderr
    assert (occupied / "khoso.sqlite3").read_bytes() == IN_USE

    forced = khoso_at(fresh_instance, "restore", log.name, "--force", extra_env=by_name)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    aside = list(occupied.glob("before-restore-*/khoso.sqlite3"))
    assert len(aside) == 1 and aside[0].read_bytes() == IN_USE


def test_restore_verifies_every_object_against_its_digest(small_archive, backup_dir, tmp_path) -> None:
    log = services.backup_run(kind=backupset.FULL)
    victim = small_archive.secret_file.pages.first().original_id
    damaged = backup_dir / backupset.POOL / victim[:2] / victim[2:4] / victim
    damaged.chmod(0o644)
    damaged.write_bytes(b"bit rot")

    target = ObjectStore(tmp_path / "khoi-phuc")
    counts = backupset.restore_objects(backupset.open_set(backup_dir / log.name), target)
    assert counts.total == log.objects_total and counts.copied == log.objects_total - 1
    assert len(counts.problems) == 1 and victim in counts.problems[0] and "SHA-256" in counts.problems[0]
    assert not target.exists(victim)
    assert sorted(target.iter_digests()) == sorted(
        sha for sha in StoredObject.objects.values_list("sha256", flat=True) if sha != victim
    )
