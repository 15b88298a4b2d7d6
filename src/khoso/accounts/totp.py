"""TOTP two-factor codes, recovery codes and the secret's encryption at rest (no Django).

Why here and not django-otp: we need four small things (RFC 6238 codes with a replay guard, a
QR code for the authenticator app, one-time recovery codes, a secret that a database dump does
not reveal), and pyotp + segno + ``cryptography`` give them in a page of code we can test whole.

* A code is accepted for the current 30-second step or one step either side (clock drift), and
  only for a step *later* than the last one accepted: the same code cannot be used twice.
* The shared secret is stored encrypted with a key derived from ``SECRET_KEY`` (Fernet), so a
  copy of the database alone does not let anyone generate codes. Rotating ``SECRET_KEY`` makes
  every device unreadable: users then enrol again (``khoso totp-reset``).
* Recovery codes are 40-bit random strings kept only as keyed HMAC-SHA256 digests; each is
  compared in constant time and can be spent once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken

ISSUER = "Kho Số"
INTERVAL = 30
DIGITS = 6
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or typed from paper


def new_secret() -> str:
    """A fresh base32 secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(length=32)


def _fernet(key_material: str) -> Fernet:
    digest = hashlib.sha256(b"khoso-totp-secret:" + key_material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(secret: str, key_material: str) -> str:
    """The secret encrypted for storage."""
    return _fernet(key_material).encrypt(secret.encode()).decode()


def unseal(sealed: str, key_material: str) -> str | None:
    """The secret, or ``None`` when it was sealed with another key (``SECRET_KEY`` changed)."""
    try:
        return _fernet(key_material).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


def code_at(secret: str, step: int) -> str:
    """The code of ``step`` (for tests and for the authenticator's side)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).generate_otp(step)


def matching_step(secret: str, code: str, *, last_step: int | None, now: datetime | None = None) -> int | None:
    """The time step ``code`` belongs to, if it is valid now and newer than ``last_step``; else None."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    step_now = totp.timecode(now or datetime.now())
    for step in range(step_now - DRIFT_STEPS, step_now + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def replayed(secret: str, code: str, *, last_step: int | None, now: datetime | None = None) -> bool:
    """Whether ``code`` is a valid code of a step already used (tells "replayed" from "wrong")."""
    if last_step is None:
        return False
    return matching_step(secret, code, last_step=None, now=now) is not None and (
        matching_step(secret, code, last_step=last_step, now=now) is None
    )


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The ``otpauth://`` URI as an inline SVG element (no inline script or style: CSP-safe)."""
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", border=2)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(8))
        codes.append(f"{raw[:4]}-{raw[4:]}")
    return codes


def normalise_recovery_code(code: str) -> str:
    raw = "".join(ch for ch in code.lower() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def recovery_digest(code: str, key_material: str) -> str:
    key = hashlib.sha256(b"khoso-recovery-code:" + key_material.encode()).digest()
    return hmac.new(key, normalise_recovery_code(code).encode(), hashlib.sha256).hexdigest()
