"""Building TT 05/2025 information packages (SIP/AIP_hoso, SIP/AIP_tailieu, DIP): the package tree and its ZIP.

TT 05 extends E-ARK CSIP v2.0.4 (standards.md §6.3): a root METS.xml pointing at the file's EAD.xml,
(for an AIP) the PREMIS.xml, the schemas and the representation's own METS.xml, which points at one
EAD_doc per document and at every data file. Identifiers and time stamps follow §1.8 exactly:
``uuid-{UUID}`` for sections and divisions, ``ID-{UUID}`` for files, UPPERCASE hex, times as
``YYYY-MM-DDThh:mm:ss.sss+07:00``; every mdRef and file carries SIZE, CHECKSUMTYPE="SHA-256" and an
uppercase CHECKSUM (§5.1).

No Django here: the CLI, the web, the workers and the tests build packages through the same code.
Output is deterministic: the caller passes the package UUID and the time; every other identifier is
derived from them (uuid5), members are written in sorted order with a fixed ZIP time, so the same
input gives the same bytes.

Loose documents (gói tài liệu: SIP_tailieu, AIP_tailieu) use the same tree with METS TYPE "Collection"
and the 5 (SIP) or 4 (AIP) fields of their EAD.xml. A document whose data were already sent in an earlier
package ("holey", §6.3) keeps its EAD_doc, and each of its data files is replaced by a stand-in
``{name}.fetch.txt`` (METS file group Holeyfile, structMap division MetadataLink/Holey): in a SIP it
holds only the file's identifier in the earlier package; in an AIP the line
``urn_{phông}_uuid_{UUID}_{path} {size} {path in this package} {ID}``.

A Party archive (HD 40-HD/VPTW, ``khoso.archive.profiles``) describes its documents with fields TT 05 has
no element for: người ký, loại bản, số lượng tệp, chuyên đề, and độ mật. They travel as attributes of the
EAD_doc root in their own namespace (:data:`PARTY_NS`, prefix ``dang``)::

    <ead_doc xmlns:dang="urn:khoso:tt05:luu-tru-dang:1" dang:signer="…" dang:secretClass="mat"
             dang:originalStatus="chinh" dang:numberOfFiles="2" dang:topic="…">

Attributes and not elements, because TT 05's EAD_doc is a fixed set of child elements (``xs:all``) and a
reader that checks it, ours included, refuses any other child; attributes in a foreign namespace on the
root leave the TT 05 record exactly as TT 05 reads it, so a Party package is still a valid TT 05 package
for a receiver that knows nothing of the extension. Such a package also carries ``schemas/dang.xsd``
(the attributes' declaration), and its ``ead_doc.xsd`` admits foreign-namespace attributes. A State
archive's package has no extension at all and its bytes are those it always had.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path

from lxml import etree

from khoso.core.text import nfc

METS_NS = "http://www.loc.gov/METS/"
CSIP_NS = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
PREMIS_NS = "http://www.loc.gov/premis/v3"
NSMAP = {"mets": METS_NS, "csip": CSIP_NS, "xlink": XLINK_NS, "xsi": XSI_NS}

CSIP_PROFILE = "https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml"
AIP_PROFILE = "http://www.ra.ee/METS/v01/IP.xml"
DIP_PROFILE = "https://earkdip.dilcis.eu/profile/E-ARK-DIP.xml"
SOFTWARE = "Kho Số"
SOFTWARE_VERSION = "1.0"
VIETNAM = timezone(timedelta(hours=7))
#: ZIP members carry this time so that equal input gives equal bytes (ZIP cannot store before 1980).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
REPRESENTATION = "representations/rep1"


class PackageType(StrEnum):
    SIP_HOSO = "SIP_hoso"
    AIP_HOSO = "AIP_hoso"
    SIP_TAILIEU = "SIP_tailieu"
    AIP_TAILIEU = "AIP_tailieu"
    DIP = "DIP"

    @property
    def oais(self) -> str:
        return self.value.split("_")[0]

    @property
    def loose(self) -> bool:
        """A package of loose documents (gói tài liệu), not of a hồ sơ (TT 05 Điều 17)."""
        return self in (PackageType.SIP_TAILIEU, PackageType.AIP_TAILIEU)

    @property
    def mets_type(self) -> str:
        if self is PackageType.DIP:
            return "MIXED"
        return "Collection" if self.loose else "Mixed"

    @property
    def profile(self) -> str:
        return {"SIP": CSIP_PROFILE, "AIP": AIP_PROFILE}.get(self.oais, DIP_PROFILE)

    @property
    def file_code_element(self) -> str:
        return "fileCode" if self.oais == "SIP" else "arcFileCode"

    @property
    def has_premis(self) -> bool:
        return self.oais == "AIP"

    def as_loose(self) -> PackageType:
        """The loose-document counterpart of a hồ sơ package type (DIP has none)."""
        return {PackageType.SIP_HOSO: PackageType.SIP_TAILIEU, PackageType.AIP_HOSO: PackageType.AIP_TAILIEU}.get(
            self, self
        )


#: EAD.xml of a file: the 18 TT 05 fields (standards.md §2.2), in TT 05's order; the first element is
#: ``fileCode`` (SIP) or ``arcFileCode`` (AIP, DIP).
FILE_ELEMENTS = (
    "fileCode",
    "title",
    "maintenance",
    "mode",
    "language",
    "startDate",
    "endDate",
    "keyword",
    "totalDoc",
    "numberOfPaper",
    "numberOfPage",
    "format",
    "inforSign",
    "confidenceLevel",
    "paperFileCode",
    "riskRecovery",
    "riskRecoveryStatus",
    "description",
)
#: EAD_doc of a document (standards.md §2.3), per package type.
DOCUMENT_ELEMENTS: dict[PackageType, tuple[str, ...]] = {
    PackageType.SIP_HOSO: (
        "docId",
        "docCode",
        "maintenance",
        "typeName",
        "codeNumber",
        "codeNotation",
        "issuedDate",
        "organName",
        "subject",
        "language",
        "numberOfPage",
        "inforSign",
        "keyword",
        "mode",
        "confidenceLevel",
        "autograph",
        "format",
        "riskRecovery",
        "riskRecoveryStatus",
        "process",
        "description",
    ),
    PackageType.AIP_HOSO: (
        "arcFileCode",
        "mode",
        "language",
        "keyword",
        "numberOfPage",
        "format",
        "inforSign",
        "confidenceLevel",
        "description",
        "docCode",
        "docOrdinal",
        "typeName",
        "codeNumber",
        "codeNotation",
        "issuedDate",
        "organName",
        "subject",
        "autograph",
        "process",
    ),
}
#: EAD.xml of a gói tài liệu (standards.md §2.2): SIP_tailieu 5 fields, AIP_tailieu 4 fields.
LOOSE_FILE_ELEMENTS = {
    PackageType.SIP_TAILIEU: ("fileCode", "title", "source", "totalDoc", "description"),
    PackageType.AIP_TAILIEU: ("arcFileCode", "title", "source", "description"),
}
#: XSD types that differ from xs:string: ``source`` is Boolean in SIP_tailieu, String "0"/"1" in AIP_tailieu.
SCHEMA_TYPES = {PackageType.SIP_TAILIEU: {"source": "xs:boolean", "totalDoc": "xs:nonNegativeInteger"}}
DOCUMENT_ELEMENTS[PackageType.SIP_TAILIEU] = DOCUMENT_ELEMENTS[PackageType.SIP_HOSO]
DOCUMENT_ELEMENTS[PackageType.AIP_TAILIEU] = DOCUMENT_ELEMENTS[PackageType.AIP_HOSO]
DOCUMENT_ELEMENTS[PackageType.DIP] = tuple(
    "arcDocCode" if name == "docCode" else name
    for name in DOCUMENT_ELEMENTS[PackageType.SIP_HOSO]
    if name != "organName"
)
FILE_ROOT = "ead"
DOCUMENT_ROOT = "ead_doc"
#: The Party-profile extension of EAD_doc: its namespace, prefix and attributes, in the Party list's order.
PARTY_NS = "urn:khoso:tt05:luu-tru-dang:1"
PARTY_PREFIX = "dang"
PARTY_SCHEMA = "dang.xsd"
PARTY_ATTRIBUTES = ("signer", "secretClass", "originalStatus", "numberOfFiles", "topic")


def file_elements(package_type: PackageType) -> tuple[str, ...]:
    if package_type.loose:
        return LOOSE_FILE_ELEMENTS[package_type]
    return (package_type.file_code_element, *FILE_ELEMENTS[1:])


#: mã gói tin of a SIP_tailieu (§1.8): agency id + year + transfer number (2 digits) + sequence (7 digits).
LOOSE_NOTATION = re.compile(r"^\d{2}\.\d{7}$")


def loose_notation(transfer: int, sequence: int) -> str:
    """The part of a mã gói tin after the year: ``01.0000001`` (lần nộp lưu 01, gói số 1)."""
    if not (1 <= transfer <= 99 and 1 <= sequence <= 9_999_999):
        raise ValueError("số lần nộp lưu 1–99 và số thứ tự 1–9999999 (TT 05/2025, §1.8)")
    return f"{transfer:02d}.{sequence:07d}"


def source_text(value: str, package_type: PackageType) -> str | None:
    """``source`` (văn bản đi 0 / đến 1) as this package type writes it, or None when it is not one.

    SIP_tailieu declares it Boolean, so the XML Schema spellings ``true``/``false`` are read as 1/0;
    AIP_tailieu declares it a String whose only values are "0" and "1" (standards.md §2.2)."""
    text = value.strip()
    if package_type is PackageType.SIP_TAILIEU:
        return {"1": "1", "true": "1", "0": "0", "false": "0"}.get(text)
    return text if text in ("0", "1") else None


@dataclass(frozen=True)
class PayloadFile:
    """One file under ``representations/rep1/data/``: a page's original or rendition, or the file's PDF/A."""

    name: str
    source: Path | bytes  # bytes: a holey stand-in written by :func:`holey_payload`
    size: int
    sha256: str
    mime: str
    use: str  # "Original", "Rendition", "File" or "Holey" (a stand-in for a file of an earlier package)
    document: str | None = None  # docId of the document it belongs to
    page: int | None = None  # page number within the hồ sơ
    original_name: str = ""
    holey: HoleyRef | None = None


@dataclass(frozen=True)
class HoleyRef:
    """Where a data file already is: in an earlier package of the same fonds (standards.md §6.3)."""

    file_id: str  # ID-{UUID} of the file in the earlier package
    package_folder: str  # the earlier package's folder (AIP: urn_{phông}_uuid_{UUID})
    path: str  # its path inside the earlier package
    size: int


@dataclass(frozen=True)
class DocumentRecord:
    doc_id: str
    fields: Mapping[str, str]  # TT 05 element name → text (dates dd/mm/yyyy, booleans 1/0)
    #: Party-profile attribute (:data:`PARTY_ATTRIBUTES`) → text; empty for a State archive's document
    party: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PackageSpec:
    package_type: PackageType
    package_uuid: uuid.UUID
    created: datetime
    fonds_code: str
    institution_code: str
    institution_name: str
    label: str
    file_fields: Mapping[str, str]
    documents: Sequence[DocumentRecord]
    payload: Sequence[PayloadFile]
    submission_agreement: str = ""
    fonds_urn: str = ""  # AIP: "urn:{mã phông}:uuid-…" when set, else "urn:uuid:…"
    extra: Mapping[str, str] = field(default_factory=dict)
    party: bool = False  # a Party archive's package: EAD_doc carries the PARTY_NS attributes


# -- identifiers and times (standards.md §1.8) -------------------------------------------------------


def upper_uuid(value: uuid.UUID) -> str:
    return str(value).upper()


def objid(package_type: PackageType, package_uuid: uuid.UUID, fonds_code: str = "") -> str:
    if package_type.oais == "AIP":
        if fonds_code:
            return f"urn:{fonds_code}:uuid-{upper_uuid(package_uuid)}"
        return f"urn:uuid:{upper_uuid(package_uuid)}"
    return f"uuid-{upper_uuid(package_uuid)}"


def folder_name(package_objid: str) -> str:
    """The package's top folder: its OBJID with every ':' replaced by '_'.

    For an AIP the uuid part is written as in §1.8's example, ``urn_G09_uuid_9C13E70E-…``: the OBJID
    ``urn:G09:uuid-9C13E70E-…`` becomes ``urn_G09_uuid_9C13E70E-…``, not ``…uuid-9C13…``. SIP and DIP
    folders (``uuid-{UUID}``) hold no ':' and stay as they are."""
    if package_objid.startswith("urn:"):
        package_objid = package_objid.replace(":uuid-", ":uuid:")
    return package_objid.replace(":", "_")


def folder_names(package_objid: str) -> set[str]:
    """Folder names a reader accepts: §1.8's form, and the literal ':' → '_' of the OBJID (which our
    earlier exports wrote for the ``urn:{phông}:uuid-`` form)."""
    return {folder_name(package_objid), package_objid.replace(":", "_")}


HOLEY_SUFFIX = ".fetch.txt"
AIP_FOLDER = re.compile(
    r"^urn_(?P<fonds>[A-Za-z0-9Đđ.\-]+)_uuid_(?P<uuid>[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12})$"
)


def holey_text(package_type: PackageType, ref: HoleyRef, new_path: str) -> bytes:
    """The stand-in's content: SIP only the identifier; AIP ``{earlier folder}_{path} {size} {path here} {ID}``."""
    if package_type.oais == "SIP":
        return f"{ref.file_id}\n".encode()
    return f"{ref.package_folder}_{ref.path} {ref.size} {new_path} {ref.file_id}\n".encode()


