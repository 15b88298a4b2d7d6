"""Each verb and each error through the real endpoint; every answer validates against the OAI-PMH
2.0 schema, and every metadata payload against the oai_dc or EAD 2002 schema."""

from __future__ import annotations

from functools import cache

import pytest
from lxml import etree

from khoso.oai.models import OaiRecord
from khoso.oai.selectors import identifier

from .conftest import HOST, NS, error_code, identifiers, schema

pytestmark = pytest.mark.django_db


@cache
def _schemas() -> dict[str, etree.XMLSchema]:
    return {"oai": schema("OAI-PMH.xsd"), "oai_dc": schema("oai_dc.xsd"), "ead": schema("ead.xsd")}


def valid(root: etree._Element) -> etree._Element:
    """Assert ``root`` and its metadata validate; return it."""
    schemas = _schemas()
    schemas["oai"].assertValid(root)
    for metadata in root.iterfind(".//o:metadata", NS):
        payload = metadata[0]
        kind = "ead" if payload.tag == f"{{{NS['ead']}}}ead" else "oai_dc"
        schemas[kind].assertValid(etree.ElementTree(payload))
    return root


def _request_attributes(root: etree._Element) -> dict[str, str]:
    return dict(root.find("o:request", NS).attrib)  # type: ignore[union-attr]


def test_identify(catalogue, oai) -> None:  # type: ignore[no-untyped-def]
    root = valid(oai(verb="Identify"))
    identify = root.find("o:Identify", NS)
    assert identify.findtext("o:repositoryName", namespaces=NS) == "Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk"
    assert identify.findtext("o:baseURL", namespaces=NS) == f"https://{HOST}/oai/"
    assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("o:adminEmail", namespaces=NS) == "luutru@daklak.gov.vn"
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    earliest = OaiRecord.objects.order_by("datestamp").first()
    assert identify.findtext("o:earliestDatestamp", namespaces=NS) == earliest.datestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert root.find("o:request", NS).text == f"https://{HOST}/oai/"


def test_identify_on_an_empty_repository_and_post(db, oai) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    valid(oai(verb="Identify"))
    harvester = Client(enforce_csrf_checks=True)  # harvesters POST the form without any CSRF token
    valid(oai(harvester, "post", verb="Identify"))


def test_list_metadata_formats(catalogue, oai) -> None:  # type: ignore[no-untyped-def]
    root = valid(oai(verb="ListMetadataFormats"))
    formats = {
        f.findtext("o:metadataPrefix", namespaces=NS): (
            f.findtext("o:schema", namespaces=NS),
            f.findtext("o:metadataNamespace", namespaces=NS),
        )
        for f in root.iterfind(".//o:metadataFormat", NS)
    }
    assert formats == {
        "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/"),
        "ead": ("http://www.loc.gov/ead/ead.xsd", "urn:isbn:1-931666-22-9"),
    }
    public = identifier("ho-so", catalogue.files["public"].file_code)
    assert error_code(valid(oai(verb="ListMetadataFormats", identifier=public))) is None
    missing = valid(oai(verb="ListMetadataFormats", identifier=f"oai:{HOST}:ho-so/KHONG.CO"))
    assert error_code(missing) == "idDoesNotExist"
    assert _request_attributes(missing) == {"verb": "ListMetadataFormats", "identifier": f"oai:{HOST}:ho-so/KHONG.CO"}


def test_a_withdrawn_record_has_no_metadata_formats(catalogue, oai) -> None:  # type: ignore[no-untyped-def]
    from khoso.oai.services import sync

    archive_file = catalogue.files["public2"]
    archive_file.mode = "03"
    archive_file.save()
    sync(files=[archive_file.pk])
    root = valid(oai(verb="ListMetadataFormats", identifier=identifier("ho-so", archive_file.file_code)))
    assert error_code(root) == "noMetadataFormats"


def test_list_sets_is_the_fonds_hierarchy_of_public_material(catalogue, oai) -> None:  # type: ignore[no-untyped-def]
    root = valid(oai(verb="ListSets"))
    sets = {
        s.findtext("o:setSpec", namespaces=NS): s.findtext("o:setName", namespaces=NS)
        for s in root.iterfind(".//o:set", NS)
    }
    assert sets == {
        "phong": "Phông lưu trữ",
        "phong:H15.TTLT": "Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk",
        "phong:H15.TTLT:UBNDDL": "Phông Ủy ban nhân dân tỉnh Đắk Lắk",
        "phong:H15.TTLT:SYT~20DL": "Phông Sở Y tế Đắk Lắk",
    }  # not the fonds restricted as a whole, not the fonds holding only secret files
    assert error_code(valid(oai(verb="ListSets", resumptionToken="abc"))) == "badResumptionToken"


def test_no_set_hierarchy_before_anything_is_public(db, oai) -> None:  # type: ignore[no-untyped-def]
    assert error_code(valid(oai(verb="ListSets"))) == "noSetHierarchy"
    root = valid(oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="phong"))
    assert error_code(root) == "noSetHierarchy"
    assert error_code(valid(oai(verb="ListRecords", metadataPrefix="oai_dc"))) == "noRecordsMatch"


