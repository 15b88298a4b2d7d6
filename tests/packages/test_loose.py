"""Loose-document packages (gói tài liệu): SIP_tailieu and AIP_tailieu (standards.md §1.8, §2.2, §6.3).

An agency that did not file its documents into hồ sơ sends them as a gói tài liệu: METS TYPE
"Collection", an EAD.xml of 5 (SIP) or 4 (AIP) fields, fileCode = mã gói tin (agency id + year +
transfer number 2 digits + sequence 7 digits). ``source`` is Boolean in SIP_tailieu and the String
"0"/"1" in AIP_tailieu. In the archive the package is one ArchiveFile of kind "tai_lieu", so the file
and document pages, search and transfers show it like any hồ sơ.
"""

from __future__ import annotations

import zipfile
from datetime import date

import pytest
from lxml import etree

from khoso.archive.models import ArchiveFile
from khoso.packages.services import package_read

pytestmark = pytest.mark.django_db

M = "{http://www.loc.gov/METS/}"


def members(path) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(path) as archive:
        return {info.filename.partition("/")[2]: archive.read(info) for info in archive.infolist()}


def snapshot(archive_file) -> dict:  # type: ignore[no-untyped-def]
    fields = (
        "kind",
        "file_code",
        "title",
        "source",
        "description",
        "maintenance",
        "mode",
        "language",
        "start_date",
        "end_date",
        "number_of_page",
        "total_doc",
    )
    skip = {"id", "file", "created_at", "updated_at", "first_page"}
    return {
        "file": {name: getattr(archive_file, name) for name in fields},
        "documents": [
            {f.name: getattr(d, f.name) for f in d._meta.fields if f.name not in skip}
            for d in archive_file.documents.order_by("ordinal")
        ],
        "pages": list(
            archive_file.pages.order_by("number").values_list(
                "number", "document__doc_code", "original_id", "original_name", "rendition_id"
            )
        ),
    }


def test_sip_tailieu_tree_and_its_five_fields(export_file, loose_file) -> None:  # type: ignore[no-untyped-def]
    assert loose_file.file_code == "000.00.00.H15.1996.01.0000001"  # mã gói tin: agency + year + 01 + 0000001
    files = members(export_file(loose_file, "SIP"))
    mets = etree.fromstring(files["METS.xml"])
    assert mets.get("TYPE") == "Collection" and mets.get("OBJID").startswith("uuid-")
    assert mets.find(f"{M}metsHdr").get("{https://DILCIS.eu/XML/METS/CSIPExtensionMETS}OAISPACKAGETYPE") == "SIP"
    ead = etree.fromstring(files["metadata/descriptive/EAD.xml"])
    assert [(child.tag, child.text) for child in ead] == [
        ("fileCode", "000.00.00.H15.1996.01.0000001"),
        ("title", "Tài liệu rời về phòng chống lụt bão năm 1996"),
        ("source", "1"),
        ("totalDoc", "2"),
        ("description", "Văn thư cơ quan thu thập"),
    ]
    schema = etree.fromstring(files["schemas/ead.xsd"])
    types = {e.get("name"): e.get("type") for e in schema.iter("{http://www.w3.org/2001/XMLSchema}element")}
    assert types["source"] == "xs:boolean" and types["totalDoc"] == "xs:nonNegativeInteger"
    doc = etree.fromstring(
        files["representations/rep1/metadata/descriptive/EAD_doc_000.00.00.H15.1996.01.0000001.1.xml"]
    )
    assert doc.findtext("docCode") == "000.00.00.H15.1996.01.0000001.0000001" and len(doc) == 21
    assert not any("PREMIS" in name for name in files)


def test_aip_tailieu_has_four_fields_source_as_string_and_premis(export_file, loose_file) -> None:  # type: ignore[no-untyped-def]
    files = members(export_file(loose_file, "AIP"))
    mets = etree.fromstring(files["METS.xml"])
    assert mets.get("TYPE") == "Collection" and mets.get("OBJID").startswith(f"urn:{loose_file.fonds.code}:uuid-")
    ead = etree.fromstring(files["metadata/descriptive/EAD.xml"])
    assert [child.tag for child in ead] == ["arcFileCode", "title", "source", "description"]
    assert ead.findtext("arcFileCode") == f"H15.TTLT.{loose_file.file_code}" and ead.findtext("source") == "1"
    schema = etree.fromstring(files["schemas/ead.xsd"])
    types = {e.get("name"): e.get("type") for e in schema.iter("{http://www.w3.org/2001/XMLSchema}element")}
    assert types["source"] == "xs:string"  # String "0"/"1" in AIP_tailieu
    assert "metadata/preservation/PREMIS.xml" in files


