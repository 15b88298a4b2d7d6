"""The public side's rules: who sees which catalogue entries, and the restricted-use list's dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from khoso.access.models import Restriction
from khoso.access.selectors import (
    effective_mode,
    portal_documents,
    portal_files,
    portal_scope,
    portal_shows_content,
    restricted_now,
)
from khoso.archive.models import Document
from khoso.readers.models import Reader

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(fonds, archive_file_factory):  # type: ignore[no-untyped-def]
    return {mode: archive_file_factory(1995, f"{mode}.TH", mode=mode) for mode in ("01", "02", "03")}


def _reader(status: str):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user(f"docgia-{status}", password="mat-khau-dai-12")
    Reader.objects.create(
        user=user, full_name="Nguyễn Thị Đọc", citizen_id="001200000001", email="a@b.vn", status=status
    )
    return user


def test_effective_mode_is_the_stricter_one() -> None:
    assert effective_mode("01", "03") == "03"
    assert effective_mode("02", "01") == "02"
    assert effective_mode("01", None) == "01"
    assert effective_mode("", "") == "03"  # unknown means closed


def test_anonymous_sees_public_entries_only(files) -> None:  # type: ignore[no-untyped-def]
    scope = portal_scope(AnonymousUser())
    assert set(portal_files(scope)) == {files["01"]}
    assert portal_shows_content(scope, "01")
    assert not portal_shows_content(scope, "01", "02")


def test_pending_reader_is_treated_like_anyone(files) -> None:  # type: ignore[no-untyped-def]
    scope = portal_scope(_reader(Reader.Status.PENDING))
    assert set(portal_files(scope)) == {files["01"]}


def test_approved_reader_sees_conditional_entries_but_not_their_content(files) -> None:  # type: ignore[no-untyped-def]
    scope = portal_scope(_reader(Reader.Status.APPROVED))
    assert set(portal_files(scope)) == {files["01"], files["02"]}
    assert not portal_shows_content(scope, "02")


def test_restriction_dates_open_material_by_themselves(fonds, files) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    Restriction.objects.create(
        fonds=fonds,
        file=files["01"],
        reason="Liên quan đời tư",
        start_date=today - timedelta(days=30),
        end_date=today + timedelta(days=1),
    )
    assert restricted_now(today).file_ids == {files["01"].pk}
    assert not portal_files(portal_scope(AnonymousUser(), today=today)).exists()
    after = today + timedelta(days=2)
    assert restricted_now(after).file_ids == frozenset()
    assert set(portal_files(portal_scope(AnonymousUser(), today=after))) == {files["01"]}
    before = today - timedelta(days=31)
    assert restricted_now(before).file_ids == frozenset()


def test_fonds_wide_and_document_restrictions(fonds, files) -> None:  # type: ignore[no-untyped-def]
    document = Document.objects.create(
        file=files["01"],
        ordinal=1,
        doc_id="D1",
        doc_code="D1",
        maintenance="01",
        type_name="02",
        issued_date=date(1995, 3, 1),
        organ_name="UBND tỉnh Đắk Lắk",
        subject="Quyết định thành lập",
        language="01",
        number_of_page=2,
        mode="01",
    )
    scope = portal_scope(AnonymousUser())
    assert set(portal_documents(scope)) == {document}
    Restriction.objects.create(fonds=fonds, document=document, reason="x", start_date=date(2000, 1, 1))
    assert not portal_documents(portal_scope(AnonymousUser())).exists()
    assert set(portal_files(portal_scope(AnonymousUser()))) == {files["01"]}
    Restriction.objects.create(fonds=fonds, reason="Cả phông", start_date=date(2000, 1, 1))
    assert not portal_files(portal_scope(AnonymousUser())).exists()


def test_deleted_files_and_their_documents_disappear(files) -> None:  # type: ignore[no-untyped-def]
    document = Document.objects.create(
        file=files["01"],
        ordinal=1,
        doc_id="D2",
        doc_code="D2",
        maintenance="01",
        type_name="02",
        issued_date=date(1995, 3, 1),
        organ_name="UBND",
        subject="Quyết định",
        language="01",
        number_of_page=1,
        mode="01",
    )
    files["01"].deleted_at = timezone.now()
    files["01"].save(update_fields=["deleted_at"])
    scope = portal_scope(AnonymousUser())
    assert not portal_files(scope).exists()
    assert document not in set(portal_documents(scope))
