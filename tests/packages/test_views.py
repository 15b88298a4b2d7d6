"""The transfer pages as a receiving archivist uses them: upload ZIPs, read findings, decide, print."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from khoso.archive.models import ArchiveFile
from khoso.packages.models import TransferBatch, TransferItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_of(receiver, fonds) -> Client:  # type: ignore[no-untyped-def]
    from khoso.access.models import FondsGrant

    FondsGrant.objects.create(user=receiver, fonds=fonds, can_edit=True)
    client = Client()
    client.force_login(receiver)
    return client


def upload(delivery, *names: str) -> list[SimpleUploadedFile]:  # type: ignore[no-untyped-def]
    return [
        SimpleUploadedFile(f"{name}.zip", delivery["paths"][name].read_bytes(), content_type="application/zip")
        for name in names
    ]


def test_upload_several_zips_then_decide(client_of, delivery, fonds) -> None:  # type: ignore[no-untyped-def]
    form = client_of.get(reverse("packages_batch_create"))
    assert form.status_code == 200 and "multiple" in form.content.decode()
    response = client_of.post(
        reverse("packages_batch_create"),
        {
            "fonds": fonds.pk,
            "source_agency": "Văn phòng UBND tỉnh",
            "note": "Tài liệu còn tốt",
            "packages": upload(delivery, "permanent", "thirty_years"),
        },
        follow=True,
    )
    batch = TransferBatch.objects.get()
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("packages_batch_detail", kwargs={"batch_id": batch.pk})
    assert "Đã nhận 2 gói tin" in page and "Hợp lệ" in page and "TRANSFER-RETENTION" in page
    assert "Lưu trữ lịch sử chỉ nhận hồ sơ bảo quản vĩnh viễn" in page
    permanent, thirty = batch.items.order_by("sequence")
    accept_url = reverse("packages_item_accept", kwargs={"batch_id": batch.pk, "item_id": thirty.pk})
    refused = client_of.post(accept_url, follow=True).content.decode()
    assert "Không chấp nhận được" in refused and not ArchiveFile.objects.exists()
    reject_url = reverse("packages_item_reject", kwargs={"batch_id": batch.pk, "item_id": thirty.pk})
    assert "phải ghi rõ lý do" in client_of.post(reject_url, {"reason": ""}, follow=True).content.decode()
    client_of.post(reject_url, {"reason": "Hồ sơ 30 năm"})
    client_of.post(reverse("packages_item_accept", kwargs={"batch_id": batch.pk, "item_id": permanent.pk}))
    states = list(batch.items.order_by("sequence").values_list("state", flat=True))
    assert states == [TransferItem.State.ACCEPTED, TransferItem.State.REJECTED]
    assert ArchiveFile.objects.filter(file_code=permanent.file_code).exists()
    listing = client_of.get(reverse("packages_batch_list")).content.decode()
    assert "Văn phòng UBND tỉnh" in listing and "Đã hoàn tất" in listing
    receipt = client_of.get(reverse("packages_receipt_pdf", kwargs={"batch_id": batch.pk}))
    assert receipt["Content-Type"] == "application/pdf" and receipt.content.startswith(b"%PDF")


def test_a_form_without_packages_is_shown_again(client_of, fonds) -> None:  # type: ignore[no-untyped-def]
    response = client_of.post(reverse("packages_batch_create"), {"fonds": fonds.pk, "source_agency": "UBND"})
    assert response.status_code == 200 and not TransferBatch.objects.exists()
