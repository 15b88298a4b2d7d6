"""Actions outside the web (commands, worker tasks): one entry each, by the system or the person on
whose behalf it ran, written in the same transaction as the change; and ``record`` inside a request
adds to that request's one entry."""

from __future__ import annotations

import pytest
from django.db import transaction

from khoso.archive.services import fonds_create
from khoso.audit import context as audit_context
from khoso.audit import services
from khoso.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_fonds_made_from_the_command_line_is_one_system_entry(institution) -> None:  # type: ignore[no-untyped-def]
    fonds = fonds_create(
        institution=institution,
        code="CLI-01",
        name="Phông nhập từ dòng lệnh",
        organ_id="000.00.00.H15",
        history="-",
        archives_time="1976-2000",
        paper_total=1,
        key_groups="-",
        language="01",
    )
    (entry,) = AuditEntry.objects.filter(object_type="archive.fonds")
    assert entry.action == "archive.phong.tao" and entry.actor_id is None and entry.actor_name == services.SYSTEM
    assert entry.object_id == str(fonds.pk) and entry.object_label == "CLI-01" and entry.fonds_id == fonds.pk
    assert entry.digest_before == "" and len(entry.digest_after) == 64
    assert entry.detail["nguon"]  # which command (or task) did it


def test_the_entry_rolls_back_with_the_change(institution) -> None:  # type: ignore[no-untyped-def]
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        fonds_create(
            institution=institution,
            code="CLI-02",
            name="Phông bị hủy giữa chừng",
            organ_id="000.00.00.H15",
            history="-",
            archives_time="1976-2000",
            paper_total=1,
            key_groups="-",
            language="01",
        )
        assert AuditEntry.objects.count() == before + 1
        raise RuntimeError("hủy")
    assert AuditEntry.objects.count() == before


def test_record_inside_a_request_fills_in_its_one_entry(fonds) -> None:  # type: ignore[no-untyped-def]
    context = audit_context.AuditContext(request_id="r1", ip="127.0.0.1", route="x", unsafe=True)
    token = audit_context.bind(context)
    try:
        before = AuditEntry.objects.count()
        assert services.record("packages.xuat", obj=fonds, detail={"ly_do": "Phục vụ thanh tra"}) is None
        assert services.record("packages.xuat_them", detail={"so_goi": 2}) is None
        assert AuditEntry.objects.count() == before  # written once, by the middleware, at the end
        assert context.action == "packages.xuat" and context.obj == fonds
        assert context.detail == {"ly_do": "Phục vụ thanh tra", "so_goi": 2}
    finally:
        audit_context.unbind(token)
