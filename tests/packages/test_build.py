"""Golden structure of exported TT 05 packages: tree, identifiers, time stamps, checksums (§1.8, §6.3)."""

from __future__ import annotations

import hashlib
import re
import zipfile

import pytest
from lxml import etree

M = "{http://www.loc.gov/METS/}"
CSIP = "{https://DILCIS.eu/XML/METS/CSIPExtensionMETS}"
XLINK = "{http://www.w3.org/1999/xlink}"
UUID = r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}"


def members(path) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


pytestmark = pytest.mark.django_db


def test_sip_tree_ids_and_checksums(export_package, filled_file) -> None:  # type: ignore[no-untyped-def]
    files = members(export_package("SIP"))
    top = "uuid-9C13E70E-1F2A-4B3C-8D4E-5F6A7B8C9D0E"
    assert all(name.startswith(top + "/") for name in files)
    names = {name.removeprefix(top + "/") for name in files}
    doc_ids = [d.doc_id for d in filled_file.documents.order_by("ordinal")]
    assert {"METS.xml", "metadata/descriptive/EAD.xml", "representations/rep1/METS.xml"} <= names
    assert {f"representations/rep1/metadata/descriptive/EAD_doc_{d}.xml" for d in doc_ids} <= names
    assert {"schemas/METS.xsd", "schemas/ead.xsd", "schemas/ead_doc.xsd"} <= names
    assert not any("PREMIS" in name for name in names)  # absent in a SIP
    assert f"representations/rep1/data/{filled_file.file_code}.pdf" in names
    assert sum(name.startswith("representations/rep1/data/") for name in names) == 7  # 3 originals, 3 pages, 1 PDF

    mets = etree.fromstring(files[f"{top}/METS.xml"])
    assert mets.get("OBJID") == top and mets.get("TYPE") == "Mixed"
    assert mets.get("PROFILE") == "https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml"
    header = mets.find(f"{M}metsHdr")
    assert header.get("CREATEDATE") == "2026-03-05T09:08:07.123+07:00"
    assert header.get(f"{CSIP}OAISPACKAGETYPE") == "SIP" and header.get("RECORDSTATUS") == "NEW"
    assert header.find(f"{M}altRecordID").get("TYPE") == "SUBMISSIONAGREEMENT"
    creator = header.find(f"{M}agent[@ROLE='CREATOR']")
    assert creator.get("OTHERTYPE") == "SOFTWARE"
    assert creator.find(f"{M}note[@{CSIP}NOTETYPE='IDENTIFICATIONCODE']").text == filled_file.fonds.code
    for tag in ("dmdSec", "div", "fileSec", "fileGrp", "structMap"):
        for element in mets.iter(M + tag):
            assert re.fullmatch(f"uuid-{UUID}", element.get("ID")), (tag, element.get("ID"))
    assert {g.get("USE") for g in mets.iter(M + "fileGrp")} == {"Schemas", "Representations/rep1"}
    struct = mets.find(f"{M}structMap")
    assert struct.get("LABEL") == "CSIP" and struct.get("TYPE") == "PHYSICAL"

    rep = etree.fromstring(files[f"{top}/representations/rep1/METS.xml"])
    for mets_doc, base in ((mets, ""), (rep, "representations/rep1/")):
        for holder in [*mets_doc.iter(M + "mdRef"), *mets_doc.iter(M + "file")]:
            href = (holder if holder.tag == M + "mdRef" else holder.find(M + "FLocat")).get(XLINK + "href")
            data = files[f"{top}/{base}{href}"]
            assert holder.get("CHECKSUMTYPE") == "SHA-256"
            assert holder.get("CHECKSUM") == hashlib.sha256(data).hexdigest().upper()
            assert holder.get("SIZE") == str(len(data))
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+07:00", holder.get("CREATED"))
    for element in rep.iter(M + "file"):
        assert re.fullmatch(f"ID-{UUID}", element.get("ID"))
    links = [div for div in rep.iter(M + "div") if div.get("LABEL") == "File"]
    assert [len(div.findall(M + "fptr")) for div in links] == [4, 2]  # document 1: 2 pages × 2 files

    ead = etree.fromstring(files[f"{top}/metadata/descriptive/EAD.xml"])
    assert [child.tag for child in ead][0] == "fileCode" and len(ead) == 18
    assert ead.findtext("fileCode") == filled_file.file_code
    assert ead.findtext("startDate") == "03/01/1995" and ead.findtext("totalDoc") == "2"
    doc = etree.fromstring(files[f"{top}/representations/rep1/metadata/descriptive/EAD_doc_{doc_ids[0]}.xml"])
    assert len(doc) == 21 and doc.findtext("docCode") == f"{filled_file.file_code}.0000001"
    assert doc.findtext("issuedDate") == "04/03/1995" and doc.findtext("organName") == "UBND tỉnh Đắk Lắk"


