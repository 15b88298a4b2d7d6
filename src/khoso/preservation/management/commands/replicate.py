"""``khoso replicate``: give every object a verified copy in every active storage location.

``--sweep`` first removes what killed replications left in the staging areas (older than
``--older-than`` hours, 24 by default), so one command both cleans and completes.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from khoso.preservation import services


class Command(BaseCommand):
    help = "Sao chép đối tượng tới mọi nơi lưu trữ đang dùng / Replicate objects to every active location."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--sweep",
            action="store_true",
            help="dọn phần tạm của các lần sao chép bị ngắt trước / first remove staging leftovers of killed copies",
        )
        parser.add_argument(
            "--older-than",
            type=float,
            metavar="GIO",
            default=services.STAGING_MAX_AGE.total_seconds() / 3600,
            help="chỉ dọn phần tạm cũ hơn số giờ này (mặc định 24) / only leftovers older than this many hours",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sweep = None
        if options["sweep"]:
            sweep = services.staging_sweep(older_than=timedelta(hours=max(0.0, options["older_than"])))
        counts: dict[str, Any] = dict(services.replicate_pending())
        if sweep is not None:
            counts["swept"] = sweep.removed_count
            counts["swept_bytes"] = sweep.removed_bytes
            counts["sweep_errors"] = sweep.errors
        if options["json"]:
            self.stdout.write(json.dumps(counts, ensure_ascii=False))
        else:
            if sweep is not None:
                for item in sweep.removed:
                    self.stdout.write(f"da_don/removed: {item['location']}: {item['key']} ({item['size']} byte)")
                for error in sweep.errors:
                    self.stdout.write(f"loi_don/sweep error: {error}")
                self.stdout.write(
                    f"đã dọn phần tạm/staging leftovers removed {sweep.removed_count} ({sweep.removed_bytes} byte)"
                )
            self.stdout.write(
                f"đã xác minh/verified {counts['verified']}, lỗi/failed {counts['failed']}, "
                f"chờ nguồn/waiting {counts['waiting']}, nơi không dùng được/unavailable {counts['unavailable']}, "
                f"dưới số bản tối thiểu/under-replicated {counts['under_replicated']}"
            )
        if counts["failed"] or counts["unavailable"] or (sweep is not None and sweep.errors):
            raise SystemExit(1)
