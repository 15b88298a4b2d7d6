"""Leftovers of killed replications: a copy killed between staging and verify leaves bytes in the location's
staging area; the sweep removes them (and only them) and records each one, and the replica then completes."""

from __future__ import annotations

import io
import json
import signal
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from khoso.preservation import services, tasks
from khoso.preservation.locations import S3_STAGING_PREFIX
from khoso.preservation.models import Replica, StagingSweep


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["local", "s3"])
def test_a_replication_killed_in_staging_is_swept_and_then_completes(  # type: ignore[no-untyped-def]
    holding: list[str], kind: str, request: pytest.FixtureRequest, khoso_process
) -> None:
    location = request.getfixturevalue(f"{kind}_location")
    backend = services.location_backend(location)

    killed = khoso_process("replicate", fault="replicate_staged=kill")

    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    [cut] = Replica.objects.filter(location=location)
    assert cut.state == Replica.State.STAGING
    [leftover] = backend.staging_leftovers()
    # S3 holds the whole upload; a local file holds what left Python's write buffer before the kill
    assert leftover.size == cut.stored_object.size if kind == "s3" else leftover.size <= cut.stored_object.size
    assert not backend.exists(cut.stored_object_id)  # the bytes never reached their final name
    if kind == "s3":
        assert leftover.key.startswith(f"{S3_STAGING_PREFIX}{cut.stored_object_id}-")

    young = services.staging_sweep()  # default threshold: a fresh leftover may belong to a live write
    assert young.removed_count == 0 and young.kept == 1
    assert len(list(backend.staging_leftovers())) == 1

    out = io.StringIO()
    call_command("replicate", "--sweep", "--older-than", "0", "--json", stdout=out)

    counts = json.loads(out.getvalue())
    assert counts["swept"] == 1 and counts["swept_bytes"] == leftover.size and counts["sweep_errors"] == []
    assert counts["verified"] == len(holding) and counts["under_replicated"] == 0
    assert list(backend.staging_leftovers()) == []
    assert sorted(backend.iter_digests()) == sorted(holding)
    record = StagingSweep.objects.order_by("-pk").first()
    assert record is not None and record.removed == [
        {
            "location": location.name,
            "key": leftover.key,
            "kind": "object",
            "size": leftover.size,
            "modified": leftover.modified.isoformat(timespec="seconds"),
            "object": leftover.sha256 or "",
        }
    ]


@pytest.mark.django_db
def test_the_sweep_spares_a_live_staging_replica_and_aborts_unfinished_multipart_uploads(  # type: ignore[no-untyped-def]
    holding: list[str], s3_location
) -> None:
    services.replicas_sync()
    backend = services.location_backend(s3_location)
    client, bucket = backend.client, backend.bucket  # type: ignore[attr-defined]
    live, dead = holding[0], holding[1]
    Replica.objects.create(stored_object_id=live, location=s3_location, state=Replica.State.STAGING)
    live_key = f"{S3_STAGING_PREFIX}{live}-{uuid.uuid4().hex}"
    dead_key = f"{S3_STAGING_PREFIX}{dead}-{uuid.uuid4().hex}"
    foreign_key = f"{S3_STAGING_PREFIX}khong-phai-cua-ta"
    for key in (live_key, dead_key, foreign_key):
        client.put_object(Bucket=bucket, Key=key, Body=b"ban dang chep do")
    upload = client.create_multipart_upload(Bucket=bucket, Key=f"{S3_STAGING_PREFIX}{dead}-{uuid.uuid4().hex}")
    client.upload_part(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"], PartNumber=1, Body=b"x" * 1024)
    # A day later, the replication of ``live`` is still running (its row changed within the window).
    later = timezone.now() + timedelta(hours=25)
    Replica.objects.filter(stored_object_id=live).update(updated_at=later - timedelta(minutes=5))

    sweep = tasks.sweep_staging.apply(kwargs={}).get()  # the beat task, with the default threshold: nothing is old
    assert StagingSweep.objects.get(pk=sweep).removed_count == 0

    swept = services.staging_sweep(now=later)

    removed = {(item["key"], item["kind"]) for item in swept.removed}
    assert removed == {(dead_key, "object"), (foreign_key, "object"), (upload["Key"], "multipart")}
    assert swept.kept == 1 and swept.errors == []
    assert [leftover.key for leftover in backend.staging_leftovers()] == [live_key]
    assert client.list_multipart_uploads(Bucket=bucket, Prefix=S3_STAGING_PREFIX).get("Uploads", []) == []


@pytest.mark.django_db
def test_the_sweep_reports_an_unreachable_location_and_still_sweeps_the_others(  # type: ignore[no-untyped-def]
    holding: list[str], s3_location, local_location, monkeypatch
) -> None:
    stale = services.location_backend(local_location).store.staging / "put-bi-ngat"  # type: ignore[attr-defined]
    stale.write_bytes(b"nua chung")
    monkeypatch.delenv("KHOSO_TEST_S3_SECRET")

    swept = services.staging_sweep(now=timezone.now() + timedelta(hours=25))

    assert [item["key"] for item in swept.removed] == ["put-bi-ngat"] and not stale.exists()
    [error] = swept.errors
    assert s3_location.name in error and "KHOSO_TEST_S3_SECRET" in error
