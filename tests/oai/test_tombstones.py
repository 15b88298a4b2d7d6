"""Datestamps and tombstones: a harvester that saw a record learns when it changes and when it is
withdrawn (deleted, no longer public, restricted), whichever way the change was made."""

from __future__ import annotations

import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from khoso.access.models import Restriction
from khoso.archive.models import ArchiveFile
from khoso.archive.services import file_delete, file_update
from khoso.oai import tasks
from khoso.oai.models import OaiRecord, OaiSweep
from khoso.oai.protocol import format_datestamp
from khoso.oai.selectors import identifier
from khoso.oai.services import sweep

from .conftest import NS, error_code, identifiers, make_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def since(catalogue) -> str:  # type: ignore[no-untyped-def]
    """Everything published an hour ago; ``since`` is the ``from`` of the next incremental harvest."""
    OaiRecord.objects.update(datestamp=timezone.now() - timedelta(hours=1))
    return format_datestamp(timezone.now() - timedelta(seconds=1))


def _headers(oai, **params: str) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    """identifier → status of the headers of a ListIdentifiers answer ({} for noRecordsMatch)."""
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", **params)
    if error_code(root) == "noRecordsMatch":
        return {}
    assert error_code(root) is None
    return {h.findtext("o:identifier", namespaces=NS): h.get("status") for h in root.iterfind(".//o:header", NS)}


