"""``khoso fsck`` checks the copies in every storage location: a VERIFIED copy that is gone or has the wrong size
(``--deep``: the wrong digest) is reported with its location, and so is every object short of KHOSO_MIN_COPIES."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from khoso.preservation import services
from khoso.preservation.models import Replica
from khoso.storage.models import StoredObject

pytestmark = pytest.mark.django_db


def _fsck(capsys, *args: str) -> tuple[int, list[dict[str, str]], str]:  # type: ignore[no-untyped-def]
    try:
        call_command("fsck", "--json", *args)
        status = 0
    except SystemExit as stop:
        status = int(stop.code or 0)
    captured = capsys.readouterr()
    return status, json.loads(captured.out), captured.err


def _age_holding() -> None:
    """Objects ingested two hours ago: past the grace in which replication has not yet reached them."""
    StoredObject.objects.update(created_at=timezone.now() - timedelta(hours=2))


def _damage(location, sha256: str, data: bytes) -> None:  # type: ignore[no-untyped-def]
    """Rewrite a copy in place behind the system's back (bit rot, a truncated upload, an operator's mistake)."""
    backend = services.location_backend(location)
    if location.kind == "s3":
        backend.client.put_object(Bucket=backend.bucket, Key=backend.key_for(sha256), Body=data)  # type: ignore[attr-defined]
    else:
        path = backend.store.path_for(sha256)  # type: ignore[attr-defined]
        path.chmod(0o644)
        path.write_bytes(data)


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_fsck_finds_missing_truncated_and_rotten_replicas_per_location(  # type: ignore[no-untyped-def]
    holding: list[str], kind: str, request: pytest.FixtureRequest, capsys
) -> None:
    location = request.getfixturevalue(f"{kind}_location")
    services.replicate_pending()
    _age_holding()
    assert _fsck(capsys) == (0, [], "")

    lost, truncated, rotten = holding[0], holding[1], holding[2]
    backend = services.location_backend(location)
    backend.delete(lost)
    _damage(location, truncated, b"cut short")
    size = StoredObject.objects.get(pk=rotten).size
    _damage(location, rotten, b"\x00" * size)  # same size, other bytes: only a hash can tell

    status, problems, _ = _fsck(capsys)

    found = {(p["code"], p["object"], p["location"]) for p in problems}
    assert status == 7
    assert found == {
        ("ban_sao_thieu", lost, location.name),
        ("ban_sao_sai_kich_thuoc", truncated, location.name),
        ("duoi_so_ban_toi_thieu", lost, ""),
        ("duoi_so_ban_toi_thieu", truncated, ""),
    }
    assert "(có 1)" in next(p["message"] for p in problems if p["code"] == "duoi_so_ban_toi_thieu")

    status, problems, _ = _fsck(capsys, "--deep")

    found = {(p["code"], p["object"]) for p in problems}
    assert ("ban_sao_sai_ma_bam", rotten) in found and ("duoi_so_ban_toi_thieu", rotten) in found
    assert len(problems) == 6
    # fsck only reports: the rows still say VERIFIED until an audit looks (and repairs)
    assert Replica.objects.filter(location=location, state=Replica.State.VERIFIED).count() == len(holding)


def test_fsck_text_output_summarises_each_location(holding: list[str], local_location, capsys) -> None:  # type: ignore[no-untyped-def]
    services.replicate_pending()
    _age_holding()
    services.location_backend(local_location).delete(holding[3])
    with pytest.raises(SystemExit):
        call_command("fsck")
    out = capsys.readouterr().out
    assert "ban_sao_thieu: " in out and f"[{holding[3]}] @ {local_location.name}" in out
    assert f"{local_location.name}: {len(holding)} bản đã xác minh/verified copies, thiếu/missing 1" in out
    assert "2 vấn đề / problems" in out  # the missing copy, and its object now short of copies


def test_a_lost_primary_copy_leaves_the_object_short_of_copies(holding: list[str], local_location, capsys) -> None:  # type: ignore[no-untyped-def]
    services.replicate_pending()
    _age_holding()
    services.object_store().path_for(holding[4]).unlink()
    status, problems, _ = _fsck(capsys)
    assert status == 7
    assert {(p["code"], p["object"]) for p in problems} == {
        ("thieu_doi_tuong", holding[4]),
        ("duoi_so_ban_toi_thieu", holding[4]),
    }


def test_objects_just_ingested_are_not_short_yet(holding: list[str], local_location, capsys) -> None:  # type: ignore[no-untyped-def]
    """Replication runs every five minutes: an object ingested a minute ago has one copy and that is no fault."""
    assert _fsck(capsys) == (0, [], "")
    _age_holding()
    status, problems, _ = _fsck(capsys)
    assert status == 7 and {p["code"] for p in problems} == {"duoi_so_ban_toi_thieu"}
    assert len(problems) == len(holding)


def test_without_a_second_location_fsck_says_so_once_and_passes(holding: list[str], capsys) -> None:  # type: ignore[no-untyped-def]
    _age_holding()
    status, problems, err = _fsck(capsys)
    assert (status, problems) == (0, [])
    assert "Chưa khai báo nơi lưu trữ nào ngoài kho chính" in err and "KHOSO_MIN_COPIES=2" in err


def test_an_unreachable_location_is_one_problem_not_one_per_object(  # type: ignore[no-untyped-def]
    holding: list[str], s3_location, monkeypatch, capsys
) -> None:
    services.replicate_pending()
    _age_holding()
    monkeypatch.delenv("KHOSO_TEST_S3_SECRET")
    status, problems, err = _fsck(capsys)
    assert status == 7
    [problem] = problems
    assert problem["code"] == "noi_luu_tru_khong_dung_duoc" and problem["location"] == s3_location.name
    assert "KHOSO_TEST_S3_SECRET" in problem["message"]
    assert "Không đếm số bản sao" in err
