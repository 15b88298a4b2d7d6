"""``khoso fsck``: database rows, stored objects and digests must agree, here and in every storage location.

The primary store is checked object by object (present, size, SHA-256). Every active storage
location is then checked against its VERIFIED replica rows: a copy missing or of the wrong size
(``--deep``: the wrong SHA-256) is reported with the location's name, and so is every object left
with fewer than KHOSO_MIN_COPIES good copies. The audit trail's hash chain is walked too. Nothing is
changed; ``khoso fixity`` repairs.
Exit status 7 when anything is wrong.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from khoso.audit.selectors import chain_problems
from khoso.preservation.consistency import replica_problems
from khoso.storage.selectors import consistency_problems

#: Store findings that mean this machine's copy is not a good copy.
PRIMARY_BAD = {"thieu_doi_tuong", "sai_kich_thuoc", "sai_ma_bam"}


class Command(BaseCommand):
    help = (
        "Kiểm tra CSDL, kho đối tượng, các bản sao ở mọi nơi lưu trữ và mã băm có khớp nhau / "
        "Check rows, objects, replicas in every location and digests agree."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--deep",
            action="store_true",
            help="băm lại cả các bản sao ở nơi lưu trữ khác / also hash every copy in the other locations",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problems: list[dict[str, str]] = consistency_problems()
        primary_bad = {problem["object"] for problem in problems if problem["code"] in PRIMARY_BAD}
        replicas = replica_problems(deep=options["deep"], primary_bad=primary_bad)
        problems += replicas.problems
        problems += chain_problems()  # the audit trail's hash chain
        if replicas.note:
            sys.stderr.write(f"{replicas.note}\n")
        if options["json"]:
            self.stdout.write(json.dumps(problems, ensure_ascii=False, indent=2))
        else:
            for problem in problems:
                where = f" @ {problem['location']}" if problem.get("location") else ""
                self.stdout.write(f"{problem['code']}: {problem['message']} [{problem['object']}]{where}")
            for summary in replicas.locations:
                digest = "" if summary.wrong_digest is None else f", sai mã băm/wrong digest {summary.wrong_digest}"
                error = f" — {summary.error}" if summary.error else ""
                self.stdout.write(
                    f"{summary.location}: {summary.verified} bản đã xác minh/verified copies, thiếu/missing "
                    f"{summary.missing}, sai kích thước/wrong size {summary.wrong_size}{digest}{error}"
                )
            self.stdout.write(f"{len(problems)} vấn đề / problems")
        if problems:
            raise SystemExit(7)
