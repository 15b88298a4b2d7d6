"""PostgreSQL: the audit table refuses UPDATE, DELETE and TRUNCATE (a trigger), and appends from
concurrent transactions are serialised by an advisory lock."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction

from khoso.audit import services
from khoso.audit.models import AuditEntry
from khoso.audit.selectors import verify_chain

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _pg() -> None:
    assert connection.vendor == "postgresql", "run with KHOSO_TEST_DATABASE_URL pointing at PostgreSQL"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET actor_name = 'ke gian'",
        "DELETE FROM audit_auditentry",
    ],
)
def test_update_and_delete_are_refused_by_the_trigger(statement: str) -> None:
    _pg()
    services.append({"action": "thu_nghiem", "actor_name": "Nguyễn Văn A"})
    with pytest.raises(DatabaseError, match="chỉ được ghi thêm"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEntry.objects.get().actor_name == "Nguyễn Văn A"
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()  # the ORM is refused as well
    assert verify_chain().ok


def test_truncate_is_refused_for_the_applications_role() -> None:
    _pg()
    services.append({"action": "thu_nghiem"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            role = None
        else:  # the tests connect as a superuser: act as an ordinary owner-like role for the check
            role = "khoso_audit_app_test"
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE ROLE {role} NOSUPERUSER")
            cursor.execute(f"GRANT TRUNCATE, SELECT ON audit_auditentry TO {role}")
    with pytest.raises(DatabaseError, match="TRUNCATE"), transaction.atomic(), connection.cursor() as cursor:
        if role:
            cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.count() == 1


def test_concurrent_appends_wait_for_the_advisory_lock() -> None:
    _pg()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for n in range(20):
                with transaction.atomic():
                    services.append({"action": "song_song", "detail": {"n": n}})
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert AuditEntry.objects.count() == 60
    verdict = verify_chain()
    assert verdict.ok and verdict.entries == 60
