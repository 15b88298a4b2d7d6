"""Custody fixtures: record movements tersely and walk a file to a given place by the legal path."""

from __future__ import annotations

from typing import Any

import pytest

from khoso.custody import selectors, services
from khoso.custody.machine import HANDOVERS
from khoso.custody.models import Kind, Place

#: The shortest legal path through one custody cycle.
PATH = [Kind.LAY_KHOI_GIA, Kind.GIAO_BIEN_MUC, Kind.GIAO_SO_HOA, Kind.BOC_TACH, Kind.HOAN_TRA, Kind.LEN_GIA]


@pytest.fixture
def item(approved_project):  # type: ignore[no-untyped-def]
    return approved_project.items.select_related("file").order_by("file__file_code").first()


@pytest.fixture
def record(people):  # type: ignore[no-untyped-def]
    """``record(item, kind, who="planner", sheets=<expected>, to_party=…)``: one movement of one file."""

    def move(item: Any, kind: Kind, who: str = "planner", **fields: Any):  # type: ignore[no-untyped-def]
        if kind in HANDOVERS:
            fields.setdefault("sheets_counted", selectors.expected_sheets(item))
            fields.setdefault("to_party", "Tổ biên mục – Trần Thị B")
        return services.movement_record(item=item, kind=kind, actor=people[who], **fields)

    return move


@pytest.fixture
def walk(record):  # type: ignore[no-untyped-def]
    """``walk(item, place)``: move a file along PATH, counting right, until it is in ``place``."""

    def go(item: Any, place: Place) -> None:
        for kind in PATH:
            if selectors.current_place(item) == place:
                return
            record(item, kind)
        assert selectors.current_place(item) == place

    return go


@pytest.fixture
def box_of_two(approved_project, fonds):  # type: ignore[no-untyped-def]
    """A box holding the project's first two files (the third stays loose)."""
    from khoso.archive.models import Box
    from khoso.archive.services import file_update

    box = Box.objects.create(fonds=fonds, stack="K1", shelf="G02", tier="3", number="05")
    for project_file in approved_project.items.select_related("file").order_by("file__file_code")[:2]:
        file_update(archive_file=project_file.file, box=box)
    return box


@pytest.fixture
def custody_guards_only(monkeypatch):  # type: ignore[no-untyped-def]
    """The state machine with custody's guards alone, so other steps' conditions do not interfere."""
    from collections import defaultdict

    from khoso.custody import guards
    from khoso.workflow import states

    monkeypatch.setattr(states, "GUARDS", defaultdict(list))
    monkeypatch.setattr("khoso.workflow.services.GUARDS", states.GUARDS)
    guards.register()
