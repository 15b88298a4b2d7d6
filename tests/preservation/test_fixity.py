"""T3, T4 and the schedules: damage is found through the database digest and repaired only from a good copy."""

from __future__ import annotations

import random

import pytest
from django.core import mail

from khoso.preservation import selectors, services
from khoso.preservation.models import AuditRun, PremisEvent, Replica
from khoso.storage.models import StoredObject

pytestmark = pytest.mark.django_db


@pytest.fixture
def replicated(holding: list[str], local_location, settings):  # type: ignore[no-untyped-def]
    settings.ADMINS = ["quantri@example.vn"]
    services.replicate_pending()
    return local_location


def _primary_path(sha256: str):  # type: ignore[no-untyped-def]
    return services.object_store().path_for(sha256)


def _replica_path(location, sha256: str):  # type: ignore[no-untyped-def]
    return services.location_backend(location).store.path_for(sha256)


def test_t3_twenty_flipped_bits_are_found_repaired_and_reverified(  # type: ignore[no-untyped-def]
    holding: list[str], replicated, flip_bit
) -> None:
    rng = random.Random(5)
    damaged = rng.sample(holding, 20)
    for sha256 in damaged:
        flip_bit(_primary_path(sha256), bit=rng.randrange(8 * 400))

    run = services.audit(scope=selectors.scope_everything())

    corrupt = {p["object"]: p for p in run.findings if p["status"] == "CORRUPT"}
    assert set(corrupt) == set(damaged)  # 0 false positives over the rest of the collection
    assert len(run.findings) == 20 and run.corrupt == 20 and run.repaired == 20 and run.healthy
    for sha256, problem in corrupt.items():
        assert problem["path"] == str(_primary_path(sha256))
        assert problem["expected"] == sha256 and problem["found"] not in (None, sha256)
        assert problem["action"] == "repaired"
        assert services.object_store().verify(sha256)
    failures = PremisEvent.objects.filter(audit_run=run, event_type="fixity check", outcome="failure")
    repairs = PremisEvent.objects.filter(audit_run=run, event_type="recovery", outcome="success")
    assert sorted(failures.values_list("object_sha256", flat=True)) == sorted(damaged)
    assert sorted(repairs.values_list("object_sha256", flat=True)) == sorted(damaged)
    assert set(repairs.values_list("location_name", flat=True)) == {services.PRIMARY_NAME}
    event = repairs.first()
    assert event.agent.startswith("Kho Số ") and event.occurred_at_iso.endswith("+07:00")
    assert Replica.objects.filter(state=Replica.State.VERIFIED).count() == 2 * len(holding)
    again = services.audit(scope=selectors.scope_everything())
    assert again.findings == [] and again.ok == 2 * len(holding)


def test_t4a_both_copies_damaged_is_unrecoverable_and_nothing_is_repaired(  # type: ignore[no-untyped-def]
    holding: list[str], replicated, flip_bit
) -> None:
    victim = holding[7]
    flip_bit(_primary_path(victim), bit=3)
    flip_bit(_replica_path(replicated, victim), bit=900)
    before = (_primary_path(victim).read_bytes(), _replica_path(replicated, victim).read_bytes())

    run = services.audit(scope=selectors.scope_everything())

    assert run.unrecoverable == 1 and run.repaired == 0 and not run.healthy
    assert {p["action"] for p in run.findings} == {"unrecoverable"}
    assert {p["location"] for p in run.findings} == {services.PRIMARY_NAME, replicated.name}
    assert (_primary_path(victim).read_bytes(), _replica_path(replicated, victim).read_bytes()) == before
    assert not PremisEvent.objects.filter(event_type="recovery").exists()
    assert set(Replica.objects.filter(stored_object_id=victim).values_list("state", flat=True)) == {"corrupt"}
    assert len(mail.outbox) == 1 and victim in mail.outbox[0].body
    assert "không thể phục hồi" in mail.outbox[0].subject


def test_t4b_a_copy_rewritten_consistently_under_a_new_name_is_caught_by_the_database_digest(  # type: ignore[no-untyped-def]
    holding: list[str], replicated
) -> None:
    """An attacker replaces a copy and renames it to the digest of the new content (a self-consistent copy)."""
    victim = holding[2]
    backend = services.location_backend(replicated)
    forged = backend.store.put_bytes(b"noi dung gia mao")
    backend.delete(victim)

    run = services.audit(scope=selectors.scope_everything())

    statuses = {(p["status"], p["object"], p["action"]) for p in run.findings}
    assert statuses == {("MISSING", victim, "repaired"), ("UNEXPECTED", forged.sha256, "none")}
    assert backend.sha256_of(victim) == victim
    assert backend.exists(forged.sha256)  # reported for a person to look at, never deleted by the audit
    assert run.healthy


def test_t4c_copies_that_agree_against_the_database_digest_are_reported_and_left_alone(  # type: ignore[no-untyped-def]
    holding: list[str], replicated
) -> None:
    """Both copies hold the same bytes, which are not what the database recorded: nobody can say which is right."""
    victim = holding[9]
    other = b"cung mot noi dung o moi ban sao"
    for path in (_primary_path(victim), _replica_path(replicated, victim)):
        path.chmod(0o644)
        path.write_bytes(other)

    run = services.audit(scope=selectors.scope_everything())

    assert run.db_mismatch == 1 and run.repaired == 0 and run.unrecoverable == 0 and not run.healthy
    assert {(p["status"], p["object"]) for p in run.findings} == {("DB_MISMATCH", victim)}
    assert _primary_path(victim).read_bytes() == other == _replica_path(replicated, victim).read_bytes()
    assert StoredObject.objects.filter(sha256=victim).exists()
    assert not PremisEvent.objects.filter(event_type="recovery").exists()
    assert len(mail.outbox) == 1


def test_fonds_and_file_audits_cover_exactly_their_objects(  # type: ignore[no-untyped-def]
    holding: list[str], other_fonds_holding: list[str], archive_file
) -> None:
    fonds_run = services.audit(scope=selectors.scope_fonds(archive_file.fonds.code))
    file_run = services.audit(scope=selectors.scope_file(archive_file.file_code))
    assert fonds_run.objects_checked == file_run.objects_checked == len(holding)
    checked = set(PremisEvent.objects.filter(audit_run=file_run).values_list("object_sha256", flat=True))
    assert checked == set(holding)
    with pytest.raises(selectors.ScopeNotFoundError):
        selectors.scope_file("KHONG-CO")


def test_daily_slices_cover_the_whole_holding_within_the_period(holding: list[str], settings) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_FIXITY_FULL_PASS_DAYS = 10
    quota = selectors.daily_quota()
    assert quota == 4  # ceil(31 / 10)
    for _day in range(10):
        run = services.audit(scope=selectors.scope_daily(), kind=AuditRun.Kind.SCHEDULED)
        assert run.objects_checked == quota
    assert not Replica.objects.filter(last_checked_at=None).exists()


def test_the_monthly_sample_checks_the_configured_share_at_random(holding: list[str], settings) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_FIXITY_SAMPLE_PERCENT = 10.0
    from khoso.preservation import tasks

    runs = [AuditRun.objects.get(pk=tasks.fixity_monthly_sample()) for _ in range(6)]
    assert {run.objects_checked for run in runs} == {4}  # ceil(31 × 10 %)
    assert all(run.kind == AuditRun.Kind.SAMPLE for run in runs)
    sampled = set(PremisEvent.objects.values_list("object_sha256", flat=True))
    assert len(sampled) > 4  # different objects each time
    assert sampled <= set(holding)
