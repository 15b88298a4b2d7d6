"""Web hardening settings (issue 6 §5), star-imported at the end of ``settings.py``.

* **Content Security Policy** (Django 6's own middleware): scripts and style sheets only from this
  site. No template has an inline ``<script>``; the print buttons' ``onclick="window.print()"`` and
  the reading copy's ``oncontextmenu="return false"`` are allowed by their hashes ('unsafe-hashes'
  admits exactly those handlers, nothing else). Inline
  ``style="…"`` attributes are allowed (the page viewer positions word boxes with them) but
  inline ``<style>`` elements need the per-request nonce. Nothing may frame our pages.
* **Cookies and transport**: when ``KHOSO_PUBLIC_URL`` is https, cookies are ``Secure``, plain
  http is redirected, HSTS is sent for a year (subdomains included) and the reverse proxy is
  trusted for ``X-Forwarded-Proto`` (it must set that header itself and drop any the client sent).
  Over plain http (the embedded default on 127.0.0.1) none of that applies, or nobody could log in.
* **Login lockout** (django-axes, limits in ``settings.py``): the Vietnamese 429 page of
  :func:`khoso.accounts.views.lockout` and the same client address as the rate limits.
"""

from __future__ import annotations

from django.utils.csp import CSP

from khoso.config.options import value

_PUBLIC_URL: str = value("PUBLIC_URL").rstrip("/")
_HTTPS = _PUBLIC_URL.lower().startswith("https://")

#: base64 SHA-256 of the inline handlers the templates use (tests/security/test_headers.py finds them all):
#: "window.print()" (inspection report, custody receipt), "return false" (no context menu on a reading copy)
_HANDLERS = [
    "'sha256-MguIPR6qNR8D3B+eAlK+bIRTZe8t3wkOY4B/56Me9FU='",
    "'sha256-GZIcz60Uwd6wT3vaYke/atSr53TehbYAPepOa3d03Vw='",
]

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE, CSP.UNSAFE_HASHES, *_HANDLERS],
    "style-src": [CSP.SELF, CSP.NONCE],
    "style-src-elem": [CSP.SELF, CSP.NONCE],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "media-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "frame-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    **({"upgrade-insecure-requests": True} if _HTTPS else {}),
}

SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60  # one working day; staff log in again (and pass 2FA) each day
SECURE_SSL_REDIRECT = _HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if _HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _HTTPS else None
CSRF_TRUSTED_ORIGINS = [_PUBLIC_URL] if _HTTPS else []
X_FRAME_OPTIONS = "DENY"  # no page of ours is shown in a frame, not even by ourselves (clickjacking)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

AXES_LOCKOUT_CALLABLE = "khoso.accounts.views.lockout"
AXES_CLIENT_IP_CALLABLE = "khoso.accounts.ratelimit.axes_client_ip"

SILENCED_SYSTEM_CHECKS = [
    # HSTS preload commits the whole domain (and its subdomains) to browsers' built-in lists for good;
    # that is the domain owner's decision, made at hstspreload.org, not a setting of this application.
    "security.W021",
]
