"""The hash chain and ``khoso audit verify``: any edit, deletion or insertion is found at its entry."""

from __future__ import annotations

import io
import json
import threading
from datetime import UTC, datetime

import pytest
from audit_kit import tamper  # tests/audit/conftest.py
from django.core.management import call_command
from django.db import connections

from khoso.audit import chain, services
from khoso.audit.models import AuditEntry


def _entries(count: int) -> list[dict]:
    made, previous = [], chain.GENESIS
    for seq in range(1, count + 1):
        entry = {
            "seq": seq,
            "time": datetime(2026, 5, 8, 7, 0, seq, 123456, tzinfo=UTC),
            "actor_id": 3,
            "actor_name": "Nguyễn Văn A",
            "action": "file_edit",
            "kind": "thay_doi",
            "detail": {"lý do": "sửa tiêu đề", "so": seq},
            "prev_hash": previous,
        }
        entry["entry_hash"] = previous = chain.entry_hash(entry)
        made.append(entry)
    return made


def test_an_intact_chain_verifies_and_reports_its_head() -> None:
    entries = _entries(5)
    verdict = chain.verify(entries)
    assert verdict.ok and verdict.entries == 5
    assert (verdict.head_seq, verdict.head_hash) == (5, entries[-1]["entry_hash"])


def test_the_hash_does_not_depend_on_unicode_form_or_key_order() -> None:
    entry = _entries(1)[0]
    decomposed = {**entry, "actor_name": "Nguye\u0302\u0303n Va\u0306n A", "detail": {"so": 1, "lý do": "sửa tiêu đề"}}
    assert chain.entry_hash(decomposed) == entry["entry_hash"]


@pytest.mark.parametrize(
    ("tamper", "problem", "seq"),
    [
        (lambda e: e[2].update(actor_name="Kẻ gian"), "hash", 3),
        (lambda e: e[2]["detail"].update(so=99), "hash", 3),
        (lambda e: e.pop(2), "gap", 4),
        (lambda e: e.pop(0), "start", 2),
        (lambda e: e.insert(2, dict(e[2])), "link", 4),  # a copy of entry 3 slipped in after it
    ],
    ids=["edit-field", "edit-detail", "delete-middle", "delete-first", "insert"],
)
def test_the_first_broken_link_is_named(tamper, problem: str, seq: int) -> None:  # type: ignore[no-untyped-def]
    entries = _entries(5)
    if problem == "link":  # an inserted entry shifts the rest: renumber like a forger would
        tamper(entries)
        for number, entry in enumerate(entries, start=1):
            entry["seq"] = number
    else:
        tamper(entries)
    verdict = chain.verify(entries)
    assert not verdict.ok
    assert verdict.broken is not None and (verdict.broken.problem, verdict.broken.seq) == (problem, seq)
    assert verdict.broken.message and verdict.broken.message_en


# -- in the database, through the command --------------------------------------------------------


def _verify(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=err)
        return 0, out.getvalue(), err.getvalue()
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()


@pytest.fixture
def trail(db) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    return [
        services.append(
            {"action": "thu_nghiem", "actor_name": "Trần Thị B", "ip": "::ffff:10.0.0.1", "detail": {"n": n}}
        )
        for n in range(6)
    ]


def test_verify_passes_on_an_untouched_trail(trail) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = _verify()
    assert code == 0 and "6 mục" in out and trail[-1].entry_hash in out
    code, out, _ = _verify("--json")
    assert code == 0 and json.loads(out) == {
        "ok": True,
        "entries": 6,
        "head_seq": trail[-1].seq,
        "head_hash": trail[-1].entry_hash,
        "broken": None,
    }


def test_an_update_through_sql_is_reported_with_exit_status_1(trail) -> None:  # type: ignore[no-untyped-def]
    tamper("UPDATE audit_auditentry SET detail = %s WHERE seq = %s", ['{"n": 42}', trail[3].seq])
    code, _, err = _verify()
    assert code == 1
    assert f"mục số {trail[3].seq}" in err and "đã bị sửa" in err and f"entry {trail[3].seq}" in err
    code, out, _ = _verify("--json")
    report = json.loads(out)
    assert code == 1 and report["broken"]["seq"] == trail[3].seq and report["broken"]["problem"] == "hash"
    assert report["broken"]["found"] == trail[3].entry_hash and report["entries"] == 3


def test_a_delete_through_sql_is_reported(trail) -> None:  # type: ignore[no-untyped-def]
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [trail[2].seq])
    code, out, _ = _verify("--json")
    report = json.loads(out)
    assert code == 1 and report["broken"]["problem"] == "gap" and report["broken"]["seq"] == trail[3].seq
    assert report["broken"]["expected"] == str(trail[2].seq)


def test_entries_read_back_hash_as_they_were_written(trail) -> None:  # type: ignore[no-untyped-def]
    stored = AuditEntry.objects.get(seq=trail[0].seq)
    assert chain.entry_hash(stored.hashed_fields()) == stored.entry_hash
    assert stored.ip == "::ffff:10.0.0.1"


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_unbroken_chain() -> None:
    """Two threads, each with its own connection, append at once: no fork, no gap, no duplicate."""
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            for n in range(25):
                services.append({"action": "song_song", "actor_name": name, "detail": {"n": n}})
        except BaseException as error:  # noqa: BLE001  (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(f"luồng {i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 51))
    code, _, _ = _verify()
    assert code == 0


def test_fsck_shaped_problem_names_the_broken_entry(trail) -> None:  # type: ignore[no-untyped-def]
    from khoso.audit.selectors import chain_problems

    assert chain_problems() == []
    tamper("UPDATE audit_auditentry SET action = %s WHERE seq = %s", ["xoa_dau_vet", trail[1].seq])
    (problem,) = chain_problems()
    assert problem["code"] == "nhat_ky_hash" and problem["object"] == f"audit_auditentry#{trail[1].seq}"
