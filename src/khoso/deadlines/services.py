"""Writes of the deadlines app: the annual report's "sent" mark and the daily reminder digest.

The digest goes once a day (beat, or ``khoso deadlines remind`` where no worker runs) to each person with an
e-mail address: one message listing the items they are responsible for that have newly entered "sắp đến
hạn" or "quá hạn". :class:`ReminderSent` remembers each (item, deadline, state, person), so an item is
announced when it comes near and once more when it is late, never every day. Reader requests are left out:
the readers app already reminds the reading room of each one (``readers.tasks.remind_due_requests``), and the
same request must not arrive twice.

The mail is sent first and recorded after: a mail server that is down leaves nothing recorded, so the next
run tries again, rather than a reminder recorded that nobody received.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from khoso.core.errors import ArchiveError, ExitCode
from khoso.core.text import nfc
from khoso.deadlines import selectors
from khoso.deadlines.models import ReminderSent, ReportSubmission
from khoso.deadlines.rules import Kind, State
from khoso.deadlines.selectors import DeadlineItem

log = logging.getLogger(__name__)

#: the kinds the digest carries (reader requests have their own reminder, see the module docstring)
EMAIL_KINDS = frozenset(Kind) - {Kind.READER_REQUEST}
REMIND_STATES = frozenset({State.SOON, State.OVERDUE})


class DeadlineError(ArchiveError):
    """A deadline record refused: the message names the rule."""

    code = "thoi_han"
    message_vi = "{reason}"
    message_en = "{reason_en}"
    exit_code = ExitCode.invalid_metadata


# -- the annual report -----------------------------------------------------------------------------


def report_submission_record(
    *, year: int, submitted_on: date, by: Any, reference: str = "", note: str = "", today: date | None = None
) -> ReportSubmission:
    """Record that the report of ``year`` went to the Ministry on ``submitted_on``: its reminder ends."""
    today = today or timezone.localdate()
    if not 1900 <= year <= 2100:
        raise DeadlineError(reason="Năm báo cáo phải từ 1900 đến 2100.", reason_en="The report year must be 1900–2100.")
    if submitted_on > today:
        raise DeadlineError(
            reason=f"Ngày gửi {submitted_on:%d/%m/%Y} chưa đến: chỉ ghi nhận báo cáo đã gửi.",
            reason_en=f"{submitted_on:%d/%m/%Y} is in the future: record only a report already sent.",
        )
    if submitted_on.year < year:
        raise DeadlineError(
            reason=f"Báo cáo năm {year} không thể gửi trước năm {year} (ngày gửi {submitted_on:%d/%m/%Y}).",
            reason_en=f"The report of {year} cannot have been sent before {year} ({submitted_on:%d/%m/%Y}).",
        )
    earlier = ReportSubmission.objects.filter(year=year).first()
    if earlier is not None:
        raise DeadlineError(
            reason=f"Báo cáo năm {year} đã được ghi nhận gửi ngày {earlier.submitted_on:%d/%m/%Y}.",
            reason_en=f"The report of {year} was already recorded as sent on {earlier.submitted_on:%d/%m/%Y}.",
        )
    try:
        with transaction.atomic():
            return ReportSubmission.objects.create(
                year=year,
                submitted_on=submitted_on,
                reference=nfc(reference).strip(),
                note=nfc(note).strip(),
                recorded_by=by,
            )
    except IntegrityError as error:  # recorded by someone else in the meantime
        raise DeadlineError(
            reason=f"Báo cáo năm {year} vừa được người khác ghi nhận.",
            reason_en=f"The report of {year} was just recorded by someone else.",
        ) from error


# -- reminders -------------------------------------------------------------------------------------


@dataclass
class Digest:
    """What one person is (or, in a dry run, would be) told today."""

    recipient: Any
    items: list[DeadlineItem] = field(default_factory=list)
    sent: bool = False


def _new_for(user: Any, today: date) -> list[DeadlineItem]:
    items = selectors.due_items(user, today, kinds=EMAIL_KINDS, states=REMIND_STATES)
    if not items:
        return []
    told = set(
        ReminderSent.objects.filter(recipient=user, kind__in={item.kind.value for item in items}).values_list(
            "kind", "object_key", "due", "state"
        )
    )
    return [item for item in items if (item.kind.value, item.key, item.due, item.state.value) not in told]


def _absolute(path: str) -> str:
    return f"{settings.KHOSO_PUBLIC_URL}{path}" if path else ""


def digest_message(user: Any, items: list[DeadlineItem], *, today: date) -> tuple[str, str]:
    """Subject and plain-text body (Vietnamese, dates dd/mm/yyyy, full addresses)."""
    lines = []
    for item in items:
        mark = "QUÁ HẠN" if item.state == State.OVERDUE else "SẮP ĐẾN HẠN"
        lines.append(f"- [{mark}] hạn {item.due:%d/%m/%Y} – {item.kind_label}: {item.title}")
        if item.detail:
            lines.append(f"  {item.detail}")
        lines.append(f"  Căn cứ: {item.rule}")
        if item.url:
            lines.append(f"  {_absolute(item.url)}")
    name = user.get_full_name() or user.get_username()
    overdue = sum(1 for item in items if item.state == State.OVERDUE)
    subject = f"[{settings.KHOSO_ARCHIVE_NAME}] {len(items)} việc sắp đến hạn hoặc quá hạn"
    if overdue:
        subject += f" ({overdue} quá hạn)"
    body = (
        f"Kính gửi {name},\n\nCác việc sau vừa đến gần hạn hoặc đã quá hạn (ngày {today:%d/%m/%Y}):\n\n"
        + "\n".join(lines)
        + f"\n\nBảng thời hạn: {_absolute(reverse('deadlines_board'))}"
        + f"\n\n--\n{settings.KHOSO_ARCHIVE_NAME}\nThư này được gửi tự động, xin đừng trả lời."
    )
    return subject, body


def reminders_send(*, today: date | None = None, dry_run: bool = False) -> list[Digest]:
    """Send each person one digest of the items newly "sắp đến hạn" or "quá hạn"; return the digests.

    ``dry_run`` computes the digests without sending or recording anything.
    """
    today = today or timezone.localdate()
    digests = []
    people = get_user_model().objects.filter(is_active=True).exclude(email="").order_by("pk")
    for user in people:
        items = _new_for(user, today)
        if not items:
            continue
        digest = Digest(recipient=user, items=items)
        digests.append(digest)
        if dry_run:
            continue
        subject, body = digest_message(user, items, today=today)
        try:
            digest.sent = bool(send_mail(subject, body, None, [user.email]))
        except OSError:
            log.exception("could not send the deadline digest to %s", user.email)
        if digest.sent:
            ReminderSent.objects.bulk_create(
                [
                    ReminderSent(
                        kind=item.kind.value,
                        object_key=item.key,
                        due=item.due,
                        state=item.state.value,
                        recipient=user,
                        sent_on=today,
                    )
                    for item in items
                ],
                ignore_conflicts=True,
            )
    return digests
