"""Resumption tokens (stateless, signed, expiring) and the from/until window on datestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from khoso.oai import tokens, views
from khoso.oai.models import OaiRecord

from .conftest import NS, error_code, identifiers

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pages(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(views.PAGE_SIZE, "ListIdentifiers", 1)
    monkeypatch.setitem(views.PAGE_SIZE, "ListRecords", 1)


def _harvest(oai, verb: str, **params: str) -> tuple[list[str], list[dict[str, str]]]:  # type: ignore[no-untyped-def]
    """Every identifier of a paged list, and the attributes of each token element."""
    seen: list[str] = []
    marks: list[dict[str, str]] = []
    root = oai(verb=verb, **params)
    while True:
        assert error_code(root) is None, root.findtext("o:error", namespaces=NS)
        seen += identifiers(root)
        token = root.find(".//o:resumptionToken", NS)
        if token is None:
            return seen, marks
        marks.append({**token.attrib, "text": token.text or ""})
        if not token.text:
            return seen, marks
        root = oai(verb=verb, resumptionToken=token.text)


@pytest.mark.parametrize("verb", ["ListIdentifiers", "ListRecords"])
def test_paging_through_the_whole_list(catalogue, oai, small_pages, verb) -> None:  # type: ignore[no-untyped-def]
    seen, marks = _harvest(oai, verb, metadataPrefix="ead")
    assert len(seen) == len(set(seen)) == 4 and set(seen) == catalogue.published()
    assert [m["cursor"] for m in marks] == ["0", "1", "2", "3"]
    assert {m["completeListSize"] for m in marks} == {"4"}
    assert marks[-1]["text"] == "" and "expirationDate" not in marks[-1]
    expires = datetime.strptime(marks[0]["expirationDate"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert timedelta(hours=23) < expires - datetime.now(UTC) <= timedelta(hours=24)


def test_the_token_keeps_the_set_and_window(catalogue, oai, small_pages) -> None:  # type: ignore[no-untyped-def]
    seen, _marks = _harvest(oai, "ListIdentifiers", metadataPrefix="oai_dc", set="phong:H15.TTLT:UBNDDL")
    assert len(seen) == 3 and catalogue.files["second"].file_code not in " ".join(seen)


def test_a_record_restamped_during_a_harvest_is_not_missed(catalogue, oai, small_pages) -> None:  # type: ignore[no-untyped-def]
    rows = list(OaiRecord.objects.order_by("datestamp", "pk"))
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for offset, row in enumerate(rows):
        OaiRecord.objects.filter(pk=row.pk).update(datestamp=base + timedelta(minutes=offset))
    first = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.find(".//o:resumptionToken", NS).text
    OaiRecord.objects.filter(pk=rows[1].pk).update(datestamp=base + timedelta(days=1))  # changed meanwhile
    seen = identifiers(first)
    root = oai(verb="ListIdentifiers", resumptionToken=token)
    while True:
        seen += identifiers(root)
        token = root.find(".//o:resumptionToken", NS).text
        if not token:
            break
        root = oai(verb="ListIdentifiers", resumptionToken=token)
    assert set(seen) == catalogue.published()


def test_bad_tokens(catalogue, oai, small_pages, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.find(".//o:resumptionToken", NS).text
    assert error_code(oai(verb="ListIdentifiers", resumptionToken=token)) is None
    assert error_code(oai(verb="ListRecords", resumptionToken=token)) == "badResumptionToken"  # another verb's
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert error_code(oai(verb="ListIdentifiers", resumptionToken=forged)) == "badResumptionToken"
    assert error_code(oai(verb="ListIdentifiers", resumptionToken="")) == "badResumptionToken"
    unsigned = tokens.signing.dumps({"verb": "ListIdentifiers"}, salt="khác")
    assert error_code(oai(verb="ListIdentifiers", resumptionToken=unsigned)) == "badResumptionToken"
    monkeypatch.setattr(tokens, "LIFETIME", timedelta(seconds=-1))  # the day has passed
    expired = oai(verb="ListIdentifiers", resumptionToken=token)
    assert error_code(expired) == "badResumptionToken"
    assert "hết hạn" in expired.findtext("o:error", namespaces=NS)


def test_from_and_until_are_inclusive_at_either_granularity(catalogue, oai) -> None:  # type: ignore[no-untyped-def]
    rows = list(OaiRecord.objects.order_by("pk"))
    stamps = [
        datetime(2026, 1, 1, 10, 0, 0, 500_000, tzinfo=UTC),  # half a second into 10:00:00
        datetime(2026, 1, 2, 0, 0, 0, tzinfo=UTC),
        datetime(2026, 1, 3, 12, 0, 0, tzinfo=UTC),
        datetime(2026, 1, 3, 23, 59, 59, 999_999, tzinfo=UTC),
    ]
    for row, stamp in zip(rows, stamps, strict=True):
        OaiRecord.objects.filter(pk=row.pk).update(datestamp=stamp)
    ids = [row.identifier for row in rows]

    def window(**bounds: str) -> list[str]:
        root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", **bounds)
        return [] if error_code(root) == "noRecordsMatch" else identifiers(root)

    assert window(**{"from": "2026-01-01T10:00:00Z", "until": "2026-01-01T10:00:00Z"}) == ids[:1]
    assert window(**{"from": "2026-01-02", "until": "2026-01-02"}) == ids[1:2]
    assert window(**{"from": "2026-01-02T00:00:01Z"}) == ids[2:]
    assert window(until="2026-01-03") == ids
    assert window(until="2026-01-02T23:59:59Z") == ids[:2]
    assert window(**{"from": "2026-01-04"}) == []
    header = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", until="2026-01-01").find(".//o:datestamp", NS)
    assert header.text == "2026-01-01T10:00:00Z"  # the repository's granularity: seconds, UTC
