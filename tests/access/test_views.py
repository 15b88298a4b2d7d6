"""The access pages as staff use them: the edit form no longer changes the access mode, a proposal is
made on the access page, a second person confirms it there; locks show on the file page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from khoso.access import services
from khoso.access.models import AccessChange, FileLock
from khoso.archive.models import ArchiveFile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def web_settings(settings, tmp_path: Path) -> None:
    settings.LANGUAGE_CODE = "vi"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_propose_on_the_page_and_confirm_as_a_second_person(world) -> None:  # type: ignore[no-untyped-def]
    proposer, confirmer = _client(world.users["proposer"]), _client(world.users["confirmer"])
    page = proposer.get(reverse("access_file", args=[world.file.file_code])).content.decode()
    assert "01 – Công khai" in page and "Đề nghị đổi chế độ sử dụng" in page
    response = proposer.post(
        reverse("access_file", args=[world.file.file_code]), {"mode": "02", "reason": "Có thông tin cá nhân"}
    )
    change = AccessChange.objects.get()
    assert response["Location"] == reverse("access_change_detail", args=[change.pk])
    detail = proposer.get(response["Location"]).content.decode()
    assert "Chờ xác nhận" in detail and "Xác nhận, cho thay đổi có hiệu lực" not in detail  # not for the proposer
    listing = confirmer.get(reverse("access_change_list")).content.decode()
    assert (
        "01 – Công khai → <strong>02 – Sử dụng có điều kiện</strong>" in listing and "Có thông tin cá nhân" in listing
    )
    assert (
        "Xác nhận, cho thay đổi có hiệu lực"
        in confirmer.get(reverse("access_change_detail", args=[change.pk])).content.decode()
    )
    # the proposer posting a confirmation is refused with the four-eyes rule, nothing changes
    refused = proposer.post(reverse("access_change_confirm", args=[change.pk]), follow=True).content.decode()
    assert "người thứ hai, khác người đề nghị" in refused
    assert ArchiveFile.objects.get(pk=world.file.pk).mode == "01"
    confirmer.post(reverse("access_change_confirm", args=[change.pk]), {"note": "Đồng ý"})
    assert ArchiveFile.objects.get(pk=world.file.pk).mode == "02"
    assert AccessChange.objects.get().decided_by == world.users["confirmer"]


def test_the_edit_form_keeps_the_mode(world) -> None:  # type: ignore[no-untyped-def]
    clerk = _client(world.users["cataloguer"])
    url = reverse("file_edit", args=[world.file.file_code])
    form = clerk.get(url).content.decode()
    assert "Đổi chế độ sử dụng bằng đề nghị tại trang Quyền truy cập" in form
    data = {
        "title": "Tiêu đề đã sửa",
        "maintenance": "01",
        "mode": "03",  # a disabled field: the posted value is ignored
        "language": "01",
        "start_date": "03/01/1995",
        "end_date": "28/12/1995",
        "number_of_page": "0",
        "description": "Người lập hồ sơ: Nguyễn Văn A",
    }
    assert clerk.post(url, data).status_code == 302
    fresh = ArchiveFile.objects.get(pk=world.file.pk)
    assert (fresh.title, fresh.mode) == ("Tiêu đề đã sửa", "01")


def test_a_locked_file_says_so_and_offers_no_edit(world) -> None:  # type: ignore[no-untyped-def]
    lock = services.lock_files(
        fonds=world.fonds, scope="muc_luc", inventory=world.inventory, reason="Thu hồi", by=world.users["proposer"]
    )
    clerk = _client(world.users["cataloguer"])
    page = clerk.get(reverse("file_detail", args=[world.file.file_code])).content.decode()
    assert f"khóa số {lock.pk}" in page and "mục lục số 1" in page and "Thu hồi" in page
    assert reverse("file_edit", args=[world.file.file_code]) not in page
    response = clerk.post(
        reverse("document_create", args=[world.file.file_code]),
        {
            "type_name": "02",
            "issued_date": "04/03/1995",
            "organ_name": "UBND",
            "subject": "Bổ sung",
            "number_of_page": "1",
        },
    )
    assert response.status_code == 400 and "đang bị khóa" in response.content.decode()
    locks = _client(world.users["confirmer"]).get(reverse("access_lock_list")).content.decode()
    assert "Đề nghị mở khóa" in locks and "Thu hồi" in locks


def test_lock_and_restriction_forms(world) -> None:  # type: ignore[no-untyped-def]
    approver = _client(world.users["proposer"])
    approver.post(
        reverse("access_lock_create"),
        {"fonds": world.fonds.pk, "scope": "ho_so", "codes": world.file.file_code, "reason": "Kiểm tra"},
    )
    lock = FileLock.objects.get()
    assert list(lock.files.all()) == [world.file] and lock.locked_by == world.users["proposer"]
    response = approver.post(
        reverse("access_restriction_add"),
        {
            "fonds": world.fonds.pk,
            "target": world.file.file_code,
            "start_date": "01/01/2020",
            "end_date": "31/12/2019",
            "reason": "x",
        },
        follow=True,
    )
    assert "phải sau hoặc bằng ngày bắt đầu (01/01/2020)" in response.content.decode()
    assert not AccessChange.objects.exists()
