"""Reads of the OAI-PMH endpoint: what is public, as :class:`~khoso.oai.metadata.PublicRecord`.

Every harvester is anonymous, whoever is signed in: the endpoint always reads through
``portal_scope(None)`` (public 01 material, not on the restricted-use list, not deleted), the
same rule as the portal's sitemap. Identifiers are built from ``KHOSO_PUBLIC_URL``'s host, so they
stay the same across the web servers of one installation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse

from khoso.access.selectors import PortalScope, portal_documents, portal_files, portal_scope
from khoso.archive.models import Fonds, Vocabulary
from khoso.oai.metadata import DOCUMENT, FILE, Language, Parent, PublicRecord
from khoso.oai.models import OaiRecord
from khoso.oai.protocol import fonds_set_spec, set_part
from khoso.portal.links import portal_url

type Labels = dict[tuple[str, str], str]

_LOCAL_SAFE = "-_.!~*'();/?:@&=+$,"  # the oai-identifier scheme's local-identifier alphabet (besides %)


def anonymous_scope() -> PortalScope:
    return portal_scope(None)


def public_base() -> str:
    """``KHOSO_PUBLIC_URL`` with its host in IDNA form (ASCII, as harvesters expect)."""
    parts = urlsplit(settings.KHOSO_PUBLIC_URL)
    host = parts.hostname or "localhost"
    ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    netloc = f"{ascii_host}:{parts.port}" if parts.port else ascii_host
    return urlunsplit((parts.scheme or "http", netloc, parts.path.rstrip("/"), "", ""))


def namespace() -> str:
    """The namespace part of our OAI identifiers: the public host name."""
    return urlsplit(public_base()).hostname or "localhost"


def base_url() -> str:
    return public_base() + reverse("oai")


def identifier(kind: str, code: str) -> str:
    """``oai:{host}:ho-so/{file code}`` or ``oai:{host}:tai-lieu/{doc code}`` (codes never change).

    The local part is the code percent-encoded where the oai-identifier alphabet needs it."""
    return f"oai:{namespace()}:{kind}/{quote(code, safe=_LOCAL_SAFE)}"


def labels() -> Labels:
    return {(kind, code): label for kind, code, label in Vocabulary.objects.values_list("kind", "code", "label_vi")}


_SENTINEL = 987654321


@dataclass(frozen=True)
class FondsInfo:
    set_spec: str
    institution_name: str
    parent: Parent


@dataclass(frozen=True)
class Context:
    """What building many records needs once: labels, fonds, URL patterns (one sweep or request)."""

    labels: Labels
    fonds: dict[int, FondsInfo]
    namespace: str
    urls: dict[str, tuple[str, str]]  # route → (text before the id, text after it)

    def url(self, route: str, pk: int) -> str:
        before, after = self.urls[route]
        return f"{before}{pk}{after}"

    def identifier(self, kind: str, code: str) -> str:
        return f"oai:{self.namespace}:{kind}/{quote(code, safe=_LOCAL_SAFE)}"


def portal_addresses() -> dict[str, tuple[str, str]]:
    """route → (the public address before the object's id, after it), for the portal pages records link to."""
    base = public_base()
    urls: dict[str, tuple[str, str]] = {}
    for route in ("portal_file", "portal_document", "portal_fonds"):
        before, _, after = (base + portal_url(route, _SENTINEL)).partition(str(_SENTINEL))
        urls[route] = (before, after)
    return urls


def context() -> Context:
    urls = portal_addresses()
    fonds: dict[int, FondsInfo] = {}
    rows = Fonds.objects.values_list("pk", "code", "name", "institution__code", "institution__name")
    for pk, code, name, institution_code, institution_name in rows:
        url = urls["portal_fonds"][0] + str(pk) + urls["portal_fonds"][1]
        fonds[pk] = FondsInfo(
            fonds_set_spec(institution_code, code), institution_name, Parent(code, name, url, "fonds")
        )
    return Context(labels(), fonds, namespace(), urls)


def _label(labels: Labels, kind: str, code: str) -> str:
    """The Vietnamese label of a coded value ("01,02" → "Tiếng Việt, Tiếng Anh"), memoised in ``labels``."""
    if not code:
        return ""
    key = ("=" + kind, code)  # no vocabulary kind starts with "="
    label = labels.get(key)
    if label is None:
        label = labels[key] = ", ".join(
            labels.get((kind, part.strip()), part.strip()) for part in code.split(",") if part.strip()
        )
    return label


def _languages(labels: Labels, value: str) -> tuple[Language, ...]:
    codes = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    return tuple(Language(code, labels.get(("language", code), code)) for code in codes)


#: the columns a file's public description is made of (``portal/views.py`` ``_file_rows``)
FILE_FIELDS = (
    "pk",
    "fonds_id",
    "file_code",
    "title",
    "start_date",
    "end_date",
    "language",
    "keyword",
    "infor_sign",
    "number_of_page",
    "number_of_paper",
    "total_doc",
    "mode",
    "maintenance",
    "confidence_level",
    "format",
    "paper_file_code",
    "description",
)
#: the columns of a document's public description (``portal/views.py`` ``_document_rows``)
DOCUMENT_FIELDS = (
    "pk",
    "file_id",
    "file__fonds_id",
    "file__file_code",
    "file__title",
    "doc_code",
    "subject",
    "issued_date",
    "language",
    "code_number",
    "code_notation",
    "type_name",
    "organ_name",
    "keyword",
    "infor_sign",
    "number_of_page",
    "mode",
    "maintenance",
    "confidence_level",
    "format",
    "original_status",
    "autograph",
    "description",
)


def file_record(row: dict[str, Any], ctx: Context) -> PublicRecord:
    """The public description of a file, from a ``values(*FILE_FIELDS)`` row."""
    fonds = ctx.fonds[row["fonds_id"]]
    labels = ctx.labels
    return PublicRecord(
        kind=FILE,
        identifier=ctx.identifier(FILE, row["file_code"]),
        set_spec=fonds.set_spec,
        code=row["file_code"],
        title=row["title"],
        url=ctx.url("portal_file", row["pk"]),
        start_date=row["start_date"],
        end_date=row["end_date"],
        languages=_languages(labels, row["language"]),
        institution_name=fonds.institution_name,
        fonds=fonds.parent,
        keyword=row["keyword"],
        infor_sign=row["infor_sign"],
        pages=row["number_of_page"],
        sheets=row["number_of_paper"],
        documents=row["total_doc"],
        mode_label=_label(labels, "mode", row["mode"]),
        maintenance_label=_label(labels, "maintenance", row["maintenance"]),
        confidence_label=_label(labels, "confidenceLevel", row["confidence_level"]),
        format_label=_label(labels, "format", row["format"]),
        paper_code=row["paper_file_code"],
        description=row["description"],
    )


def document_record(row: dict[str, Any], ctx: Context) -> PublicRecord:
    """The public description of a document, from a ``values(*DOCUMENT_FIELDS)`` row."""
    fonds = ctx.fonds[row["file__fonds_id"]]
    labels = ctx.labels
    number = "/".join(part for part in (row["code_number"], row["code_notation"]) if part)
    return PublicRecord(
        kind=DOCUMENT,
        identifier=ctx.identifier(DOCUMENT, row["doc_code"]),
        set_spec=fonds.set_spec,
        code=row["doc_code"],
        title=row["subject"],
        url=ctx.url("portal_document", row["pk"]),
        start_date=row["issued_date"],
        end_date=row["issued_date"],
        languages=_languages(labels, row["language"]),
        institution_name=fonds.institution_name,
        fonds=fonds.parent,
        file=Parent(row["file__file_code"], row["file__title"], ctx.url("portal_file", row["file_id"]), "file"),
        number_notation=number,
        type_code=row["type_name"],
        type_label=_label(labels, "typeName", row["type_name"]),
        creator=row["organ_name"],
        keyword=row["keyword"],
        infor_sign=row["infor_sign"],
        pages=row["number_of_page"],
        mode_label=_label(labels, "mode", row["mode"]),
        maintenance_label=_label(labels, "maintenance", row["maintenance"]),
        confidence_label=_label(labels, "confidenceLevel", row["confidence_level"]),
        format_label=_label(labels, "format", row["format"]),
        original_status_label=_label(labels, "originalStatus", row["original_status"]),
        autograph=row["autograph"],
        description=row["description"],
    )


def public_rows(kind: str, scope: PortalScope) -> QuerySet[Any]:
    """The public files or documents as ``values`` rows for :func:`file_record`/:func:`document_record`."""
    if kind == FILE:
        return portal_files(scope).values(*FILE_FIELDS)
    return portal_documents(scope).values(*DOCUMENT_FIELDS)


def build(kind: str, row: dict[str, Any], ctx: Context) -> PublicRecord:
    return file_record(row, ctx) if kind == FILE else document_record(row, ctx)


def public_records(kind: str, ids: Iterable[int], scope: PortalScope, ctx: Context) -> dict[int, PublicRecord]:
    """object id → public record, for those of ``ids`` that are public now (the others are absent)."""
    wanted = list(ids)
    if not wanted:
        return {}
    return {row["pk"]: build(kind, row, ctx) for row in public_rows(kind, scope).filter(pk__in=wanted)}


# -- sets ------------------------------------------------------------------------------------------


def public_sets(scope: PortalScope) -> list[tuple[str, str]]:
    """(setSpec, setName) of every set that holds public records now: ``phong``, each institution
    and each fonds with at least one public file and not restricted as a whole."""
    fonds = (
        Fonds.objects.filter(pk__in=portal_files(scope).values("fonds_id"))
        .exclude(pk__in=scope.restricted.fonds_ids)
        .select_related("institution")
        .order_by("institution__code", "code")
    )
    sets: list[tuple[str, str]] = []
    institutions_seen: set[int] = set()
    for item in fonds:
        if not sets:
            sets.append(("phong", "Phông lưu trữ"))
        if item.institution_id not in institutions_seen:
            institutions_seen.add(item.institution_id)
            sets.append((f"phong:{set_part(item.institution.code)}", item.institution.name))
        sets.append((fonds_set_spec(item.institution.code, item.code), item.name))
    return sets


def in_set(set_spec: str) -> Q:
    """Rows of :class:`OaiRecord` in ``set_spec`` or any set below it."""
    return Q(set_spec=set_spec) | Q(set_spec__startswith=set_spec + ":")


def published(identifier_text: str) -> OaiRecord | None:
    return OaiRecord.objects.filter(identifier=identifier_text).first()