def holey_payload(
    package_type: PackageType, name: str, ref: HoleyRef, *, document: str, page: int | None, original_name: str = ""
) -> PayloadFile:
    """The stand-in ``{name}.fetch.txt`` for data file ``name`` whose bytes are in an earlier package."""
    data = holey_text(package_type, ref, f"{REPRESENTATION}/data/{name}")
    return PayloadFile(
        name=name + HOLEY_SUFFIX,
        source=data,
        size=len(data),
        sha256=sha256_hex(data),
        mime="text/plain",
        use="Holey",
        document=document,
        page=page,
        original_name=original_name,
        holey=ref,
    )


def zip_name(package_objid: str, sequence: int | None = None) -> str:
    """SIP: [số thứ tự gói trong lần nộp] + [OBJID] (§1.8); other packages: the folder name."""
    prefix = f"{sequence}" if sequence is not None else ""
    return f"{prefix}{folder_name(package_objid)}.zip"


def timestamp(moment: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ss.sss+07:00``, always in Vietnam time."""
    local = moment.astimezone(VIETNAM)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}+07:00"


class _Ids:
    """Stable identifiers derived from the package UUID, so that output depends only on the input."""

    def __init__(self, package_uuid: uuid.UUID) -> None:
        self.package_uuid = package_uuid

    def uuid(self, label: str) -> str:
        return f"uuid-{upper_uuid(uuid.uuid5(self.package_uuid, label))}"

    def file(self, label: str) -> str:
        return f"ID-{upper_uuid(uuid.uuid5(self.package_uuid, 'file:' + label))}"


# -- checksums --------------------------------------------------------------------------------------


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def _xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# -- EAD and PREMIS ----------------------------------------------------------------------------------


def _simple_record(root_name: str, elements: Sequence[str], values: Mapping[str, str]) -> bytes:
    root = etree.Element(root_name)
    for name in elements:
        etree.SubElement(root, name).text = values.get(name, "")
    return _xml_bytes(root)


def ead_file(spec: PackageSpec) -> bytes:
    return _simple_record(FILE_ROOT, file_elements(spec.package_type), spec.file_fields)


def ead_document(spec: PackageSpec, document: DocumentRecord) -> bytes:
    if not spec.party:
        return _simple_record(DOCUMENT_ROOT, DOCUMENT_ELEMENTS[spec.package_type], document.fields)
    root = etree.Element(DOCUMENT_ROOT, nsmap={PARTY_PREFIX: PARTY_NS})
    for name in PARTY_ATTRIBUTES:
        root.set(_q(PARTY_NS, name), document.party.get(name, ""))
    for name in DOCUMENT_ELEMENTS[spec.package_type]:
        etree.SubElement(root, name).text = document.fields.get(name, "")
    return _xml_bytes(root)


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def read_party(path: Path) -> dict[str, str] | None:
    """The Party attributes of one EAD_doc (attribute → text), or None when it carries none."""
    root = etree.parse(str(path), _safe_parser()).getroot()
    if not any(etree.QName(name).namespace == PARTY_NS for name in root.attrib):
        return None
    return {name: nfc(root.get(_q(PARTY_NS, name), "")).strip() for name in PARTY_ATTRIBUTES}


def read_party_records(package_root: Path) -> dict[str, dict[str, str]]:
    """The Party attributes of each EAD_doc of an unpacked package (a checked one: the validator has parsed
    every file named here), by the dmdSec ID that points at it; documents without them are left out."""
    mets = etree.parse(str(package_root / REPRESENTATION / "METS.xml"), _safe_parser()).getroot()
    base = (package_root / REPRESENTATION).resolve()
    found: dict[str, dict[str, str]] = {}
    for dmd in mets.iterfind(_q(METS_NS, "dmdSec")):
        ref = dmd.find(_q(METS_NS, "mdRef"))
        href = ref.get(_q(XLINK_NS, "href"), "") if ref is not None else ""
        path = (base / href).resolve()
        if not href or not path.is_relative_to(base) or not path.is_file():
            continue
        values = read_party(path)
        if values is not None:
            found[dmd.get("ID", "")] = values
    return found


def _payload_path(item: PayloadFile) -> str:
    return f"{REPRESENTATION}/data/{item.name}"


def premis(spec: PackageSpec, ids: _Ids) -> bytes:
    """PREMIS 3.0 of an AIP: an object per data file (fixity, size, format, location), the package
    creation event linking them as outcome, and the software agent (standards.md §5.1)."""
    premis_root = etree.Element(_q(PREMIS_NS, "premis"), nsmap={None: PREMIS_NS}, version="3.0")

    def sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        element = etree.SubElement(parent, _q(PREMIS_NS, name))
        if text is not None:
            element.text = text
        return element

    agent_id = ids.uuid("agent:software")
    event_id = ids.uuid("event:creation")
    for item in spec.payload:
        obj = sub(premis_root, "object")
        obj.set(_q(XSI_NS, "type"), "file")
        identifier = sub(obj, "objectIdentifier")
        sub(identifier, "objectIdentifierType", "local")
        sub(identifier, "objectIdentifierValue", ids.file(item.name))
        characteristics = sub(obj, "objectCharacteristics")
        fixity = sub(characteristics, "fixity")
        sub(fixity, "messageDigestAlgorithm", "SHA-256")
        sub(fixity, "messageDigest", item.sha256.upper())
        sub(characteristics, "size", str(item.size))
        designation = sub(sub(characteristics, "format"), "formatDesignation")
        sub(designation, "formatName", item.mime)
        storage = sub(obj, "storage")
        location = sub(storage, "contentLocation")
        sub(location, "contentLocationType", "URI")
        sub(location, "contentLocationValue", _payload_path(item))
        sub(storage, "storageMedium", "disk")
    event = sub(premis_root, "event")
    event_identifier = sub(event, "eventIdentifier")
    sub(event_identifier, "eventIdentifierType", "local")
    sub(event_identifier, "eventIdentifierValue", event_id)
    sub(event, "eventType", "information package creation")
    sub(event, "eventDateTime", timestamp(spec.created))
    sub(sub(event, "eventOutcomeInformation"), "eventOutcome", "success")
    linking_agent = sub(event, "linkingAgentIdentifier")
    sub(linking_agent, "linkingAgentIdentifierType", "local")
    sub(linking_agent, "linkingAgentIdentifierValue", agent_id)
    for item in spec.payload:
        linking = sub(event, "linkingObjectIdentifier")
        sub(linking, "linkingObjectIdentifierType", "local")
        sub(linking, "linkingObjectIdentifierValue", ids.file(item.name))
        sub(linking, "linkingObjectRole", "outcome")
    agent = sub(premis_root, "agent")
    agent_identifier = sub(agent, "agentIdentifier")
    sub(agent_identifier, "agentIdentifierType", "local")
    sub(agent_identifier, "agentIdentifierValue", agent_id)
    sub(agent, "agentName", SOFTWARE)
    sub(agent, "agentType", "software")
    sub(agent, "agentVersion", SOFTWARE_VERSION)
    sub(agent, "agentNote", "Tạo gói tin lưu trữ / information package creation")
    return _xml_bytes(premis_root)


# -- schemas ----------------------------------------------------------------------------------------


def _record_schema(
    root_name: str, elements: Sequence[str], types: Mapping[str, str] | None = None, *, extensible: bool = False
) -> bytes:
    """A placeholder XSD: the root element holding each TT 05 element once, in any order (xs:all, as in
    TT 05's own XSDs). The official XSDs of TT 05's annexes were not available to us. ``extensible``: the
    root also admits attributes of other namespaces (the Party extension)."""
    xs = "http://www.w3.org/2001/XMLSchema"
    schema = etree.Element(_q(xs, "schema"), nsmap={"xs": xs}, elementFormDefault="qualified")
    root = etree.SubElement(schema, _q(xs, "element"), name=root_name)
    complex_type = etree.SubElement(root, _q(xs, "complexType"))
    items = etree.SubElement(complex_type, _q(xs, "all"))
    for name in elements:
        kind = (types or {}).get(name, "xs:string")
        etree.SubElement(items, _q(xs, "element"), name=name, type=kind, minOccurs="0")
    if extensible:
        etree.SubElement(complex_type, _q(xs, "anyAttribute"), namespace="##other", processContents="lax")
    return _xml_bytes(schema)


def _party_schema() -> bytes:
    """The Party extension's attributes (HD 40-HD/VPTW fields TT 05 has no element for)."""
    xs = "http://www.w3.org/2001/XMLSchema"
    schema = etree.Element(_q(xs, "schema"), nsmap={"xs": xs}, targetNamespace=PARTY_NS)
    for name in PARTY_ATTRIBUTES:
        etree.SubElement(schema, _q(xs, "attribute"), name=name, type="xs:string")
    return _xml_bytes(schema)


def _mets_schema() -> bytes:
    """A placeholder for METS.xsd (the Library of Congress schema is not shipped offline): it names the
    namespace and accepts any content, so the package tree is complete and honest about it."""
    xs = "http://www.w3.org/2001/XMLSchema"
    schema = etree.Element(_q(xs, "schema"), nsmap={"xs": xs}, targetNamespace=METS_NS)
    etree.SubElement(schema, _q(xs, "element"), name="mets", type="xs:anyType")
    return _xml_bytes(schema)


def schemas(package_type: PackageType, *, party: bool = False) -> dict[str, bytes]:
    found = {
        "METS.xsd": _mets_schema(),
        "ead.xsd": _record_schema(FILE_ROOT, file_elements(package_type), SCHEMA_TYPES.get(package_type)),
        "ead_doc.xsd": _record_schema(DOCUMENT_ROOT, DOCUMENT_ELEMENTS[package_type], extensible=party),
    }
    if party:
        found[PARTY_SCHEMA] = _party_schema()
    return found


# -- METS -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Member:
    """A file of the package as METS sees it: its path (relative to the METS), size and digest."""

    href: str
    size: int
    sha256: str
    mime: str


def _checksum_attributes(element: etree._Element, member: _Member, created: str) -> None:
    element.set("CREATED", created)
    element.set("SIZE", str(member.size))
    element.set("CHECKSUM", member.sha256.upper())
    element.set("CHECKSUMTYPE", "SHA-256")


def _mets_root(spec: PackageSpec, package_objid: str, ids: _Ids, *, representation: bool) -> etree._Element:
    created = timestamp(spec.created)
    root = etree.Element(_q(METS_NS, "mets"), nsmap=NSMAP)
    root.set("OBJID", package_objid if not representation else ids.uuid("rep1"))
    root.set("LABEL", spec.label)
    root.set("TYPE", spec.package_type.mets_type)
    root.set(_q(CSIP_NS, "CONTENTINFORMATIONTYPE"), "MIXED")
    root.set("PROFILE", CSIP_PROFILE if representation else spec.package_type.profile)
    root.set(_q(XSI_NS, "schemaLocation"), f"{METS_NS} schemas/METS.xsd" if not representation else METS_NS)
    header = etree.SubElement(root, _q(METS_NS, "metsHdr"))
    header.set("CREATEDATE", created)
    header.set("RECORDSTATUS", "NEW")
    header.set(_q(CSIP_NS, "OAISPACKAGETYPE"), spec.package_type.oais)
    agent = etree.SubElement(header, _q(METS_NS, "agent"), ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    etree.SubElement(agent, _q(METS_NS, "name")).text = SOFTWARE
    version = etree.SubElement(agent, _q(METS_NS, "note"))
    version.set(_q(CSIP_NS, "NOTETYPE"), "SOFTWARE VERSION")
    version.text = SOFTWARE_VERSION
    fonds_note = etree.SubElement(agent, _q(METS_NS, "note"))
    fonds_note.set(_q(CSIP_NS, "NOTETYPE"), "IDENTIFICATIONCODE")
    fonds_note.text = spec.fonds_code
    archivist = etree.SubElement(header, _q(METS_NS, "agent"), ROLE="ARCHIVIST", TYPE="ORGANIZATION")
    etree.SubElement(archivist, _q(METS_NS, "name")).text = spec.institution_name
    institution_note = etree.SubElement(archivist, _q(METS_NS, "note"))
    institution_note.set(_q(CSIP_NS, "NOTETYPE"), "IDENTIFICATIONCODE")
    institution_note.text = spec.institution_code
    if spec.package_type.oais == "SIP" and not representation:
        agreement = etree.SubElement(header, _q(METS_NS, "altRecordID"), TYPE="SUBMISSIONAGREEMENT")
        agreement.text = spec.submission_agreement or f"TT 05/2025/TT-BNV – {spec.institution_code}"
    return root


def _md_ref(parent: etree._Element, member: _Member, mdtype: str, created: str, ids: _Ids) -> None:
    ref = etree.SubElement(parent, _q(METS_NS, "mdRef"))
    ref.set("ID", ids.uuid("mdref:" + member.href))
    ref.set("LOCTYPE", "URL")
    ref.set(_q(XLINK_NS, "type"), "simple")
    ref.set(_q(XLINK_NS, "href"), member.href)
    ref.set("MDTYPE", mdtype)
    ref.set("MIMETYPE", member.mime)
    _checksum_attributes(ref, member, created)


def _file(group: etree._Element, file_id: str, member: _Member, created: str, **extra: str) -> None:
    element = etree.SubElement(group, _q(METS_NS, "file"), ID=file_id, MIMETYPE=member.mime)
    _checksum_attributes(element, member, created)
    for key, value in extra.items():
        element.set(key, value)
    location = etree.SubElement(element, _q(METS_NS, "FLocat"), LOCTYPE="URL")
    location.set(_q(XLINK_NS, "type"), "simple")
    location.set(_q(XLINK_NS, "href"), member.href)


def _div(parent: etree._Element, ids: _Ids, label: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, _q(METS_NS, "div"), ID=ids.uuid("div:" + label), LABEL=label, **attributes)


def _fptr(div: etree._Element, file_id: str) -> None:
    etree.SubElement(div, _q(METS_NS, "fptr"), FILEID=file_id)


def representation_mets(spec: PackageSpec, ids: _Ids, document_members: Sequence[_Member]) -> bytes:
    created = timestamp(spec.created)
    root = _mets_root(spec, "", ids, representation=True)
    dmd_ids: dict[str, str] = {}
    for document, member in zip(spec.documents, document_members, strict=True):
        dmd = etree.SubElement(root, _q(METS_NS, "dmdSec"), ID=ids.uuid("dmd:" + document.doc_id))
        dmd.set("CREATED", created)
        dmd.set("STATUS", "CURRENT")
        _md_ref(dmd, member, "OTHER", created, ids)
        dmd[0].set("OTHERMDTYPE", "EAD_doc")
        dmd_ids[document.doc_id] = dmd.get("ID")
    file_sec = etree.SubElement(root, _q(METS_NS, "fileSec"), ID=ids.uuid("rep1:fileSec"))
    data = [item for item in spec.payload if item.holey is None]
    holey = [item for item in spec.payload if item.holey is not None]
    groups = [("Data", "rep1:grp:data", data)]
    if holey:
        groups.append(("Holeyfile", "rep1:grp:holey", holey))
    for use, label, items in groups:
        group = etree.SubElement(file_sec, _q(METS_NS, "fileGrp"), ID=ids.uuid(label), USE=use)
        for item in items:
            extra = {"USE": item.use}
            if item.page is not None:
                extra["SEQ"] = str(item.page)
                extra["GROUPID"] = f"page-{item.page}"
            member = _Member(f"data/{item.name}", item.size, item.sha256, item.mime)
            _file(group, ids.file(item.name), member, created, **extra)
            if item.original_name:
                group[-1][0].set(_q(XLINK_NS, "title"), item.original_name)
    struct = etree.SubElement(root, _q(METS_NS, "structMap"), ID=ids.uuid("rep1:structMap"), TYPE="PHYSICAL")
    struct.set("LABEL", "CSIP")
    top = _div(struct, ids, "rep1")
    if dmd_ids:
        _div(top, ids, "Metadata", DMDID=" ".join(dmd_ids.values()))
    data_div = _div(top, ids, "Data")
    for item in data:
        _fptr(data_div, ids.file(item.name))
    links = _div(top, ids, "MetadataLink")
    for document in spec.documents:
        linked = any(item.document == document.doc_id for item in holey)
        for label, items in (("File", data), ("Holey", holey)):
            mine = [item for item in items if item.document == document.doc_id]
            if not mine and (label == "Holey" or linked):
                continue  # a document with no data at all keeps its (empty) File division
            key = "link:" + document.doc_id if label == "File" else "holey:" + document.doc_id
            link = etree.SubElement(links, _q(METS_NS, "div"), ID=ids.uuid(key), LABEL=label)
            link.set("DMDID", dmd_ids[document.doc_id])
            for item in mine:
                _fptr(link, ids.file(item.name))
    return _xml_bytes(root)


def root_mets(
    spec: PackageSpec,
    ids: _Ids,
    package_objid: str,
    members: Mapping[str, _Member],
    schema_members: Sequence[_Member],
    representation_member: _Member,
) -> bytes:
    created = timestamp(spec.created)
    root = _mets_root(spec, package_objid, ids, representation=False)
    dmd = etree.SubElement(root, _q(METS_NS, "dmdSec"), ID=ids.uuid("dmd:file"), CREATED=created, STATUS="CURRENT")
    _md_ref(dmd, members["ead"], "OTHER", created, ids)
    dmd[0].set("OTHERMDTYPE", "EAD")
    amd_id = ""
    if "premis" in members:
        amd = etree.SubElement(root, _q(METS_NS, "amdSec"), ID=ids.uuid("amd"))
        amd_id = amd.get("ID")
        digiprov = etree.SubElement(amd, _q(METS_NS, "digiprovMD"), ID=ids.uuid("digiprov"), STATUS="CURRENT")
        _md_ref(digiprov, members["premis"], "PREMIS", created, ids)
    file_sec = etree.SubElement(root, _q(METS_NS, "fileSec"), ID=ids.uuid("fileSec"))
    schema_group = etree.SubElement(file_sec, _q(METS_NS, "fileGrp"), ID=ids.uuid("grp:schemas"), USE="Schemas")
    for member in schema_members:
        _file(schema_group, ids.file(member.href), member, created)
    rep_group = etree.SubElement(file_sec, _q(METS_NS, "fileGrp"), ID=ids.uuid("grp:rep1"))
    rep_group.set("USE", "Representations/rep1")
    _file(rep_group, ids.file(representation_member.href), representation_member, created)
    struct = etree.SubElement(root, _q(METS_NS, "structMap"), ID=ids.uuid("structMap"), TYPE="PHYSICAL")
    struct.set("LABEL", "CSIP")
    top = _div(struct, ids, package_objid)
    metadata = {"DMDID": dmd.get("ID")}
    if amd_id:
        metadata["ADMID"] = amd_id
    _div(top, ids, "Metadata", **metadata)
    schema_div = _div(top, ids, "Schemas")
    for member in schema_members:
        _fptr(schema_div, ids.file(member.href))
    rep_div = _div(top, ids, "Representations/rep1")
    _fptr(rep_div, ids.file(representation_member.href))
    return _xml_bytes(root)


# -- the package ------------------------------------------------------------------------------------


def _member(href: str, data: bytes, mime: str = "text/xml") -> _Member:
    return _Member(href, len(data), sha256_hex(data), mime)


def package_members(spec: PackageSpec) -> tuple[str, dict[str, bytes | Path]]:
    """The package's OBJID and its members: path inside the ZIP → bytes (metadata) or Path (payload)."""
    ids = _Ids(spec.package_uuid)
    package_objid = objid(spec.package_type, spec.package_uuid, spec.fonds_urn)
    files: dict[str, bytes | Path] = {}
    ead = ead_file(spec)
    files["metadata/descriptive/EAD.xml"] = ead
    members = {"ead": _member("metadata/descriptive/EAD.xml", ead)}
    if spec.package_type.has_premis:
        premis_xml = premis(spec, ids)
        files["metadata/preservation/PREMIS.xml"] = premis_xml
        members["premis"] = _member("metadata/preservation/PREMIS.xml", premis_xml)
    schema_members = []
    for name, data in schemas(spec.package_type, party=spec.party).items():
        files[f"schemas/{name}"] = data
        schema_members.append(_member(f"schemas/{name}", data, "application/xml"))
    document_members = []
    for document in spec.documents:
        data = ead_document(spec, document)
        href = f"metadata/descriptive/EAD_doc_{document.doc_id}.xml"
        files[f"{REPRESENTATION}/{href}"] = data
        document_members.append(_member(href, data))
    for item in spec.payload:
        files[_payload_path(item)] = item.source
    rep_mets = representation_mets(spec, ids, document_members)
    files[f"{REPRESENTATION}/METS.xml"] = rep_mets
    rep_member = _member(f"{REPRESENTATION}/METS.xml", rep_mets)
    files["METS.xml"] = root_mets(spec, ids, package_objid, members, schema_members, rep_member)
    return package_objid, files


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
    info.create_system = 3
    return info


def _iter_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as source:
        while chunk := source.read(1 << 20):
            yield chunk


def write_package(spec: PackageSpec, out: Path) -> str:
    """Write the package as a ZIP at ``out`` (staging file, fsync, rename); return its OBJID."""
    package_objid, files = package_members(spec)
    top = folder_name(package_objid)
    staging = out.with_name(f".{out.name}.part")
    try:
        with zipfile.ZipFile(staging, "w") as archive:
            for name in sorted(files):
                content = files[name]
                with archive.open(_zip_info(f"{top}/{name}"), "w") as target:
                    if isinstance(content, Path):
                        for chunk in _iter_chunks(content):
                            target.write(chunk)
                    else:
                        target.write(content)
        with open(staging, "rb") as handle:
            os.fsync(handle.fileno())
        staging.replace(out)
    finally:
        staging.unlink(missing_ok=True)
    return package_objid


def data_file_id(package_uuid: uuid.UUID, name: str) -> str:
    """The METS ``ID-{UUID}`` of data file ``name`` in the package ``package_uuid`` (what holey files cite)."""
    return _Ids(package_uuid).file(name)


def data_path(name: str) -> str:
    """A data file's path inside the package."""
    return f"{REPRESENTATION}/data/{name}"
