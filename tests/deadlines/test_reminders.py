"""The daily digest: one message per person, only their own items, each reminder once per state."""

from __future__ import annotations

from datetime import date

import pytest
from deadlines_kit import make_file, make_request  # tests/deadlines/conftest.py
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from khoso.deadlines import services
from khoso.deadlines.models import ReminderSent, ReportSubmission
from khoso.deadlines.rules import Kind, State

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)


def _outbox_for(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def test_each_person_gets_one_digest_of_their_own_items(place, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_ARCHIVE_ROLE = "co_quan"
    settings.KHOSO_PUBLIC_URL = "https://khoso.binhphuoc.gov.vn"
    in_a = make_file(place.fonds_a, "01.TH", date(2022, 3, 1), archived_on=date(2022, 6, 1))  # in the agency archive
    make_file(place.fonds_b, "02.TH", date(2022, 3, 1), archived_on=date(2022, 6, 1))
    make_request(in_a, date(2026, 11, 19))  # overdue, but the readers app reminds of requests itself
    digests = services.reminders_send(today=TODAY)
    users = place.users
    (to_a,) = _outbox_for(users["staff_a"].email)
    assert "1 việc sắp đến hạn hoặc quá hạn (1 quá hạn)" in to_a.subject
    assert in_a.file_code in to_a.body and "SNV-BP" not in to_a.body
    assert "[QUÁ HẠN] hạn 03/03/2025" in to_a.body and "03 năm kể từ khi tài liệu được tạo lập" in to_a.body
    assert "https://khoso.binhphuoc.gov.vn" + reverse("file_detail", args=[in_a.file_code]) in to_a.body
    assert "YC-" not in to_a.body  # no reader request in the digest
    (to_b,) = _outbox_for(users["staff_b"].email)
    assert "SNV-BP" in to_b.body and in_a.file_code not in to_b.body
    (to_reporter,) = _outbox_for(users["reporter"].email)
    assert "[SẮP ĐẾN HẠN] hạn 14/12/2026" in to_reporter.body and "Báo cáo kết quả năm 2026" in to_reporter.body
    assert not _outbox_for(users["reader"].email) and not _outbox_for(users["plain"].email)
    assert {digest.recipient.username for digest in digests} == {d.to[0].split("@")[0] for d in mail.outbox}
    assert all(digest.sent for digest in digests)


def test_a_reminder_is_sent_once_per_state(place) -> None:  # type: ignore[no-untyped-def]
    reporter = place.users["reporter"]
    services.reminders_send(today=TODAY)
    assert len(_outbox_for(reporter.email)) == 1
    services.reminders_send(today=TODAY)
    services.reminders_send(today=date(2026, 11, 27))
    assert len(_outbox_for(reporter.email)) == 1  # still "sắp đến hạn": told already
    sent = ReminderSent.objects.get(recipient=reporter)
    assert (sent.kind, sent.object_key, sent.due, sent.state, sent.sent_on) == (
        Kind.ANNUAL_REPORT.value,
        "2026",
        date(2026, 12, 14),
        State.SOON.value,
        TODAY,
    )
    services.reminders_send(today=date(2026, 12, 15))
    late = _outbox_for(reporter.email)
    assert len(late) == 2 and "[QUÁ HẠN] hạn 14/12/2026" in late[1].body
    ReportSubmission.objects.create(year=2026, submitted_on=date(2026, 12, 16), recorded_by=reporter)
    services.reminders_send(today=date(2026, 12, 17))
    assert len(_outbox_for(reporter.email)) == 2


def test_a_dry_run_sends_and_records_nothing(place) -> None:  # type: ignore[no-untyped-def]
    digests = services.reminders_send(today=TODAY, dry_run=True)
    assert digests and not mail.outbox and not ReminderSent.objects.exists()
    assert not any(digest.sent for digest in digests)


def test_a_mail_server_down_leaves_the_reminder_for_the_next_run(place, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def refused(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(services, "send_mail", refused)
    digests = services.reminders_send(today=TODAY)
    assert digests and not any(digest.sent for digest in digests)
    assert not ReminderSent.objects.exists()
    monkeypatch.undo()
    services.reminders_send(today=TODAY)
    assert _outbox_for(place.users["reporter"].email)


def test_the_operator_command_lists_or_sends(place, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("deadlines", "remind", "--dry-run", "--date", "20/11/2026")
    out = capsys.readouterr().out
    assert "baocao@example.vn" in out and "sẽ gửi" in out and "14/12/2026 Sắp đến hạn" in out
    assert not mail.outbox
    call_command("deadlines", "remind", "--date", "20/11/2026")
    assert "đã gửi" in capsys.readouterr().out and _outbox_for("baocao@example.vn")
    call_command("deadlines", "remind", "--date", "20/11/2026")
    assert "Không có nhắc việc mới" in capsys.readouterr().out
    with pytest.raises(CommandError, match="dd/mm/yyyy"):
        call_command("deadlines", "remind", "--date", "2026-11-20")


def test_the_beat_task_sends_the_digest(place) -> None:  # type: ignore[no-untyped-def]
    from khoso.deadlines.tasks import send_reminders

    sent = send_reminders.delay().get()
    assert sent == len(mail.outbox) and sent >= 2  # the reporter and the administrator at least


def test_recording_the_report_refuses_what_cannot_be(place) -> None:  # type: ignore[no-untyped-def]
    reporter = place.users["reporter"]
    with pytest.raises(services.DeadlineError, match="chưa đến"):
        services.report_submission_record(year=2026, submitted_on=date(2026, 11, 21), by=reporter, today=TODAY)
    with pytest.raises(services.DeadlineError, match="không thể gửi trước năm 2026"):
        services.report_submission_record(year=2026, submitted_on=date(2025, 12, 1), by=reporter, today=TODAY)
    first = services.report_submission_record(
        year=2026, submitted_on=date(2026, 11, 19), reference="  245/BC-SNV ", by=reporter, today=TODAY
    )
    assert first.reference == "245/BC-SNV" and first.recorded_by == reporter
    with pytest.raises(services.DeadlineError, match="đã được ghi nhận gửi ngày 19/11/2026"):
        services.report_submission_record(year=2026, submitted_on=date(2026, 11, 20), by=reporter, today=TODAY)
