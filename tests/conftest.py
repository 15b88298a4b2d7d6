"""Shared fixtures: every test gets its own object store and search index directory."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ocr-vie"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "worker" in item.keywords:
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(autouse=True)
def isolated_data(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.KHOSO_OBJECTS_DIR = tmp_path / "objects"
    settings.KHOSO_SEARCH_DIR = tmp_path / "search"
    settings.KHOSO_WATCH_DIR = tmp_path / "watch"
    return tmp_path


@pytest.fixture(autouse=True)
def vocabularies(request: pytest.FixtureRequest) -> None:
    """The TT05 vocabularies a migration loads; transactional tests flush them, so reload."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("_django_db_helper")
    from khoso.archive.models import Vocabulary
    from khoso.archive.vocabularies import load

    load(Vocabulary)


@pytest.fixture(autouse=True)
def tasks_run_in_process(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Outside the real-worker tests, queued tasks run at once in the test process."""
    from khoso.config.celery import app

    eager = "worker" not in request.keywords
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def corpus() -> Path:
    return CORPUS


@pytest.fixture
def institution(db):  # type: ignore[no-untyped-def]
    from khoso.archive.models import Institution

    return Institution.objects.create(code="H15.TTLT", name="Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk")


@pytest.fixture
def fonds(institution):  # type: ignore[no-untyped-def]
    from khoso.archive.services import fonds_create

    return fonds_create(
        institution=institution,
        code="UBND-DL",
        name="Phông UBND tỉnh Đắk Lắk",
        organ_id="000.00.00.H15",
        history="Thành lập năm 1976.",
        archives_time="1976-2000",
        paper_total=120,
        key_groups="Tài liệu tổng hợp",
        language="01",
    )


@pytest.fixture
def archive_file(fonds):  # type: ignore[no-untyped-def]
    from khoso.archive.services import file_create

    return file_create(
        fonds=fonds,
        file_catalog=1995,
        file_notation="01.TH",
        title="Hồ sơ về quy hoạch tỉnh Đắk Lắk năm 1995",
        mode="01",
        language="01",
        start_date=date(1995, 1, 3),
        end_date=date(1995, 12, 28),
        description="Người lập hồ sơ: Nguyễn Văn A",
    )
