"""schemathesis against the OpenAPI schema, served by a live server on 127.0.0.1 (issue 7's CI check).

The schema is loaded over HTTP with an administrator's token (the schema is behind login like every
API route); every operation is called with generated data, a bounded number of examples each, and
must answer without a server error, with a documented status code and a body matching its schema.
Runs in the SQLite pass (a file database, so the server threads see the test's committed rows).

The operations are driven from one test (hypothesis ``@given`` over ``operation.as_strategy()``)
rather than ``schemathesis.pytest.from_fixture``, whose lazy subtests do not run under pytest 9.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

EXAMPLES_PER_OPERATION = 20
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


QLVB = "/api/v1/qlvb/"


def _run(live_server: Any, token: str, *, qlvb: bool) -> None:
    auth = {"Authorization": f"Token {token}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/", headers=auth, timeout=30)
    operations = [
        operation
        for operation in (result.ok() for result in schema.get_all_operations())  # type: ignore[union-attr]
        if operation.path.startswith(QLVB) is qlvb
    ]
    assert operations
    started = time.monotonic()
    failures: dict[str, str] = {}
    calls = 0
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def exercise(case: Any) -> None:
            nonlocal calls
            calls += 1
            case.call_and_validate(base_url=live_server.url, headers=auth, checks=CHECKS)

        try:
            exercise()
        except Exception as error:  # noqa: BLE001  (every operation is tried; all failures are reported together)
            failures[operation.label] = str(error)[:3000]
    elapsed = time.monotonic() - started
    print(f"schemathesis: {len(operations)} operations, {calls} calls, {elapsed:.1f} s")  # noqa: T201
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
    assert elapsed < 90, f"schemathesis took {elapsed:.0f} s"


@pytest.mark.django_db(transaction=True)
def test_api_conforms_to_its_schema(live_server, live_world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_RATE_LIMIT = "1000000/minute"  # the throttle has its own test; here it would only get in the way
    _run(live_server, live_world.tokens["admin"], qlvb=False)


@pytest.mark.django_db(transaction=True)
def test_qlvb_ingest_conforms_to_its_schema(live_server, live_world, settings) -> None:  # type: ignore[no-untyped-def]
    """The QLVB ingest (khoso.qlvb) is part of the same schema; kept apart so its failures name their owner."""
    settings.KHOSO_RATE_LIMIT = "1000000/minute"
    _run(live_server, live_world.tokens["admin"], qlvb=True)
