"""Workflow benchmark: task-queue and project-dashboard response times at provincial scale.

Loads N files × M pages of metadata (no images, no OCR) into one digitization project, spreads
the files over the TT 04/2014 steps, then requests the pages operators and supervisors open all
day through Django's test client (full stack: middleware, permissions, queries, templates) and
prints p50/p95 per page. Target (issue 3): p95 under 300 ms with 20,000 files × 50 pages.

    .venv/bin/python bench/workflow.py                          # SQLite and PostgreSQL, 20,000 × 50
    .venv/bin/python bench/workflow.py --db sqlite --files 2000 --pages 10

PostgreSQL runs against a scratch database ``khoso_bench`` on 127.0.0.1 (dropped and re-created).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_URL = "postgres://postgres@127.0.0.1:5432/khoso_bench"


def pg_tool(name: str) -> list[str]:
    return [name, "-h", "127.0.0.1", "-U", "postgres"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def load(files: int, pages: int) -> dict[str, int]:
    """Bulk-load the archive and the project; returns the ids the measurements need."""
    from datetime import date
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from khoso.archive.models import ArchiveFile, Fonds, Institution, Page
    from khoso.storage.models import StoredObject
    from khoso.workflow.models import DailyThroughput, Project, ProjectFile, ProjectMember, WorkflowEvent
    from khoso.workflow.states import OWNER, Role, State

    users = get_user_model()
    with transaction.atomic():
        institution = Institution.objects.create(code="H15.TTLT", name="Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk")
        fonds = Fonds.objects.create(
            institution=institution,
            code="UBND",
            name="Phông UBND tỉnh",
            organ_id="000.00.00.H15",
            history="1976",
            archives_time="1976-2025",
            paper_total=Decimal(400),
            key_groups="Tổng hợp",
            language="01",
        )
        people = {role: users.objects.create_user(f"bench-{role.value}", password="x") for role in Role}
        project = Project.objects.create(
            code="BENCH",
            name="Số hóa phông UBND tỉnh",
            institution=institution,
            year_from=1976,
            year_to=2025,
            target_metres=Decimal(files * pages) / 5000,
            status=Project.Status.APPROVED,
            created_by=people[Role.PLANNER],
        )
        project.fonds.add(fonds)
        ProjectMember.objects.bulk_create(
            [ProjectMember(project=project, user=user, role=role) for role, user in people.items()]
        )
        blob = StoredObject.objects.create(sha256="0" * 64, size=1, mime="image/jpeg")
    states = [s for s in State if s != State.KE_HOACH]
    steps_per_actor: dict[tuple[int, str], int] = {}
    batch = 2000
    for start in range(0, files, batch):
        with transaction.atomic():
            made = ArchiveFile.objects.bulk_create(
                [
                    ArchiveFile(
                        fonds=fonds,
                        file_code=f"000.00.00.H15.{1976 + n % 50}.{n:06d}",
                        organ_id="000.00.00.H15",
                        file_catalog=1976 + n % 50,
                        file_notation=f"{n:06d}",
                        title=f"Hồ sơ số {n} về công tác tỉnh",
                        maintenance="01",
                        mode="01",
                        language="01",
                        start_date=date(1976 + n % 50, 1, 1),
                        end_date=date(1976 + n % 50, 12, 31),
                        description="",
                        number_of_page=pages,
                        number_of_paper=pages // 2,
                    )
                    for n in range(start, min(files, start + batch))
                ]
            )
            items = ProjectFile.objects.bulk_create(
                [
                    ProjectFile(project=project, file=f, state=states[n % len(states)], priority=Decimal(n % 97))
                    for n, f in enumerate(made, start)
                ]
            )
            WorkflowEvent.objects.bulk_create(
                [
                    WorkflowEvent(
                        project=project,
                        item=item,
                        action="chuyen_buoc",
                        source=State.DA_DUYET,
                        target=item.state,
                        actor=people[OWNER[State(item.state)] or Role.APPROVER],
                    )
                    for item in items
                ]
            )
            for item in items:
                key = (people[OWNER[State(item.state)] or Role.APPROVER].pk, State.DA_DUYET.value)
                steps_per_actor[key] = steps_per_actor.get(key, 0) + 1
            Page.objects.bulk_create(
                [
                    Page(
                        file=f,
                        number=p,
                        original=blob,
                        original_name=f"{p:04d}.jpg",
                        stage=Page.Stage.DONE,
                        qc_passed=p % 40 != 0,
                        needs_rescan=p % 40 == 0,
                    )
                    for f in made
                    for p in range(1, pages + 1)
                ],
                batch_size=5000,
            )
    today = timezone.localdate()
    DailyThroughput.objects.bulk_create(  # the counters transition() keeps, for the events loaded above
        [
            DailyThroughput(project=project, day=today, actor_id=actor, step=step, steps=n)
            for (actor, step), n in steps_per_actor.items()
        ]
    )
    return {"project": project.pk, **{role.value: user.pk for role, user in people.items()}}


def settle() -> None:
    """Refresh planner statistics after the bulk load, as autovacuum / ``ANALYZE`` would in service."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def measure(ids: dict[str, int], repeat: int) -> dict[str, dict[str, float]]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    users = get_user_model()
    targets = {
        "hàng đợi biên mục (cataloguer queue)": ("bien_muc", reverse("my_queue")),
        "hàng đợi kiểm tra (checker queue)": ("kiem_tra", reverse("my_queue")),
        "hàng đợi, trang 20 (queue page 20)": ("kiem_tra", reverse("my_queue") + "?trang=20"),
        "bảng điều khiển đề án (project dashboard)": ("lap_ke_hoach", reverse("project_detail", args=[ids["project"]])),
    }
    results = {}
    for label, (role, url) in targets.items():
        client = Client()
        client.force_login(users.objects.get(pk=ids[role]))
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        results[label] = {"p50_ms": statistics.median(times), "p95_ms": percentile(times, 0.95)}
    return results


