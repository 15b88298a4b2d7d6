"""Delivery matching: a scan folder finds its file by a QR cover sheet or by the code in its name.

Pages are only stored here (the pipeline's queueing waits for a commit that these tests never
make), so no OCR runs; the QC and rescan tests run the pipeline for real.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.urls import reverse

from khoso.capture.models import Delivery
from khoso.core.errors import WorkflowError
from khoso.scanning import services
from khoso.scanning.coversheet import cover_sheet_pdf, cover_sheet_png, decode_cover_sheet
from khoso.scanning.models import MatchedBy, ScanDelivery, WatchRejection
from khoso.workflow.states import State

pytestmark = pytest.mark.django_db


def _ready(folder: Path) -> Path:
    (folder / "READY").write_text("")
    return folder


def _watch(settings, user) -> Path:  # type: ignore[no-untyped-def]
    return Path(settings.KHOSO_WATCH_DIR) / user.username


def test_cover_sheet_carries_the_file_code_as_a_qr_code(tmp_path) -> None:  # type: ignore[no-untyped-def]
    sheet = tmp_path / "bia.png"
    sheet.write_bytes(cover_sheet_png(file_code="000.00.00.H15.1995.01.TH", title="Hồ sơ quy hoạch Đắk Lắk"))
    assert decode_cover_sheet(sheet) == "000.00.00.H15.1995.01.TH"
    assert cover_sheet_pdf(file_code="000.00.00.H15.1995.01.TH").startswith(b"%PDF-")


def test_a_page_without_our_qr_code_is_not_a_cover_sheet(tmp_path, page_jpeg) -> None:  # type: ignore[no-untyped-def]
    import cv2
    from PIL import Image

    other = tmp_path / "qr-khac.png"
    matrix = cv2.QRCodeEncoder.create().encode("https://dichvucong.gov.vn/ma-ho-so/123")
    Image.fromarray(matrix).resize((400, 400), Image.Resampling.NEAREST).save(other)
    page = tmp_path / "trang.jpg"
    page.write_bytes(page_jpeg("Công văn"))
    assert decode_cover_sheet(other) is None  # a QR printed on a document names no file
    assert decode_cover_sheet(page) is None


def test_folder_named_with_the_file_code_is_delivered(scan_item, people, settings, write_page) -> None:  # type: ignore[no-untyped-def]
    code = scan_item.file.file_code
    folder = _watch(settings, people["scanner"]) / f"may2_{code}"
    write_page(folder, "0001.jpg")
    write_page(folder, "0002.jpg")
    _ready(folder)
    report = services.operator_folders_scan()
    assert not report.rejected and len(report.delivered) == 1
    record = ScanDelivery.objects.get()
    assert record.item == scan_item and record.matched_by == MatchedBy.FOLDER_NAME
    assert record.delivery.source == Delivery.Source.WATCH and record.delivery.created_by == people["scanner"]
    assert list(scan_item.file.pages.values_list("number", "original_name")) == [(1, "0001.jpg"), (2, "0002.jpg")]
    assert not folder.exists()
    assert [p.name.endswith(f"may2_{code}") for p in (folder.parent / "da-nhan").iterdir()] == [True]


def test_qr_cover_sheet_matches_and_is_dropped_from_the_pages(scan_item, people, settings, write_page) -> None:  # type: ignore[no-untyped-def]
    folder = _watch(settings, people["scanner"]) / "ca-sang-lo-3"
    folder.mkdir(parents=True)
    (folder / "0000.png").write_bytes(cover_sheet_png(file_code=scan_item.file.file_code))
    write_page(folder, "0001.jpg")
    write_page(folder, "0002.jpg")
    _ready(folder)
    report = services.operator_folders_scan()
    assert not report.rejected
    record = ScanDelivery.objects.get()
    assert record.matched_by == MatchedBy.COVER_SHEET and record.cover_sheet_name == "0000.png"
    assert record.delivery.page_count == 2
    assert list(scan_item.file.pages.values_list("original_name", flat=True)) == ["0001.jpg", "0002.jpg"]


def test_unknown_code_is_refused_in_vietnamese_and_the_folder_kept(people, scan_item, settings, write_page) -> None:  # type: ignore[no-untyped-def]
    folder = _watch(settings, people["scanner"]) / "H99.2001.77.XX"
    scan = write_page(folder, "0001.jpg")
    content = scan.read_bytes()
    _ready(folder)
    report = services.operator_folders_scan()
    assert not report.delivered
    rejection = WatchRejection.objects.get()
    assert rejection.operator == people["scanner"]
    assert "không nhận diện được hồ sơ" in rejection.message and "phiếu bìa" in rejection.message
    moved = Path(rejection.moved_to)
    assert moved.parent == folder.parent / "loi" and (moved / "0001.jpg").read_bytes() == content
    assert "không nhận diện được hồ sơ" in (moved / "LOI.txt").read_text(encoding="utf-8")
    assert not Delivery.objects.exists()


def test_only_the_operator_with_a_scanning_task_may_deliver(scan_item, people, settings, write_page) -> None:  # type: ignore[no-untyped-def]
    folder = _watch(settings, people["keyer"]) / scan_item.file.file_code
    write_page(folder, "0001.jpg")
    _ready(folder)
    services.operator_folders_scan()
    rejection = WatchRejection.objects.get()
    assert rejection.operator == people["keyer"]
    assert f"keyer không có việc số hóa hồ sơ {scan_item.file.file_code}" in rejection.message
    assert not Delivery.objects.exists()


def test_a_file_not_at_the_scanning_step_takes_no_scans(scan_item, people, settings, write_page, put_in_state) -> None:  # type: ignore[no-untyped-def]
    put_in_state(scan_item, State.KIEM_TRA_CHAT_LUONG, people["scanner"])
    folder = _watch(settings, people["scanner"]) / scan_item.file.file_code
    write_page(folder, "0001.jpg")
    _ready(folder)
    services.operator_folders_scan()
    assert "«Kiểm tra chất lượng ảnh»" in WatchRejection.objects.get().message


def test_cover_sheet_and_folder_name_disagreeing_is_refused(scan_item, people, settings, write_page) -> None:  # type: ignore[no-untyped-def]
    other = scan_item.project.items.exclude(pk=scan_item.pk).first().file
    folder = _watch(settings, people["scanner"]) / scan_item.file.file_code
    folder.mkdir(parents=True)
    (folder / "0000.png").write_bytes(cover_sheet_png(file_code=other.file_code))
    write_page(folder, "0001.jpg")
    _ready(folder)
    services.operator_folders_scan()
    message = WatchRejection.objects.get().message
    assert f"phiếu bìa ghi mã hồ sơ {other.file_code} nhưng tên thư mục ghi {scan_item.file.file_code}" in message


def test_a_folder_still_being_written_is_left_alone(scan_item, people, settings, write_page) -> None:  # type: ignore[no-untyped-def]
    folder = _watch(settings, people["scanner"]) / scan_item.file.file_code
    write_page(folder, "0001.jpg")
    report = services.operator_folders_scan(now=time.time())
    assert not report.delivered and not report.rejected and folder.exists()
    old = time.time() - 60
    os.utime(folder / "0001.jpg", (old, old))
    assert len(services.operator_folders_scan().delivered) == 1


def test_folders_of_unknown_users_are_not_touched(scan_item, settings, write_page) -> None:  # type: ignore[no-untyped-def]
    folder = Path(settings.KHOSO_WATCH_DIR) / "khong-phai-nguoi-dung" / scan_item.file.file_code
    write_page(folder, "0001.jpg")
    _ready(folder)
    report = services.operator_folders_scan()
    assert not report.delivered and not report.rejected and folder.exists()


def test_folder_name_match_respects_code_boundaries(scan_item, archive_file_factory) -> None:  # type: ignore[no-untyped-def]
    code = scan_item.file.file_code
    assert services.file_code_in_name(f"lan-2 {code} (sang)") == code
    assert services.file_code_in_name(f"{code}9") is None  # a longer, unknown code
    assert services.file_code_in_name(f"{code}.TH2") is None
    longer = archive_file_factory(1995, scan_item.file.file_notation + ".A")
    assert services.file_code_in_name(longer.file_code) == longer.file_code  # the longer code wins
    two = scan_item.project.items.exclude(pk=scan_item.pk).first().file.file_code
    with pytest.raises(WorkflowError) as caught:
        services.file_code_in_name(f"{code}+{two}")
    assert "chứa nhiều mã hồ sơ" in caught.value.message


def test_upload_page_checks_and_drops_the_cover_sheet(scan_item, people, client, page_jpeg) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(people["scanner"])
    url = reverse("scan_upload", kwargs={"item_id": scan_item.pk})
    cover = SimpleUploadedFile("bia.png", cover_sheet_png(file_code=scan_item.file.file_code), "image/png")
    pages = [SimpleUploadedFile(f"{n}.jpg", page_jpeg(f"Trang {n}"), "image/jpeg") for n in (1, 2)]
    response = client.post(url, {"files": [cover, *pages]}, follow=True)
    assert "Đã nhận 2 trang" in response.content.decode()
    assert ScanDelivery.objects.get().cover_sheet_name == "bia.png"
    assert scan_item.file.pages.count() == 2
    other = scan_item.project.items.exclude(pk=scan_item.pk).first().file.file_code
    wrong = SimpleUploadedFile("bia.png", cover_sheet_png(file_code=other), "image/png")
    page = SimpleUploadedFile("3.jpg", page_jpeg("Trang 3"), "image/jpeg")
    response = client.post(url, {"files": [wrong, page]})
    assert 400 <= response.status_code < 500  # a refusal, not a redirect that looks like success (T7)
    assert f"phiếu bìa tải lên là của hồ sơ {other}" in response.content.decode()
    assert scan_item.file.pages.count() == 2
    disguised = SimpleUploadedFile("4.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg")
    response = client.post(url, {"files": [disguised]})
    assert 400 <= response.status_code < 500 and "4.jpg" in response.content.decode()
    assert scan_item.file.pages.count() == 2 and ScanDelivery.objects.count() == 1


def test_delivery_page_shows_the_watched_folder_and_the_cover_sheet(scan_item, people, client, settings) -> None:  # type: ignore[no-untyped-def]
    client.force_login(people["scanner"])
    body = client.get(reverse("scan_delivery", kwargs={"item_id": scan_item.pk})).content.decode()
    assert str(Path(settings.KHOSO_WATCH_DIR) / "scanner" / scan_item.file.file_code) in body
    png = client.get(reverse("scan_cover_png", kwargs={"item_id": scan_item.pk}))
    assert png["Content-Type"] == "image/png"
    detail = client.get(reverse("item_detail", kwargs={"item_id": scan_item.pk})).content.decode()
    assert reverse("scan_delivery", kwargs={"item_id": scan_item.pk}) in detail  # the step page is linked


def test_the_celery_task_scans_every_operator_folder(scan_item, people, settings, write_page) -> None:  # type: ignore[no-untyped-def]
    from khoso.scanning.tasks import scan_operator_folders

    folder = _watch(settings, people["scanner"]) / scan_item.file.file_code
    write_page(folder, "0001.jpg")
    _ready(folder)
    assert scan_operator_folders.delay().get() == 1
    assert scan_item.file.pages.count() == 1
