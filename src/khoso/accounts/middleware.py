"""Staff accounts must pass a second factor (TOTP) before any page but the 2FA pages themselves.

With ``KHOSO_STAFF_TOTP`` on, a signed-in staff account (see
:func:`khoso.accounts.selectors.is_staff_account`) whose session has not passed a code is sent to
verification, or to enrolment if it has no confirmed device yet; only those two pages, logout,
login, the language switch and static files stay open. Readers are not forced (they may enrol by
choice, and then are asked too). Once the session is verified no further query is made.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from khoso.accounts import selectors

OPEN_ROUTES = frozenset({"accounts_totp_enrol", "accounts_totp_verify", "login", "logout", "set_language"})


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._must_verify(request):
            return self._send_to_second_factor(request)
        return self.get_response(request)

    def _must_verify(self, request: HttpRequest) -> bool:
        if not settings.KHOSO_STAFF_TOTP:
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or selectors.session_verified(request):
            return False
        static_url = "/" + str(settings.STATIC_URL).lstrip("/")
        if request.path_info.startswith(static_url):
            return False
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False  # the 404 page reveals nothing
        if match.url_name in OPEN_ROUTES:
            return False
        return selectors.two_factor_required(user)

    def _send_to_second_factor(self, request: HttpRequest) -> HttpResponse:
        enrolled = selectors.confirmed_device(request.user) is not None
        target = reverse("accounts_totp_verify" if enrolled else "accounts_totp_enrol")
        if "application/json" in request.headers.get("Accept", ""):
            # A script's fetch cannot follow a redirect to a code page usefully.
            return JsonResponse(
                {
                    "code": "can_xac_thuc_hai_lop",
                    "message": "Cần xác thực hai lớp (mã TOTP) trước khi tiếp tục.",
                    "message_en": "Two-factor verification required.",
                    "url": target,
                },
                status=403,
            )
        if request.method not in ("GET", "HEAD"):  # a form posted from a session that lost its step-up
            return redirect(target)
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
