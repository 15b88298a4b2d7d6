"""``khoso replicate``: give every object a verified copy in every active storage location."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from khoso.preservation import services


class Command(BaseCommand):
    help = "Sao chép đối tượng tới mọi nơi lưu trữ đang dùng / Replicate objects to every active location."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = services.replicate_pending()
        if options["json"]:
            self.stdout.write(json.dumps(counts, ensure_ascii=False))
        else:
            self.stdout.write(
                f"đã xác minh/verified {counts['verified']}, lỗi/failed {counts['failed']}, "
                f"chờ nguồn/waiting {counts['waiting']}, nơi không dùng được/unavailable {counts['unavailable']}, "
                f"dưới số bản tối thiểu/under-replicated {counts['under_replicated']}"
            )
        if counts["failed"] or counts["unavailable"]:
            raise SystemExit(1)