def test_aip_has_premis_urn_objid_and_arc_codes(export_package, filled_file) -> None:  # type: ignore[no-untyped-def]
    files = members(export_package("AIP"))
    top = f"urn_{filled_file.fonds.code}_uuid_9C13E70E-1F2A-4B3C-8D4E-5F6A7B8C9D0E"  # §1.8: urn_G09_uuid_9C13E70E-…
    mets = etree.fromstring(files[f"{top}/METS.xml"])
    assert mets.get("OBJID") == f"urn:{filled_file.fonds.code}:uuid-9C13E70E-1F2A-4B3C-8D4E-5F6A7B8C9D0E"
    assert mets.get("PROFILE") == "http://www.ra.ee/METS/v01/IP.xml"
    assert mets.find(f"{M}amdSec/{M}digiprovMD/{M}mdRef").get("MDTYPE") == "PREMIS"
    premis = etree.fromstring(files[f"{top}/metadata/preservation/PREMIS.xml"])
    p = "{http://www.loc.gov/premis/v3}"
    assert premis.find(f"{p}event/{p}eventType").text == "information package creation"
    digests = {d.text for d in premis.iter(p + "messageDigest")}
    assert filled_file.pdf_id.upper() in digests
    assert {r.text for r in premis.iter(p + "linkingObjectRole")} == {"outcome"}
    ead = etree.fromstring(files[f"{top}/metadata/descriptive/EAD.xml"])
    arc = f"{filled_file.fonds.institution.code}.{filled_file.file_code}"
    assert ead.findtext("arcFileCode") == arc and ead.find("fileCode") is None
    doc_name = next(n for n in files if "EAD_doc_" in n)
    doc = etree.fromstring(files[doc_name])
    assert [c.tag for c in doc][:2] == ["arcFileCode", "mode"] and len(doc) == 19
    assert doc.findtext("arcFileCode") == arc and doc.findtext("docOrdinal") in {"1", "2"}


def test_dip_carries_only_public_unrestricted_renditions(export_package, filled_file) -> None:  # type: ignore[no-untyped-def]
    from khoso.access.models import Restriction

    second = filled_file.documents.get(ordinal=2)
    Restriction.objects.create(fonds=filled_file.fonds, file=filled_file, document=second, start_date="2020-01-01")
    files = members(export_package("DIP"))
    names = [n for n in files if "/representations/rep1/data/" in n]
    assert names and all(n.endswith(".pdf") and ".goc" not in n for n in names)  # renditions, never masters
    assert not any(second.doc_id in n for n in files)  # the restricted document is not delivered
    assert not any(n.endswith(f"/{filled_file.file_code}.pdf") for n in names)  # nor the whole-file PDF holding it
    doc = etree.fromstring(next(v for n, v in files.items() if "EAD_doc_" in n))
    assert doc.find("organName") is None and doc.findtext("arcDocCode").endswith(".0000001")
    mets = etree.fromstring(next(v for n, v in files.items() if n.count("/") == 1 and n.endswith("METS.xml")))
    assert mets.get("TYPE") == "MIXED" and mets.get("OBJID").startswith("uuid-")


def test_dip_refused_for_secret_file(export_package, filled_file) -> None:  # type: ignore[no-untyped-def]
    from khoso.core.errors import ValidationError

    type(filled_file).objects.filter(pk=filled_file.pk).update(mode="03")
    with pytest.raises(ValidationError, match="DIP"):
        export_package("DIP")


def test_output_is_deterministic(export_package) -> None:  # type: ignore[no-untyped-def]
    assert export_package("SIP", "a.zip").read_bytes() == export_package("SIP", "b.zip").read_bytes()


def test_aip_folder_name_follows_standards_1_8() -> None:
    """§1.8: "The folder name replaces every ':' with '_', e.g. urn_G09_uuid_9C13E70E-…" — both AIP OBJID
    forms give a folder of that shape; SIP and DIP folders equal their OBJID; the ZIP is named after it."""
    import uuid

    from khoso.packages.tt05 import PackageType, folder_name, folder_names, objid, zip_name

    value = uuid.UUID("9c13e70e-1f2a-4b3c-8d4e-5f6a7b8c9d0e")
    aip = objid(PackageType.AIP_HOSO, value, "G09")
    assert aip == "urn:G09:uuid-9C13E70E-1F2A-4B3C-8D4E-5F6A7B8C9D0E"
    assert folder_name(aip) == "urn_G09_uuid_9C13E70E-1F2A-4B3C-8D4E-5F6A7B8C9D0E"
    assert folder_name(objid(PackageType.AIP_TAILIEU, value)) == "urn_uuid_9C13E70E-1F2A-4B3C-8D4E-5F6A7B8C9D0E"
    assert zip_name(aip) == "urn_G09_uuid_9C13E70E-1F2A-4B3C-8D4E-5F6A7B8C9D0E.zip"
    for kind in (PackageType.SIP_HOSO, PackageType.SIP_TAILIEU, PackageType.DIP):
        assert folder_name(objid(kind, value)) == "uuid-9C13E70E-1F2A-4B3C-8D4E-5F6A7B8C9D0E"
    # what our earlier exports wrote is still read: the literal ':' → '_' of the OBJID
    assert "urn_G09_uuid-9C13E70E-1F2A-4B3C-8D4E-5F6A7B8C9D0E" in folder_names(aip)


def test_aip_in_a_legacy_folder_is_still_read(export_package, rewrite) -> None:  # type: ignore[no-untyped-def]
    import zipfile

    from khoso.packages.services import package_read

    path = export_package("AIP")
    legacy = path.with_name("legacy.zip")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(legacy, "w") as target:
        for info in source.infolist():
            top, _, rest = info.filename.partition("/")
            target.writestr(f"{top.replace('uuid_', 'uuid-')}/{rest}", source.read(info))
    assert package_read(legacy, check_instance=False).valid
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(path.with_name("wrong.zip"), "w") as target:
        for info in source.infolist():
            target.writestr("urn_X_uuid_1/" + info.filename.partition("/")[2], source.read(info))
    assert "PKG-FOLDER" in {f.rule for f in package_read(path.with_name("wrong.zip"), check_instance=False).findings}
