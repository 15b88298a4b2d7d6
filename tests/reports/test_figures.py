"""Holdings figures: what counts toward the 30 % / 80 % targets, throughput, quality, cost, preservation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from khoso.access.models import FondsGrant, Restriction
from khoso.archive.models import Institution, Page
from khoso.archive.services import document_create, file_create, fonds_create
from khoso.backup.models import BackupLog, Outcome
from khoso.core.workdays import holidays_from_settings, is_working_day
from khoso.preservation.models import AuditRun
from khoso.reports import selectors
from khoso.storage.services import object_put_bytes
from khoso.workflow import services as workflow

pytestmark = pytest.mark.django_db


def _file(fonds: Any, notation: str, pages: int, **fields: Any) -> Any:
    return file_create(
        fonds=fonds,
        file_catalog=1995,
        file_notation=notation,
        title=f"Hồ sơ {notation} về quy hoạch năm 1995",
        mode=fields.pop("mode", "01"),
        language="01",
        start_date=date(1995, 1, 3),
        end_date=date(1995, 12, 28),
        description="Thử nghiệm báo cáo",
        number_of_page=pages,
        **fields,
    )


def _document(archive_file: Any, ordinal: int, pages: int, **fields: Any) -> Any:
    return document_create(
        archive_file=archive_file,
        ordinal=ordinal,
        maintenance="01",
        type_name="02",
        issued_date=date(1995, 3, 1),
        organ_name="UBND tỉnh Đắk Lắk",
        subject="Quyết định về quy hoạch",
        language="01",
        number_of_page=pages,
        mode=fields.pop("mode", "01"),
        **fields,
    )


def _scan(archive_file: Any, count: int, *, document: Any = None, start: int = 1, **fields: Any) -> None:
    original = object_put_bytes(data=b"scan", mime="image/jpeg")
    Page.objects.bulk_create(
        Page(
            file=archive_file,
            document=document,
            number=start + n,
            original=original,
            original_name=f"{start + n}.jpg",
            stage=Page.Stage.DONE,
            qc_passed=True,
            **fields,
        )
        for n in range(count)
    )


@pytest.fixture
def holdings(db) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """One fonds of 0.01 m (50 pages estimated) whose described files count 80 pages:

    open file A 40 pages (11 scanned); mode 03 file B 10 (3 scanned); file C on the restricted list 10
    (2 scanned); open file D 20 pages holding a secret document of 5 pages (4 scanned, 1 of the secret one).
    """
    institution = Institution.objects.create(code="H15.BC", name="Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk")
    common: dict[str, Any] = dict(history="Thành lập năm 1976.", archives_time="1976-2000", key_groups="Tổng hợp")
    fonds = fonds_create(
        institution=institution,
        code="UBND-BC",
        name="Phông UBND tỉnh",
        paper_total=Decimal("0.01"),
        language="01",
        **common,
    )
    other = fonds_create(
        institution=institution, code="SNV-BC", name="Phông Sở Nội vụ", paper_total=Decimal(2), language="01", **common
    )
    a = _file(fonds, "01.TH", 40)
    b = _file(fonds, "02.TH", 10, mode="03")
    c = _file(fonds, "03.TH", 10)
    d = _file(fonds, "04.TH", 20)
    _document(d, 1, 15)
    secret = _document(d, 2, 5, secret_class="mat")
    Restriction.objects.create(fonds=fonds, file=c, reason="Liên quan đời tư", start_date=date(2000, 1, 1))
    _scan(a, 11)
    _scan(b, 3)
    _scan(c, 2)
    _scan(d, 3)
    _scan(d, 1, document=secret, start=4)
    _scan(_file(other, "01.NV", 100, maintenance="02"), 7)
    return {"fonds": fonds, "other": other, "files": {"a": a, "b": b, "c": c, "d": d}}


def test_withheld_material_stays_out_of_both_denominators(holdings, admin_user) -> None:
    figures = {f.code: f for f in selectors.fonds_figures(user=admin_user)}
    ubnd = figures["UBND-BC"]
    assert (ubnd.pages_estimated, ubnd.pages_counted, ubnd.pages_base) == (50, 80, 80)
    assert ubnd.pages_withheld == 10 + 10 + 5  # mode 03 file, restricted file, secret document
    assert ubnd.pages_open == 55
    assert (ubnd.pages_digitized, ubnd.pages_digitized_open) == (20, 14)
    assert ubnd.digitized_share_pages == round(100 * 14 / 55, 1)
    assert ubnd.described_share_pages == 100.0
    assert ubnd.files_withheld == 2 and ubnd.files == 4 and ubnd.documents == 2
    # per fonds, metres convert at the fonds's own ratio
    assert ubnd.metres_open == Decimal("0.01") * 55 / 80
    assert ubnd.digitized_share_metres == ubnd.digitized_share_pages


def test_restriction_ending_puts_material_back(holdings, admin_user) -> None:
    Restriction.objects.filter(file=holdings["files"]["c"]).update(end_date=date(2001, 1, 1))
    (ubnd,) = [f for f in selectors.fonds_figures(user=admin_user) if f.code == "UBND-BC"]
    assert ubnd.pages_withheld == 15
    assert ubnd.pages_digitized_open == 16


def test_totals_weigh_fonds_by_pages_and_by_metres(holdings, admin_user) -> None:
    totals = selectors.fonds_statistics(user=admin_user).totals
    # SNV-BC: 2 m → 10,000 pages estimated, only 100 counted: the estimate is its base
    assert totals.pages_open == 55 + 10_000
    assert totals.pages_digitized_open == 14 + 7
    assert totals.digitized_share_pages == round(100 * 21 / 10_055, 1)
    expected_metres = (Decimal("0.01") * 14 / 80 + Decimal(2) * 7 / 10_000) / (Decimal("0.01") * 55 / 80 + 2)
    assert totals.digitized_share_metres == round(100 * float(expected_metres), 1)
    assert totals.described_share_pages == round(100 * (55 + 100) / 10_055, 1)
    assert (totals.files, totals.files_permanent) == (5, 4)
    assert not totals.digitized_target_met


def test_staff_see_only_granted_fonds_and_nothing_without_the_permission(holdings) -> None:
    staff = User.objects.create_user("bao_cao_snv", password="mat-khau-dai-12", is_staff=True)
    FondsGrant.objects.create(user=staff, fonds=holdings["other"])
    assert selectors.fonds_figures(user=staff) == []  # no reporting permission yet
    staff.user_permissions.add(Permission.objects.get(codename="view_dashboard"))
    staff = User.objects.get(pk=staff.pk)
    assert [f.code for f in selectors.fonds_figures(user=staff)] == ["SNV-BC"]
    assert selectors.throughput(user=staff, days=1)[-1].pages == 7
    assert selectors.fonds_figures(user=None) == []


def test_projects_are_shown_only_when_every_fonds_is_visible(holdings, admin_user) -> None:
    staff = User.objects.create_user("bao_cao_2", password="mat-khau-dai-12", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_dashboard"))
    FondsGrant.objects.create(user=staff, fonds=holdings["other"])
    for code, fonds in (("SH-CHUNG", [holdings["fonds"], holdings["other"]]), ("SH-SNV", [holdings["other"]])):
        workflow.project_create(
            planner=admin_user,
            code=code,
            name=code,
            institution=holdings["fonds"].institution,
            fonds=fonds,
            year_from=1990,
            year_to=2000,
            target_metres="1",
        )
    assert [p.code for p in selectors.project_figures(user=User.objects.get(pk=staff.pk))] == ["SH-SNV"]
    assert [p.code for p in selectors.project_figures(user=admin_user)] == ["SH-CHUNG", "SH-SNV"]


def test_project_quality_rates_cost_and_throughput(holdings, admin_user) -> None:
    files = holdings["files"]
    project = workflow.project_create(
        planner=admin_user,
        code="SH-BC",
        name="Số hóa phông UBND",
        institution=holdings["fonds"].institution,
        fonds=[holdings["fonds"]],
        year_from=1990,
        year_to=2000,
        target_metres="0.01",
        price_per_page=5000,
        budget_vnd=1_000_000,
    )
    workflow.files_select(project=project, files=[files["a"], files["d"]], by=admin_user)
    Page.objects.filter(file=files["a"], number__in=[1, 2]).update(qc_passed=False, needs_rescan=True)
    Page.objects.filter(file=files["a"], number=3).update(qc_passed=False)
    (figures,) = selectors.project_figures(user=admin_user)
    assert (figures.pages_scanned, figures.pages_qc_failed, figures.pages_rescan) == (15, 3, 2)
    assert (figures.qc_failure_rate, figures.rescan_rate) == (20.0, round(100 * 2 / 15, 1))
    assert figures.cost_to_date == 15 * 5000
    assert (figures.budget, figures.spent_share) == (1_000_000, 7.5)
    assert figures.pages_counted_files == 60
    days = selectors.throughput(user=admin_user, days=3)
    assert [d.day for d in days] == [timezone.localdate() - timedelta(days=n) for n in (2, 1, 0)]
    assert days[-1].pages == 27


def test_planned_pace_spreads_the_year_over_working_days(dak_lak, admin_user) -> None:
    pace = selectors.planned_pages_per_day(user=admin_user, year=2026)
    holidays = holidays_from_settings()  # statutory holidays and the configured ones
    working = sum(is_working_day(date(2026, 1, 1) + timedelta(days=n), holidays=holidays) for n in range(365))
    assert 240 < working < 262
    assert pace == round(3_250_000 / working)
    assert selectors.planned_pages_per_day(user=admin_user, year=2030) == 0


def test_preservation_figures_follow_backup_and_fixity_logs(db) -> None:
    now = timezone.now()
    empty = selectors.preservation_figures(now=now)
    assert (empty.last_full_backup, empty.daily_backup_ok, empty.monthly_full_ok, empty.last_audit_at) == (
        None,
        False,
        False,
        None,
    )
    BackupLog.objects.create(
        kind="full", trigger="lich", target="/sao-luu", outcome=Outcome.OK, finished_at=now - timedelta(days=40)
    )
    BackupLog.objects.create(
        kind="incremental", trigger="lich", target="/sao-luu", outcome=Outcome.OK, finished_at=now - timedelta(hours=3)
    )
    BackupLog.objects.create(
        kind="full", trigger="lich", target="/sao-luu", outcome=Outcome.FAILED, finished_at=now - timedelta(hours=1)
    )
    AuditRun.objects.create(kind="scheduled", scope="daily", started_at=now, finished_at=now)
    figures = selectors.preservation_figures(now=now)
    assert figures.daily_backup_ok and not figures.monthly_full_ok  # the failed full one does not count
    assert figures.last_full_backup == now - timedelta(days=40)
    assert figures.last_audit_at == now and figures.last_audit_healthy is True


def test_dashboard_queries_do_not_grow_with_files_or_pages(holdings, admin_user, django_assert_num_queries) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        selectors.director_dashboard(user=admin_user)
    fonds = holdings["fonds"]
    for n in range(5, 25):
        _scan(_file(fonds, f"{n:02d}.TH", 30), 12)
    with django_assert_num_queries(len(before.captured_queries)):
        board = selectors.director_dashboard(user=admin_user)
    assert board.totals.pages_digitized == 27 + 20 * 12


def test_throughput_days_are_local_days(holdings, admin_user) -> None:
    from datetime import datetime

    today = timezone.localdate()
    late_yesterday = timezone.make_aware(datetime.combine(today - timedelta(days=1), datetime.min.time())) + timedelta(
        hours=23, minutes=30
    )
    Page.objects.filter(file=holdings["files"]["a"]).update(created_at=late_yesterday)
    Page.objects.filter(file=holdings["files"]["b"]).update(created_at=late_yesterday + timedelta(hours=1))
    days = selectors.throughput(user=admin_user, days=2, until=today)
    assert [(d.day, d.pages) for d in days] == [(today - timedelta(days=1), 11), (today, 27 - 11)]
