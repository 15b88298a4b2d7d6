"""T5: a lost copy is found and replaced; a replication cut short is never counted as a copy."""

from __future__ import annotations

import pytest

from khoso.preservation import selectors, services
from khoso.preservation.models import PremisEvent, Replica
from khoso.preservation.services import InjectedFault

pytestmark = pytest.mark.django_db


def _verified(location) -> int:  # type: ignore[no-untyped-def]
    return Replica.objects.filter(location=location, state=Replica.State.VERIFIED).count()


def test_the_primary_store_is_a_location_without_being_declared(holding: list[str]) -> None:
    assert services.replicas_sync() == len(holding)
    primary = services.location_primary()
    assert primary.is_primary and _verified(primary) == len(holding)
    assert selectors.under_replicated_count() == len(holding)  # one copy is not enough (KHOSO_MIN_COPIES = 2)


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_replication_reaches_min_copies_and_records_premis_events(
    holding: list[str], kind: str, request: pytest.FixtureRequest
) -> None:
    location = request.getfixturevalue(f"{kind}_location")
    counts = services.replicate_pending()
    assert counts["verified"] == len(holding) and counts["failed"] == 0
    assert counts["under_replicated"] == 0
    assert _verified(location) == len(holding)
    backend = services.location_backend(location)
    assert sorted(backend.iter_digests()) == sorted(holding)
    events = PremisEvent.objects.filter(event_type="replication", outcome="success", location=location)
    assert events.count() == len(holding)
    assert services.replicate_pending()["verified"] == 0  # nothing left to do


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_a_deleted_replica_is_reported_missing_and_replaced(
    holding: list[str], kind: str, request: pytest.FixtureRequest
) -> None:
    location = request.getfixturevalue(f"{kind}_location")
    services.replicate_pending()
    lost = holding[4]
    services.location_backend(location).delete(lost)

    run = services.audit(scope=selectors.scope_everything())

    missing = [p for p in run.findings if p["status"] == "MISSING"]
    assert [(p["object"], p["location"], p["action"]) for p in missing] == [(lost, location.name, "repaired")]
    assert run.missing == 1 and run.repaired == 1 and run.corrupt == 0 and run.healthy
    assert services.location_backend(location).sha256_of(lost) == lost
    assert Replica.objects.get(stored_object_id=lost, location=location).state == Replica.State.VERIFIED
    copies = Replica.objects.filter(stored_object_id=lost, state=Replica.State.VERIFIED).count()
    assert copies >= 2


@pytest.mark.parametrize("point", ["replicate_staging", "replicate_copied"])
def test_a_replication_cut_short_is_not_counted_and_the_next_run_finishes_it(
    holding: list[str],
    s3_location,
    settings,
    point: str,  # type: ignore[no-untyped-def]
) -> None:
    settings.KHOSO_FAULT_INJECT = f"{point}=crash"
    with pytest.raises(InjectedFault):
        services.replicate_pending()
    cut = Replica.objects.get(location=s3_location)
    assert cut.state == Replica.State.STAGING
    assert _verified(s3_location) == 0
    assert selectors.under_replicated_count() == len(holding)
    if point == "replicate_copied":  # the bytes are there, but nobody read them back: still not a copy
        assert services.location_backend(s3_location).exists(cut.stored_object_id)
    audit = services.audit(scope=selectors.scope_everything())
    assert audit.copies_checked == len(holding)  # the half-made copy is not audited as one of ours

    settings.KHOSO_FAULT_INJECT = ""
    counts = services.replicate_pending()
    assert counts["verified"] == len(holding)
    assert _verified(s3_location) == len(holding) and selectors.under_replicated_count() == 0


def test_a_damaged_source_is_not_copied(holding: list[str], local_location, flip_bit) -> None:  # type: ignore[no-untyped-def]
    services.replicas_sync()
    damaged = holding[0]
    flip_bit(services.object_store().path_for(damaged), bit=5)
    counts = services.replicate_pending()
    assert counts["verified"] == len(holding) - 1 and counts["waiting"] == 1
    assert not services.location_backend(local_location).exists(damaged)
    primary = Replica.objects.get(stored_object_id=damaged, location=services.location_primary())
    assert primary.state == Replica.State.CORRUPT


@pytest.mark.django_db(transaction=True)
def test_a_replication_killed_with_sigkill_stays_staging_until_the_next_run(  # type: ignore[no-untyped-def]
    holding: list[str], local_location, isolated_data, settings
) -> None:
    """The worker process dies (SIGKILL) after writing the copy, before reading it back."""
    import os
    import signal
    import subprocess
    import sys
    from urllib.parse import quote

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        url = f"sqlite:///{database['NAME']}"
    else:  # the same test database on PostgreSQL
        credentials = f"{quote(database['USER'] or '')}:{quote(database['PASSWORD'] or '')}@"
        url = f"postgres://{credentials}{database['HOST'] or ''}:{database['PORT'] or 5432}/{database['NAME']}"
    env = {
        **os.environ,
        "KHOSO_DATA_DIR": str(isolated_data),
        "KHOSO_DATABASE_URL": url,
        "KHOSO_FAULT_INJECT": "replicate_copied=kill",
    }
    killed = subprocess.run([sys.executable, "-m", "khoso", "replicate"], env=env, capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    [cut] = Replica.objects.filter(location=local_location)
    assert cut.state == Replica.State.STAGING and _verified(local_location) == 0
    assert services.location_backend(local_location).exists(cut.stored_object_id)

    counts = services.replicate_pending()
    assert counts["verified"] == len(holding) and _verified(local_location) == len(holding)
