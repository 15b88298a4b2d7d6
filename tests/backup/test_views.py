"""The backup staff page: the log with dd/mm/yyyy times, its printable PDF, the insurance-copy button."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
from django.test import Client
from django.urls import reverse

from khoso.backup.models import BackupLog, InsuranceCopy, Outcome

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def admin_client(small_archive) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(small_archive.users["admin"])
    return client


@pytest.fixture
def logs(small_archive) -> list[BackupLog]:  # type: ignore[no-untyped-def]
    made = [
        BackupLog.objects.create(
            name="20260501-003000-full",
            kind=BackupLog.Kind.FULL,
            trigger=BackupLog.Trigger.SCHEDULED,
            target="/mnt/sao-luu",
            objects_total=1234,
            objects_copied=1234,
            bytes_copied=987654,
            dump_sha256="ab" * 32,
            outcome=Outcome.OK,
        ),
        BackupLog.objects.create(
            name="20260502-003000-incremental",
            kind=BackupLog.Kind.INCREMENTAL,
            trigger=BackupLog.Trigger.MANUAL,
            started_by=small_archive.users["admin"],
            target="/mnt/sao-luu",
            outcome=Outcome.FAILED,
            error="Sao lưu không thành công: ổ đĩa đầy",
        ),
    ]
    BackupLog.objects.filter(pk=made[0].pk).update(
        started_at=datetime(2026, 5, 1, 0, 30, tzinfo=HCM), finished_at=datetime(2026, 5, 1, 0, 41, tzinfo=HCM)
    )
    return made


def test_log_page_lists_backups_with_vietnamese_dates(admin_client, logs) -> None:
    page = admin_client.get(reverse("backup_home")).content.decode()
    assert "20260501-003000-full" in page and "20260502-003000-incremental" in page
    assert "01/05/2026 00:30" in page and "01/05/2026 00:41" in page
    assert "Toàn bộ" in page and "Theo lịch" in page and "Gia tăng" in page and "Thủ công" in page
    assert "ổ đĩa đầy" in page
    assert "1.234" in page or "1,234" in page


def test_log_pdf_is_printable_with_vietnamese_text(admin_client, logs) -> None:
    response = admin_client.get(reverse("backup_log_pdf"))
    assert response["Content-Type"] == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.content)
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "NHẬT KÝ SAO LƯU" in text
    assert "20260501-003000-full" in text.replace("\r\n", "").replace("\n", "")
    assert "01/05/2026" in text and "Toàn bộ" in text


def test_insurance_button_queues_and_makes_the_copy(
    admin_client, small_archive, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:
    settings.KHOSO_COPY_ROOTS = [tmp_path]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("backup_insurance_copy"), {"fonds": small_archive.fonds.pk, "target": str(tmp_path / "bo-noi-vu")}
        )
    assert response.status_code == 302
    run = InsuranceCopy.objects.get()
    assert run.outcome == Outcome.OK and run.pages == 5 and run.made_by == small_archive.users["admin"]
    page = admin_client.get(reverse("backup_home")).content.decode()
    assert "Đã đưa vào hàng đợi bản sao bảo hiểm phông UBND-DL" in page
    assert str(tmp_path / "bo-noi-vu" / "UBND-DL") in page


def test_insurance_button_refuses_a_folder_outside_the_allowed_roots(admin_client, small_archive, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.KHOSO_COPY_ROOTS = [tmp_path / "duoc-phep"]
    response = admin_client.post(
        reverse("backup_insurance_copy"), {"fonds": small_archive.fonds.pk, "target": "/etc/khoso"}, follow=True
    )
    assert "nằm ngoài các thư mục được phép" in response.content.decode()
    assert not InsuranceCopy.objects.exists()
