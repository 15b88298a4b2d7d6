"""The protocol rules without a database: which arguments each verb takes, dates, set specs, XML text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from khoso.oai import protocol
from khoso.oai.protocol import BadArgument, BadVerb


def _parse(**params: str | list[str]) -> protocol.OaiRequest:
    return protocol.parse_request({k: v if isinstance(v, list) else [v] for k, v in params.items()})


@pytest.mark.parametrize(
    "params",
    [{}, {"verb": "ListThings"}, {"verb": ["Identify", "Identify"]}, {"verb": ""}, {"metadataPrefix": "oai_dc"}],
    ids=["missing", "unknown", "repeated", "empty", "no-verb-but-arguments"],
)
def test_bad_verbs(params: dict[str, str]) -> None:
    with pytest.raises(BadVerb) as caught:
        _parse(**params)
    assert caught.value.oai_code == "badVerb"
    assert "verb" in caught.value.message


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"verb": "Identify", "set": "phong"}, "không nhận tham số set"),
        ({"verb": "GetRecord", "identifier": "oai:x:ho-so/1"}, "cần tham số metadataPrefix"),
        ({"verb": "ListRecords"}, "cần tham số metadataPrefix"),
        ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "ead"]}, "bị lặp lại"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "abc"}, "phải đứng một mình"),
        ({"verb": "Identify", "resumptionToken": "abc"}, "không nhận resumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "oai dc"}, "sai cú pháp"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "phong::x"}, "setSpec"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01T00:00:00"}, "YYYY-MM-DD"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-02-30"}, "không phải ngày giờ có thật"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01T00:00:00.5Z"}, "YYYY-MM-DD"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01", "until": "2020-02-01T00:00:00Z"},
            "cùng độ chi tiết",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-03-01", "until": "2020-02-01"},
            "không muộn",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": ""}, "rỗng"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:a.vn:ho-so/100%"}, "không phải URI"),
    ],
)
def test_bad_arguments_name_the_rule_in_vietnamese(params: dict[str, str], words: str) -> None:
    with pytest.raises(BadArgument) as caught:
        _parse(**params)
    assert caught.value.oai_code == "badArgument"
    assert words in caught.value.message


def test_good_requests_pass() -> None:
    assert _parse(verb="Identify").arguments == {}
    request = _parse(verb="ListRecords", metadataPrefix="ead", set="phong:H15.TTLT", until="2026-01-01")
    assert request.get("set") == "phong:H15.TTLT"
    assert _parse(verb="ListIdentifiers", resumptionToken="x").get("resumptionToken") == "x"
    # the same day or second as from and until is a legal, one-unit window
    _parse(verb="ListRecords", metadataPrefix="ead", **{"from": "2026-01-01", "until": "2026-01-01"})


def test_check_format() -> None:
    protocol.check_format("ead", ["oai_dc", "ead"])
    with pytest.raises(protocol.CannotDisseminateFormat) as caught:
        protocol.check_format("marc21", ["oai_dc", "ead"])
    assert "marc21" in caught.value.message and caught.value.oai_code == "cannotDisseminateFormat"


def test_until_includes_its_whole_day_or_second() -> None:
    day = protocol.parse_bound("until", "2026-03-04")
    assert day.moment == datetime(2026, 3, 5, tzinfo=UTC) and day.day
    second = protocol.parse_bound("until", "2026-03-04T10:11:12Z")
    assert second.moment == datetime(2026, 3, 4, 10, 11, 13, tzinfo=UTC)
    assert protocol.parse_bound("from", "2026-03-04").moment == datetime(2026, 3, 4, tzinfo=UTC)


def test_set_parts_are_escaped_into_the_oai_alphabet() -> None:
    assert protocol.fonds_set_spec("H15.TTLT", "UBNDDL") == "phong:H15.TTLT:UBNDDL"
    assert protocol.set_part("SYT DL") == "SYT~20DL"
    assert protocol.set_part("Đ:~") == "~C4~90~3A~7E"  # đ in UTF-8, the colon and the escape itself
    assert protocol.set_part("a") != protocol.set_part("~61")  # the escape is unambiguous
    assert protocol._SET_SPEC.match(protocol.fonds_set_spec("Lưu trữ", "Phông 1"))


def test_xml_text_drops_what_xml_cannot_carry_and_composes() -> None:
    assert protocol.xml_text("A\x0bB\x00C\ufffe") == "ABC"
    assert protocol.xml_text("Đa\u0301k") == "Đák"  # NFC


def test_error_document_after_bad_argument_has_a_bare_request() -> None:
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    request = protocol.OaiRequest("ListRecords", {"metadataPrefix": "x"})
    root = protocol.error_document("https://a.vn/oai/", now, protocol.bad_argument("a", "b"), request)
    element = root.find(protocol.q("request"))
    assert element is not None and element.attrib == {} and element.text == "https://a.vn/oai/"
    root = protocol.error_document("https://a.vn/oai/", now, protocol.IdDoesNotExist(), request)
    element = root.find(protocol.q("request"))
    assert element is not None and element.attrib == {"verb": "ListRecords", "metadataPrefix": "x"}
    assert root.find(protocol.q("responseDate")).text == "2026-01-02T03:04:05Z"  # type: ignore[union-attr]
