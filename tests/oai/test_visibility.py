"""Public metadata only: conditional, secret, restricted and deleted material never appears, in no
list, count, set or record; asking for it by identifier answers exactly like a missing identifier."""

from __future__ import annotations

import re

import pytest

from khoso.oai import views
from khoso.oai.models import OaiRecord

from .conftest import HOST, NS, error_code, identifiers, parse

pytestmark = pytest.mark.django_db

_RESPONSE_DATE = re.compile(rb"<responseDate>[^<]*</responseDate>")


def _normalised(content: bytes, identifier: str) -> bytes:
    return _RESPONSE_DATE.sub(b"<responseDate/>", content).replace(identifier.encode(), b"ID")


def test_lists_hold_public_records_only(catalogue, client) -> None:  # type: ignore[no-untyped-def]
    published = catalogue.published()
    bodies = []
    for verb in ("ListIdentifiers", "ListRecords"):
        for prefix in ("oai_dc", "ead"):
            response = client.get("/oai/", {"verb": verb, "metadataPrefix": prefix})
            assert set(identifiers(parse(response.content))) == published
            bodies.append(response.content.decode())
    bodies.append(client.get("/oai/", {"verb": "ListSets"}).content.decode())
    text = "\n".join(bodies)
    assert "dauvet" not in text  # the marker word of every hidden title and subject
    for hidden in catalogue.hidden().values():
        assert hidden not in text
    assert "Công an" not in text and "chỉ có hồ sơ mật" not in text  # hidden fonds: not even as a set


def test_counts_leave_hidden_material_out(catalogue, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(views.PAGE_SIZE, "ListIdentifiers", 1)
    root = parse(client.get("/oai/", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}).content)
    token = root.find(".//o:resumptionToken", NS)
    assert token is not None and token.get("completeListSize") == str(len(catalogue.published())) == "4"
    assert OaiRecord.objects.count() == 4  # never-public material is not even stored


@pytest.mark.parametrize("prefix", ["oai_dc", "ead"])
def test_get_record_of_hidden_material_answers_like_a_missing_id(catalogue, client, prefix) -> None:  # type: ignore[no-untyped-def]
    missing = f"oai:{HOST}:ho-so/000.00.01.H15.1995.99.TH"
    params = {"verb": "GetRecord", "metadataPrefix": prefix}
    reference = client.get("/oai/", {**params, "identifier": missing})
    assert error_code(parse(reference.content)) == "idDoesNotExist"
    expected = _normalised(reference.content, missing)
    for name, hidden in catalogue.hidden().items():
        response = client.get("/oai/", {**params, "identifier": hidden})
        assert response.status_code == reference.status_code
        assert _normalised(response.content, hidden) == expected, name
        formats = client.get("/oai/", {"verb": "ListMetadataFormats", "identifier": hidden})
        assert error_code(parse(formats.content)) == "idDoesNotExist", name
    assert OaiRecord.objects.count() == 4  # asking did not publish anything
