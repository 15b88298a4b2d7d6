"""Reading an unpacked TT 05/2025 package and checking it against standards.md §1.8, §2 and §6.3.

The result is every broken rule (a :class:`Finding` with a stable rule id, Vietnamese and English
messages and the place in the package), never only the first, plus the parsed package when it could
be read, so the importer and the transfer screen share one reading. Holey references (stand-ins for
data files of an earlier package, §6.3) are read and checked for form here; whether the document they
name exists in the same fonds is the importer's question (it needs the database). Untrusted XML is parsed with
entities unresolved, no network and no DTD; a document type declaration (the door to entity
expansion) is itself a finding. The controlled vocabularies are passed in, so no Django is needed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from lxml import etree

from khoso.core import codes
from khoso.core.errors import ArchiveError
from khoso.core.text import nfc
from khoso.packages.findings import Finding
from khoso.packages.tt05 import (
    AIP_FOLDER,
    CSIP_NS,
    DOCUMENT_ELEMENTS,
    HOLEY_SUFFIX,
    LOOSE_NOTATION,
    METS_NS,
    REPRESENTATION,
    XLINK_NS,
    PackageType,
    file_elements,
    folder_name,
    folder_names,
    source_text,
)
from khoso.storage.cas import sha256_file

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+07:00$")
UUID_HEX = r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}"
SECTION_ID = re.compile(rf"^uuid-{UUID_HEX}$")
FILE_ID = re.compile(rf"^ID-{UUID_HEX}$")
CHECKSUM = re.compile(r"^[0-9A-F]{64}$")
SIP_OBJID = re.compile(rf"^uuid-{UUID_HEX}$")
AIP_OBJID = re.compile(rf"^urn:(?:uuid:|[A-Za-z0-9.\-]+:uuid-){UUID_HEX}$")
OBJID_FORMS = {
    PackageType.SIP_HOSO: SIP_OBJID,
    PackageType.SIP_TAILIEU: SIP_OBJID,
    PackageType.AIP_HOSO: AIP_OBJID,
    PackageType.AIP_TAILIEU: AIP_OBJID,
    PackageType.DIP: SIP_OBJID,
}
#: a path inside a package as a holey reference may name it: relative, no '..', no backslash or control
SAFE_PATH = re.compile(r"^(?!/)(?!.*(?:^|/)\.\.(?:/|$))[^\\\x00-\x1f\s]+$")
#: TT 05 element → vocabulary kind (khoso.archive.vocabularies); language may hold several codes.
ENUMS = {
    "maintenance": "maintenance",
    "mode": "mode",
    "format": "format",
    "confidenceLevel": "confidenceLevel",
    "riskRecoveryStatus": "riskRecoveryStatus",
    "typeName": "typeName",
    "language": "language",
}
BOOLEANS = ("riskRecovery", "process")
NUMBERS = ("totalDoc", "numberOfPaper", "numberOfPage", "docOrdinal")
LOOSE_REQUIRED = {
    PackageType.SIP_TAILIEU: ("title", "source", "totalDoc", "description"),
    PackageType.AIP_TAILIEU: ("title", "source", "description"),
}
FILE_REQUIRED = (
    "title",
    "maintenance",
    "mode",
    "language",
    "startDate",
    "endDate",
    "totalDoc",
    "numberOfPage",
    "riskRecovery",
    "description",
)
DOCUMENT_REQUIRED = {
    PackageType.SIP_HOSO: (
        "docId",
        "docCode",
        "maintenance",
        "typeName",
        "issuedDate",
        "organName",
        "subject",
        "language",
        "numberOfPage",
        "mode",
        "riskRecovery",
    ),
    PackageType.AIP_HOSO: (
        "arcFileCode",
        "docCode",
        "docOrdinal",
        "typeName",
        "issuedDate",
        "organName",
        "subject",
        "language",
        "numberOfPage",
        "mode",
    ),
    PackageType.DIP: ("docId", "arcDocCode", "typeName", "issuedDate", "subject", "language", "numberOfPage", "mode"),
}
DOCUMENT_REQUIRED[PackageType.SIP_TAILIEU] = DOCUMENT_REQUIRED[PackageType.SIP_HOSO]
DOCUMENT_REQUIRED[PackageType.AIP_TAILIEU] = DOCUMENT_REQUIRED[PackageType.AIP_HOSO]
DATE_FORMATS = ("%d/%m/%Y",)
FILE_DATE_FORMATS = {PackageType.AIP_HOSO: ("%d/%m/%Y", "%m/%Y", "%Y")}
BORN_DIGITAL = ("01", "03")


@dataclass(frozen=True)
class PayloadEntry:
    path: Path
    name: str
    size: int
    sha256: str  # lowercase, as the object store keeps it
    mime: str
    use: str
    page: int | None
    original_name: str
    document_dmd: str | None
    file_id: str = ""  # its METS ID-{UUID}, which later packages cite in holey files


@dataclass(frozen=True)
class HoleyEntry:
    """A stand-in for a data file sent in an earlier package: the document it belongs to and where the
    bytes are (the earlier package's METS file ID; for an AIP also its folder, path and the size)."""

    name: str  # the data file's name in this package (without ``.fetch.txt``)
    document_dmd: str
    file_id: str
    use: str
    page: int | None
    original_name: str
    package_folder: str = ""
    path: str = ""
    size: int | None = None


@dataclass
class ParsedPackage:
    package_type: PackageType
    objid: str
    root: Path
    created: str
    fonds_code: str
    institution_code: str
    file_fields: dict[str, str]
    documents: list[dict[str, str]] = field(default_factory=list)
    payload: list[PayloadEntry] = field(default_factory=list)
    holey: list[HoleyEntry] = field(default_factory=list)

    @property
    def file_code(self) -> str:
        """The plain fileCode: SIP states it; AIP and DIP derive it from a docCode of their own documents
        (holey ones keep the code of the file they were first sent in), else from arcFileCode."""
        if self.package_type.oais == "SIP":
            return self.file_fields.get("fileCode", "")
        holey = {entry.document_dmd for entry in self.holey}
        for document in self.documents:
            code = document.get("docCode") or ""
            if code and document.get("_dmd") not in holey:
                return code.rpartition(".")[0]
        arc = self.file_fields.get("arcFileCode", "")
        prefix = f"{self.institution_code}."
        return arc[len(prefix) :] if self.institution_code and arc.startswith(prefix) else arc


class _Checker:
    def __init__(self, vocabularies: Mapping[str, set[str]]) -> None:
        self.vocabularies = vocabularies
        self.findings: list[Finding] = []

    def add(self, rule: str, vi: str, en: str, location: str) -> None:
        self.findings.append(Finding(rule=rule, message=vi, message_en=en, location=location))

    # -- XML --------------------------------------------------------------------------------------

    def parse(self, path: Path, location: str) -> etree._Element | None:
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
        )
        try:
            tree = etree.parse(str(path), parser)
        except (etree.XMLSyntaxError, OSError) as error:
            self.add("XML-SYNTAX", f"Tệp XML không đọc được: {error}", f"Unreadable XML: {error}", location)
            return None
        if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
            self.add(
                "XML-DTD",
                "Tệp XML có khai báo DOCTYPE/thực thể (ENTITY): bị từ chối để chống tấn công mở rộng thực thể.",
                "XML declares a DOCTYPE/ENTITY: refused (entity expansion attack).",
                location,
            )
            return None
        return tree.getroot()

    # -- METS -------------------------------------------------------------------------------------

    def check_ids(self, root: etree._Element, location: str) -> None:
        for tag in ("dmdSec", "amdSec", "digiprovMD", "div", "fileSec", "fileGrp", "structMap", "mdRef"):
            for element in root.iter(f"{{{METS_NS}}}{tag}"):
                value = element.get("ID", "")
                if not SECTION_ID.match(value):
                    self.add(
                        "PKG-ID",
                        f"Mã định danh {tag} «{value}» phải có dạng uuid-{{UUID chữ HOA}} (TT 05, §1.8).",
                        f"{tag} ID «{value}» must be uuid-{{UPPERCASE UUID}}.",
                        location,
                    )
        for element in root.iter(f"{{{METS_NS}}}file"):
            value = element.get("ID", "")
            if not FILE_ID.match(value):
                self.add(
                    "PKG-ID",
                    f"Mã định danh tệp «{value}» phải có dạng ID-{{UUID chữ HOA}} (TT 05, §1.8).",
                    f"file ID «{value}» must be ID-{{UPPERCASE UUID}}.",
                    location,
                )
        header = root.find(f"{{{METS_NS}}}metsHdr")
        stamps = [(header.get("CREATEDATE", ""), "metsHdr@CREATEDATE")] if header is not None else []
        stamps += [
            (el.get("CREATED"), f"{etree.QName(el).localname}@CREATED") for el in root.iter() if el.get("CREATED")
        ]
        for value, where in stamps:
            if not TIMESTAMP.match(value or ""):
                self.add(
                    "PKG-TIME",
                    f"Thời gian «{value}» phải có dạng YYYY-MM-DDThh:mm:ss.sss+07:00 (TT 05, §1.8).",
                    f"Timestamp «{value}» must be YYYY-MM-DDThh:mm:ss.sss+07:00.",
                    f"{location} {where}",
                )

    def check_reference(self, element: etree._Element, base: Path, package_root: Path, location: str) -> Path | None:
        """The file an mdRef/FLocat names: it exists inside the package, with the stated size and digest."""
        holder = element if etree.QName(element).localname == "mdRef" else element.getparent()
        href = element.get(f"{{{XLINK_NS}}}href", "")
        target = (base / href).resolve()
        where = f"{location} → {href}"
        if not href or href.startswith("/") or not target.is_relative_to(package_root):
            self.add("PKG-REF", f"Đường dẫn tham chiếu «{href}» không hợp lệ.", f"Invalid reference «{href}».", where)
            return None
        if not target.is_file():
            self.add(
                "PKG-MISSING",
                f"Tệp được tham chiếu «{href}» không có trong gói tin.",
                f"Referenced file «{href}» is missing from the package.",
                where,
            )
            return target
        if holder.get("CHECKSUMTYPE") != "SHA-256":
            self.add(
                "PKG-CHECKSUMTYPE",
                "CHECKSUMTYPE phải là «SHA-256».",
                "CHECKSUMTYPE must be «SHA-256».",
                where,
            )
        stated = holder.get("CHECKSUM", "")
        if not CHECKSUM.match(stated):
            self.add(
                "PKG-CHECKSUM-FORMAT",
                "CHECKSUM phải là 64 ký tự thập lục phân viết HOA.",
                "CHECKSUM must be 64 UPPERCASE hex characters.",
                where,
            )
        size = target.stat().st_size
        if holder.get("SIZE") != str(size):
            self.add(
                "PKG-SIZE",
                f"Kích thước khai báo {holder.get('SIZE')} byte khác kích thước thật {size} byte.",
                f"Stated size {holder.get('SIZE')} differs from the actual {size} bytes.",
                where,
            )
        actual = sha256_file(target)
        if stated and stated.lower() != actual:
            self.add(
                "PKG-CHECKSUM",
                f"Mã băm SHA-256 không khớp: khai báo {stated}, thực tế {actual.upper()}.",
                f"SHA-256 mismatch: stated {stated}, actual {actual.upper()}.",
                where,
            )
        return target

    def references(self, root: etree._Element, base: Path, package_root: Path, location: str) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for element in root.iter(f"{{{METS_NS}}}mdRef", f"{{{METS_NS}}}FLocat"):
            target = self.check_reference(element, base, package_root, location)
            if target is not None:
                found[element.get(f"{{{XLINK_NS}}}href", "")] = target
        return found

    # -- EAD --------------------------------------------------------------------------------------

    def record(self, path: Path, location: str, elements: tuple[str, ...]) -> dict[str, str]:
        root = self.parse(path, location) if path.is_file() else None
        if root is None:
            return {}
        values = {
            etree.QName(child).localname: nfc((child.text or "").strip())
            for child in root
            if isinstance(child.tag, str)
        }
        for name in values:
            if name not in elements:
                self.add(
                    "EAD-UNKNOWN",
                    f"Trường «{name}» không thuộc mẫu TT 05 của gói tin này.",
                    f"Element «{name}» is not part of this package's TT 05 record.",
                    location,
                )
        return values

    def check_fields(
        self, values: Mapping[str, str], required: tuple[str, ...], date_formats: tuple[str, ...], location: str
    ) -> None:
        for name in required:
            if not values.get(name):
                self.add(
                    "EAD-REQUIRED",
                    f"Trường bắt buộc «{name}» bị thiếu hoặc để trống (TT 05/2025).",
                    f"Mandatory element «{name}» is missing or empty.",
                    f"{location} {name}",
                )
        for name, kind in ENUMS.items():
            value = values.get(name, "")
            if not value:
                continue
            allowed = self.vocabularies.get(kind, set())
            parts = [part.strip() for part in value.split(",")] if name == "language" else [value]
            for part in parts:
                if part not in allowed:
                    self.add(
                        "EAD-ENUM",
                        f"«{name}» = «{part}» không phải mã trong danh mục {kind} "
                        f"(các mã: {', '.join(sorted(allowed))}).",
                        f"«{name}» = «{part}» is not a {kind} code.",
                        f"{location} {name}",
                    )
        for name in BOOLEANS:
            if values.get(name) and values[name] not in ("0", "1"):
                self.add(
                    "EAD-BOOLEAN", f"«{name}» phải là 1 hoặc 0.", f"«{name}» must be 1 or 0.", f"{location} {name}"
                )
        for name in NUMBERS:
            if values.get(name) and not values[name].isdigit():
                self.add("EAD-NUMBER", f"«{name}» phải là số.", f"«{name}» must be a number.", f"{location} {name}")
        for name in ("startDate", "endDate", "issuedDate"):
            if values.get(name) and not _parses(values[name], date_formats):
                self.add(
                    "EAD-DATE",
                    f"«{name}» = «{values[name]}» phải có dạng DD/MM/YYYY (TT 05/2025).",
                    f"«{name}» = «{values[name]}» must be DD/MM/YYYY.",
                    f"{location} {name}",
                )
        if values.get("riskRecovery") == "1" and not values.get("riskRecoveryStatus"):
            self.add(
                "EAD-RISKRECOVERY",
                "«riskRecoveryStatus» bắt buộc khi riskRecovery = 1 (TT 05/2025).",
                "riskRecoveryStatus is required when riskRecovery = 1.",
                f"{location} riskRecoveryStatus",
            )


