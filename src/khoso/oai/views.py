"""The OAI-PMH 2.0 endpoint: one URL, the verb and its arguments in the query (GET) or the form (POST).

Public metadata only, the same for everybody: the view never looks at ``request.user`` and reads
through ``portal_scope(None)``. What it lists comes from :class:`~khoso.oai.models.OaiRecord`
(what was published, with tombstones for what was withdrawn); before a live record is written out
its object is checked against the public rule again, so a record withdrawn since the last sweep is
sent as ``status="deleted"``, never with its metadata. Never-public and missing identifiers get the
same ``idDoesNotExist`` after the same single lookup.

Flow control: when the site's rate limiter (``khoso.accounts.ratelimit``) is installed, a client
over ``KHOSO_RATE_LIMIT`` gets HTTP 503 with ``Retry-After``, the answer OAI-PMH harvesters expect.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Min, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from lxml import etree

from khoso.access.selectors import PortalScope
from khoso.oai import protocol, selectors, services, tokens
from khoso.oai.metadata import FORMATS, PublicRecord, render
from khoso.oai.models import OaiRecord
from khoso.oai.protocol import OaiError, OaiRequest, sub

#: records per page (ListRecords carries metadata, ListIdentifiers only headers)
PAGE_SIZE = {"ListRecords": 100, "ListIdentifiers": 500}
_EMAIL = r"\S+@(\S+\.)+\S+"


def _xml(root: etree._Element) -> HttpResponse:
    response = HttpResponse(protocol.serialise(root), content_type="text/xml; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


def _throttled(request: HttpRequest) -> HttpResponse | None:
    try:
        from khoso.accounts.ratelimit import exceeded
    except ImportError:  # the limiter is another app's; without it the endpoint is unlimited
        return None
    error = exceeded(request, "oai")
    if error is None:
        return None
    response = HttpResponse(
        f"{error.message}\n{error.message_english}\n", status=503, content_type="text/plain; charset=utf-8"
    )
    response["Retry-After"] = str(error.params["retry"])
    return response


@csrf_exempt  # a read-only protocol endpoint that harvesters POST forms to; it uses no session
@login_not_required
@require_http_methods(["GET", "POST", "HEAD"])
def oai_endpoint(request: HttpRequest) -> HttpResponse:
    throttled = _throttled(request)
    if throttled is not None:
        return throttled
    source = request.POST if request.method == "POST" else request.GET
    params = {name: source.getlist(name) for name in source}
    now = timezone.now()
    base = selectors.base_url()
    oai_request: OaiRequest | None = None
    try:
        oai_request = protocol.parse_request(params)
        if prefix := oai_request.get("metadataPrefix"):
            protocol.check_format(prefix, list(FORMATS))
        handler = HANDLERS[oai_request.verb]
        root = protocol.envelope(base, now, oai_request)
        handler(root, oai_request, selectors.anonymous_scope())
    except OaiError as error:
        root = protocol.error_document(base, now, error, oai_request)
    return _xml(root)


# -- verbs -----------------------------------------------------------------------------------------


def _admin_emails() -> list[str]:
    candidates = [email for _name, email in _admins()] + [settings.DEFAULT_FROM_EMAIL]
    valid = [email for email in candidates if re.fullmatch(_EMAIL, email)]
    return valid or candidates[:1]


def _admins() -> list[tuple[str, str]]:
    admins: list[tuple[str, str]] = []
    for entry in settings.ADMINS:
        if isinstance(entry, str):
            admins.append(("", entry))
        else:
            admins.append((entry[0], entry[1]))
    return admins


def identify(root: etree._Element, _request: OaiRequest, _scope: PortalScope) -> None:
    element = sub(root, "Identify")
    sub(element, "repositoryName", settings.KHOSO_ARCHIVE_NAME)
    sub(element, "baseURL", selectors.base_url())
    sub(element, "protocolVersion", "2.0")
    for email in _admin_emails():
        sub(element, "adminEmail", email)
    earliest = OaiRecord.objects.aggregate(first=Min("datestamp"))["first"] or timezone.now()
    sub(element, "earliestDatestamp", protocol.format_datestamp(earliest))
    sub(element, "deletedRecord", "persistent")
    sub(element, "granularity", protocol.GRANULARITY)


def list_metadata_formats(root: etree._Element, request: OaiRequest, scope: PortalScope) -> None:
    identifier = request.get("identifier")
    if identifier is not None:
        row, _record = _find(identifier, scope)
        if row is None:
            raise protocol.IdDoesNotExist()
        if row.deleted:
            raise protocol.NoMetadataFormats()
    element = sub(root, "ListMetadataFormats")
    for prefix, (schema, namespace) in FORMATS.items():
        entry = sub(element, "metadataFormat")
        sub(entry, "metadataPrefix", prefix)
        sub(entry, "schema", schema)
        sub(entry, "metadataNamespace", namespace)


def list_sets(root: etree._Element, request: OaiRequest, scope: PortalScope) -> None:
    if request.get("resumptionToken") is not None:
        raise tokens.invalid()  # none is ever issued for ListSets: every set fits in one answer
    sets = selectors.public_sets(scope)
    if not sets:
        raise protocol.NoSetHierarchy()
    element = sub(root, "ListSets")
    for spec, name in sets:
        entry = sub(element, "set")
        sub(entry, "setSpec", spec)
        sub(entry, "setName", name)


def get_record(root: etree._Element, request: OaiRequest, scope: PortalScope) -> None:
    row, record = _find(request.get("identifier") or "", scope)
    if row is None:
        raise protocol.IdDoesNotExist()
    element = sub(root, "GetRecord")
    _record(element, row, record, request.get("metadataPrefix") or "")


def list_identifiers(root: etree._Element, request: OaiRequest, scope: PortalScope) -> None:
    _list(root, request, scope, with_metadata=False)


def list_records(root: etree._Element, request: OaiRequest, scope: PortalScope) -> None:
    _list(root, request, scope, with_metadata=True)


HANDLERS: dict[str, Callable[[etree._Element, OaiRequest, PortalScope], None]] = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}


# -- records ---------------------------------------------------------------------------------------


def _record(parent: etree._Element, row: OaiRecord, record: PublicRecord | None, prefix: str) -> None:
    element = sub(parent, "record")
    _header(element, row)
    if record is not None and not row.deleted:
        sub(element, "metadata").append(render(prefix, record))


def _header(parent: etree._Element, row: OaiRecord) -> None:
    protocol.header(parent, row.identifier, row.datestamp, [row.set_spec], deleted=row.deleted)


def _live(rows: list[OaiRecord], scope: PortalScope) -> dict[int, PublicRecord]:
    """row id → public record for the rows still public now; rows found withdrawn are re-stamped
    as tombstones on the spot (and updated in ``rows``)."""
    if all(row.deleted for row in rows):
        return {}
    ctx = selectors.context()
    live: dict[int, PublicRecord] = {}
    stale: dict[str, list[int]] = {}
    for kind in (OaiRecord.Kind.FILE, OaiRecord.Kind.DOCUMENT):
        wanted = [row for row in rows if row.kind == kind and not row.deleted]
        records = selectors.public_records(kind, [row.object_id for row in wanted], scope, ctx)
        for row in wanted:
            record = records.get(row.object_id)
            if record is not None and record.identifier == row.identifier:
                live[row.pk] = record
            else:
                stale.setdefault(kind, []).append(row.object_id)
    if stale:
        services.sync(files=stale.get(OaiRecord.Kind.FILE, []), documents=stale.get(OaiRecord.Kind.DOCUMENT, []))
        fresh = {row.pk: row for row in OaiRecord.objects.filter(pk__in=[r.pk for r in rows if r.pk not in live])}
        for row in rows:
            if row.pk in fresh:
                row.deleted, row.datestamp = fresh[row.pk].deleted, fresh[row.pk].datestamp
    return live


def _find(identifier: str, scope: PortalScope) -> tuple[OaiRecord | None, PublicRecord | None]:
    """The published row of ``identifier`` and its live record (``None`` when withdrawn).

    ``(None, None)`` for an identifier never published, whether its object is missing or was never
    public: the same single lookup for both, so neither the answer nor its timing tells them apart.
    """
    row = selectors.published(identifier)
    if row is None:
        return None, None
    live = _live([row], scope)
    return row, live.get(row.pk)


def _list(root: etree._Element, request: OaiRequest, scope: PortalScope, *, with_metadata: bool) -> None:
    token = request.get("resumptionToken")
    if token is not None:
        position = tokens.read(token, request.verb)
        protocol.check_format(position.prefix, list(FORMATS))
    else:
        position = tokens.Position(
            verb=request.verb,
            prefix=request.get("metadataPrefix") or "",
            set_spec=request.get("set") or "",
            from_text=request.get("from") or "",
            until_text=request.get("until") or "",
        )
    lower, upper = protocol.check_bounds(position.from_text or None, position.until_text or None)
    rows = OaiRecord.objects.all()
    if position.set_spec:
        if not OaiRecord.objects.exists() and not selectors.public_sets(scope):
            raise protocol.NoSetHierarchy()
        rows = rows.filter(selectors.in_set(position.set_spec))
    if lower is not None:
        rows = rows.filter(datestamp__gte=lower.moment)
    if upper is not None:
        rows = rows.filter(datestamp__lt=upper.moment)
    complete = position.complete or rows.count()
    if position.after_datestamp:
        after = datetime.fromisoformat(position.after_datestamp)
        rows = rows.filter(Q(datestamp__gt=after) | Q(datestamp=after, pk__gt=position.after_id))
    size = PAGE_SIZE[request.verb]
    page = list(rows.order_by("datestamp", "pk")[: size + 1])
    if not page:
        raise protocol.NoRecordsMatch()
    more = len(page) > size
    page = page[:size]
    last = page[-1]  # the keyset position, before any re-stamping below
    live = _live(page, scope)
    element = sub(root, request.verb)
    for row in page:
        if with_metadata:
            _record(element, row, live.get(row.pk), position.prefix)
        else:
            _header(element, row)
    if more:
        following = replace(position.after(last.datestamp, last.pk, len(page)), complete=complete)
        text, expires = tokens.issue(following)
        protocol.resumption_token(element, text, cursor=position.cursor, complete=complete, expires=expires)
    elif position.cursor:
        protocol.resumption_token(element, "", cursor=position.cursor, complete=complete, expires=None)
