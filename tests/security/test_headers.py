"""Content Security Policy and the other response headers every page carries (issue 6 §5).

The policy only holds if no template relies on what it forbids, so the templates are scanned
too: no inline ``<script>`` and no inline event handler other than the hashed print button.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from django.test import Client
from django.urls import reverse

import khoso
from khoso.config import security

TEMPLATES = Path(khoso.__file__).parent


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_carry_a_strict_policy_and_anti_framing_headers(db) -> None:  # type: ignore[no-untyped-def]
    for url in (reverse("login"), reverse("portal_home")):
        response = Client().get(url)
        assert response.status_code == 200
        policy = _directives(response["Content-Security-Policy"])
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        assert "'unsafe-inline'" not in policy["style-src-elem"]
        assert policy["form-action"] == ["'self'"] and policy["base-uri"] == ["'self'"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_and_csrf_cookies_are_http_only_and_same_site(db, django_user_model) -> None:  # type: ignore[no-untyped-def]
    django_user_model.objects.create_user("docgia", password="mat-khau-dai-12")
    client = Client()
    page = client.get(reverse("login"))
    assert page.cookies["csrftoken"]["samesite"] == "Lax"
    login = client.post(reverse("login"), {"username": "docgia", "password": "mat-khau-dai-12"})
    session = login.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert int(session["max-age"]) == 12 * 3600


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def test_templates_have_no_inline_script_and_only_hashed_handlers() -> None:
    allowed = set(security.SECURE_CSP["script-src"])
    inline_scripts, handlers = [], []
    for template in TEMPLATES.glob("*/templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                inline_scripts.append(f"{template}: {tag}")
        for source in re.findall(r"""\son[a-z]+\s*=\s*["']([^"']*)["']""", text):
            if _hash(source) not in allowed:
                handlers.append(f"{template}: {source}")
    assert inline_scripts == []
    assert handlers == []
