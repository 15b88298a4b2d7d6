"""OAI-PMH 2.0 without Django: request checking, the six error families, datestamps, set specs and
the response envelope.

Why a module of its own: the protocol's rules (which arguments each verb takes, exclusive
``resumptionToken``, granularity of ``from``/``until``, the ``request`` element that must carry no
attributes after ``badVerb``/``badArgument``) are easy to get subtly wrong, and here they are tested
without a database. The view only maps a checked :class:`OaiRequest` to records.

XML is built with lxml elements, never by pasting strings: any title may hold ``<``, ``&`` or a
control character from a legacy import, and :func:`xml_text` drops what XML 1.0 cannot carry.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from lxml import etree

from khoso.core.errors import ArchiveError

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
DAY = "YYYY-MM-DD"

VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # verb → (required arguments, optional arguments); resumptionToken is handled apart (exclusive)
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset()),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"})),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"})),
}
#: verbs whose lists may be cut into pages with a resumptionToken
RESUMABLE = frozenset({"ListSets", "ListIdentifiers", "ListRecords"})

_PREFIX = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+$")
_SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")
_SET_PART_SAFE = re.compile(r"[A-Za-z0-9\-_.!*'()]")  # '~' is the escape character
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# -- errors ----------------------------------------------------------------------------------------


class OaiError(ArchiveError):
    """An OAI-PMH error condition; ``oai_code`` is the protocol's code, the message names the rule."""

    oai_code = "badArgument"
    http_status = 200  # OAI-PMH errors travel in a 200 response


class BadVerb(OaiError):
    oai_code = "badVerb"
    code = "oai_bad_verb"
    message_vi = "Tham số verb thiếu, lặp lại hoặc không phải một trong: {verbs}."
    message_en = "The verb argument is missing, repeated or not one of: {verbs}."


class BadArgument(OaiError):
    oai_code = "badArgument"
    code = "oai_bad_argument"
    message_vi = "Tham số không hợp lệ: {reason_vi}"
    message_en = "Illegal arguments: {reason_en}"


class BadResumptionToken(OaiError):
    oai_code = "badResumptionToken"
    code = "oai_bad_resumption_token"
    message_vi = "resumptionToken không hợp lệ hoặc đã hết hạn (hiệu lực {hours} giờ); hãy thu thập lại từ đầu."
    message_en = "The resumptionToken is invalid or has expired (valid {hours} hours); start the harvest again."


class CannotDisseminateFormat(OaiError):
    oai_code = "cannotDisseminateFormat"
    code = "oai_cannot_disseminate_format"
    message_vi = "Không hỗ trợ định dạng siêu dữ liệu {prefix}; các định dạng có: {formats}."
    message_en = "Metadata format {prefix} is not supported; available: {formats}."


class IdDoesNotExist(OaiError):
    oai_code = "idDoesNotExist"
    code = "oai_id_does_not_exist"
    message_vi = "Không có bản ghi nào mang định danh này trong kho."
    message_en = "No record with this identifier exists in the repository."


class NoRecordsMatch(OaiError):
    oai_code = "noRecordsMatch"
    code = "oai_no_records_match"
    message_vi = "Không có bản ghi nào khớp với from, until và set đã cho."
    message_en = "No records match the given from, until and set."


class NoMetadataFormats(OaiError):
    oai_code = "noMetadataFormats"
    code = "oai_no_metadata_formats"
    message_vi = "Bản ghi này đã bị xóa hoặc không còn công khai: không còn định dạng siêu dữ liệu nào."
    message_en = "This record has been deleted or withdrawn: no metadata formats are available for it."


class NoSetHierarchy(OaiError):
    oai_code = "noSetHierarchy"
    code = "oai_no_set_hierarchy"
    message_vi = "Kho chưa có tập (phông) công khai nào để phân nhóm bản ghi."
    message_en = "The repository has no public sets (fonds) yet."


def bad_argument(reason_vi: str, reason_en: str) -> BadArgument:
    return BadArgument(reason_vi=reason_vi, reason_en=reason_en)


# -- text ------------------------------------------------------------------------------------------