def _parses(value: str, formats: tuple[str, ...]) -> bool:
    for pattern in formats:
        try:
            datetime.strptime(value, pattern)
        except ValueError:
            continue
        return True
    return False


def _package_type(root: etree._Element) -> PackageType | None:
    """SIP/AIP/DIP from metsHdr@OAISPACKAGETYPE; a METS TYPE of "Collection" makes it a gói tài liệu."""
    header = root.find(f"{{{METS_NS}}}metsHdr")
    oais = header.get(f"{{{CSIP_NS}}}OAISPACKAGETYPE", "") if header is not None else ""
    package_type = {"SIP": PackageType.SIP_HOSO, "AIP": PackageType.AIP_HOSO, "DIP": PackageType.DIP}.get(oais)
    if package_type is not None and root.get("TYPE") == PackageType.SIP_TAILIEU.mets_type:
        return package_type.as_loose()
    return package_type


def _header_date(root: etree._Element) -> str:
    header = root.find(f"{{{METS_NS}}}metsHdr")
    return header.get("CREATEDATE", "") if header is not None else ""


def _agent_code(root: etree._Element, role: str) -> str:
    for agent in root.iterfind(f"{{{METS_NS}}}metsHdr/{{{METS_NS}}}agent"):
        if agent.get("ROLE") == role:
            for note in agent.iterfind(f"{{{METS_NS}}}note"):
                if note.get(f"{{{CSIP_NS}}}NOTETYPE") == "IDENTIFICATIONCODE":
                    return (note.text or "").strip()
    return ""