@pytest.mark.parametrize("kind", ["SIP", "AIP"])
def test_round_trip_of_a_loose_package(export_file, loose_file, forget, kind: str) -> None:  # type: ignore[no-untyped-def]
    from khoso.storage.services import object_store

    before = snapshot(loose_file)
    path = export_file(loose_file, kind)
    forget(loose_file)
    report = package_read(path, commit=True)
    assert report.valid, report.findings
    assert report.package_type == f"{kind}_tailieu"
    imported = ArchiveFile.objects.get(pk=report.file_id)
    assert snapshot(imported) == before
    assert imported.kind == ArchiveFile.Kind.LOOSE and imported.get_kind_display().startswith("Gói tài liệu")
    for _, _, original, _, rendition in before["pages"]:
        assert object_store().verify(original) and object_store().verify(rendition)


def test_a_hoso_is_never_sent_as_a_loose_package(export_file, filled_file) -> None:  # type: ignore[no-untyped-def]
    from khoso.core.errors import ValidationError

    with pytest.raises(ValidationError, match="không phải gói tài liệu"):
        export_file(filled_file, "SIP_tailieu")


def test_source_conversion_sip_boolean_to_aip_string(export_file, loose_file, forget, rewrite, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """SIP_tailieu's Boolean may be spelled true/false (XML Schema); the archive keeps "1"/"0" and the AIP
    writes the String "0"/"1". The AIP does not take a Boolean spelling; any other value is a finding."""
    import uuid
    from dataclasses import replace

    from khoso.packages.services import package_export, package_spec
    from khoso.packages.tt05 import PackageType, write_package

    from .conftest import CREATED

    ead = "metadata/descriptive/EAD.xml"
    aip = export_file(loose_file, "AIP")
    spelled = lambda value: {ead: lambda xml: xml.replace(b"<source>1</source>", f"<source>{value}</source>".encode())}  # noqa: E731
    assert "EAD-SOURCE" in {f.rule for f in package_read(rewrite(aip, spelled("true"))).findings}
    spec = package_spec(loose_file, PackageType.SIP_TAILIEU, package_uuid=uuid.uuid4(), created=CREATED)
    sip = tmp_path / "true.zip"
    write_package(replace(spec, file_fields={**spec.file_fields, "source": "true"}), sip)
    wrong = {
        f.rule
        for f in package_read(rewrite(export_file(loose_file, "SIP"), spelled("2")), check_instance=False).findings
    }
    assert "EAD-SOURCE" in wrong
    forget(loose_file)
    report = package_read(sip, commit=True)
    assert report.valid, report.findings
    imported = ArchiveFile.objects.get(pk=report.file_id)
    assert imported.source == "1"
    out = tmp_path / "aip.zip"
    package_export(file_code=imported.file_code, package_type=PackageType.AIP_HOSO, out=out)
    assert etree.fromstring(members(out)[ead]).findtext("source") == "1"


def test_package_code_must_be_agency_year_transfer_sequence(export_file, loose_file, rewrite) -> None:  # type: ignore[no-untyped-def]
    path = export_file(loose_file, "SIP")
    bad = rewrite(
        path, {"metadata/descriptive/EAD.xml": lambda ead: ead.replace(b"1996.01.0000001<", b"1996.1.0000001<")}
    )
    findings = {f.rule: f for f in package_read(bad, check_instance=False).findings}
    assert "EAD-PACKAGECODE" in findings
    assert "số lần nộp lưu (2 chữ số) + số thứ tự (7 chữ số)" in findings["EAD-PACKAGECODE"].message


def test_loose_package_through_a_transfer(export_file, loose_file, forget, fonds, receiver, settings) -> None:  # type: ignore[no-untyped-def]
    """A historical archive receives a SIP_tailieu like a SIP_hoso; a gói's retention is its documents'."""
    from khoso.packages.services import batch_receive, item_accept

    from .conftest import make_loose_file

    settings.KHOSO_ARCHIVE_ROLE = "lich_su"
    mixed = make_loose_file(fonds, sequence=2, shades=(70, 100))
    second = mixed.documents.get(ordinal=2)
    type(second).objects.filter(pk=second.pk).update(maintenance="04")
    paths = [("permanent.zip", export_file(loose_file, "SIP")), ("mixed.zip", export_file(mixed, "SIP"))]
    forget(loose_file, mixed)
    batch = batch_receive(fonds=fonds, packages=paths, by=receiver)
    good, bad = batch.items.order_by("sequence")
    assert good.package_type == "SIP_tailieu" and good.maintenance == "01" and good.valid, good.findings
    assert bad.maintenance == "01,04" and [f["rule"] for f in bad.findings] == ["TRANSFER-RETENTION"]
    accepted = item_accept(item=good, by=receiver)
    imported = ArchiveFile.objects.get(pk=accepted.archive_file_id)
    assert imported.kind == ArchiveFile.Kind.LOOSE and imported.documents.count() == 2
    assert (imported.start_date, imported.end_date) == (date(1996, 2, 1), date(1996, 9, 30))