def child(args: argparse.Namespace) -> None:
    """Runs inside a fresh interpreter whose environment selects the database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoso.config.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from khoso.workflow.models import Project
    from khoso.workflow.states import Role

    started = time.perf_counter()
    existing = Project.objects.filter(code="BENCH").first()
    if existing is not None:  # --data-dir given and already loaded: measure again
        users = get_user_model().objects.filter(username__startswith="bench-")
        ids = {"project": existing.pk, **{u.username.removeprefix("bench-"): u.pk for u in users}}
        assert set(ids) >= {r.value for r in Role}
    else:
        ids = load(args.files, args.pages)
        settle()
    load_seconds = time.perf_counter() - started
    print(json.dumps({"load_s": load_seconds, "results": measure(ids, args.repeat)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--data-dir", help="keep the SQLite data here and reuse it on the next run (loads only once)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    backends = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(f"Kho Số workflow bench: {args.files:,} hồ sơ × {args.pages} trang, {args.repeat} lượt mỗi trang")
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix="khoso-bench-") as scratch:
            data_dir = args.data_dir if args.data_dir and backend == "sqlite" else scratch
            env = {**os.environ, "KHOSO_DATA_DIR": data_dir, "KHOSO_DEBUG": "false"}
            env.pop("KHOSO_DATABASE_URL", None)
            if backend == "postgres":
                subprocess.run(
                    ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "khoso_bench"], check=True
                )
                subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "khoso_bench"], check=True)
                env["KHOSO_DATABASE_URL"] = PG_URL
            argv = [sys.executable, __file__, "--child", f"--files={args.files}", f"--pages={args.pages}"]
            output = subprocess.run(
                argv + [f"--repeat={args.repeat}"], env=env, check=True, capture_output=True, text=True
            )
            report = json.loads(output.stdout.strip().splitlines()[-1])
            print(f"\n{backend}: nạp dữ liệu / load {report['load_s']:.0f} s")
            worst = 0.0
            for label, figures in report["results"].items():
                worst = max(worst, figures["p95_ms"])
                print(f"  {label:<48} p50 {figures['p50_ms']:7.1f} ms   p95 {figures['p95_ms']:7.1f} ms")
            verdict = "đạt / meets" if worst < 300 else "CHƯA ĐẠT / misses"
            print(f"  mục tiêu p95 < 300 ms: {verdict} (p95 lớn nhất / worst {worst:.1f} ms)")
            if backend == "postgres":
                subprocess.run(
                    ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "khoso_bench"], check=True
                )


if __name__ == "__main__":
    main()