def validate_tree(staging: Path, vocabularies: Mapping[str, set[str]]) -> tuple[ParsedPackage | None, list[Finding]]:
    """Check the unpacked package under ``staging``; return what could be read and every finding."""
    check = _Checker(vocabularies)
    tops = [entry for entry in staging.iterdir()]
    if len(tops) != 1 or not tops[0].is_dir():
        check.add(
            "PKG-ROOT",
            "Gói tin phải có đúng một thư mục gốc mang tên OBJID.",
            "A package holds exactly one top folder named after its OBJID.",
            ", ".join(sorted(entry.name for entry in tops)),
        )
        return None, check.findings
    package_root = tops[0].resolve()
    mets = check.parse(package_root / "METS.xml", "METS.xml") if (package_root / "METS.xml").is_file() else None
    if mets is None:
        if not (package_root / "METS.xml").is_file():
            check.add(
                "PKG-METS", "Thiếu tệp METS.xml ở gốc gói tin.", "METS.xml is missing at the package root.", "METS.xml"
            )
        return None, check.findings
    package_type = _package_type(mets)
    if package_type is None:
        check.add(
            "PKG-TYPE",
            "metsHdr@csip:OAISPACKAGETYPE phải là SIP, AIP hoặc DIP.",
            "metsHdr@csip:OAISPACKAGETYPE must be SIP, AIP or DIP.",
            "METS.xml",
        )
        return None, check.findings
    objid = mets.get("OBJID", "")
    if not OBJID_FORMS[package_type].match(objid):
        check.add(
            "PKG-OBJID",
            f"OBJID «{objid}» sai dạng của gói {package_type.oais} (TT 05, §1.8).",
            f"OBJID «{objid}» has the wrong form for a {package_type.oais} package.",
            "METS.xml",
        )
    if package_root.name not in folder_names(objid):
        check.add(
            "PKG-FOLDER",
            f"Tên thư mục gói «{package_root.name}» phải là OBJID (thay «:» bằng «_»): «{folder_name(objid)}».",
            "The package folder must be named after its OBJID (':' → '_').",
            package_root.name,
        )
    if mets.get("TYPE") != package_type.mets_type or mets.get("PROFILE") != package_type.profile:
        check.add(
            "PKG-PROFILE",
            f"METS@TYPE/PROFILE phải là «{package_type.mets_type}» / «{package_type.profile}».",
            f"METS@TYPE/PROFILE must be «{package_type.mets_type}» / «{package_type.profile}».",
            "METS.xml",
        )
    check.check_ids(mets, "METS.xml")
    referenced = {package_root / "METS.xml"}
    root_refs = check.references(mets, package_root, package_root, "METS.xml")
    referenced.update(root_refs.values())
    has_premis = "metadata/preservation/PREMIS.xml" in root_refs
    if package_type.has_premis and not has_premis:
        check.add(
            "PKG-PREMIS", "Gói AIP phải có metadata/preservation/PREMIS.xml.", "An AIP needs PREMIS.xml.", "METS.xml"
        )
    if package_type.oais == "SIP" and (has_premis or (package_root / "metadata/preservation").exists()):
        check.add("PKG-PREMIS", "Gói SIP không chứa PREMIS (TT 05, §6.3).", "A SIP carries no PREMIS.", "METS.xml")
    file_fields = check.record(
        package_root / "metadata/descriptive/EAD.xml", "metadata/descriptive/EAD.xml", file_elements(package_type)
    )
    parsed = ParsedPackage(
        package_type=package_type,
        objid=objid,
        root=package_root,
        created=_header_date(mets),
        fonds_code=_agent_code(mets, "CREATOR"),
        institution_code=_agent_code(mets, "ARCHIVIST"),
        file_fields=file_fields,
    )
    rep_root = package_root / REPRESENTATION
    rep_mets_path = rep_root / "METS.xml"
    rep_mets = check.parse(rep_mets_path, f"{REPRESENTATION}/METS.xml") if rep_mets_path.is_file() else None
    if rep_mets is None and not rep_mets_path.is_file():
        check.add(
            "PKG-METS",
            "Thiếu representations/rep1/METS.xml.",
            "representations/rep1/METS.xml is missing.",
            REPRESENTATION,
        )
    if rep_mets is not None:
        _read_representation(check, parsed, rep_mets, rep_root, package_root, referenced)
    for path in sorted(package_root.rglob("*")):
        if path.is_file() and path.resolve() not in referenced:
            check.add(
                "PKG-UNREFERENCED",
                "Tệp có trong gói tin nhưng không được METS tham chiếu.",
                "File is in the package but no METS references it.",
                str(path.relative_to(package_root)),
            )
    _check_metadata(check, parsed)
    return parsed, check.findings


