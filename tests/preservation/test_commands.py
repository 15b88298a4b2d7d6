"""``khoso fixity`` and ``khoso replicate``: what they print and the exit status scripts rely on."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from khoso.preservation import services

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out)
    except SystemExit as stop:
        return int(stop.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_replicate_prints_counts(holding: list[str], local_location) -> None:  # type: ignore[no-untyped-def]
    status, out = _run("replicate", "--json")
    assert status == 0
    assert json.loads(out) == {
        "verified": len(holding),
        "failed": 0,
        "waiting": 0,
        "unavailable": 0,
        "under_replicated": 0,
    }


def test_replicate_fails_when_a_location_has_no_credentials(holding: list[str], s3_location, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("KHOSO_TEST_S3_SECRET")
    status, out = _run("replicate")
    assert status == 1 and "unavailable 1" in out


def test_fixity_json_reports_repairs_with_status_0(holding: list[str], local_location, flip_bit) -> None:  # type: ignore[no-untyped-def]
    services.replicate_pending()
    victim = holding[0]
    flip_bit(services.object_store().path_for(victim), bit=11)

    status, out = _run("fixity", "--json")

    report = json.loads(out)
    assert status == 0 and report["healthy"]
    assert report["objects_checked"] == len(holding) and report["copies_checked"] == 2 * len(holding)
    assert report["corrupt"] == 1 and report["repaired"] == 1 and report["unrecoverable"] == 0
    [finding] = report["findings"]
    assert finding["status"] == "CORRUPT" and finding["object"] == victim and finding["action"] == "repaired"
    assert finding["expected"] == victim and finding["found"] != victim
    assert report["finished_at"].endswith("+00:00") or report["finished_at"]


def test_fixity_exits_1_on_an_unrecoverable_object(holding: list[str], archive_file, flip_bit) -> None:  # type: ignore[no-untyped-def]
    victim = holding[1]
    flip_bit(services.object_store().path_for(victim), bit=2)  # the only copy

    status, out = _run("fixity", "--file", archive_file.file_code)

    assert status == 1
    assert f"CORRUPT: {victim}" in out and "unrecoverable" in out
    assert "không thể phục hồi/unrecoverable 1" in out


def test_fixity_names_an_unknown_fonds(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="phông “KHONG”"):
        call_command("fixity", "--fonds", "KHONG", stdout=io.StringIO())
