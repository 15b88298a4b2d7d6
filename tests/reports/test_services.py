"""Entering a yearly plan: every rule broken is named, and nothing of a refused year is written."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from khoso.archive.models import Fonds
from khoso.core.errors import PermissionDeniedError, ValidationError
from khoso.reports.models import PlanLine, PlanYear
from khoso.reports.services import LineInput, plan_year_set

pytestmark = pytest.mark.django_db


def _lines() -> list[tuple[int, str, int | None]]:
    return list(
        PlanLine.objects.order_by("plan_year__year", "position").values_list(
            "plan_year__year", "label", "pages_counted"
        )
    )


def test_a_year_is_replaced_whole(dak_lak, admin_user) -> None:
    plan_year_set(
        project=dak_lak,
        year=2026,
        by=admin_user,
        budget_vnd=14_000_000_000,
        lines=[
            LineInput(metres="600", label="Khối huyện Krông Búk"),
            LineInput(metres="50.5", label="  Khối huyện Ea Súp "),
        ],
    )
    year = PlanYear.objects.get(project=dak_lak, year=2026)
    assert year.budget_vnd == 14_000_000_000
    assert [line for line in _lines() if line[0] == 2026] == [
        (2026, "Khối huyện Krông Búk", None),
        (2026, "Khối huyện Ea Súp", None),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"year": 2030}, "nằm ngoài thời gian của đề án"),
        ({"lines": []}, "ít nhất một dòng"),
        ({"lines": [LineInput(metres="-1", label="Khối âm")]}, "số không âm"),
        ({"lines": [LineInput(metres="1.234", label="Khối lẻ")]}, "tối đa 2 chữ số thập phân"),
        ({"lines": [LineInput(metres="abc", label="Khối chữ")]}, "không phải là số"),
        ({"lines": [LineInput(metres="1", label="")]}, "chưa có tên"),
        ({"lines": [LineInput(metres="1", label="A", pages_counted=-5)]}, "không được âm"),
        ({"budget_vnd": -1}, "kinh phí không được âm"),
    ],
)
def test_bad_input_names_the_rule_and_writes_nothing(dak_lak, admin_user, change, message) -> None:
    before = _lines()
    arguments = {"project": dak_lak, "year": 2027, "by": admin_user, "lines": [LineInput(metres="10", label="Khối")]}
    arguments.update(change)
    with pytest.raises(ValidationError, match=message):
        plan_year_set(**arguments)
    assert _lines() == before


def test_a_fonds_outside_the_project_is_refused(dak_lak, bac_kan, admin_user) -> None:
    before = _lines()
    with pytest.raises(ValidationError, match="không thuộc đề án DL-2026-2028"):
        plan_year_set(
            project=dak_lak,
            year=2026,
            by=admin_user,
            lines=[LineInput(metres="1", label="Khối"), LineInput(metres="1", fonds=Fonds.objects.get(code="SNV"))],
        )
    assert _lines() == before


def test_only_the_projects_planners_may_write_its_plan(dak_lak) -> None:
    outsider = User.objects.create_user("nguoi_ngoai", password="mat-khau-dai-12", is_staff=True)
    with pytest.raises(PermissionDeniedError):
        plan_year_set(project=dak_lak, year=2026, by=outsider, lines=[LineInput(metres="1", label="Khối")])