def test_a_saved_public_file_is_published_on_commit(catalogue, oai, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        fresh = make_file(catalogue.fonds, 1999, "30.TH", "Hồ sơ mới")
    row = OaiRecord.objects.get(identifier=identifier("ho-so", fresh.file_code))
    assert not row.deleted and row.set_spec == "phong:H15.TTLT:UBNDDL"
    with django_capture_on_commit_callbacks(execute=True):
        hidden = make_file(catalogue.fonds, 1999, "31.TH", "Hồ sơ mật mới", mode="03")
    assert not OaiRecord.objects.filter(identifier=identifier("ho-so", hidden.file_code)).exists()


def test_an_offline_enclave_publishes_nothing_and_logs_no_error(  # type: ignore[no-untyped-def]
    catalogue, settings, caplog, django_capture_on_commit_callbacks
) -> None:
    settings.KHOSO_ENCLAVE = True
    records, sweeps = OaiRecord.objects.count(), OaiSweep.objects.count()
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        make_file(catalogue.fonds, 1999, "32.TH", "Hồ sơ trong khu biệt lập")
    assert tasks.sweep() == {}
    assert (OaiRecord.objects.count(), OaiSweep.objects.count()) == (records, sweeps)
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []


def test_a_deleted_file_becomes_a_tombstone_for_incremental_harvests(  # type: ignore[no-untyped-def]
    catalogue, oai, since, django_capture_on_commit_callbacks
) -> None:
    assert _headers(oai, **{"from": since}) == {}
    archive_file = catalogue.files["public2"]
    with django_capture_on_commit_callbacks(execute=True):
        file_delete(archive_file=archive_file, reason="Nhập trùng")
    gone = identifier("ho-so", archive_file.file_code)
    assert _headers(oai, **{"from": since}) == {gone: "deleted"}
    records = oai(verb="ListRecords", metadataPrefix="ead", **{"from": since})
    assert records.find(".//o:record/o:metadata", NS) is None  # a tombstone carries no metadata
    record = oai(verb="GetRecord", metadataPrefix="oai_dc", identifier=gone)
    assert record.find(".//o:header", NS).get("status") == "deleted"
    assert record.find(".//o:metadata", NS) is None
    assert _headers(oai)[gone] == "deleted"  # persistent: full harvests see it too


def test_documents_are_withdrawn_with_their_file(catalogue, oai, since, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    archive_file = catalogue.files["public"]
    with django_capture_on_commit_callbacks(execute=True):
        archive_file.mode = "03"  # as a confirmed access change saves it
        archive_file.save()
    assert _headers(oai, **{"from": since}) == {
        identifier("ho-so", archive_file.file_code): "deleted",
        identifier("tai-lieu", catalogue.documents["public"].doc_code): "deleted",
    }


def test_a_restriction_withdraws_and_its_end_republishes(
    catalogue, oai, since, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    archive_file = catalogue.files["public2"]
    key = identifier("ho-so", archive_file.file_code)
    with django_capture_on_commit_callbacks(execute=True):
        restriction = Restriction.objects.create(
            fonds=catalogue.fonds, file=archive_file, reason="Tranh chấp", start_date=timezone.localdate()
        )
    assert _headers(oai, **{"from": since}) == {key: "deleted"}
    OaiRecord.objects.update(datestamp=timezone.now() - timedelta(minutes=30))
    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert _headers(oai, **{"from": since}) == {key: None}  # back, with a new datestamp
    assert OaiRecord.objects.filter(identifier=key).count() == 1


def test_a_fonds_wide_restriction_withdraws_the_whole_set(
    catalogue, oai, since, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):  # queued as a task (run in process here)
        Restriction.objects.create(fonds=catalogue.second, reason="Chỉnh lý lại", start_date=timezone.localdate())
    assert _headers(oai, **{"from": since}) == {identifier("ho-so", catalogue.files["second"].file_code): "deleted"}
    sets = [s.text for s in oai(verb="ListSets").iterfind(".//o:setSpec", NS)]
    assert "phong:H15.TTLT:SYT~20DL" not in sets


def test_changes_no_signal_sees_are_never_served_and_the_sweep_stamps_them(catalogue, oai, since) -> None:  # type: ignore[no-untyped-def]
    archive_file = catalogue.files["public2"]
    key = identifier("ho-so", archive_file.file_code)
    # a restriction that starts by date, or a bulk update: no signal, no sweep yet
    ArchiveFile.objects.filter(pk=archive_file.pk).update(mode="02")
    root = oai(verb="ListRecords", metadataPrefix="oai_dc")
    header = next(h for h in root.iterfind(".//o:header", NS) if h.findtext("o:identifier", namespaces=NS) == key)
    assert header.get("status") == "deleted"  # checked again while answering, stamped on the spot
    assert "Krông Pắc" not in oai(verb="ListRecords", metadataPrefix="ead").xpath("string()")
    assert _headers(oai, **{"from": since}) == {key: "deleted"}
    assert sweep().withdrawn == 0  # already stamped

    other = catalogue.files["second"]
    ArchiveFile.objects.filter(pk=other.pk).update(deleted_at=timezone.now())
    result = sweep()
    assert (result.withdrawn, result.created, result.changed) == (1, 0, 0)
    assert _headers(oai, **{"from": since})[identifier("ho-so", other.file_code)] == "deleted"


def test_only_a_visible_change_moves_the_datestamp(catalogue, oai, since, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    archive_file = catalogue.files["public2"]
    with django_capture_on_commit_callbacks(execute=True):
        ArchiveFile.objects.get(pk=archive_file.pk).save()  # saved, nothing public changed
        ArchiveFile.objects.filter(pk=archive_file.pk).update(pdf_pages_digest="ab" * 32)  # internal field
    assert sweep().changed == 0
    assert _headers(oai, **{"from": since}) == {}
    with django_capture_on_commit_callbacks(execute=True):
        file_update(archive_file=archive_file, title="Bản đồ hành chính huyện Krông Pắc (bổ sung)")
    key = identifier("ho-so", archive_file.file_code)
    assert _headers(oai, **{"from": since}) == {key: None}
    root = oai(verb="GetRecord", metadataPrefix="oai_dc", identifier=key)
    assert root.findtext(".//dc:title", namespaces=NS) == "Bản đồ hành chính huyện Krông Pắc (bổ sung)"


def test_the_sweep_is_idempotent_and_logged(catalogue) -> None:  # type: ignore[no-untyped-def]
    result = sweep()
    assert (result.public, result.created, result.changed, result.withdrawn) == (4, 0, 0, 0)
    assert OaiSweep.objects.filter(finished_at__isnull=False).count() == 2
    out = StringIO()
    call_command("oai-sync", stdout=out)
    assert "Công khai / public: 4" in out.getvalue()


def test_public_url_change_moves_every_identifier(catalogue, oai, settings) -> None:  # type: ignore[no-untyped-def]
    old = set(identifiers(oai(verb="ListIdentifiers", metadataPrefix="oai_dc")))
    settings.KHOSO_PUBLIC_URL = "https://luutru.daklak.gov.vn"
    result = sweep()
    assert (result.created, result.withdrawn) == (4, 4)
    headers = _headers(oai)
    assert {k for k, v in headers.items() if v == "deleted"} == old
    assert all(k.startswith("oai:luutru.daklak.gov.vn:") for k, v in headers.items() if v is None)
