"""A real harvester (Sickle, from PyPI) against the live server: Identify, sets, paged lists in both
formats, a single record, and the rate limiter's 503 with Retry-After."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from sickle import Sickle
from sickle.oaiexceptions import IdDoesNotExist

from khoso.oai import views
from khoso.oai.selectors import identifier

from .conftest import build_catalogue

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def harvester(live_server, monkeypatch) -> Sickle:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(views.PAGE_SIZE, "ListIdentifiers", 2)
    monkeypatch.setitem(views.PAGE_SIZE, "ListRecords", 2)
    cache.clear()
    return Sickle(live_server.url + "/oai/", timeout=30)


def test_sickle_harvests_everything_public(harvester) -> None:  # type: ignore[no-untyped-def]
    catalogue = build_catalogue()
    identify = harvester.Identify()
    assert identify.repositoryName == "Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk"
    assert identify.deletedRecord == "persistent"
    assert {f.metadataPrefix for f in harvester.ListMetadataFormats()} == {"oai_dc", "ead"}
    assert "phong:H15.TTLT:UBNDDL" in {s.setSpec for s in harvester.ListSets()}

    records = list(harvester.ListRecords(metadataPrefix="oai_dc"))  # pages of two
    live = {r.header.identifier for r in records if not r.deleted}
    assert live == catalogue.published()
    # here every save committed, so material that was public for a moment while the catalogue was
    # built (then restricted or deleted) was published and is now a tombstone, without metadata
    tombstones = {r.header.identifier for r in records if r.deleted}
    assert tombstones and tombstones <= set(catalogue.hidden().values())
    assert all("<metadata" not in r.raw for r in records if r.deleted)
    assert catalogue.hidden()["file:secret"] not in tombstones  # never public, never shown
    by_id = {r.header.identifier: r for r in records}
    public = by_id[identifier("ho-so", catalogue.files["public"].file_code)]
    assert public.metadata["title"] == ["Hồ sơ về quy hoạch tỉnh Đắk Lắk năm 1995 <&>"]
    assert public.metadata["date"] == ["1995-01-05/1995-12-20"]

    ead = list(harvester.ListRecords(metadataPrefix="ead", set="phong:H15.TTLT:UBNDDL"))
    assert len([r for r in ead if not r.deleted]) == 3
    headers = list(harvester.ListIdentifiers(metadataPrefix="ead"))
    assert {h.identifier for h in headers if not h.deleted} == catalogue.published()
    assert {h.identifier for h in headers if h.deleted} == tombstones

    record = harvester.GetRecord(identifier=public.header.identifier, metadataPrefix="ead")
    assert "<unittitle>Hồ sơ về quy hoạch tỉnh Đắk Lắk năm 1995 &lt;&amp;&gt;</unittitle>" in record.raw
    with pytest.raises(IdDoesNotExist):
        harvester.GetRecord(identifier=catalogue.hidden()["file:secret"], metadataPrefix="oai_dc")


def test_over_the_rate_limit_a_harvester_is_told_to_retry_later(harvester, live_server, settings) -> None:  # type: ignore[no-untyped-def]
    import requests

    settings.KHOSO_RATE_LIMIT = "3/minute"
    answers = [requests.get(live_server.url + "/oai/", params={"verb": "Identify"}, timeout=30) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 503]
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert "Quá nhiều yêu cầu" in answers[-1].text
