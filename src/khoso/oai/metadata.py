"""The public description of a file or document, and its two dissemination formats (no Django).

:class:`PublicRecord` holds exactly the fields the portal shows anyone (``portal/views.py``
``_file_rows``/``_document_rows``): never internal fields, page text or locations in the stacks.
Its :func:`digest` decides whether a record changed, so a harvester is sent a new datestamp only
when something it can see changed.

Formats:

- ``oai_dc``: unqualified Dublin Core. Dates are ISO 8601 (a file's span as ``start/end``), as
  OAI/DC requires; the languages are BCP 47 tags mapped from the TT05 language codes; the texts
  carry ``xml:lang="vi"``. ``dc:identifier`` is the file code (or document code) and the portal URL.
- ``ead``: EAD 2002 (``urn:isbn:1-931666-22-9``, the schema aggregators such as the Archives Portal
  Europe harvest), not TT05's flat ``EAD.xml``: that one has no namespace or published schema, so a
  harvester could not validate it. One ``<ead>`` per record: ``archdesc level="file"`` for a hồ sơ,
  ``level="item"`` for a document, the TT05 fields mapped as below, the containing file and fonds
  given as ``relatedmaterial/archref``.

  ========================== ==================================================================
  TT05 field                  EAD 2002
  ========================== ==================================================================
  fileCode / docCode          eadid, did/unitid
  codeNumber + codeNotation   did/unitid[@type="soKyHieu"]
  paperFileCode               did/unitid[@type="paperFileCode"]
  title / subject             filedesc/titlestmt/titleproper, did/unittitle
  startDate–endDate / issued  did/unitdate[@normal] (text dd/mm/yyyy)
  language                    did/langmaterial/language[@langcode] (ISO 639-2/B)
  numberOfPage, numberOfPaper did/physdesc/extent[@unit]
  totalDoc                    did/physdesc/extent[@unit="tài liệu"]
  organName                   did/origination/corpname
  typeName                    controlaccess/genreform
  keyword                     controlaccess/subject
  inforSign                   controlaccess/subject[@source="khung-phan-loai"]
  mode                        accessrestrict
  maintenance                 appraisal
  confidenceLevel, format     odd (labelled lists)
  autograph                   odd
  description                 odd (Ghi chú)
  archive institution         did/repository/corpname, publicationstmt/publisher
  ========================== ==================================================================
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from lxml import etree

from khoso.oai.protocol import XML_NS, XSI_NS, xml_text

DC_NS = "http://purl.org/dc/elements/1.1/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
EAD_NS = "urn:isbn:1-931666-22-9"
EAD_SCHEMA = "http://www.loc.gov/ead/ead.xsd"
XLINK_NS = "http://www.w3.org/1999/xlink"

#: metadataPrefix → (schema, namespace)
FORMATS: dict[str, tuple[str, str]] = {
    "oai_dc": (OAI_DC_SCHEMA, OAI_DC_NS),
    "ead": (EAD_SCHEMA, EAD_NS),
}

FILE = "ho-so"
DOCUMENT = "tai-lieu"

#: TT05 language code → (BCP 47 tags for dc:language, (ISO 639-2/B code, ISO 15924 script) for EAD).
#: Codes an administrator adds later have no entry: their label is published without a code.
LANGUAGES: dict[str, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = {
    "01": (("vi",), (("vie", ""),)),
    "02": (("en",), (("eng", ""),)),
    "03": (("fr",), (("fre", ""),)),
    "04": (("ru",), (("rus", ""),)),
    "05": (("zh",), (("chi", ""),)),
    "06": (("vi", "en"), (("vie", ""), ("eng", ""))),
    "07": (("vi", "ru"), (("vie", ""), ("rus", ""))),
    "08": (("vi", "fr"), (("vie", ""), ("fre", ""))),
    "09": (("lzh", "vi-Hani"), (("chi", "Hani"), ("vie", "Hani"))),  # Hán (Classical Chinese) and Nôm
    "10": (("vi", "zh"), (("vie", ""), ("chi", ""))),
    "11": (("mis",), (("mis", ""),)),
}


@dataclass(frozen=True)
class Language:
    code: str  # TT05 code
    label: str  # Vietnamese label


@dataclass(frozen=True)
class Parent:
    """A level above the record: its file (for a document) or its fonds."""

    code: str
    title: str
    url: str
    level: str  # "file" | "fonds"


@dataclass(frozen=True)
class PublicRecord:
    """What anyone may read about one file or document, in the shape both formats need."""

    kind: str  # FILE | DOCUMENT
    identifier: str
    set_spec: str
    code: str
    title: str
    url: str
    start_date: date | None
    end_date: date | None
    languages: tuple[Language, ...]
    institution_name: str
    fonds: Parent
    file: Parent | None = None  # the containing file, for a document
    number_notation: str = ""  # "15/QĐ-UBND" (documents)
    type_code: str = ""
    type_label: str = ""  # typeName label (documents)
    creator: str = ""  # organName (documents)
    keyword: str = ""
    infor_sign: str = ""
    pages: int | None = None
    sheets: int | None = None
    documents: int | None = None
    mode_label: str = ""
    maintenance_label: str = ""
    confidence_label: str = ""
    format_label: str = ""
    original_status_label: str = ""
    autograph: str = ""
    paper_code: str = ""
    description: str = ""


def digest(record: PublicRecord) -> str:
    """SHA-256 of everything a harvester can see of the record.

    The dataclass ``repr`` lists every field in a fixed order (and is ten times faster than
    ``asdict`` + JSON over a sweep of 100,000 records). A new field changes every digest once, so
    every record is re-stamped once: right, since every record then shows something new.
    """
    return hashlib.sha256(repr(record).encode("utf-8")).hexdigest()


def _iso(value: date) -> str:
    return value.isoformat()


def _vn(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def iso_span(record: PublicRecord) -> str:
    """ISO 8601 date or interval of the record (``1995-01-05/1995-12-20``), empty when unknown."""
    start, end = record.start_date, record.end_date or record.start_date
    if start is None or end is None:
        return ""
    return _iso(start) if start == end else f"{_iso(start)}/{_iso(end)}"


def _vn_span(record: PublicRecord) -> str:
    start, end = record.start_date, record.end_date or record.start_date
    if start is None or end is None:
        return ""
    return _vn(start) if start == end else f"{_vn(start)} – {_vn(end)}"


def _dc(parent: etree._Element, name: str, text: object, *, vi: bool = False) -> None:
    value = xml_text(text).strip()
    if not value:
        return
    element = etree.SubElement(parent, f"{{{DC_NS}}}{name}")
    element.text = value
    if vi:
        element.set(f"{{{XML_NS}}}lang", "vi")


def oai_dc(record: PublicRecord) -> etree._Element:
    """The record in unqualified Dublin Core (``oai_dc:dc``)."""
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")
    _dc(root, "title", record.title, vi=True)
    if record.creator:
        _dc(root, "creator", record.creator, vi=True)
    if record.keyword:
        _dc(root, "subject", record.keyword, vi=True)
    if record.infor_sign:
        _dc(root, "subject", record.infor_sign)
    if record.description:
        _dc(root, "description", record.description, vi=True)
    _dc(root, "publisher", record.institution_name, vi=True)
    _dc(root, "date", iso_span(record))
    if record.kind == FILE:
        _dc(root, "type", "Hồ sơ", vi=True)
        _dc(root, "type", "Collection")  # DCMI Type Vocabulary
    else:
        if record.type_label:
            _dc(root, "type", record.type_label, vi=True)
        _dc(root, "type", "Text")
    if record.pages:
        _dc(root, "format", f"{record.pages} trang", vi=True)
    _dc(root, "identifier", record.code)
    if record.number_notation:
        _dc(root, "identifier", record.number_notation)
    _dc(root, "identifier", record.url)
    if record.paper_code:
        _dc(root, "source", record.paper_code)
    for language in record.languages:
        tags = LANGUAGES.get(language.code, ((), ()))[0]
        for tag in tags:
            _dc(root, "language", tag)
        if not tags:
            _dc(root, "language", language.label, vi=True)
    for parent in (record.file, record.fonds):
        if parent is not None:
            level = "Hồ sơ" if parent.level == "file" else "Phông"
            _dc(root, "relation", f"{level}: {parent.code} – {parent.title}", vi=True)
            if parent.url:
                _dc(root, "relation", parent.url)
    if record.mode_label:
        _dc(root, "rights", f"Chế độ sử dụng: {record.mode_label}", vi=True)
    return root


# -- EAD 2002 --------------------------------------------------------------------------------------


def _e(parent: etree._Element, name: str, text: object = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{EAD_NS}}}{name}")
    for key, value in attributes.items():
        if value:
            element.set(key, xml_text(value))
    if text is not None:
        element.text = xml_text(text)
    return element


def _p_block(parent: etree._Element, name: str, head: str, *paragraphs: str) -> None:
    kept = [p for p in paragraphs if p.strip()]
    if not kept:
        return
    block = _e(parent, name)
    _e(block, "head", head)
    for text in kept:
        _e(block, "p", text)


def _languages(parent: etree._Element, languages: tuple[Language, ...]) -> None:
    for language in languages:
        codes = LANGUAGES.get(language.code, ((), ()))[1]
        if not codes:
            _e(parent, "language", language.label)
        for langcode, script in codes:
            _e(parent, "language", language.label, langcode=langcode, scriptcode=script)


def _archref(parent: etree._Element, item: Parent) -> None:
    ref = _e(parent, "archref")
    if item.url:
        ref.set(f"{{{XLINK_NS}}}type", "simple")
        ref.set(f"{{{XLINK_NS}}}href", item.url)
    _e(ref, "unitid", item.code)
    _e(ref, "unittitle", item.title)


def ead(record: PublicRecord) -> etree._Element:
    """The record as an EAD 2002 instance (see the module docstring for the field mapping)."""
    root = etree.Element(f"{{{EAD_NS}}}ead", nsmap={None: EAD_NS, "xlink": XLINK_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{EAD_NS} {EAD_SCHEMA}")
    head = _e(
        root,
        "eadheader",
        langencoding="iso639-2b",
        scriptencoding="iso15924",
        dateencoding="iso8601",
        countryencoding="iso3166-1",
        repositoryencoding="iso15511",
    )
    _e(head, "eadid", record.code, countrycode="VN", identifier=record.identifier, url=record.url)
    filedesc = _e(head, "filedesc")
    _e(_e(filedesc, "titlestmt"), "titleproper", record.title)
    _e(_e(filedesc, "publicationstmt"), "publisher", record.institution_name)
    _e(_e(_e(head, "profiledesc"), "langusage"), "language", "Tiếng Việt", langcode="vie")

    archdesc = _e(root, "archdesc", level="file" if record.kind == FILE else "item")
    did = _e(archdesc, "did")
    _e(did, "unitid", record.code, countrycode="VN", type="docCode" if record.kind == DOCUMENT else "fileCode")
    if record.number_notation:
        _e(did, "unitid", record.number_notation, type="soKyHieu", label="Số, ký hiệu")
    if record.paper_code:
        _e(did, "unitid", record.paper_code, type="paperFileCode", label="Mã hồ sơ gốc giấy")
    _e(did, "unittitle", record.title)
    span = iso_span(record)
    if span:
        _e(did, "unitdate", _vn_span(record), normal=span, era="ce", calendar="gregorian")
    if record.creator:
        _e(_e(did, "origination", label="Cơ quan, tổ chức ban hành"), "corpname", record.creator)
    if record.languages:
        _languages(_e(did, "langmaterial"), record.languages)
    extents = [(record.pages, "trang"), (record.sheets, "tờ"), (record.documents, "tài liệu")]
    if any(value is not None for value, _unit in extents):
        physdesc = _e(did, "physdesc")
        for value, unit in extents:
            if value is not None:
                _e(physdesc, "extent", str(value), unit=unit)
    _e(_e(did, "repository"), "corpname", record.institution_name)

    if record.mode_label:
        _p_block(archdesc, "accessrestrict", "Chế độ sử dụng", record.mode_label)
    if record.maintenance_label:
        _p_block(archdesc, "appraisal", "Thời hạn lưu trữ", record.maintenance_label)
    terms = [
        ("genreform", record.type_label, ""),
        ("subject", record.keyword, ""),
        ("subject", record.infor_sign, "khung-phan-loai"),  # the information classification scheme
    ]
    if any(text for _name, text, _source in terms):
        control = _e(archdesc, "controlaccess")
        for name, text, source in terms:
            if text:
                _e(control, name, text, source=source)
    notes = [
        ("Mức độ tin cậy", record.confidence_label),
        ("Tình trạng vật lý", record.format_label),
        ("Độ gốc", record.original_status_label),
        ("Bút tích", record.autograph),
        ("Ghi chú", record.description),
    ]
    for head_text, text in notes:
        if text:
            _p_block(archdesc, "odd", head_text, text)
    related = [parent for parent in (record.file, record.fonds) if parent is not None]
    if related:
        block = _e(archdesc, "relatedmaterial")
        _e(block, "head", "Thuộc")
        for parent in related:
            _archref(block, parent)
    return root


def render(prefix: str, record: PublicRecord) -> etree._Element:
    return oai_dc(record) if prefix == "oai_dc" else ead(record)
