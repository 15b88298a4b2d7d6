"""``khoso signatures``: the archive's signatures from the command line (cron, operators, the beat job's twin).

- ``khoso signatures retimestamp [--all] [--json]``: renew the archive time stamp (PAdES B-LTA) of every
  signed rendition whose newest time stamp's TSA certificate expires within KHOSO_RETIMESTAMP_MARGIN_DAYS
  (``--all``: examine every signed rendition, also for weak algorithms). Exit 1 if any file failed.
- ``khoso signatures sign [--json]``: sign the renditions stored unsigned (key or TSA was unavailable).
- ``khoso signatures verify FILE.pdf [--json]``: check a PDF's signatures against the trust roots.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from khoso.signing import services


class Command(BaseCommand):
    help = "Chữ ký số: đóng dấu thời gian lại, ký bản chưa ký, kiểm tra tệp / Signatures: re-time-stamp, sign, verify."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        again = sub.add_parser("retimestamp", help="đóng dấu thời gian lưu trữ (B-LTA) / archive time stamps")
        again.add_argument("--all", action="store_true", help="xét mọi bản đã ký / examine every signed rendition")
        again.add_argument("--json", action="store_true")
        sign = sub.add_parser("sign", help="ký các bản PDF/A chưa ký / sign unsigned renditions")
        sign.add_argument("--json", action="store_true")
        verify = sub.add_parser("verify", help="kiểm tra chữ ký của một tệp PDF / verify a PDF")
        verify.add_argument("pdf", type=Path)
        verify.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "retimestamp":
            result = services.retimestamp_due(everything=options["all"])
            if options["json"]:
                self.stdout.write(
                    json.dumps(
                        {"renewed": result.renewed, "failed": result.failed, "not_due": result.not_due},
                        ensure_ascii=False,
                        indent=2,
                    )
                )
            else:
                for code in result.renewed:
                    self.stdout.write(f"{code}: đã đóng dấu thời gian lưu trữ / archive time stamp added")
                for code, reason in result.failed.items():
                    self.stderr.write(f"{code}: LỖI / FAILED: {reason}")
                self.stdout.write(
                    f"Đã đóng dấu / renewed {len(result.renewed)}, lỗi / failed {len(result.failed)}, "
                    f"chưa đến hạn / not due {result.not_due}"
                )
            if result.failed:
                raise SystemExit(1)
        elif action == "sign":
            counts = services.sign_pending()
            if options["json"]:
                self.stdout.write(json.dumps(counts))
            else:
                self.stdout.write(
                    f"Đã ký / signed {counts['signed']}, vẫn chưa ký được / still unsigned {counts['unsigned']}, "
                    f"bỏ qua / skipped {counts['skipped']}"
                )
            if counts["unsigned"]:
                raise SystemExit(1)
        else:
            path: Path = options["pdf"]
            try:
                data = path.read_bytes()
            except OSError as error:
                raise CommandError(f"Không đọc được tệp {path}: {error.strerror} / cannot read {path}") from error
            report = services.verify_received(data)
            if options["json"]:
                self.stdout.write(
                    json.dumps(
                        {
                            "valid": report.valid,
                            "intact": report.intact,
                            "trusted": report.trusted,
                            "level": report.level,
                            "signatures": report.signature_count,
                            "signer": report.signer_name,
                            "signed_at": report.signed_at.isoformat() if report.signed_at else None,
                            "message": report.message_vi,
                            "message_en": report.message_en,
                        },
                        ensure_ascii=False,
                        indent=2,
                    )
                )
            else:
                self.stdout.write(f"{report.message_vi}\n{report.message_en}")
            if not report.valid:
                raise SystemExit(1)
