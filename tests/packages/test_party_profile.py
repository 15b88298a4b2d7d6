"""Packages of a Party archive (HD 40-HD/VPTW): the Party fields travel in the EAD_doc extension
(namespace tt05.PARTY_NS, attributes of the root), a package validates and round-trips with them, a
State archive's package is unchanged, and a receiving Party archive checks them like its own."""

from __future__ import annotations

import json
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from khoso.archive import profiles
from khoso.archive.models import ArchiveFile, Institution
from khoso.archive.services import document_update, fonds_set_party_group, institution_set_profile
from khoso.packages import tt05
from khoso.packages.services import package_read

pytestmark = pytest.mark.django_db

MAIN = Path(__file__).resolve().parents[2]
PARTY_FIELDS = {
    1: {"signer": "Lê Văn Hiệu", "original_status": "chinh", "number_of_files": 2, "topic": "Chuyển đổi số"},
    2: {"signer": "", "original_status": "sao_y", "number_of_files": None, "topic": "Công tác văn thư, lưu trữ"},
}


def fill_party_fields(archive_file) -> None:  # type: ignore[no-untyped-def]
    for document in archive_file.documents.all():
        document_update(document=document, **PARTY_FIELDS[document.ordinal])


def make_party(archive_file) -> None:  # type: ignore[no-untyped-def]
    """The file's institution becomes a Party archive and its documents get their Party fields."""
    fonds_set_party_group(fonds=archive_file.fonds, party_group="02")
    institution_set_profile(institution=archive_file.fonds.institution, profile=profiles.PARTY)
    fill_party_fields(archive_file)


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()}


def ead_docs(path: Path) -> dict[str, etree._Element]:
    return {
        name.rsplit("EAD_doc_", 1)[1]: etree.fromstring(data)
        for name, data in members(path).items()
        if "/EAD_doc_" in name
    }


def party_of(document) -> tuple:  # type: ignore[no-untyped-def]
    return (document.signer, document.original_status, document.number_of_files, document.topic)


def test_the_extension_names_the_profile_fields_in_order() -> None:
    assert tuple(field.element for field in profiles.PARTY_DOCUMENT_FIELDS) == tt05.PARTY_ATTRIBUTES


def test_a_party_package_carries_the_fields_and_declares_them(filled_file, export_package) -> None:  # type: ignore[no-untyped-def]
    make_party(filled_file)
    path = export_package("SIP")
    content = members(path)
    assert "schemas/dang.xsd" in content
    assert b'namespace="##other"' in content["schemas/ead_doc.xsd"]
    assert b"schemas/dang.xsd" in content["METS.xml"]  # referenced, with its size and checksum

    records = ead_docs(path)
    first = records[f"{filled_file.file_code}.1.xml"]
    assert first.nsmap["dang"] == tt05.PARTY_NS
    assert first.get(f"{{{tt05.PARTY_NS}}}signer") == "Lê Văn Hiệu"
    assert first.get(f"{{{tt05.PARTY_NS}}}originalStatus") == "chinh"
    assert first.get(f"{{{tt05.PARTY_NS}}}numberOfFiles") == "2"
    assert first.get(f"{{{tt05.PARTY_NS}}}secretClass") == ""
    # the TT 05 record itself is untouched: the same child elements, in TT 05's order
    assert [child.tag for child in first] == list(tt05.DOCUMENT_ELEMENTS[tt05.PackageType.SIP_HOSO])
    assert records[f"{filled_file.file_code}.2.xml"].get(f"{{{tt05.PARTY_NS}}}numberOfFiles") == ""
    # the package's own schemas accept the record: EAD_doc admits the attributes, dang.xsd declares them
    schema = etree.XMLSchema(etree.fromstring(content["schemas/ead_doc.xsd"]))
    schema.assertValid(first)
    declared = etree.fromstring(content["schemas/dang.xsd"])
    etree.XMLSchema(declared)  # a well-formed XML Schema of its own
    assert declared.get("targetNamespace") == tt05.PARTY_NS
    assert [element.get("name") for element in declared] == list(tt05.PARTY_ATTRIBUTES)


@pytest.mark.parametrize("kind", ["SIP", "AIP"])
def test_party_fields_round_trip(filled_file, export_package, forget, kind: str) -> None:  # type: ignore[no-untyped-def]
    make_party(filled_file)
    before = {document.ordinal: party_of(document) for document in filled_file.documents.all()}
    path = export_package(kind)
    forget(filled_file)

    checked = package_read(path)
    assert checked.valid, [str(finding) for finding in checked.findings]
    report = package_read(path, commit=True)
    assert report.valid, [str(finding) for finding in report.findings]
    imported = ArchiveFile.objects.get(pk=report.file_id)
    assert {document.ordinal: party_of(document) for document in imported.documents.all()} == before


