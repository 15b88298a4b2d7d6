"""``khoso deadlines remind [--dry-run] [--date dd/mm/yyyy]``: the daily reminder digest, for operators without a
worker (the beat schedule runs the same service every morning).

``--dry-run`` prints who would be told what and sends nothing; ``--date`` computes the states as on that day.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from khoso.deadlines import services


def _day(text: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError as error:
        raise CommandError(f"ngày «{text}» không đúng dạng dd/mm/yyyy / date not dd/mm/yyyy") from error


class Command(BaseCommand):
    help = "Thời hạn và nhắc việc / statutory deadlines and reminders."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        remind = verbs.add_parser("remind", help="Gửi thư nhắc việc hằng ngày / send the daily reminder digest")
        remind.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê, không gửi / list only, send nothing")
        remind.add_argument("--date", type=_day, default=None, help="Tính như vào ngày dd/mm/yyyy / as on this day")

    def handle(self, *args: Any, **options: Any) -> None:
        digests = services.reminders_send(today=options["date"], dry_run=options["dry_run"])
        for digest in digests:
            status = "đã gửi / sent" if digest.sent else "LỖI / FAILED"
            if options["dry_run"]:
                status = "sẽ gửi / would send"
            self.stdout.write(f"{digest.recipient.email}: {len(digest.items)} việc / items – {status}")
            for item in digest.items:
                self.stdout.write(f"  {item.due:%d/%m/%Y} {item.state_label}: {item.kind_label} – {item.title}")
        if not digests:
            self.stdout.write("Không có nhắc việc mới / no new reminders")
        if any(not digest.sent for digest in digests) and not options["dry_run"]:
            raise CommandError("Một số thư không gửi được / some digests could not be sent")
