"""``khoso audit verify [--json]``: walk the audit trail's hash chain and report the first broken link.

Exit status 0 when every entry links to the one before and hashes to its stored hash, 1 at the first
entry that does not (its number and what differs). The head (last number and hash) is printed so an
operator can keep it elsewhere: deleting the newest entries leaves a shorter chain that still links.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from khoso.audit.selectors import verify_chain


class Command(BaseCommand):
    help = "Nhật ký kiểm tra: kiểm tra chuỗi mã băm / audit trail: verify the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        verify = verbs.add_parser("verify", help="Kiểm tra chuỗi mã băm / verify the hash chain")
        verify.add_argument("--json", action="store_true", help="Kết quả dạng JSON / JSON output")

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify_chain()
        if options["json"]:
            self.stdout.write(json.dumps(verdict.as_dict(), ensure_ascii=False, indent=2))
        elif verdict.ok:
            self.stdout.write(
                f"Chuỗi nhật ký toàn vẹn: {verdict.entries} mục; mục cuối số {verdict.head_seq or 0}, "
                f"mã băm {verdict.head_hash} / audit chain intact."
            )
        else:
            broken = verdict.broken
            assert broken is not None
            self.stderr.write(f"Liên kết hỏng đầu tiên tại mục số {broken.seq}: {broken.message}")
            self.stderr.write(f"First broken link at entry {broken.seq}: {broken.message_en}")
            if broken.expected or broken.found:
                self.stderr.write(f"  cần / expected: {broken.expected}\n  thấy / found:   {broken.found}")
            self.stderr.write(f"{verdict.entries} mục trước đó hợp lệ / entries before it are intact.")
        if not verdict.ok:
            raise SystemExit(1)