def _read_representation(
    check: _Checker,
    parsed: ParsedPackage,
    rep_mets: etree._Element,
    rep_root: Path,
    package_root: Path,
    referenced: set[Path],
) -> None:
    location = f"{REPRESENTATION}/METS.xml"
    check.check_ids(rep_mets, location)
    refs = check.references(rep_mets, rep_root, package_root, location)
    referenced.update(refs.values())
    elements = DOCUMENT_ELEMENTS[parsed.package_type]
    dmd_of_file: dict[str, str] = {}
    for link in rep_mets.iter(f"{{{METS_NS}}}div"):
        if link.get("LABEL") in ("File", "Holey") and link.get("DMDID"):
            for pointer in link.iterfind(f"{{{METS_NS}}}fptr"):
                dmd_of_file[pointer.get("FILEID", "")] = link.get("DMDID", "")
    for dmd in rep_mets.iterfind(f"{{{METS_NS}}}dmdSec"):
        ref = dmd.find(f"{{{METS_NS}}}mdRef")
        href = ref.get(f"{{{XLINK_NS}}}href", "") if ref is not None else ""
        fields = check.record(rep_root / href, f"{REPRESENTATION}/{href}", elements)
        fields["_dmd"] = dmd.get("ID", "")
        parsed.documents.append(fields)
    for element in rep_mets.iter(f"{{{METS_NS}}}file"):
        location_element = element.find(f"{{{METS_NS}}}FLocat")
        if location_element is None:
            continue
        href = location_element.get(f"{{{XLINK_NS}}}href", "")
        path = refs.get(href)
        if path is None or not path.is_file():
            continue
        sequence = element.get("SEQ")
        group = element.getparent()
        if group is not None and group.get("USE") == "Holeyfile":
            _read_holey(check, parsed, element, href, path, dmd_of_file.get(element.get("ID", ""), ""))
            continue
        parsed.payload.append(
            PayloadEntry(
                path=path,
                name=href.removeprefix("data/"),
                size=path.stat().st_size,
                sha256=(element.get("CHECKSUM") or "").lower(),
                mime=element.get("MIMETYPE", "application/octet-stream"),
                use=element.get("USE", ""),
                page=int(sequence) if sequence and sequence.isdigit() else None,
                original_name=nfc(location_element.get(f"{{{XLINK_NS}}}title", "")),
                document_dmd=dmd_of_file.get(element.get("ID", "")),
                file_id=element.get("ID", ""),
            )
        )


