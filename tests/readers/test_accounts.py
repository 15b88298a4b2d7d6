"""A citizen registers, waits (cannot request), is approved by the archive (can request); both told by e-mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from khoso.readers.models import Reader

pytestmark = pytest.mark.django_db

FORM = {
    "username": "nguyenvana",
    "password1": "Luu-tru-Dak-Lak-2026",
    "password2": "Luu-tru-Dak-Lak-2026",
    "full_name": "Nguyễn Văn A",
    "citizen_id": "066 095 001 234",
    "birth_date": "05/09/1985",
    "email": "nguyenvana@example.vn",
    "phone": "0912345678",
    "address": "Buôn Ma Thuột",
    "organisation": "Trường Đại học Tây Nguyên",
    "consent": "on",
}


def test_registration_then_approval_opens_requests(world, client: Client, django_capture_on_commit_callbacks) -> None:
    assert client.get(reverse("reader_register")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reader_register"), FORM)
    assert response.status_code == 302 and response["Location"] == reverse("reader_home")
    reader = Reader.objects.get(user__username="nguyenvana")
    assert reader.status == Reader.Status.PENDING
    assert reader.citizen_id == "066095001234"
    assert reader.birth_date.strftime("%d/%m/%Y") == "05/09/1985"
    assert reader.user.check_password(FORM["password1"])
    # logged in at once; the home page shows the account waiting
    home = client.get(reverse("reader_home")).content.decode()
    assert "Chờ duyệt" in home
    assert client.get(reverse("home"))["Location"] == reverse("reader_home")
    # the reader is told the registration arrived; the staff are told an account waits
    to_reader = [m for m in mail.outbox if m.to == ["nguyenvana@example.vn"]]
    assert len(to_reader) == 1 and "Đã nhận đăng ký" in to_reader[0].subject
    assert any("nhanvien@luutru.example.vn" in m.to for m in mail.outbox)

    create = reverse("reader_request_create") + f"?ho_so={world.files['public'].pk}"
    refused = client.get(create)
    assert refused.status_code == 403 and "chưa được duyệt" in refused.content.decode()

    staff = Client()
    staff.force_login(world.users["staff"])
    listing = staff.get(reverse("reader_accounts")).content.decode()
    assert "Nguyễn Văn A" in listing and "066095001234" in listing
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("reader_account_decide", args=[reader.pk]), {"decision": "approve"})
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.status == Reader.Status.APPROVED and reader.decided_by == world.users["staff"]
    assert [m.to for m in mail.outbox] == [["nguyenvana@example.vn"]]
    assert "đã được duyệt" in mail.outbox[0].subject

    assert client.get(create).status_code == 200


def test_rejection_needs_a_reason_and_tells_the_reader(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    reader = world.reader("pending")
    client.force_login(world.users["staff"])
    client.post(reverse("reader_account_decide", args=[reader.pk]), {"decision": "reject"})
    reader.refresh_from_db()
    assert reader.status == Reader.Status.PENDING  # refused: no reason given
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reader_account_decide", args=[reader.pk]),
            {"decision": "reject", "reason": "Số CCCD không khớp với họ tên"},
        )
    reader.refresh_from_db()
    assert reader.status == Reader.Status.REJECTED
    (message,) = mail.outbox
    assert "Số CCCD không khớp với họ tên" in message.body


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("citizen_id", "12345", "12 chữ số"),
        ("password2", "khac-mat-khau-123", "không khớp"),
        ("password1", "12345678", ""),  # Django's validators: too common, entirely numeric
        ("consent", "", "Cần đồng ý"),
        ("birth_date", "1985-09-05", ""),
    ],
)
def test_registration_form_refuses_bad_input(world, client: Client, field: str, value: str, error: str) -> None:
    data = {**FORM, field: value}
    if field == "password1":
        data["password2"] = value
    if field == "consent":
        data.pop("consent")
    response = client.post(reverse("reader_register"), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Reader.objects.filter(user__username="nguyenvana").exists()


def test_a_taken_user_name_is_refused(world, client: Client) -> None:
    response = client.post(reverse("reader_register"), {**FORM, "username": "docgia"})
    assert "đã có người dùng" in response.content.decode()


def test_account_list_shows_the_one_working_day_deadline(world, client: Client) -> None:
    client.force_login(world.users["superuser"])
    page = client.get(reverse("reader_accounts")).content.decode()
    assert world.reader("pending").full_name in page
    assert "hạn: 01 ngày làm việc" in page


def test_staff_and_readers_with_grants_keep_the_staff_home(world, client: Client) -> None:
    client.force_login(world.users["staff"])
    assert client.get(reverse("home")).status_code == 200


def test_readers_get_no_staff_menu_and_staff_keep_it(world, client: Client) -> None:
    client.force_login(world.users["reader"])
    page = client.get(reverse("reader_home")).content.decode()
    assert 'class="mainnav"' not in page and reverse("pipeline_status") not in page
    client.force_login(world.users["staff"])
    assert 'class="mainnav"' in client.get(reverse("reader_home")).content.decode()
