"""Fixtures of the audit tests: the authorization sweep's world (reused, so new objects and routes
there reach T12 too), a route walk that knows which routes accept POST, and a snapshot of the
database to tell independently of the audit code whether a request changed anything."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

SWEEP_PATH = Path(__file__).resolve().parents[1] / "test_authorization_sweep.py"


def _load_sweep() -> Any:
    name = "khoso_tests_authorization_sweep"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SWEEP_PATH)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


sweep = _load_sweep()
world = sweep.world  # the fixture itself: five object classes, five actors, reader requests, a transfer batch

#: bookkeeping tables whose rows are not archival state (sessions, login throttling, the cache, the trail)
NOT_STATE = {
    "sessions.session",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "audit.auditentry",
    "readers.usageevent",
}
#: reference data no action changes, left out of the snapshot for speed (thousands of rows)
REFERENCE = {"archive.vocabulary", "auth.permission", "contenttypes.contenttype"}


def allowed_methods(view: Any) -> set[str] | None:
    """The methods a view accepts (``None``: any, a function view without ``require_http_methods``)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return {name.upper() for name in view_class.http_method_names if hasattr(view_class, name)}
    function = view
    for _ in range(10):
        for cell in getattr(function, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, list | tuple) and value and all(isinstance(v, str) and v.isupper() for v in value):
                return set(value)
        function = getattr(function, "__wrapped__", None)
        if function is None:
            break
    return None


def site_patterns() -> list[tuple[str, URLPattern]]:
    """(name, pattern) of every named route (Django's admin excluded)."""
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns: list) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.append((pattern.name, pattern))

    walk(get_resolver().url_patterns)
    return found


def post_routes() -> dict[str, URLPattern]:
    routes = {}
    for name, pattern in site_patterns():
        methods = allowed_methods(pattern.callback)
        if methods is None or "POST" in methods:
            routes[name] = pattern
    return routes


def state_snapshot() -> dict[str, str]:
    """model → SHA-256 of all its rows: what a request changed, seen without the audit code."""
    snapshot = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in NOT_STATE or label in REFERENCE or not model._meta.managed:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT * FROM "{model._meta.db_table}"')  # noqa: S608  (table names from the models)
            rows = sorted(repr(row) for row in cursor.fetchall())
        snapshot[label] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return snapshot


def changed_models(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {label for label in after if before.get(label) != after[label]}


def tamper(sql: str, params: list[Any] | None = None) -> None:
    """Change the audit table behind the application's back. On PostgreSQL only a superuser can, by
    turning triggers off for the session (``session_replication_role``): the chain still tells."""
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params or [])


@pytest.fixture
def snapshot():  # type: ignore[no-untyped-def]
    return state_snapshot


# The test modules import these helpers as ``audit_kit`` (the import mode puts no test folder on sys.path).
sys.modules.setdefault("audit_kit", sys.modules[__name__])
