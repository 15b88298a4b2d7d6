"""``khoso fixity``: audit copies against the database digests, repair what can be repaired, say what happened.

Exit status 0 when every copy is good or was repaired, 1 when an object is unrecoverable or its
copies disagree with the database digest (scripts and monitoring read this).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from khoso.core.errors import ArchiveError
from khoso.preservation import selectors, services
from khoso.preservation.models import AuditRun


class Command(BaseCommand):
    help = "Kiểm tra toàn vẹn các bản sao và phục hồi / Fixity audit of every copy, with repair."

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--fonds", metavar="MA_PHONG", help="chỉ phông này / only this fonds")
        target.add_argument("--file", metavar="MA_HO_SO", help="chỉ hồ sơ này / only this file")
        target.add_argument("--sample", metavar="PHAN_TRAM", type=float, help="mẫu ngẫu nhiên %% / random sample %%")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON / print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["fonds"]:
                scope = selectors.scope_fonds(options["fonds"])
            elif options["file"]:
                scope = selectors.scope_file(options["file"])
            elif options["sample"] is not None:
                scope = selectors.scope_sample(options["sample"])
            else:
                scope = selectors.scope_everything()
        except ArchiveError as error:
            raise CommandError(str(error), returncode=error.exit_code) from error
        except ValueError as error:
            raise CommandError("Tỷ lệ mẫu phải trong (0, 100] / sample percent must be in (0, 100]") from error
        kind = AuditRun.Kind.SAMPLE if scope.kind == "sample" else AuditRun.Kind.ON_DEMAND
        run = services.audit(scope=scope, kind=kind)
        if options["json"]:
            self.stdout.write(json.dumps(_as_json(run), ensure_ascii=False, indent=2))
        else:
            self._print(run)
        if not run.healthy:
            raise SystemExit(1)

    def _print(self, run: AuditRun) -> None:
        for problem in run.findings:
            action = f" → {problem['action']}" if problem["action"] != "none" else ""
            self.stdout.write(
                f"{problem['status']}: {problem['object']} @ {problem['location']} {problem['path']}"
                f" (mong đợi/expected {problem['expected'] or '-'}, thấy/found {problem['found'] or '-'}){action}"
            )
        self.stdout.write(
            f"{run.scope}: {run.objects_checked} đối tượng / objects, {run.copies_checked} bản sao / copies, "
            f"{run.bytes_checked / 1e6:.1f} MB trong/in {run.duration_seconds:.1f} s — "
            f"đúng/ok {run.ok}, hỏng/corrupt {run.corrupt}, mất/missing {run.missing}, "
            f"đã phục hồi/repaired {run.repaired}, không thể phục hồi/unrecoverable {run.unrecoverable}, "
            f"lệch CSDL/db mismatch {run.db_mismatch}, lạ/unexpected {run.unexpected}"
        )


def _as_json(run: AuditRun) -> dict[str, Any]:
    counts = ("objects_checked", "copies_checked", "bytes_checked", "ok", "corrupt", "missing", "unexpected")
    return {
        "audit": run.pk,
        "scope": run.scope,
        "kind": run.kind,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "duration_seconds": run.duration_seconds,
        **{name: getattr(run, name) for name in counts},
        "db_mismatch": run.db_mismatch,
        "repaired": run.repaired,
        "unrecoverable": run.unrecoverable,
        "healthy": run.healthy,
        "findings": run.findings,
    }
