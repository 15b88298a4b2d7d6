"""Shared fixtures: every test gets its own object store and search index directory.

The digitization-workflow fixtures live here too (``people``, ``draft_project``,
``approved_project``, ``no_guards``) because every workflow app's tests build on them.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ocr-vie"


def _load_kit(name: str) -> None:
    """Make ``tests/<name>.py`` importable as ``<name>`` (the import mode puts no test folder on sys.path)."""
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


_load_kit("samples")


#: Fixtures that give a test the database; a test with none of them (and no ``django_db`` mark) cannot touch it.
DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "_django_db_helper"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "worker" in item.keywords:
            item.add_marker(pytest.mark.postgres)
    if os.environ.get("KHOSO_DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        # The PostgreSQL pass of ./test.sh: a test that cannot reach the database passed in the SQLite pass
        # already, on the same code; running it again would only double its minutes.
        kept: list[pytest.Item] = []
        database_free: list[pytest.Item] = []
        for item in items:
            (kept if _reaches_the_database(item) else database_free).append(item)
        if database_free:
            config.hook.pytest_deselected(items=database_free)
            items[:] = kept


def _reaches_the_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") or item.get_closest_marker("postgres"):
        return True
    return bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def own_broker_database(url: str, xdist_worker: str | None) -> str:
    """The Redis database of this xdist worker: gw0 keeps the suite's (15), gw1 takes 14, and so on.

    Two pytest processes sharing one queue would let one test's Celery worker take another test's
    pages (each test has its own PostgreSQL database, so the page would not be found there)."""
    if not xdist_worker or not url.startswith(("redis://", "rediss://")):
        return url
    parts = urlsplit(url)
    first = int(parts.path.strip("/") or 0)
    own = first - int(xdist_worker.removeprefix("gw"))
    if own < 0:
        raise pytest.UsageError(f"{url}: no Redis database left for xdist worker {xdist_worker}")
    return urlunsplit(parts._replace(path=f"/{own}"))


@pytest.fixture(scope="session", autouse=True)
def broker_per_xdist_worker() -> None:
    """Give this pytest process its own broker queue, emptied, before any test queues a task."""
    url = os.environ.get("KHOSO_BROKER_URL", "")
    if not url.startswith(("redis://", "rediss://")):
        return
    own = own_broker_database(url, os.environ.get("PYTEST_XDIST_WORKER"))
    from django.conf import settings
    from redis import Redis

    from khoso.config.celery import app

    os.environ["KHOSO_BROKER_URL"] = own  # the `khoso worker` processes the tests start inherit it
    settings.CELERY_BROKER_URL = own
    app.conf.broker_url = own
    Redis.from_url(own).flushdb()  # messages a killed earlier run left behind name pages that no longer exist


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request: pytest.FixtureRequest) -> Iterator[None]:
    """On SQLite, test in a database file, as the embedded default runs, not in shared memory.

    Django gives a live server's request threads one shared connection to an in-memory test
    database, so one thread's rollback can undo another's session write; a browser test then
    finds its user logged out at random. With a file every thread has its own connection and
    SQLite's locking, as in production. The file sits in /dev/shm when there is one (no fsync).
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and not database.get("TEST", {}).get("NAME"):
        folder = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
        database.setdefault("TEST", {})["NAME"] = str(folder / f"khoso-test-{os.getpid()}.sqlite3")
    request.getfixturevalue("django_db_modify_db_settings_parallel_suffix")
    yield
    test_name = database.get("TEST", {}).get("NAME")
    if test_name and database["ENGINE"] == "django.db.backends.sqlite3":
        for leftover in ("-wal", "-shm"):  # Django removes the database file, not SQLite's side files
            Path(f"{test_name}{leftover}").unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def isolated_data(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.KHOSO_OBJECTS_DIR = tmp_path / "objects"
    settings.KHOSO_SEARCH_DIR = tmp_path / "search"
    settings.KHOSO_WATCH_DIR = tmp_path / "watch"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests only: fast
    settings.KHOSO_STAFF_TOTP = False  # force_login stands for a completed login; tests/accounts turn it on
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


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
def launch_chromium() -> Callable[[Any], Any]:
    """``launch_chromium(playwright)`` → a Playwright browser on Debian's Chromium, headless, no
    ``playwright install`` (no download); ./install.sh installs it. The browser stories and the guides'
    screenshots use it."""
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: run ./install.sh"

    def launch(playwright: Any) -> Any:
        return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

    return launch


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


# -- digitization workflow ------------------------------------------------------------------------

#: user name → role code in the project (khoso.workflow.states.Role)
PEOPLE = {
    "planner": "lap_ke_hoach",
    "cataloguer": "bien_muc",
    "cataloguer2": "bien_muc",
    "keyer": "nhap_lieu",
    "keyer2": "nhap_lieu",
    "checker": "kiem_tra",
    "scanner": "so_hoa",
    "inspector": "kiem_tra_chat_luong",
    "contractor": "quan_ly_nha_thau",
    "approver": "phe_duyet",
}


@pytest.fixture
def people(db) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    made = {name: user_model.objects.create_user(name, password="mat-khau-dai-12") for name in PEOPLE}
    made["outsider"] = user_model.objects.create_user("outsider", password="mat-khau-dai-12")
    made["admin"] = user_model.objects.create_superuser("quantri", password="mat-khau-dai-12")
    return made


def make_archive_file(fonds, year: int, notation: str, **overrides: Any):  # type: ignore[no-untyped-def]
    from khoso.archive.services import file_create

    fields: dict[str, Any] = dict(
        file_catalog=year,
        file_notation=notation,
        title=f"Hồ sơ {notation} năm {year} về công tác của tỉnh Đắk Lắk",
        mode="01",
        language="01",
        start_date=date(year, 1, 5),
        end_date=date(year, 12, 20),
        description="Người lập hồ sơ: Nguyễn Văn A",
        number_of_paper=4,
        number_of_page=6,
    )
    fields.update(overrides)
    return file_create(fonds=fonds, **fields)


@pytest.fixture
def project_files(fonds) -> list[Any]:  # type: ignore[no-untyped-def]
    return [make_archive_file(fonds, 1995, f"{n:02d}.TH") for n in range(1, 4)]


@pytest.fixture
def draft_project(people, institution, fonds, project_files):  # type: ignore[no-untyped-def]
    from khoso.workflow import services

    project = services.project_create(
        planner=people["planner"],
        code="SH-2026-01",
        name="Số hóa tài liệu Phông UBND tỉnh Đắk Lắk 1976–2000",
        institution=institution,
        fonds=[fonds],
        year_from=1976,
        year_to=2000,
        target_metres="12.5",
    )
    for name, role in PEOPLE.items():
        if name != "planner":
            services.member_add(project=project, user=people[name], role=role, by=people["planner"])
    services.files_select(project=project, files=project_files, by=people["planner"])
    return project


@pytest.fixture
def approved_project(draft_project, people):  # type: ignore[no-untyped-def]
    from khoso.workflow import services

    services.project_submit(project=draft_project, by=people["planner"])
    return services.project_approve(project=draft_project, by=people["approver"], decision="QĐ 12/QĐ-TTLT")


@pytest.fixture
def no_guards(monkeypatch):  # type: ignore[no-untyped-def]
    """The bare state machine, without the conditions other workflow apps register."""
    from collections import defaultdict

    from khoso.workflow import states

    monkeypatch.setattr(states, "GUARDS", defaultdict(list))
    monkeypatch.setattr("khoso.workflow.services.GUARDS", states.GUARDS)


@pytest.fixture
def archive_file_factory(fonds):  # type: ignore[no-untyped-def]
    """``archive_file_factory(year, notation, **fields)`` makes a file in the ``fonds`` fixture."""

    def make(year: int, notation: str, **overrides: Any):  # type: ignore[no-untyped-def]
        return make_archive_file(fonds, year, notation, **overrides)

    return make


@pytest.fixture
def put_in_state():  # type: ignore[no-untyped-def]
    """``put_in_state(item, state, actor)``: place a file at a step directly, as if ``actor`` had moved it
    there, so a step's tests need not pass every earlier step's conditions."""
    from khoso.workflow.models import ProjectFile, WorkflowEvent

    def put(item, state, actor):  # type: ignore[no-untyped-def]
        source = item.state
        ProjectFile.objects.filter(pk=item.pk).update(state=state, assignee=None)
        WorkflowEvent.objects.create(
            project=item.project, item=item, action="chuyen_buoc", source=source, target=state, actor=actor
        )
        item.refresh_from_db()
        return item

    return put


class ProjectRouteMatrix:
    """The access rule every workflow URL module is tested against (route × actor).

    Actors: anonymous; an outsider (logged in, not in the project); a member holding another role;
    the member holding the route's role; an administrator. Kinds: "user" (any logged-in user),
    "create" (administrator or the add permission), "member" (any project member), "role" (the
    route's role only). Outcomes: "login" (redirect), "hidden" (404: existence does not leak),
    "forbidden" (403), "ok".
    """

    @staticmethod
    def expected(kind: str, actor: str) -> str:
        if actor == "anonymous":
            return "login"
        if actor == "admin" or kind == "user":
            return "ok"
        if kind == "create":
            return "forbidden"
        if actor == "outsider":
            return "hidden"
        if kind == "role" and actor == "other_role":
            return "forbidden"
        return "ok"

    @classmethod
    def check(cls, response, kind: str, actor: str, method: str) -> None:  # type: ignore[no-untyped-def]
        from django.urls import reverse

        login = reverse("login")
        outcome = cls.expected(kind, actor)
        if outcome == "login":
            assert response.status_code == 302 and response["Location"].startswith(login)
        elif outcome == "forbidden":
            assert response.status_code == 403
        elif outcome == "hidden":
            assert response.status_code == 404
        elif method == "GET":
            assert response.status_code == 200
        else:
            assert response.status_code == 302 and not response["Location"].startswith(login)


@pytest.fixture
def route_matrix() -> type[ProjectRouteMatrix]:
    return ProjectRouteMatrix