HOLEY_MAX_BYTES = 4096
AIP_LOCATION = re.compile(rf"^(?P<folder>urn_[A-Za-z0-9Đđ.\-]+_uuid_{UUID_HEX})_(?P<path>.+)$")


def _read_holey(
    check: _Checker, parsed: ParsedPackage, element: etree._Element, href: str, path: Path, dmd: str
) -> None:
    """One stand-in of the Holeyfile group (§6.3): SIP ``name.ext.fetch.txt`` holding only the identifier,
    AIP the line ``urn_{phông}_uuid_{UUID}_{path} {size} {path in this package} {ID}`` (same fonds only)."""
    where = f"{REPRESENTATION}/{href}"
    name = href.removeprefix("data/")
    if not name.endswith(HOLEY_SUFFIX) or path.stat().st_size > HOLEY_MAX_BYTES or not dmd:
        check.add(
            "HOLEY-FORMAT",
            f"Tệp liên kết «{name}» phải tên «tên.đuôi{HOLEY_SUFFIX}», nhỏ hơn {HOLEY_MAX_BYTES} byte và thuộc "
            "một phần MetadataLink/Holey (TT 05/2025, §6.3).",
            f"Holey stand-in «{name}» must be named «name.ext{HOLEY_SUFFIX}», under {HOLEY_MAX_BYTES} bytes and "
            "belong to a MetadataLink/Holey division.",
            where,
        )
        return
    text = nfc(path.read_bytes().decode("utf-8", errors="replace")).strip()
    sequence = element.get("SEQ")
    flocat = element.find(f"{{{METS_NS}}}FLocat")
    entry = HoleyEntry(
        name=name.removesuffix(HOLEY_SUFFIX),
        document_dmd=dmd,
        file_id=text,
        use=element.get("USE", ""),
        page=int(sequence) if sequence and sequence.isdigit() else None,
        original_name=nfc(flocat.get(f"{{{XLINK_NS}}}title", "")) if flocat is not None else "",
    )
    if parsed.package_type.oais == "AIP":
        parts = text.split()
        location = AIP_LOCATION.match(parts[0]) if len(parts) == 4 else None
        expected_path = f"{REPRESENTATION}/data/{entry.name}"
        if location is None or not parts[1].isdigit() or parts[2] != expected_path or not FILE_ID.match(parts[3]):
            check.add(
                "HOLEY-FORMAT",
                f"Nội dung tệp liên kết phải là «urn_{{phông}}_uuid_{{UUID}}_{{đường dẫn}} {{dung lượng}} "
                f"{expected_path} ID-{{UUID}}» (TT 05/2025, §6.3); đọc được «{text[:200]}».",
                "A holey line must be «urn_{fonds}_uuid_{UUID}_{path} {size} {path in this package} ID-{UUID}».",
                where,
            )
            return
        folder, earlier_path = location.group("folder"), location.group("path")
        if not SAFE_PATH.match(earlier_path):
            check.add(
                "HOLEY-PATH",
                f"Đường dẫn «{earlier_path}» trong tệp liên kết không an toàn (tuyệt đối, «..» hoặc ký tự điều khiển).",
                f"Path «{earlier_path}» in the holey file is unsafe (absolute, '..' or control characters).",
                where,
            )
            return
        fonds = AIP_FOLDER.match(folder)
        if fonds is not None and fonds.group("fonds") != parsed.fonds_code:
            check.add(
                "HOLEY-FONDS",
                f"Tài liệu liên kết thuộc gói của phông «{fonds.group('fonds')}», không phải phông "
                f"«{parsed.fonds_code}» của gói này: chỉ được liên kết trong cùng một phông (TT 05/2025, §6.3).",
                f"The linked document is in a package of fonds «{fonds.group('fonds')}», not «{parsed.fonds_code}»: "
                "links stay within one fonds.",
                where,
            )
            return
        entry = replace(entry, file_id=parts[3], package_folder=folder, path=earlier_path, size=int(parts[1]))
    elif not FILE_ID.match(text):
        check.add(
            "HOLEY-FORMAT",
            f"Tệp liên kết của gói SIP chỉ chứa mã định danh tệp ID-{{UUID}} trong gói đã nộp trước; đọc được "
            f"«{text[:200]}» (TT 05/2025, §6.3).",
            "A SIP holey file holds only the ID-{UUID} of the file in the earlier package.",
            where,
        )
        return
    parsed.holey.append(entry)


