"""What every API view shares: exempt from the login redirect (DRF answers 401 itself), one 404 for
hidden and missing objects, ``ArchiveError`` turned into its status with Vietnamese-first JSON, and a
Vietnamese 429 with ``Retry-After`` from ``accounts.ratelimit.Throttle``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.views.decorators.http import require_http_methods
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from khoso.core.errors import ArchiveError, NotFoundError, PermissionDeniedError

NOT_FOUND = "Không tìm thấy (không có hoặc bạn không có quyền xem). / Not found."


class NotFound(exceptions.NotFound):
    default_detail = NOT_FOUND


class ApiViewMixin:
    """Mixed into every API view and viewset (before DRF's class)."""

    @classmethod
    def as_view(cls, *args: Any, **kwargs: Any) -> Any:
        view = super().as_view(*args, **kwargs)  # type: ignore[misc]
        actions = getattr(view, "actions", None)
        if actions:  # a viewset route: say which methods it takes, as function views do (the audit map reads it)
            methods = {method.upper() for method in actions} | {"OPTIONS"}
            if "GET" in methods:
                methods.add("HEAD")
            view = require_http_methods(sorted(methods))(view)
        return login_not_required(view)

    def throttled(self, request: Request, wait: float | None) -> None:
        seconds = int(wait or 1)
        raise exceptions.Throttled(
            wait=wait,
            detail=f"Quá nhiều yêu cầu: hãy thử lại sau {seconds} giây. / Too many requests: retry in {seconds} s.",
        )

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, Http404 | NotFoundError):
            exc = NotFound()
        elif isinstance(exc, PermissionDeniedError):
            exc = exceptions.PermissionDenied(exc.message + " / " + exc.message_english)
        elif isinstance(exc, ArchiveError):
            return Response(exc.as_dict(), status=exc.http_status or status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)  # type: ignore[misc]
