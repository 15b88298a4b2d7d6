"""T13 (engineering.md C5): ``khoso check --deploy --fail-level WARNING`` with production settings.

The command runs in a child process against a fresh data directory, with the environment an
operator sets (https public address, secret key, host names) and no other ``KHOSO_*`` variable.
Its database is a copy of the migrated test database (SQLite online backup), so the test does
not spend half a minute migrating.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from khoso.config import checks


def _production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: val for key, val in os.environ.items() if not key.startswith("KHOSO_")}
    env.update(
        KHOSO_DATA_DIR=str(data_dir),
        KHOSO_SECRET_KEY=secrets.token_urlsafe(50),
        KHOSO_PUBLIC_URL="https://luutru.daklak.gov.vn",
        KHOSO_ALLOWED_HOSTS="luutru.daklak.gov.vn",
        DJANGO_SETTINGS_MODULE="khoso.config.settings",
    )
    env.update(extra)
    return env


@pytest.fixture
def data_dir(db, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """A data directory holding a migrated database, as after ``khoso migrate``."""
    folder = tmp_path / "khoso-data"
    folder.mkdir()
    target = folder / "khoso.sqlite3"
    if connection.vendor == "sqlite":
        source = sqlite3.connect(str(connection.settings_dict["NAME"]))
        copy = sqlite3.connect(str(target))
        with copy:
            source.backup(copy)
        source.close()
        copy.close()
    else:  # a PostgreSQL test run: migrate the child's own SQLite database
        env = _production_env(folder)
        subprocess.run([sys.executable, "-m", "khoso", "migrate", "-v0"], env=env, check=True, timeout=300)
    return folder


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "khoso", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_t13_deploy_check_is_clean_with_production_settings(data_dir: Path) -> None:
    result = _check(_production_env(data_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_t13_deploy_check_names_the_missing_secret_key(data_dir: Path) -> None:
    env = _production_env(data_dir)
    del env["KHOSO_SECRET_KEY"]
    result = _check(env)
    assert result.returncode != 0
    assert "khoso.E105" in result.stderr and "KHOSO_SECRET_KEY" in result.stderr


def test_transport_settings_follow_the_public_address(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import importlib

    from khoso.config import security

    try:
        monkeypatch.setenv("KHOSO_PUBLIC_URL", "https://luutru.daklak.gov.vn/")
        secure = importlib.reload(security)
        assert secure.SESSION_COOKIE_SECURE and secure.CSRF_COOKIE_SECURE and secure.SECURE_SSL_REDIRECT
        assert secure.SECURE_HSTS_SECONDS >= 31536000 and secure.SECURE_HSTS_INCLUDE_SUBDOMAINS
        assert secure.CSRF_TRUSTED_ORIGINS == ["https://luutru.daklak.gov.vn"]
        monkeypatch.setenv("KHOSO_PUBLIC_URL", "http://127.0.0.1:8000")
        plain = importlib.reload(security)  # the embedded default: cookies must work over http
        assert not (plain.SESSION_COOKIE_SECURE or plain.SECURE_SSL_REDIRECT or plain.SECURE_HSTS_SECONDS)
    finally:
        monkeypatch.undo()
        importlib.reload(security)


def test_object_store_readable_by_everyone_or_inside_static_is_reported(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "objects"
    store.mkdir(mode=0o755)
    store.chmod(0o755)
    settings.KHOSO_OBJECTS_DIR = store
    settings.STATIC_ROOT = tmp_path / "static"
    assert [m.id for m in checks.object_store()] == ["khoso.W104"]
    store.chmod(0o700)
    assert checks.object_store() == []
    settings.STATIC_ROOT = tmp_path
    assert [m.id for m in checks.object_store()] == ["khoso.E103"]


def test_unreachable_replica_and_time_stamp_authority_are_named(db, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from khoso.preservation.models import StorageLocation

    StorageLocation.objects.create(name="Ổ sao lưu phòng B", kind="local", path=str(tmp_path / "khong-co"))
    StorageLocation.objects.create(
        name="S3 tỉnh",
        kind="s3",
        endpoint_url="http://127.0.0.1:9",
        bucket="khoso",
        access_key_env="KHOSO_TEST_UNSET_ACCESS",
        secret_key_env="KHOSO_TEST_UNSET_SECRET",
    )
    found = {m.obj: m for m in checks.replica_locations()}
    assert {m.id for m in found.values()} == {"khoso.E108"}
    assert "không tồn tại" in found["Ổ sao lưu phòng B"].msg
    assert "thiếu biến môi trường" in found["S3 tỉnh"].msg
    (tmp_path / "khong-co").mkdir()
    assert len(checks.replica_locations()) == 1

    settings.KHOSO_TSA_URL = "http://127.0.0.1:9/tsa"  # discard port: nothing listens
    assert [m.id for m in checks.time_stamp_authority()] == ["khoso.E109"]


def test_sqlite_durability_and_ocr_checks_pass_here(db) -> None:  # type: ignore[no-untyped-def]
    assert checks.ocr_engine() == []
    if connection.vendor == "sqlite":
        assert checks.database_durability() == []
