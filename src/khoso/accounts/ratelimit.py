"""Request rate limits kept in Django's cache: a fixed window per client and scope.

``KHOSO_RATE_LIMIT`` ("120/minute") caps the portal search and suggestions today and the REST
API of issue 7 tomorrow (:class:`Throttle` has DRF's throttle shape, ``allow_request`` and
``wait``, so it can be listed in ``DEFAULT_THROTTLE_CLASSES`` as it is). A client is its user
id when signed in (an API token identifies a user), else its address. Over the limit the answer
is 429 with ``Retry-After`` and a Vietnamese message naming the limit.

Why a fixed window: one counter per client and window, one cache round trip per request; the
burst at a window edge (at most twice the limit) does not matter for these endpoints. With the
default database cache, increments from concurrent requests can be lost (Django's ``incr`` is
get + set there), so the limit is approximate; with ``KHOSO_CACHE_URL`` (Redis) it is exact.

The client address is :func:`khoso.core.address.client_address`: ``REMOTE_ADDR``, or behind a
proxy listed in ``KHOSO_TRUSTED_PROXIES`` the address that proxy saw.
"""

from __future__ import annotations

import functools
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from khoso.core.address import client_address
from khoso.core.errors import ArchiveError

_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "day": 86400}
_PERIOD_VI = {1: "giây", 60: "phút", 3600: "giờ", 86400: "ngày"}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*([a-z]+)\s*$")


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @property
    def period_vi(self) -> str:
        return _PERIOD_VI.get(self.seconds, f"{self.seconds} giây")


def parse_rate(text: str) -> Rate:
    """``"120/minute"`` → ``Rate(120, 60)``; units second, minute, hour, day (or s, m, h)."""
    match = _RATE.match(text.lower())
    if not match or match.group(2) not in _PERIODS or int(match.group(1)) < 1:
        raise ValueError(f"KHOSO_RATE_LIMIT phải có dạng số/second|minute|hour|day, không phải {text!r}")
    return Rate(int(match.group(1)), _PERIODS[match.group(2)])


class RateLimitExceeded(ArchiveError):
    code = "vuot_gioi_han_yeu_cau"
    message_vi = "Quá nhiều yêu cầu: tối đa {count} yêu cầu mỗi {period}. Hãy thử lại sau {retry} giây."
    message_en = "Too many requests: at most {count} per {period_en}. Try again in {retry} seconds."
    http_status = 429


def axes_client_ip(request: HttpRequest) -> str | None:
    """django-axes' ``AXES_CLIENT_IP_CALLABLE``: the address, or ``None`` for a request that has none (a
    test client's ``force_login``, a management command); axes stores addresses in an inet column on
    PostgreSQL, which refuses a placeholder such as "unknown"."""
    return client_address(request)


def client_key(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return f"ip{client_address(request) or 'unknown'}"


def hit(scope: str, client: str, rate: Rate, *, now: float | None = None) -> int | None:
    """Count one request; ``None`` when within the limit, else the seconds until the window ends."""
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    key = f"khoso-rl:{scope}:{client}:{window}"
    cache.add(key, 0, timeout=rate.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=rate.seconds + 1)
        count = 1
    if count <= rate.count:
        return None
    return max(1, math.ceil((window + 1) * rate.seconds - now))


def configured_rate() -> Rate:
    return parse_rate(settings.KHOSO_RATE_LIMIT)


def exceeded(request: HttpRequest, scope: str) -> RateLimitExceeded | None:
    rate = configured_rate()
    retry = hit(scope, client_key(request), rate)
    if retry is None:
        return None
    return RateLimitExceeded(
        count=rate.count,
        period=rate.period_vi,
        period_en=f"{rate.seconds} s",
        retry=retry,
    )


def too_many_response(request: HttpRequest, error: RateLimitExceeded, *, as_json: bool) -> HttpResponse:
    response: HttpResponse
    if as_json:
        response = JsonResponse(error.as_dict(), status=429)
    else:
        response = render(request, "accounts/rate_limited.html", {"message": error.message}, status=429)
    response["Retry-After"] = str(error.params["retry"])
    response["Cache-Control"] = "no-store"
    return response


def rate_limited[**P](scope: str, *, as_json: bool = False) -> Callable[[Callable[P, Any]], Callable[P, Any]]:
    """Decorator for a view: at most ``KHOSO_RATE_LIMIT`` requests per client in ``scope``."""

    def decorate(view: Callable[P, Any]) -> Callable[P, Any]:
        @functools.wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> Any:
            request = args[0]
            assert isinstance(request, HttpRequest)
            error = exceeded(request, scope)
            if error is not None:
                return too_many_response(request, error, as_json=as_json)
            return view(*args, **kwargs)

        return wrapped

    return decorate


class Throttle:
    """The same limit in Django REST framework's throttle shape (for the API of issue 7)."""

    scope = "api"

    def __init__(self) -> None:
        self._retry: int | None = None

    def allow_request(self, request: Any, view: Any) -> bool:
        self._retry = hit(self.scope, client_key(request), configured_rate())
        return self._retry is None

    def wait(self) -> float | None:
        return None if self._retry is None else float(self._retry)
