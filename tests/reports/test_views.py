"""The dashboard and the downloads: who may open them, what they show, what the files hold."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from khoso.access.models import FondsGrant
from khoso.archive.models import Fonds
from khoso.core.printing import pdf_plain_text

pytestmark = pytest.mark.django_db


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _reporter(name: str, *fonds: Fonds) -> User:
    user = User.objects.create_user(name, password="mat-khau-dai-12", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_dashboard"))
    for item in fonds:
        FondsGrant.objects.create(user=user, fonds=item)
    return user


def test_dashboard_shows_vietnamese_figures_and_svg_charts(bac_kan, admin_user) -> None:
    response = _client(admin_user).get(reverse("reports_dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "1.323.258" in body  # pages planned, Vietnamese grouping
    assert "8.323.678.000" in body
    assert "6.709 · 6.290" in body  # the project's actual ratios
    assert body.count("<svg") == 2 and "<script" not in body
    assert "≥ 30 %" in body and "≥ 80 %" in body


def test_staff_with_a_grant_see_their_fonds_only(bac_kan) -> None:
    reporter = _reporter("baocao_snv", Fonds.objects.get(code="SNV"))
    body = _client(reporter).get(reverse("reports_dashboard")).content.decode()
    assert "Phông Sở Nội vụ" in body
    assert "Phông Sở Tài chính" not in body
    assert "BK-2020-2025" not in body  # the project spans fonds they do not see
    book = load_workbook(io.BytesIO(_client(reporter).get(reverse("reports_fonds_xlsx")).content))
    codes = [row[0] for row in book["Thống kê phông"].iter_rows(min_row=4, values_only=True)]
    assert codes == ["SNV", "Tổng cộng"]


def test_annual_xlsx_and_pdf_hold_the_seed_figures(bac_kan, admin_user) -> None:
    client = _client(admin_user)
    response = client.get(reverse("reports_annual_xlsx"), {"nam": 2024})
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-so-hoa-2024.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Tổng hợp", "Theo phông", "Theo đề án", "Kế hoạch năm", "Bảo quản"]
    plan_rows = list(book["Kế hoạch năm"].iter_rows(min_row=4, values_only=True))
    assert plan_rows[0][:8] == ("BK-2020-2025", 2024, 13, 96.33, 481_650, 641_114, 641_114, 4_165_000_000)
    assert plan_rows[0][8:] == (6_655, 6_497)  # 641,114 / 96.33 m; 4,165,000,000 / 641,114
    pdf = pdf_plain_text(client.get(reverse("reports_annual_pdf"), {"nam": 2024}).content)
    assert "BÁO CÁO KẾT QUẢ SỐ HÓA TÀI LIỆU LƯU TRỮ NĂM 2024" in pdf
    for figure in ("641.114", "4.165.000.000", "96,33", "6.497"):
        assert figure in pdf
    assert client.get(reverse("reports_annual_pdf"), {"nam": "20x4"}).status_code == 400


def test_fonds_statistics_pdf(bac_kan, admin_user) -> None:
    pdf = pdf_plain_text(_client(admin_user).get(reverse("reports_fonds_pdf")).content)
    assert "THỐNG KÊ PHÔNG LƯU TRỮ" in pdf
    assert "Phông Sở Nội vụ" in pdf and "30,89" in pdf
    # 21 fonds hold 197.23 − 20.56 m: the UBND tỉnh fonds was created with its 2024 extent
    total = sum(Fonds.objects.values_list("paper_total", flat=True), Decimal(0))
    assert f"{total}".replace(".", ",") in pdf


def test_cli_writes_both_formats(bac_kan, tmp_path: Path) -> None:
    out = io.StringIO()
    xlsx, pdf = tmp_path / "nam.xlsx", tmp_path / "nam.pdf"
    call_command("report", "annual", "--year", "2025", "--xlsx", str(xlsx), "--pdf", str(pdf), stdout=out)
    assert str(xlsx) in out.getvalue() and str(pdf) in out.getvalue()
    rows = list(load_workbook(xlsx)["Kế hoạch năm"].iter_rows(min_row=4, values_only=True))
    assert rows[0][:8] == ("BK-2020-2025", 2025, 9, 100.9, 504_500, 682_144, 682_144, 4_158_678_000)
    assert "682.144" in pdf_plain_text(pdf.read_bytes())
    fonds_xlsx = tmp_path / "phong.xlsx"
    call_command("report", "fonds", "--xlsx", str(fonds_xlsx), stdout=io.StringIO())
    summary = dict(
        (row[0], row[1]) for row in load_workbook(fonds_xlsx)["Tổng hợp"].iter_rows(min_row=3, values_only=True)
    )
    assert summary["Số phông"] == 21


def test_cli_refuses_without_output_or_for_a_user_without_the_permission(bac_kan, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--xlsx"):
        call_command("report", "fonds")
    User.objects.create_user("khong_quyen", password="mat-khau-dai-12")
    with pytest.raises(CommandError, match="không có quyền"):
        call_command("report", "fonds", "--xlsx", str(tmp_path / "x.xlsx"), "--user", "khong_quyen")
    assert not (tmp_path / "x.xlsx").exists()
