"""``khoso report annual --year YYYY --xlsx OUT.xlsx --pdf OUT.pdf`` and ``khoso report fonds --xlsx/--pdf``.

The annual report goes to the Ministry and the province before 15 December; run on the server it
covers every fonds (``--user NAME`` limits it to what that account may see, as on the web).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from khoso.reports import documents, selectors


def _write(path: Path, data: bytes) -> str:
    partial = path.with_name(f".{path.name}.part")
    partial.write_bytes(data)
    partial.replace(path)
    return f"{path} ({len(data)} byte)"


class Command(BaseCommand):
    help = "Báo cáo số hóa: báo cáo năm, thống kê phông (XLSX, PDF) / digitization reports."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        annual = verbs.add_parser("annual", help="Báo cáo năm / annual report")
        annual.add_argument("--year", type=int, default=None, help="Năm báo cáo (mặc định: năm nay)")
        fonds = verbs.add_parser("fonds", help="Thống kê phông / fonds statistics")
        for sub in (annual, fonds):
            sub.add_argument("--xlsx", type=Path, help="Ghi bảng tính XLSX / write XLSX")
            sub.add_argument("--pdf", type=Path, help="Ghi PDF / write PDF")
            sub.add_argument("--user", help="Chỉ các phông tài khoản này được xem / scope to this account")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["xlsx"] and not options["pdf"]:
            raise CommandError("Cần --xlsx hoặc --pdf (hoặc cả hai) / give --xlsx or --pdf (or both)")
        user: Any = selectors.SYSTEM
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Không có tài khoản «{options['user']}» / no such account")
            if not selectors.can_view(user):
                raise CommandError(
                    f"Tài khoản «{options['user']}» không có quyền xem báo cáo / account may not view the reports"
                )
        if options["verb"] == "annual":
            year = options["year"] or timezone.localdate().year
            if not 1900 <= year <= 2100:
                raise CommandError("Năm báo cáo phải từ 1900 đến 2100 / the year must be 1900–2100")
            report = selectors.annual_report(year=year, user=user)
            outputs = {"xlsx": lambda: documents.annual_xlsx(report), "pdf": lambda: documents.annual_pdf(report)}
        else:
            statistics = selectors.fonds_statistics(user=user)
            outputs = {"xlsx": lambda: documents.fonds_xlsx(statistics), "pdf": lambda: documents.fonds_pdf(statistics)}
        for kind, render in outputs.items():
            if options[kind]:
                self.stdout.write(_write(options[kind], render()))