def _check_metadata(check: _Checker, parsed: ParsedPackage) -> None:
    """The §6.3 list: codes, totalDoc, docCode prefixes and the conditional fields."""
    package_type = parsed.package_type
    ead = "metadata/descriptive/EAD.xml"
    values = parsed.file_fields
    if not values:
        return
    code_element = package_type.file_code_element
    required = LOOSE_REQUIRED.get(package_type, FILE_REQUIRED)
    check.check_fields(values, (code_element, *required), FILE_DATE_FORMATS.get(package_type, DATE_FORMATS), ead)
    file_code = parsed.file_code
    if values.get(code_element):
        try:
            parts = codes.parse_file_code(file_code)
        except ArchiveError as error:
            check.add("EAD-FILECODE", error.message, error.message_english, f"{ead} {code_element}")
        else:
            if package_type.loose and not LOOSE_NOTATION.match(parts.notation):
                check.add(
                    "EAD-PACKAGECODE",
                    f"Mã gói tin «{file_code}» phải là mã định danh cơ quan + năm hình thành tài liệu + số lần nộp lưu "
                    "(2 chữ số) + số thứ tự (7 chữ số), vd. H49.64.33.2001.01.0000001 (TT 05/2025, §1.8).",
                    f"Package code «{file_code}» must be agency id + year + transfer number (2 digits) + sequence "
                    "(7 digits), e.g. H49.64.33.2001.01.0000001.",
                    f"{ead} {code_element}",
                )
    if package_type.loose and values.get("source"):
        converted = source_text(values["source"], package_type)
        if converted is None:
            kind = "Boolean: 1/0" if package_type.oais == "SIP" else "chuỗi «0» hoặc «1»"
            check.add(
                "EAD-SOURCE",
                f"«source» = «{values['source']}» phải là {kind} (0 văn bản đi, 1 văn bản đến; TT 05/2025).",
                f"«source» = «{values['source']}» must be 0 (outgoing) or 1 (incoming).",
                f"{ead} source",
            )
        else:
            values["source"] = converted
    if values.get("confidenceLevel") == "02" and not values.get("paperFileCode"):
        check.add(
            "EAD-PAPERFILECODE",
            "«paperFileCode» bắt buộc với hồ sơ số hóa (confidenceLevel = 02, TT 05/2025).",
            "paperFileCode is required for a digitized file (confidenceLevel = 02).",
            f"{ead} paperFileCode",
        )
    total = values.get("totalDoc", "")
    if total.isdigit() and int(total) != len(parsed.documents):
        check.add(
            "EAD-TOTALDOC",
            f"totalDoc = {total} nhưng gói tin có {len(parsed.documents)} tài liệu.",
            f"totalDoc = {total} but the package holds {len(parsed.documents)} documents.",
            f"{ead} totalDoc",
        )
    arc = values.get("arcFileCode", "")
    holey = {entry.document_dmd for entry in parsed.holey}
    for document in parsed.documents:
        where = f"{REPRESENTATION}/EAD_doc {document.get('docId') or document.get('docCode') or document.get('_dmd')}"
        check.check_fields(document, DOCUMENT_REQUIRED[package_type], DATE_FORMATS, where)
        if document.get("_dmd") in holey:
            # A linked document keeps the codes of the file it was first sent in (§6.3 Holey).
            if document.get("docCode") and not _seven_digits(document["docCode"]):
                check.add(
                    "EAD-DOCCODE",
                    f"docCode «{document['docCode']}» phải kết thúc bằng số thứ tự 7 chữ số.",
                    f"docCode «{document['docCode']}» must end in a 7-digit sequence.",
                    f"{where} docCode",
                )
        elif package_type.oais == "SIP":
            code = document.get("docCode", "")
            if code and not (code.startswith(f"{file_code}.") and _seven_digits(code)):
                check.add(
                    "EAD-DOCCODE",
                    f"docCode «{code}» phải bắt đầu bằng mã hồ sơ {file_code} và kết thúc bằng số thứ tự 7 chữ số.",
                    f"docCode «{code}» must start with fileCode {file_code} and end in a 7-digit sequence.",
                    f"{where} docCode",
                )
            doc_id = document.get("docId", "")
            if doc_id and not (doc_id.startswith(f"{file_code}.") and doc_id.rpartition(".")[2].isdigit()):
                check.add(
                    "EAD-DOCID",
                    f"docId «{doc_id}» phải là mã hồ sơ + dấu chấm + số thứ tự.",
                    f"docId «{doc_id}» must be fileCode + '.' + sequence.",
                    f"{where} docId",
                )
        elif package_type.oais == "AIP":
            code = document.get("docCode", "")
            if code and not (_seven_digits(code) and f".{code.rpartition('.')[0]}." in f".{arc}."):
                check.add(
                    "EAD-DOCCODE",
                    f"docCode «{code}» không thuộc hồ sơ {arc}.",
                    f"docCode «{code}» does not belong to file {arc}.",
                    f"{where} docCode",
                )
        else:
            code = document.get("arcDocCode", "")
            if code and not (code.startswith(f"{arc}.") and _seven_digits(code)):
                check.add(
                    "EAD-DOCCODE",
                    f"arcDocCode «{code}» phải bắt đầu bằng mã hồ sơ lưu trữ {arc}.",
                    f"arcDocCode «{code}» must start with arcFileCode {arc}.",
                    f"{where} arcDocCode",
                )
        if document.get("confidenceLevel") in BORN_DIGITAL and not document.get("process"):
            check.add(
                "EAD-PROCESS",
                "«process» bắt buộc với tài liệu gốc điện tử hoặc hỗn hợp (confidenceLevel 01/03, TT 05/2025).",
                "process is required for born-digital documents (confidenceLevel 01/03).",
                f"{where} process",
            )


def _seven_digits(code: str) -> bool:
    sequence = code.rpartition(".")[2]
    return len(sequence) == codes.DOC_SEQUENCE_DIGITS and sequence.isdigit()
