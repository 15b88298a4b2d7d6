"""``khoso fsck``: database rows, stored objects and digests must agree."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from khoso.storage.selectors import consistency_problems


class Command(BaseCommand):
    help = "Kiểm tra CSDL, kho đối tượng và mã băm có khớp nhau / Check rows, objects and digests agree."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = consistency_problems()
        if options["json"]:
            self.stdout.write(json.dumps(problems, ensure_ascii=False, indent=2))
        else:
            for problem in problems:
                self.stdout.write(f"{problem['code']}: {problem['message']} [{problem['object']}]")
            self.stdout.write(f"{len(problems)} vấn đề / problems")
        if problems:
            raise SystemExit(7)
