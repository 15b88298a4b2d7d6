"""The client's address behind trusted and untrusted proxies: lockout, rate limits and the audit trail
all key on it, so a client must not be able to choose it by sending X-Forwarded-For itself."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from khoso.core.address import client_address

PROXIES = ["10.0.0.0/8", "127.0.0.1"]


def _request(remote: str, forwarded: str | None = None) -> object:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.5", None, "203.0.113.5"),  # direct client
        ("203.0.113.5", "198.51.100.7", "203.0.113.5"),  # untrusted peer: its header is ignored
        ("10.1.2.3", "198.51.100.7", "198.51.100.7"),  # behind one trusted proxy
        ("10.1.2.3", "1.2.3.4, 198.51.100.7, 10.9.9.9", "198.51.100.7"),  # spoofed left part skipped
        ("127.0.0.1", "10.0.0.2, 10.0.0.1", "10.0.0.2"),  # only proxies: the leftmost one
        ("10.1.2.3", "not-an-ip, 198.51.100.7", "198.51.100.7"),
        ("10.1.2.3", "198.51.100.7, garbage", "10.1.2.3"),  # a malformed hop: trust nothing beyond it
        ("10.1.2.3", None, "10.1.2.3"),
        ("", None, None),
        ("2001:db8::1", None, "2001:db8::1"),
    ],
)
def test_address_behind_trusted_proxies(remote: str, forwarded: str | None, expected: str | None) -> None:
    with override_settings(KHOSO_TRUSTED_PROXIES=PROXIES):
        assert client_address(_request(remote, forwarded)) == expected  # type: ignore[arg-type]


def test_without_trusted_proxies_the_header_is_never_read() -> None:
    with override_settings(KHOSO_TRUSTED_PROXIES=[]):
        assert client_address(_request("10.1.2.3", "198.51.100.7")) == "10.1.2.3"  # type: ignore[arg-type]


def test_a_bad_proxy_entry_is_refused_at_startup(monkeypatch: pytest.MonkeyPatch) -> None:
    from khoso.config.options import value

    monkeypatch.setenv("KHOSO_TRUSTED_PROXIES", "10.0.0.0/8,proxy.local")
    with pytest.raises(ValueError, match="proxy.local"):
        value("TRUSTED_PROXIES")