def test_a_state_package_is_byte_identical_whatever_the_party_fields_hold(filled_file, export_package) -> None:  # type: ignore[no-untyped-def]
    plain = {kind: export_package(kind, f"plain-{kind}.zip").read_bytes() for kind in ("SIP", "AIP", "DIP")}
    fill_party_fields(filled_file)
    for kind in ("SIP", "AIP", "DIP"):
        filled = export_package(kind, f"filled-{kind}.zip")
        assert filled.read_bytes() == plain[kind], kind
        assert all(not root.nsmap for root in ead_docs(filled).values())
        assert "schemas/dang.xsd" not in members(filled)


def test_a_party_archive_refuses_a_package_without_copy_types(filled_file, export_package, forget) -> None:  # type: ignore[no-untyped-def]
    path = export_package("SIP")  # written while the institution was a State archive: no extension
    forget(filled_file)
    fonds_set_party_group(fonds=filled_file.fonds, party_group="02")
    institution_set_profile(institution=filled_file.fonds.institution, profile=profiles.PARTY)

    report = package_read(path, commit=True)
    required = [finding for finding in report.findings if finding.rule == "PARTY-REQUIRED"]
    assert len(required) == 2
    assert "Loại bản (dang:originalStatus): bắt buộc với tài liệu Lưu trữ Đảng" in required[0].message
    assert required[0].location.endswith("dang:originalStatus")
    assert report.file_id is None and not ArchiveFile.objects.exists()


def test_a_wrong_party_code_is_a_finding(filled_file, export_package, forget, rewrite) -> None:  # type: ignore[no-untyped-def]
    make_party(filled_file)
    path = export_package("SIP")
    forget(filled_file)
    changed = rewrite(
        path,
        {
            ".1.xml": lambda xml: xml.replace(
                b'dang:originalStatus="chinh"', b'dang:originalStatus="ban-photo"'
            ).replace(b'dang:numberOfFiles="2"', b'dang:numberOfFiles="hai"')
        },
    )
    report = package_read(changed, commit=True)
    rules = {finding.rule: finding for finding in report.findings}
    assert "«ban-photo» không phải mã trong danh mục originalStatus" in rules["PARTY-ENUM"].message
    assert "PARTY-NUMBER" in rules
    assert not ArchiveFile.objects.exists()


def test_a_state_archive_keeps_the_party_fields_it_receives(filled_file, export_package, forget) -> None:  # type: ignore[no-untyped-def]
    """A secret class or a copy type is never dropped on the way, whoever receives the package."""
    make_party(filled_file)
    path = export_package("SIP")
    forget(filled_file)
    institution = Institution.objects.get(pk=filled_file.fonds.institution_id)
    institution_set_profile(institution=institution, profile=profiles.STATE)

    report = package_read(path, commit=True)
    assert report.valid, [str(finding) for finding in report.findings]
    first = ArchiveFile.objects.get(pk=report.file_id).documents.get(ordinal=1)
    assert party_of(first) == tuple(PARTY_FIELDS[1].values())


def test_a_party_package_meets_csip_as_a_state_one_does(filled_file, export_package, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The extension changes nothing the E-ARK validator checks: the same rules fail for both (the TT 05
    departures listed in test_eark.py)."""

    def errors(path: Path, where: str) -> set[str]:
        with zipfile.ZipFile(path) as archive:
            archive.extractall(tmp_path / where)
        (folder,) = (tmp_path / where).iterdir()
        completed = subprocess.run(
            [
                str(MAIN / ".venv-eark" / "bin" / "python"),
                str(MAIN / "src" / "khoso" / "packages" / "eark_runner.py"),
                "--vocab",
                str(MAIN.parent / "shared" / "spec" / "eark-vocab"),
                str(folder),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert completed.returncode in (0, 4), completed.stderr
        (report,) = json.loads(completed.stdout)
        assert report["structure"] == "WellFormed"
        return {result["rule_id"] for result in report["results"] if result["severity"] == "Error"}

    state = errors(export_package("SIP", "state.zip"), "state")
    make_party(filled_file)
    party = errors(export_package("SIP", "party.zip", package_uuid=uuid.uuid4()), "party")
    assert party == state
