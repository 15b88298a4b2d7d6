"""Fixtures of cataloguing and data entry: a published guideline, a file at the cataloguing step,
and the TT 05 values a careful cataloguer writes on its sheets."""

from __future__ import annotations

from datetime import date

import pytest

from khoso.cataloguing import services
from khoso.cataloguing.fields import DOCUMENT
from khoso.workflow.states import State
from samples import document_values, file_values  # tests/samples.py


@pytest.fixture
def guideline(approved_project, people):  # type: ignore[no-untyped-def]
    return services.guideline_publish(
        project=approved_project,
        by=people["planner"],
        title="Hướng dẫn biên mục phiếu tin hồ sơ, tài liệu hành chính",
        text="Ghi tiêu đề đúng như bìa hồ sơ; ngày tháng ghi dd/mm/yyyy.",
        effective_date=date(2026, 1, 5),
    )


@pytest.fixture
def double_keying(approved_project, people, guideline):  # type: ignore[no-untyped-def]
    return services.guideline_publish(
        project=approved_project,
        by=people["planner"],
        title="Hướng dẫn biên mục, bản có nhập hai lần",
        text="Mỗi phiếu tin do hai người nhập độc lập.",
        effective_date=date(2026, 2, 1),
        double_keying=True,
    )


@pytest.fixture
def item(approved_project, people, guideline, put_in_state):  # type: ignore[no-untyped-def]
    """The first file of the project, handed over to cataloguing by the planner."""
    return put_in_state(approved_project.items.order_by("id").first(), State.BIEN_MUC, people["planner"])


@pytest.fixture
def catalogue():  # type: ignore[no-untyped-def]
    """``catalogue(item, user, total_doc=2)`` writes a complete file sheet and its document sheets."""

    def write(item, user, total_doc: int = 2):  # type: ignore[no-untyped-def]
        services.worksheet_save(item=item, by=user, values=file_values(total_doc=total_doc))
        for ordinal in range(1, total_doc + 1):
            services.worksheet_save(item=item, by=user, values=document_values(ordinal), kind=DOCUMENT, ordinal=ordinal)

    return write


@pytest.fixture(autouse=True)
def only_cataloguing_guards(monkeypatch):  # type: ignore[no-untyped-def]
    """The state machine with this app's conditions only, so these tests need not pass other steps'
    (custody, scanning, …). Yields the full registry, for the test that checks the registration."""
    from collections import defaultdict

    from khoso.workflow import states

    registered = states.GUARDS
    mine = defaultdict(list)
    for pair, checks in registered.items():
        kept = [check for check in checks if check.__module__ == "khoso.cataloguing.guards"]
        if kept:
            mine[pair] = kept
    monkeypatch.setattr(states, "GUARDS", mine)
    monkeypatch.setattr("khoso.workflow.services.GUARDS", mine)
    return registered
