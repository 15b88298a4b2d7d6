"""Fixtures of product inspection: projects whose files wait in KIEM_TRA_SAN_PHAM, having passed the
earlier steps by named people (so errors can be attributed), and a sampling plan of 100 % then 10 %."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from khoso.workflow.states import State

#: the earlier steps, as (state entered, who moved the file there): the scanner completes SO_HOA,
#: the keyer NHAP_LIEU, keyer2 LIEN_KET, the cataloguer BIEN_MUC.
EARLIER_STEPS = [
    (State.XUAT_KHO, "planner"),
    (State.BIEN_MUC, "planner"),
    (State.KIEM_TRA_BIEN_MUC, "cataloguer"),
    (State.NHAP_LIEU, "checker"),
    (State.KIEM_TRA_NHAP, "keyer"),
    (State.SO_HOA, "checker"),
    (State.KIEM_TRA_CHAT_LUONG, "scanner"),
    (State.LIEN_KET, "inspector"),
    (State.KIEM_TRA_LIEN_KET, "keyer2"),
    (State.HOAN_KHO, "checker"),
    (State.KIEM_TRA_SAN_PHAM, "planner"),
]


@pytest.fixture(autouse=True)
def error_classes(db) -> None:  # type: ignore[no-untyped-def]
    """The seeded error classes (a transactional test elsewhere may have flushed them)."""
    from django.apps import apps

    seed = importlib.import_module("khoso.inspection.migrations.0002_error_classes").seed
    seed(apps, None)


@pytest.fixture
def to_inspection(people, put_in_state):  # type: ignore[no-untyped-def]
    """``to_inspection(item)``: walk a file through the earlier steps into KIEM_TRA_SAN_PHAM."""

    def walk(item):  # type: ignore[no-untyped-def]
        for state, who in EARLIER_STEPS:
            item = put_in_state(item, state, people[who])
        return item

    return walk


@pytest.fixture
def make_project(draft_project, people, archive_file_factory, to_inspection):  # type: ignore[no-untyped-def]
    """``make_project(n)``: the approved project with ``n`` files (≥ 3), all waiting for inspection."""
    from khoso.workflow import services

    def make(n: int = 3):  # type: ignore[no-untyped-def]
        extra = [archive_file_factory(1995, f"{number:02d}.TH") for number in range(4, n + 1)]
        if extra:
            services.files_select(project=draft_project, files=extra, by=people["planner"])
        services.project_submit(project=draft_project, by=people["planner"])
        project = services.project_approve(project=draft_project, by=people["approver"], decision="QĐ 12")
        for item in project.items.order_by("id"):
            to_inspection(item)
        return project

    return make


@pytest.fixture
def project(make_project):  # type: ignore[no-untyped-def]
    return make_project(3)


@pytest.fixture
def plan(project, people):  # type: ignore[no-untyped-def]
    from khoso.inspection import services

    return services.plan_save(project=project, by=people["planner"], passes=[100, 10], max_error_rate=10)


def items_of(project: Any) -> list[Any]:
    return list(project.items.select_related("file").order_by("id"))