def xml_text(value: object) -> str:
    """``value`` as NFC text that XML 1.0 can carry (control characters and lone surrogates dropped)."""
    return _NOT_XML.sub("", unicodedata.normalize("NFC", str(value)))


# -- datestamps ------------------------------------------------------------------------------------


def format_datestamp(moment: datetime) -> str:
    """UTC, second granularity, ``Z`` (the repository's granularity)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Bound:
    """A ``from`` or ``until`` argument: its text, its granularity and the instant it stands for."""

    text: str
    day: bool
    moment: datetime  # from: the first instant included; until: the first instant excluded

    @property
    def granularity(self) -> str:
        return DAY if self.day else GRANULARITY


def parse_bound(name: str, text: str) -> Bound:
    """Check a ``from``/``until`` value; ``until`` includes its whole day or second."""
    day = bool(_DAY.match(text))
    if not day and not _SECOND.match(text):
        raise bad_argument(
            f"{name}={text!r} phải có dạng YYYY-MM-DD hoặc YYYY-MM-DDThh:mm:ssZ (giờ UTC).",
            f"{name}={text!r} must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (UTC).",
        )
    try:
        if day:
            start = datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
        else:
            start = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise bad_argument(
            f"{name}={text!r} không phải ngày giờ có thật.", f"{name}={text!r} is not a real date."
        ) from None
    if name == "until":
        start += timedelta(days=1) if day else timedelta(seconds=1)
    return Bound(text, day, start)


# -- set specs -------------------------------------------------------------------------------------


def set_part(text: str) -> str:
    """One level of a setSpec: characters outside OAI's set alphabet become ``~XX`` (UTF-8 bytes)."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        if _SET_PART_SAFE.match(char):
            out.append(char)
        else:
            out.extend(f"~{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out) or "~"


def fonds_set_spec(institution_code: str, fonds_code: str) -> str:
    """``phong:{institution code}:{fonds code}``; parents ``phong`` and ``phong:{institution}`` are sets too."""
    return f"phong:{set_part(institution_code)}:{set_part(fonds_code)}"


# -- requests --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OaiRequest:
    verb: str
    arguments: Mapping[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        return self.arguments.get(name)


def parse_request(params: Mapping[str, Sequence[str]]) -> OaiRequest:
    """Check the arguments of one request (``params``: name → every value given) against the protocol.

    Raises :class:`BadVerb` or :class:`BadArgument`. Whether a well-formed ``metadataPrefix`` is one
    the repository has is :func:`check_format`'s question, asked after, so that the error can echo
    the request's arguments.
    """
    verbs = params.get("verb") or []
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise BadVerb(verbs=", ".join(VERBS))
    verb = verbs[0]
    required, optional = VERBS[verb]
    names = set(params) - {"verb"}
    repeated = sorted(name for name in names if len(params[name]) != 1)
    if repeated:
        raise bad_argument(f"tham số {', '.join(repeated)} bị lặp lại.", f"{', '.join(repeated)} repeated.")
    arguments = {name: params[name][0] for name in names}
    if "resumptionToken" in arguments:
        if verb not in RESUMABLE:
            raise bad_argument(f"{verb} không nhận resumptionToken.", f"{verb} takes no resumptionToken.")
        if len(arguments) > 1:
            others = ", ".join(sorted(set(arguments) - {"resumptionToken"}))
            raise bad_argument(
                f"resumptionToken phải đứng một mình, không kèm {others}.",
                f"resumptionToken is exclusive; remove {others}.",
            )
        return OaiRequest(verb, arguments)
    illegal = sorted(names - required - optional)
    if illegal:
        raise bad_argument(
            f"{verb} không nhận tham số {', '.join(illegal)}.", f"{verb} does not take {', '.join(illegal)}."
        )
    missing = sorted(required - names)
    if missing:
        raise bad_argument(f"{verb} cần tham số {', '.join(missing)}.", f"{verb} requires {', '.join(missing)}.")
    for name, value in arguments.items():
        if not value.strip():
            raise bad_argument(f"tham số {name} rỗng.", f"{name} is empty.")
    prefix = arguments.get("metadataPrefix")
    if prefix is not None and not _PREFIX.match(prefix):
        raise bad_argument(f"metadataPrefix={prefix!r} sai cú pháp.", f"metadataPrefix={prefix!r} is malformed.")
    identifier = arguments.get("identifier")
    if identifier is not None and _BAD_ESCAPE.search(identifier):
        raise bad_argument(
            f"identifier={identifier!r} không phải URI (dấu % phải đi cùng hai chữ số hệ 16).",
            f"identifier={identifier!r} is not a URI (a % must be followed by two hex digits).",
        )
    set_spec = arguments.get("set")
    if set_spec is not None and not _SET_SPEC.match(set_spec):
        raise bad_argument(f"set={set_spec!r} sai cú pháp setSpec.", f"set={set_spec!r} is not a setSpec.")
    check_bounds(arguments.get("from"), arguments.get("until"))
    return OaiRequest(verb, arguments)


def check_format(prefix: str, formats: Sequence[str]) -> None:
    if prefix not in formats:
        raise CannotDisseminateFormat(prefix=prefix, formats=", ".join(formats))


def check_bounds(from_text: str | None, until_text: str | None) -> tuple[Bound | None, Bound | None]:
    """Parse ``from`` and ``until``: same granularity, and ``from`` not after ``until``."""
    lower = parse_bound("from", from_text) if from_text is not None else None
    upper = parse_bound("until", until_text) if until_text is not None else None
    if lower and upper:
        if lower.day != upper.day:
            raise bad_argument(
                "from và until phải cùng độ chi tiết (cùng là ngày, hoặc cùng là ngày giờ).",
                "from and until must have the same granularity.",
            )
        if lower.moment >= upper.moment:
            raise bad_argument("from phải không muộn hơn until.", "from must not be later than until.")
    return lower, upper


# -- responses -------------------------------------------------------------------------------------


def q(name: str, namespace: str = OAI_NS) -> str:
    return f"{{{namespace}}}{name}"


def sub(parent: etree._Element, name: str, text: object = None, namespace: str = OAI_NS) -> etree._Element:
    element = etree.SubElement(parent, q(name, namespace))
    if text is not None:
        element.text = xml_text(text)
    return element


def envelope(base_url: str, now: datetime, request: OaiRequest | None) -> etree._Element:
    """``OAI-PMH`` with ``responseDate`` and ``request``; ``request=None`` leaves out every attribute
    (the rule after badVerb and badArgument)."""
    root = etree.Element(q("OAI-PMH"), nsmap={None: OAI_NS, "xsi": XSI_NS})
    root.set(q("schemaLocation", XSI_NS), f"{OAI_NS} {OAI_SCHEMA}")
    sub(root, "responseDate", format_datestamp(now))
    element = sub(root, "request", base_url)
    if request is not None:
        element.set("verb", request.verb)
        for name in sorted(request.arguments):
            element.set(name, xml_text(request.arguments[name]))
    return root


def error_document(base_url: str, now: datetime, error: OaiError, request: OaiRequest | None) -> etree._Element:
    echo = None if isinstance(error, (BadVerb, BadArgument)) else request
    root = envelope(base_url, now, echo)
    element = sub(root, "error", f"{error.message} / {error.message_english}")
    element.set("code", error.oai_code)
    return root


def header(
    parent: etree._Element, identifier: str, datestamp: datetime, set_specs: Sequence[str], *, deleted: bool
) -> etree._Element:
    element = sub(parent, "header")
    if deleted:
        element.set("status", "deleted")
    sub(element, "identifier", identifier)
    sub(element, "datestamp", format_datestamp(datestamp))
    for spec in set_specs:
        sub(element, "setSpec", spec)
    return element


def resumption_token(
    parent: etree._Element, token: str, *, cursor: int, complete: int, expires: datetime | None
) -> etree._Element:
    """The token element; an empty ``token`` closes the list (its last page)."""
    element = sub(parent, "resumptionToken", token)
    if expires is not None and token:
        element.set("expirationDate", format_datestamp(expires))
    if complete > 0:
        element.set("completeListSize", str(complete))
    element.set("cursor", str(cursor))
    return element


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
