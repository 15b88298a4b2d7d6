"""The seeds' figures come back exactly from the data entered (standards.md §7.1).

Seed 002 plans by metres at the Ministry's factors (5,000 pages/m, 4,384 VND/page); seed 000 counted its
pages and was allocated budgets, so its own ratios (≈ 6,709 pages/m, ≈ 6,290 VND/page) differ. Both kinds
of figures are kept side by side: the estimate from metres is reported next to the count.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from khoso.reports import selectors

pytestmark = pytest.mark.django_db


def test_dak_lak_plan_by_year_and_total(dak_lak, admin_user) -> None:
    (project,) = selectors.project_figures(user=admin_user)
    by_year = {plan.year: plan for plan in project.plan}
    expected = {
        2026: (650, 3_250_000, 14_248_000_000),
        2027: (700, 3_500_000, 15_344_000_000),
        2028: (815, 4_075_000, 17_864_800_000),
    }
    for year, (metres, pages, cost) in expected.items():
        plan = by_year[year]
        assert (plan.metres, plan.pages_estimated, plan.pages_planned, plan.cost_planned, plan.budget) == (
            Decimal(metres),
            pages,
            pages,
            cost,
            cost,
        )
        assert plan.pages_counted is None  # nothing counted yet: the estimate stands alone
    assert project.plan_metres == Decimal(2165)
    assert project.plan_pages_planned == 10_825_000
    assert project.plan_cost == project.plan_budget == project.budget == 47_456_800_000
    # the project's own target gives the same figures
    assert (project.pages_estimated, project.cost_estimated) == (10_825_000, 47_456_800_000)
    # 30 % of the 7,216 m fully arranged is 2,164.8 m, planned as 2,165 m
    (district,) = selectors.fonds_figures(user=admin_user)
    assert district.metres * Decimal("0.30") == Decimal("2164.80")


def test_dak_lak_annual_report_holds_one_year(dak_lak, admin_user) -> None:
    report = selectors.annual_report(year=2027, user=admin_user)
    assert [(p.year, p.pages_planned, p.budget) for p in report.plan] == [(2027, 3_500_000, 15_344_000_000)]
    assert report.due.isoformat() == "2027-12-14"  # "trước ngày 15 tháng 12": the last working day before
    assert selectors.annual_report(year=2030, user=admin_user).plan == []


def test_bac_kan_per_year_totals_and_ratios(bac_kan, admin_user) -> None:
    (project,) = selectors.project_figures(user=admin_user)
    first, second = project.plan
    assert (first.year, first.fonds, first.metres, first.pages_counted, first.pages_planned, first.budget) == (
        2024,
        13,
        Decimal("96.33"),
        641_114,
        641_114,
        4_165_000_000,
    )
    assert (second.year, second.lines, second.metres, second.pages_counted, second.budget) == (
        2025,
        9,  # 8 fonds and the UBND tỉnh fonds continued (2004–2007)
        Decimal("100.90"),
        682_144,
        4_158_678_000,
    )
    assert (first.vnd_per_page, second.vnd_per_page) == (6_497, 6_096)
    # counted pages never replace the estimate from metres: both are there
    assert first.pages_estimated == 481_650  # 96.33 m × 5,000
    assert project.plan_metres == Decimal("197.23")
    assert project.plan_pages_planned == project.plan_pages_counted == 1_323_258
    assert project.plan_budget == project.budget == 8_323_678_000
    assert project.plan_fonds == 21  # 21 of the centre's 23 fonds
    assert project.pages_per_metre_actual == 6_709
    assert project.vnd_per_page_actual == 6_290


def test_bac_kan_annual_report_per_year(bac_kan, admin_user) -> None:
    report = selectors.annual_report(year=2024, user=admin_user)
    assert report.plan_fonds == 13
    assert report.plan_metres == Decimal("96.33")
    assert report.plan_pages_planned == 641_114
    assert report.plan_budget == 4_165_000_000
