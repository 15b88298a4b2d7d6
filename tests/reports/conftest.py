"""Fixtures of the report tests: the two seeds entered through the services, as an archive would."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from khoso.archive.models import Institution
from khoso.archive.services import fonds_create
from khoso.reports.services import LineInput, plan_year_set
from khoso.workflow import services as workflow

#: seed 000 (Bắc Kạn, QĐ 1345/QĐ-UBND): year → (budget VND, [(fonds code, label, metres, counted pages)])
BAC_KAN: dict[int, tuple[int, list[tuple[str, str, str, int]]]] = {
    2024: (
        4_165_000_000,
        [
            ("UBND-BK", "Phông UBND tỉnh Bắc Kạn giai đoạn 1995 - 2003", "25.67", 154_712),
            ("UBND-BT", "Khối tài liệu UBND tỉnh Bắc Thái", "0.89", 6_026),
            ("UBND-CB", "Khối tài liệu UBND tỉnh Cao Bằng", "0.78", 3_956),
            ("UBHC-BK", "Phông Ủy ban Hành chính tỉnh Bắc Kạn", "11", 80_875),
            ("SKHDT", "Phông Sở Kế hoạch và Đầu tư", "2.33", 16_884),
            ("SCNKHCN", "Phông Sở Công nghiệp - Khoa học và Công nghệ", "1.22", 8_323),
            ("SGTVT", "Phông Sở Giao thông Vận tải", "11.11", 79_213),
            ("SLDTBXH", "Phông Sở Lao động - Thương binh và Xã hội", "3.44", 18_905),
            ("STP", "Phông Sở Tư pháp", "1.22", 9_199),
            ("SXD", "Phông Sở Xây dựng", "1.33", 8_003),
            ("SNV", "Phông Sở Nội vụ", "30.89", 214_759),
            ("CT-BK", "Phông Cục Thuế tỉnh Bắc Kạn", "1.89", 8_107),
            ("TDKT-KC", "Khối tài liệu Thi đua khen thưởng kháng chiến", "4.56", 32_152),
        ],
    ),
    2025: (
        4_158_678_000,
        [
            ("DBQH-BK", "Phông Đoàn Đại biểu Quốc hội tỉnh Bắc Kạn", "1.67", 8_232),
            ("HDND-BK", "Phông Hội đồng nhân dân tỉnh Bắc Kạn", "9.11", 58_859),
            ("SNNPTNT", "Phông Sở Nông nghiệp và Phát triển nông thôn", "9.89", 73_884),
            ("STC", "Phông Sở Tài chính", "21.89", 168_556),
            ("UBND-TXBK", "Phông UBND thị xã Bắc Kạn", "9.22", 56_298),
            ("UBND-BB", "Phông UBND huyện Ba Bể", "9.67", 68_348),
            ("UBND-PN", "Phông UBND Huyện Pác Nặm", "16.78", 105_465),
            ("BTG-BK", "Phông Ban Tôn giáo tỉnh Bắc Kạn", "2.11", 12_124),
            ("UBND-BK", "Phông UBND tỉnh Bắc Kạn giai đoạn 2004 - 2007", "20.56", 130_378),
        ],
    ),
}

#: seed 002 (Đắk Lắk, district records 2026–2028): year → metres
DAK_LAK = {2026: 650, 2027: 700, 2028: 815}

FONDS_DEFAULTS: dict[str, Any] = dict(
    history="Thành lập theo quyết định của Ủy ban nhân dân tỉnh.",
    archives_time="1950-2021",
    key_groups="Tài liệu tổng hợp",
    language="01",
)


@pytest.fixture
def admin_user(db):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("quantri_bc", password="mat-khau-dai-12")


@pytest.fixture
def bac_kan(admin_user) -> Any:  # type: ignore[no-untyped-def]
    """Seed 000: 21 fonds (UBND tỉnh Bắc Kạn in both years), the 2020–2025 project, its two plan years."""
    institution = Institution.objects.create(code="H11.TTLT", name="Trung tâm Lưu trữ lịch sử tỉnh Bắc Kạn")
    fonds: dict[str, Any] = {}
    for _, lines in BAC_KAN.values():
        for code, label, metres, _pages in lines:
            if code not in fonds:
                fonds[code] = fonds_create(
                    institution=institution, code=code, name=label, paper_total=Decimal(metres), **FONDS_DEFAULTS
                )
    project = workflow.project_create(
        planner=admin_user,
        code="BK-2020-2025",
        name="Đề án số hóa tài liệu lưu trữ tại Trung tâm Lưu trữ lịch sử tỉnh Bắc Kạn giai đoạn 2020 - 2025",
        institution=institution,
        fonds=fonds.values(),
        year_from=2020,
        year_to=2025,
        target_metres="197.23",
        budget_vnd=8_323_678_000,
    )
    for year, (budget, lines) in BAC_KAN.items():
        plan_year_set(
            project=project,
            year=year,
            budget_vnd=budget,
            by=admin_user,
            lines=[
                LineInput(metres=metres, label=label, fonds=fonds[code], pages_counted=pages)
                for code, label, metres, pages in lines
            ],
        )
    return project


@pytest.fixture
def dak_lak(admin_user) -> Any:  # type: ignore[no-untyped-def]
    """Seed 002: 7,216 m fully arranged, 30 % (2,165 m) planned over 2026–2028 at the Ministry's factors."""
    institution = Institution.objects.create(code="H15.TTLT", name="Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk")
    district = fonds_create(
        institution=institution,
        code="CAP-HUYEN",
        name="Tài liệu của các cơ quan cấp huyện đã kết thúc hoạt động",
        paper_total=Decimal(7216),
        **FONDS_DEFAULTS,
    )
    project = workflow.project_create(
        planner=admin_user,
        code="DL-2026-2028",
        name="Kế hoạch số hóa tài liệu lưu trữ cấp huyện đã kết thúc hoạt động",
        institution=institution,
        fonds=[district],
        year_from=2026,
        year_to=2028,
        target_metres="2165",
    )
    for year, metres in DAK_LAK.items():
        plan_year_set(
            project=project,
            year=year,
            by=admin_user,
            lines=[LineInput(metres=metres, label="Tài liệu của các cơ quan cấp huyện đã kết thúc hoạt động")],
        )
    return project
