"""Pages of the second factor (enrol, verify) and the login lockout answer.

After the password step Django's ``LoginView`` sends the user on; for staff
:class:`~khoso.accounts.middleware.StaffTwoFactorMiddleware` then stops every page except these
two (and logout) until the session has passed a TOTP or recovery code.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from khoso.accounts import selectors, services, totp
from khoso.accounts.models import TOTPDevice
from khoso.core.text import nfc


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return str(settings.LOGIN_REDIRECT_URL)


@never_cache
@require_http_methods(["GET", "POST"])
def totp_enrol(request: HttpRequest) -> HttpResponse:
    """Show a new secret as a QR code and a typed key; the first correct code confirms it."""
    device = TOTPDevice.objects.filter(user_id=int(request.user.pk or 0)).first()
    next_url = _next_url(request)
    if device is not None and device.confirmed:
        if not selectors.session_verified(request):
            return redirect(_url("accounts_totp_verify", next_url))
        return render(request, "accounts/totp_enrolled.html", {"device": device}, status=200)
    error = ""
    status = 200
    if request.method == "POST" and device is None:  # a code posted before any key was shown
        refused = services.WrongCodeError()
        error, status = refused.message, refused.http_status
    elif request.method == "POST" and device is not None:
        try:
            codes = services.device_confirm(user=request.user, code=nfc(request.POST.get("code", "")))
        except services.TwoFactorError as refused:
            error = refused.message
            status = refused.http_status
        else:
            services.mark_session_verified(request)
            return render(request, "accounts/totp_recovery_codes.html", {"codes": codes, "next": next_url}, status=200)
    secret = services.device_secret(device) if device is not None else None
    if secret is None:
        device, secret = services.device_begin(user=request.user)
    account = request.user.get_username()
    context: dict[str, Any] = {
        "qr_svg": totp.qr_svg(totp.provisioning_uri(secret, account)),
        "manual_key": totp.grouped(secret),
        "account": account,
        "issuer": totp.ISSUER,
        "error": error,
        "next": next_url,
        "required": selectors.two_factor_required(request.user),
    }
    response = render(request, "accounts/totp_enrol.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def totp_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the current code (or a recovery code) after the password step."""
    next_url = _next_url(request)
    if selectors.confirmed_device(request.user) is None:
        return redirect(_url("accounts_totp_enrol", next_url))
    error = ""
    status = 200
    if request.method == "POST":
        recovery = nfc(request.POST.get("recovery_code", "")).strip()
        try:
            if recovery:
                remaining = services.use_recovery_code(user=request.user, code=recovery)
            else:
                services.verify_code(user=request.user, code=nfc(request.POST.get("code", "")))
                remaining = None
        except services.TwoFactorError as refused:
            error, status = refused.message, refused.http_status
        else:
            services.mark_session_verified(request)
            if remaining is not None:
                messages.warning(
                    request,
                    f"Đã dùng một mã khôi phục; còn {remaining} mã chưa dùng. "
                    "Hãy kiểm tra ứng dụng xác thực trên điện thoại.",
                )
            return redirect(next_url)
    return render(request, "accounts/totp_verify.html", {"error": error, "next": next_url}, status=status)


def _url(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


@login_not_required
def lockout(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes' lockout answer (``AXES_LOCKOUT_CALLABLE``): HTTP 429, ``Retry-After``, in Vietnamese."""
    cool_off = settings.AXES_COOLOFF_TIME
    seconds = max(1, int(cool_off.total_seconds()))
    attempt_time = getattr(request, "axes_attempt_time", None) or timezone.now()
    until = timezone.localtime(attempt_time + cool_off)
    context = {
        "limit": settings.AXES_FAILURE_LIMIT,
        "minutes": math.ceil(seconds / 60),
        "until": until.strftime("%H:%M %d/%m/%Y"),
    }
    response = render(request, "accounts/lockout.html", context, status=429)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response