def test_get_record_in_dublin_core(catalogue, oai) -> None:  # type: ignore[no-untyped-def]
    archive_file = catalogue.files["public"]
    root = valid(oai(verb="GetRecord", identifier=identifier("ho-so", archive_file.file_code), metadataPrefix="oai_dc"))
    header = root.find(".//o:header", NS)
    assert header.get("status") is None
    assert header.findtext("o:identifier", namespaces=NS) == f"oai:{HOST}:ho-so/000.00.01.H15.1995.01.TH"
    assert header.findtext("o:setSpec", namespaces=NS) == "phong:H15.TTLT:UBNDDL"
    dc = root.find(".//oai_dc:dc", NS)

    def values(name: str) -> list[str]:
        return [e.text for e in dc.iterfind(f"dc:{name}", NS)]

    assert values("title") == ["Hồ sơ về quy hoạch tỉnh Đắk Lắk năm 1995 <&>"]
    assert dc.find("dc:title", NS).get("{http://www.w3.org/XML/1998/namespace}lang") == "vi"
    assert values("identifier") == [archive_file.file_code, f"https://{HOST}/tra-cuu/ho-so/{archive_file.pk}/"]
    assert values("date") == ["1995-01-05/1995-12-20"]  # ISO 8601, not dd/mm/yyyy
    assert values("language") == ["vi", "en"]
    assert values("subject") == ["quy hoạch"]
    assert values("publisher") == ["Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk"]
    assert values("rights") == ["Chế độ sử dụng: Công khai"]
    assert values("source") == ["H15.TTLT.K1/G2/H3.01"]
    assert "Phông: UBNDDL – Phông Ủy ban nhân dân tỉnh Đắk Lắk" in values("relation")


def test_get_record_of_a_document_in_ead(catalogue, oai) -> None:  # type: ignore[no-untyped-def]
    document = catalogue.documents["public"]
    root = valid(oai(verb="GetRecord", identifier=identifier("tai-lieu", document.doc_code), metadataPrefix="ead"))
    ead = root.find(".//ead:ead", NS)
    assert ead.find("ead:archdesc", NS).get("level") == "item"
    did = ead.find("ead:archdesc/ead:did", NS)
    assert did.findtext("ead:unitid[@type='docCode']", namespaces=NS) == document.doc_code
    assert did.findtext("ead:unitid[@type='soKyHieu']", namespaces=NS) == "15/QĐ-UBND"
    assert did.findtext("ead:unittitle", namespaces=NS) == "Quyết định phê duyệt quy hoạch tỉnh Đắk Lắk năm 1995"
    date = did.find("ead:unitdate", NS)
    assert (date.get("normal"), date.text) == ("1995-03-04", "04/03/1995")
    assert did.findtext("ead:origination/ead:corpname", namespaces=NS) == "Ủy ban nhân dân tỉnh Đắk Lắk"
    assert ead.findtext("ead:archdesc/ead:controlaccess/ead:genreform", namespaces=NS) == "Quyết định"
    assert ead.find("ead:eadheader/ead:eadid", NS).get("url") == f"https://{HOST}/tra-cuu/tai-lieu/{document.pk}/"
    parents = [a.findtext("ead:unitid", namespaces=NS) for a in ead.iterfind(".//ead:relatedmaterial/ead:archref", NS)]
    assert parents == [catalogue.files["public"].file_code, "UBNDDL"]


def test_get_record_errors(catalogue, oai) -> None:  # type: ignore[no-untyped-def]
    public = identifier("ho-so", catalogue.files["public"].file_code)
    root = valid(oai(verb="GetRecord", identifier=public, metadataPrefix="marc21"))
    assert error_code(root) == "cannotDisseminateFormat"
    assert _request_attributes(root) == {"verb": "GetRecord", "identifier": public, "metadataPrefix": "marc21"}
    assert error_code(valid(oai(verb="GetRecord", identifier=public))) == "badArgument"
    root = valid(oai(verb="GetRecord", identifier="oai:elsewhere.vn:ho-so/1", metadataPrefix="oai_dc"))
    assert error_code(root) == "idDoesNotExist"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "hôm qua"}, "badArgument"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
        ({"verb": "ListRecords", "resumptionToken": "giả-mạo"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "phong:KHONG:CO"}, "noRecordsMatch"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "1990-01-01"}, "noRecordsMatch"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": 'ồ <b> & "c"'}, "idDoesNotExist"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:x:ho-so/%zz"}, "badArgument"),
    ],
)
def test_errors_are_valid_and_bare_after_bad_verb_or_argument(catalogue, oai, params, code) -> None:  # type: ignore[no-untyped-def]
    root = valid(oai(**params))
    assert error_code(root) == code
    error = root.find("o:error", NS)
    assert error.text and " / " in error.text  # Vietnamese first, then English
    attributes = _request_attributes(root)
    if code in {"badVerb", "badArgument"}:
        assert attributes == {}
    else:
        assert attributes == params


def test_list_identifiers_and_records_of_a_set(catalogue, oai) -> None:  # type: ignore[no-untyped-def]
    root = valid(oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="phong:H15.TTLT:SYT~20DL"))
    assert identifiers(root) == [identifier("ho-so", catalogue.files["second"].file_code)]
    everything = set(identifiers(valid(oai(verb="ListIdentifiers", metadataPrefix="oai_dc"))))
    assert set(identifiers(valid(oai(verb="ListIdentifiers", metadataPrefix="ead", set="phong")))) == everything
    assert set(identifiers(valid(oai(verb="ListRecords", metadataPrefix="ead", set="phong:H15.TTLT")))) == everything
    assert everything == catalogue.published()
    assert root.find(".//o:resumptionToken", NS) is None  # one page: no token at all
