"""Two sends of the same record at the same moment archive it once (idempotency under concurrency).

On PostgreSQL the hồ sơ's row lock serialises the two transactions and the ingest log's partial unique
constraint backs it up; on SQLite the immediate transactions do. Either way: one "created", one
"unchanged" with the same document, one document, one delivery.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from qlvb_kit import URL, make_record  # tests/qlvb/conftest.py

from khoso.archive.models import Document
from khoso.capture.models import Delivery
from khoso.qlvb.models import IngestRecord

SENDS = 4


def _send_at_once(token: str) -> list[dict[str, Any]]:
    barrier = threading.Barrier(SENDS)
    answers: list[dict[str, Any]] = []

    def send() -> None:
        try:
            barrier.wait(timeout=30)
            response = Client().post(
                URL, json.dumps(make_record()), content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
            )
            answers.append(response.json()["results"][0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(SENDS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def _archived_once(answers: list[dict[str, Any]]) -> None:
    assert len(answers) == SENDS
    assert sorted(answer["status"] for answer in answers) == ["created"] + ["unchanged"] * (SENDS - 1), answers
    assert len({answer["document"]["id"] for answer in answers}) == 1
    assert Document.objects.count() == 1 and Delivery.objects.count() == 1
    assert IngestRecord.objects.filter(result="created").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_of_one_record_archive_it_once(token, agency_file, queued_pages) -> None:  # type: ignore[no-untyped-def]
    _archived_once(_send_at_once(token))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_of_one_record_archive_it_once_on_postgresql(token, agency_file, queued_pages) -> None:  # type: ignore[no-untyped-def]
    assert connection.vendor == "postgresql", "run with KHOSO_TEST_DATABASE_URL pointing at PostgreSQL"
    _archived_once(_send_at_once(token))
