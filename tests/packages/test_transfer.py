"""Transfer between archives (nộp lưu): receive and check, accept (import) or reject per file, close."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from khoso.archive.models import ArchiveFile
from khoso.packages import services
from khoso.packages.models import TransferItem

pytestmark = pytest.mark.django_db


def receive(delivery, fonds, *names: str, by=None):  # type: ignore[no-untyped-def]
    names = names or ("permanent", "thirty_years", "altered")
    packages = [(f"{name}.zip", delivery["paths"][name]) for name in names]
    return services.batch_receive(fonds=fonds, source_agency="Văn phòng UBND tỉnh", packages=packages, by=by)


def rules(item: TransferItem) -> set[str]:
    return {finding["rule"] for finding in item.findings}


def test_receiving_checks_every_package_and_writes_nothing_into_the_archive(delivery, fonds) -> None:  # type: ignore[no-untyped-def]
    batch = receive(delivery, fonds)
    permanent, thirty, altered = batch.items.order_by("sequence")
    assert permanent.valid and permanent.file_code == delivery["codes"]["permanent"]
    assert permanent.title == "Hồ sơ về quy hoạch tỉnh Đắk Lắk năm 1995" and permanent.maintenance == "01"
    assert (permanent.start_date, permanent.end_date) == ("03/01/1995", "28/12/1995")
    assert permanent.data_files == 7 and permanent.data_bytes > 0 and permanent.number_of_paper == 2
    assert rules(thirty) == {"TRANSFER-RETENTION"}
    assert "vĩnh viễn" in thirty.findings[0]["message"] and "permanent" in thirty.findings[0]["message_en"]
    assert "PKG-CHECKSUM" in rules(altered)
    assert all(item.state == TransferItem.State.RECEIVED for item in (permanent, thirty, altered))
    assert not ArchiveFile.objects.exists()
    staged = sorted(path.name for path in services.batch_staging(batch).iterdir())
    assert staged == ["00001.zip", "00002.zip", "00003.zip"]


def test_accepting_imports_the_file_and_rejecting_needs_a_reason(
    delivery, fonds, receiver, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    batch = receive(delivery, fonds, by=receiver)
    permanent, thirty, altered = batch.items.order_by("sequence")
    accepted = services.item_accept(item=permanent, by=receiver)
    assert accepted.state == TransferItem.State.ACCEPTED and accepted.decided_by == receiver
    imported = ArchiveFile.objects.get(file_code=delivery["codes"]["permanent"])
    assert accepted.archive_file == imported and imported.documents.count() == 2 and imported.pages.count() == 3
    with pytest.raises(services.TransferError, match="đã được quyết định"):
        services.item_accept(item=permanent, by=receiver)
    with pytest.raises(services.TransferError, match="phải ghi rõ lý do"):
        services.item_reject(item=thirty, by=receiver, reason="   ")
    services.item_reject(item=thirty, by=receiver, reason="Hồ sơ thời hạn 30 năm, giữ tại lưu trữ cơ quan")
    assert not ArchiveFile.objects.filter(file_code=delivery["codes"]["thirty_years"]).exists()
    batch.refresh_from_db()
    assert batch.closed_at is None and services.batch_staging(batch).is_dir()  # one item still waits
    with django_capture_on_commit_callbacks(execute=True):  # the staging folder goes once the decision is committed
        services.item_reject(item=altered, by=receiver, reason="Gói tin sai mã băm")
    batch.refresh_from_db()
    assert batch.closed_at is not None and not services.batch_staging(batch).exists()


def test_historical_archive_refuses_anything_but_permanent_retention(delivery, fonds, receiver) -> None:  # type: ignore[no-untyped-def]
    batch = receive(delivery, fonds, "thirty_years")
    item = batch.items.get()
    with pytest.raises(services.TransferError) as refused:
        services.item_accept(item=item, by=receiver)
    assert "Lưu trữ lịch sử chỉ nhận hồ sơ bảo quản vĩnh viễn (thời hạn bảo quản 01)" in refused.value.message
    assert "historical archive accepts permanent files only" in refused.value.message_english
    item.refresh_from_db()
    assert item.state == TransferItem.State.RECEIVED and not ArchiveFile.objects.exists()


def test_agency_archive_accepts_other_retentions(delivery, fonds, receiver, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_ARCHIVE_ROLE = "co_quan"
    batch = receive(delivery, fonds, "thirty_years")
    item = batch.items.get()
    assert item.valid
    services.item_accept(item=item, by=receiver)
    accepted = ArchiveFile.objects.get(file_code=delivery["codes"]["thirty_years"])
    assert accepted.maintenance == "04"
    assert accepted.archived_on == timezone.localdate()  # in the agency archive: its NĐ 30 deadline is met


def test_an_item_with_findings_cannot_be_accepted(delivery, fonds, receiver) -> None:  # type: ignore[no-untyped-def]
    batch = receive(delivery, fonds, "altered")
    with pytest.raises(services.TransferError, match="chỉ chấp nhận hồ sơ hợp lệ"):
        services.item_accept(item=batch.items.get(), by=receiver)
    assert not ArchiveFile.objects.exists()


def test_a_file_imported_meanwhile_is_refused_and_recorded(delivery, fonds, receiver) -> None:  # type: ignore[no-untyped-def]
    first = receive(delivery, fonds, "permanent")
    second = receive(delivery, fonds, "permanent")
    services.item_accept(item=first.items.get(), by=receiver)
    item = second.items.get()
    with pytest.raises(services.TransferError, match="đã có trong kho"):
        services.item_accept(item=item, by=receiver)
    item.refresh_from_db()
    assert item.state == TransferItem.State.RECEIVED and rules(item) == {"IMPORT-EXISTS"}
    assert ArchiveFile.objects.filter(file_code=delivery["codes"]["permanent"]).count() == 1


def test_a_changed_staged_zip_is_never_imported(delivery, fonds, receiver) -> None:  # type: ignore[no-untyped-def]
    batch = receive(delivery, fonds, "permanent")
    item = batch.items.get()
    services.item_zip(item).write_bytes(delivery["paths"]["altered"].read_bytes())
    with pytest.raises(services.TransferError, match="đã bị thay đổi"):
        services.item_accept(item=item, by=receiver)
    assert not ArchiveFile.objects.exists()


def test_duplicates_other_fonds_and_oversized_packages_are_findings(delivery, fonds, institution, settings) -> None:  # type: ignore[no-untyped-def]
    from khoso.archive.services import fonds_create

    batch = receive(delivery, fonds, "permanent", "permanent")
    assert rules(batch.items.get(sequence=2)) == {"TRANSFER-DUPLICATE"}
    other = fonds_create(
        institution=institution,
        code="SXD-DL",
        name="Phông Sở Xây dựng",
        organ_id="000.00.01.H15",
        history="-",
        archives_time="1976-2000",
        paper_total=1,
        key_groups="-",
        language="01",
    )
    assert rules(receive(delivery, other, "permanent").items.get()) == {"TRANSFER-FONDS"}
    settings.KHOSO_PACKAGE_MAX_BYTES = 1000
    small = receive(delivery, fonds, "permanent")
    assert rules(small.items.get()) == {"TRANSFER-SIZE"}
    assert list(services.batch_staging(small).iterdir()) == []


def test_fonds_is_taken_from_the_packages_when_not_given(delivery, fonds) -> None:  # type: ignore[no-untyped-def]
    batch = services.batch_receive(fonds=None, packages=[("a.zip", delivery["paths"]["permanent"])])
    assert batch.fonds == fonds and batch.source_agency == fonds.name


def test_nothing_is_left_behind_when_the_fonds_cannot_be_told(delivery, fonds) -> None:  # type: ignore[no-untyped-def]
    from khoso.archive.models import Fonds
    from khoso.packages.models import TransferBatch

    Fonds.objects.filter(pk=fonds.pk).update(code="KHAC")  # the packages now name a fonds unknown here

    with pytest.raises(services.TransferError, match="hãy chọn phông"):
        services.batch_receive(fonds=None, packages=[("x.zip", delivery["paths"]["permanent"])])
    assert not TransferBatch.objects.exists()
    assert not any(services.transfer_staging_root().iterdir())


def test_cli_receive_json(delivery, fonds, capsys) -> None:  # type: ignore[no-untyped-def]
    paths = [str(delivery["paths"][name]) for name in ("permanent", "thirty_years")]
    call_command("package", "receive", *paths, "--fonds", fonds.code, "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["fonds"] == fonds.code and result["source_agency"] == fonds.name
    assert [item["valid"] for item in result["items"]] == [True, False]
    assert result["items"][1]["findings"][0]["rule"] == "TRANSFER-RETENTION"
    assert not ArchiveFile.objects.exists()


def test_cli_receive_unknown_file(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không tìm thấy"):
        call_command("package", "receive", str(tmp_path / "none.zip"))
