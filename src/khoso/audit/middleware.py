"""The audit trail's request middleware: one entry per state-changing request, one per non-public read.

For POST (and the other unsafe methods) the request body is parsed first, then the view runs in one
transaction with a hook that notes every table it writes to. When the view wrote archival state (or
a service said what it did through ``audit.services.record``), the request's one entry is appended
inside that same transaction: it commits with the change or not at all. A server error rolls the
transaction back (as ``ATOMIC_REQUESTS`` would). Refusals (403, 404) and forms sent back with errors
write nothing, so they leave no entry; should one write anyway (a 400 that keeps a half-made
enrolment), what it wrote is recorded, since the entry follows the change, not the status.

For GET of a content route (``registry.READS``) whose material is not public, one "read" entry is
appended before the response is sent; if it cannot be written the content is not served.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse

from khoso.audit import context as audit_context
from khoso.audit import registry, selectors, services
from khoso.audit.models import AuditEntry
from khoso.core.address import client_address

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_REQUEST_ID = re.compile(r"^[\w.:-]{1,64}$")


def request_id(request: HttpRequest) -> str:
    given = str(request.META.get("HTTP_X_REQUEST_ID") or "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def _route_of(request: HttpRequest) -> str:
    from django.urls import Resolver404, resolve

    try:
        return resolve(request.path_info).url_name or ""
    except Resolver404:
        return ""


class AuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = audit_context.AuditContext(request_id=request_id(request), ip=client_address(request))
        token = audit_context.bind(context)
        try:
            if request.method in SAFE_METHODS:
                response = self.get_response(request)
                self._record_read(request, context, response)
                return response
            context.unsafe = True
            if request.method == "POST":
                request.POST  # noqa: B018  (parse uploads before the transaction; errors answer 400 as before)
            if _route_of(request) in registry.OUTSIDE_TRANSACTION:
                with connection.execute_wrapper(context.observe):
                    response = self.get_response(request)
                if response.status_code < 500:
                    with transaction.atomic():
                        self._record_change(request, context, response)
                return response
            with transaction.atomic():
                with connection.execute_wrapper(context.observe):
                    response = self.get_response(request)
                if response.status_code >= 500:
                    transaction.set_rollback(True)
                else:
                    self._record_change(request, context, response)
            return response
        finally:
            context.closed = True
            audit_context.unbind(token)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: tuple[Any, ...], view_kwargs: dict[str, Any]
    ) -> None:
        context = audit_context.current()
        if context is None:
            return
        match = request.resolver_match
        context.route = (match.url_name if match else "") or ""
        context.kwargs = dict(view_kwargs)
        user = getattr(request, "user", None)
        context.user = user if user is not None and user.is_authenticated else None
        if context.unsafe:
            target = registry.CHANGES.get(context.route)
            if target is not None and not target.creates:
                obj = target.find(context.kwargs)
                if obj is not None:
                    context.obj = obj
                    context.digest_before = services.digest_of(obj)

    # -- writing the entries -------------------------------------------------------------------

    @staticmethod
    def _actor(request: HttpRequest, context: audit_context.AuditContext) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return context.user  # logged out during the request: the user who did it

    @staticmethod
    def _refused_by_message(request: HttpRequest) -> bool:
        """Whether the view said no with an error message (``run_service`` and friends)."""
        from django.contrib.messages import constants

        queued = getattr(getattr(request, "_messages", None), "_queued_messages", [])
        return any(message.level >= constants.ERROR for message in queued)

    def _record_change(self, request: HttpRequest, context: audit_context.AuditContext, response: HttpResponse) -> None:
        target = registry.CHANGES.get(context.route)
        accepted = bool(
            target and target.always and response.status_code < 400 and not self._refused_by_message(request)
        )
        if not (context.changed_state or accepted):  # a refusal or a form sent back changed nothing
            context.closed = True
            return
        obj = context.obj
        if obj is None and target is not None and target.creates:
            obj = next((row for row in context.created if row._meta.label == target.model), None)
        if obj is None and context.created and target is None:
            obj = context.created[0]
        if target is None:
            context.detail.setdefault("chua_dang_ky", True)  # a route the registry does not know yet
        action = context.action or context.route or f"{request.method} {request.path}"
        context.closed = True  # records made from here on (on-commit tasks) are entries of their own
        services.record_request(
            context, actor=self._actor(request, context), action=action, obj=obj, kind=AuditEntry.Kind.CHANGE
        )

    def _record_read(self, request: HttpRequest, context: audit_context.AuditContext, response: HttpResponse) -> None:
        context.closed = True
        if request.method not in {"GET", "HEAD"} or response.status_code not in {200, 206}:
            return
        target = registry.READS.get(context.route)
        if target is None:
            return
        obj = target.find(context.kwargs)
        if obj is None or registry.is_public(obj):
            return
        actor = self._actor(request, context)
        more_of_a_reading = response.status_code == 206 and selectors.reading_already_recorded(
            actor=actor, route=context.route, obj=obj
        )
        if more_of_a_reading:
            return
        if "number" in context.kwargs:
            context.detail["trang"] = context.kwargs["number"]
        services.record_request(context, actor=actor, action=context.route, obj=obj, kind=AuditEntry.Kind.READ)
