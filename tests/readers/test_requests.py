"""Requests: only approved readers, only for what their catalogue shows; deadlines in working days;
the staff queue of each fonds; decisions with reasons; reminders once a day."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from khoso.readers import services
from khoso.readers.models import ReaderRequest

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "sao",
    "purpose": "02",
    "purpose_content": "Xác minh quá trình công tác",
    "fee_object_type": "01",
    "research_topic": "",
    "copies": "2",
    "description": "",
}


def _create_url(file_id: int, document_id: int | None = None) -> str:
    url = reverse("reader_request_create") + f"?ho_so={file_id}"
    return url + f"&tai_lieu={document_id}" if document_id else url


def test_an_approved_reader_sends_a_request_and_is_told_the_deadline(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.users["reader"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_create_url(world.files["public"].pk), FORM)
    assert response.status_code == 302
    item = ReaderRequest.objects.get()
    year = timezone.localdate().year
    assert re.fullmatch(rf"YC-{year}-\d{{6}}", item.code)
    assert item.status == ReaderRequest.Status.SUBMITTED and item.copies == 2 and item.purpose == "02"
    assert item.due_date == services.review_due_date(item.submitted_at)
    assert item.due_date.weekday() < 5
    (message,) = mail.outbox
    assert message.to == ["docgia@example.vn"] and item.code in message.subject
    assert item.due_date.strftime("%d/%m/%Y") in message.body
    home = client.get(reverse("reader_home")).content.decode()
    assert item.code in home and item.due_date.strftime("%d/%m/%Y") in home


def test_codes_are_sequential_and_unique(world, submit) -> None:
    first = submit(world.reader("reader"), world.files["public"])
    second = submit(world.reader("other_reader"), world.files["public"])
    assert int(second.code[-6:]) == int(first.code[-6:]) + 1


@pytest.mark.parametrize("what", ["secret", "restricted", "deleted"])
def test_what_the_reader_may_not_see_is_404(world, client: Client, what: str) -> None:
    client.force_login(world.users["reader"])
    target = world.files[what]
    missing = client.get(_create_url(999_999))
    response = client.get(_create_url(target.pk))
    assert response.status_code == 404
    assert response.content == missing.content  # the same answer as an id that does not exist
    assert client.post(_create_url(target.pk), FORM).status_code == 404
    assert not ReaderRequest.objects.exists()


def test_conditional_material_is_for_approved_readers_only(world, client: Client) -> None:
    url = _create_url(world.files["conditional"].pk)
    client.force_login(world.users["pending"])
    assert client.get(url).status_code == 404
    client.force_login(world.users["reader"])
    assert client.get(url).status_code == 200


def test_a_document_of_another_file_is_404(world, client: Client) -> None:
    client.force_login(world.users["reader"])
    assert client.get(_create_url(world.files["public"].pk, world.document.pk)).status_code == 200
    assert client.get(_create_url(world.files["paper"].pk, world.document.pk)).status_code == 404
    assert client.get(reverse("reader_request_create") + "?ho_so=abc").status_code == 404


def test_pending_reader_is_refused_by_the_service_too(world, submit) -> None:
    with pytest.raises(services.ReaderNotApprovedError):
        submit(world.reader("pending"), world.files["public"])


def test_due_date_skips_weekend_and_holidays(settings) -> None:  # type: ignore[no-untyped-def]
    friday = timezone.make_aware(datetime(2026, 2, 13, 16, 30))  # the Friday before Tết 2026
    # Tết 2026 (16–20/02) comes from the lunar calendar: nobody has to type it in
    assert services.review_due_date(friday).strftime("%d/%m/%Y") == "02/03/2026"
    settings.KHOSO_STATUTORY_HOLIDAYS = False
    assert services.review_due_date(friday).strftime("%d/%m/%Y") == "23/02/2026"  # no holidays: 6 working days
    settings.KHOSO_HOLIDAYS = ["16/02/2026", "17/02/2026", "18/02/2026", "19/02/2026", "20/02/2026"]
    assert services.review_due_date(friday).strftime("%d/%m/%Y") == "02/03/2026"
    saturday = timezone.make_aware(datetime(2026, 3, 7, 9, 0))
    assert services.review_due_date(saturday).strftime("%d/%m/%Y") == "16/03/2026"


def test_paper_holdings_are_accepted_and_delivered_after_digitization(
    world, submit, approve, django_capture_on_commit_callbacks
) -> None:
    item = submit(world.reader("reader"), world.files["paper"])
    mail.outbox.clear()
    item = approve(item, world.users["staff"])
    assert item.status == ReaderRequest.Status.APPROVED
    assert not item.deliveries.exists()
    (message,) = mail.outbox
    assert "chưa được số hóa" in message.body and "sau khi số hóa" in message.body
    # making the delivery before any page exists is refused with the reason
    with pytest.raises(services.NotDigitizedError):
        services.request_deliver(item=item, by=world.users["staff"])


def test_staff_queue_is_per_fonds_sorted_by_deadline_overdue_marked(world, submit, client: Client) -> None:
    late = submit(world.reader("reader"), world.files["public"])
    soon = submit(world.reader("other_reader"), world.files["paper"])
    elsewhere = submit(world.reader("reader"), world.files["other_fonds"])
    ReaderRequest.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - timedelta(days=3))
    client.force_login(world.users["staff"])
    page = client.get(reverse("reader_requests")).content.decode()
    assert late.code in page and soon.code in page and elsewhere.code not in page
    assert page.index(late.code) < page.index(soon.code)
    row = page[page.rindex("<tr", 0, page.index(late.code)) : page.index(late.code)]
    assert 'class="bad"' in row and "quá hạn" in row
    assert client.get(reverse("reader_request_review", args=[elsewhere.pk])).status_code == 404
    review = client.get(reverse("reader_request_review", args=[late.pk]))
    assert review.status_code == 200 and "Nghiên cứu lịch sử địa phương" in review.content.decode()

    client.force_login(world.users["staff_other"])
    page = client.get(reverse("reader_requests")).content.decode()
    assert elsewhere.code in page and late.code not in page
    assert client.get(reverse("reader_request_review", args=[late.pk])).status_code == 404
    assert client.post(reverse("reader_request_review", args=[late.pk]), {"decision": "approve"}).status_code == 404
    late.refresh_from_db()
    assert late.status == ReaderRequest.Status.SUBMITTED


def test_rejection_needs_a_reason_and_reaches_the_reader(
    world, submit, client: Client, django_capture_on_commit_callbacks
) -> None:
    item = submit(world.reader("reader"), world.files["public"])
    mail.outbox.clear()
    client.force_login(world.users["staff"])
    url = reverse("reader_request_review", args=[item.pk])
    client.post(url, {"decision": "reject", "reason": ""})
    item.refresh_from_db()
    assert item.status == ReaderRequest.Status.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "reject", "reason": "Tài liệu đang tu bổ"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ReaderRequest.Status.REJECTED and item.decision_reason == "Tài liệu đang tu bổ"
    (message,) = mail.outbox
    assert "Tài liệu đang tu bổ" in message.body
    client.force_login(world.users["reader"])
    assert "Tài liệu đang tu bổ" in client.get(reverse("reader_home")).content.decode()
    # decided once: a second decision is refused
    client.force_login(world.users["staff"])
    client.post(url, {"decision": "approve"})
    item.refresh_from_db()
    assert item.status == ReaderRequest.Status.REJECTED


def test_reminders_go_to_the_fonds_staff_once_a_day(world, submit) -> None:
    due = submit(world.reader("reader"), world.files["public"])
    later = submit(world.reader("reader"), world.files["paper"])
    other = submit(world.reader("reader"), world.files["other_fonds"])
    today = timezone.localdate()
    ReaderRequest.objects.filter(pk=due.pk).update(due_date=today - timedelta(days=1))
    ReaderRequest.objects.filter(pk=other.pk).update(due_date=today)
    mail.outbox.clear()
    assert services.requests_remind() == 2
    by_recipient = {tuple(m.to): m.body for m in mail.outbox}
    assert due.code in by_recipient[("nhanvien@luutru.example.vn",)]
    assert later.code not in by_recipient[("nhanvien@luutru.example.vn",)]
    assert other.code not in by_recipient[("nhanvien@luutru.example.vn",)]
    assert other.code in by_recipient[("nhanvienkhac@luutru.example.vn",)]
    assert {due.code, other.code} <= set(re.findall(r"YC-\d{4}-\d{6}", by_recipient[("quantri@luutru.example.vn",)]))
    assert "QUÁ HẠN" in by_recipient[("nhanvien@luutru.example.vn",)]
    sent = len(mail.outbox)
    assert services.requests_remind() == 0  # once per day per request
    assert len(mail.outbox) == sent
    tomorrow = timezone.now() + timedelta(days=1)
    assert services.requests_remind(now=tomorrow) >= 2


def test_the_beat_task_names_are_the_scheduled_ones(settings) -> None:  # type: ignore[no-untyped-def]
    from khoso.readers import tasks

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks.remind_due_requests.name in scheduled
    assert tasks.purge_expired_deliveries.name in scheduled
