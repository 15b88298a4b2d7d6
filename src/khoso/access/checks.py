"""System checks of the offline enclave (``KHOSO_ENCLAVE``): a deployment that holds state secrets
makes no outbound connection (standards.md §3.4: never on a device connected to the Internet).

========== ===================================================================================
khoso.E601 ``EMAIL_HOST`` is set: mail would leave the enclave
khoso.E602 ``KHOSO_TSA_URL`` is set: every signature would ask an outside time-stamp authority
khoso.E603 a preservation S3 location points to AWS (no endpoint) or to a host that is not
           loopback or private (run with ``--database default`` or ``--deploy``: reads the database)
========== ===================================================================================

No check resolves a host name (that would itself be an outbound query): an endpoint is accepted when
its host is a loopback or private IP address, ``localhost``, or a name under a local-only suffix.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.db import DatabaseError

LOCAL_SUFFIXES = (".local", ".lan", ".internal", ".home.arpa", ".localdomain")


def is_local_host(host: str) -> bool:
    """Whether ``host`` (a name or an IP address) is loopback, private or link-local."""
    host = (host or "").strip().strip("[]").lower().rstrip(".")
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost" or host.endswith(LOCAL_SUFFIXES) or host.endswith(".localhost")
    return address.is_loopback or address.is_private or address.is_link_local


@register("khoso")
def enclave_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not getattr(settings, "KHOSO_ENCLAVE", False):
        return []
    problems: list[CheckMessage] = []
    if getattr(settings, "EMAIL_HOST", ""):
        problems.append(
            Error(
                f"Khu biệt lập (KHOSO_ENCLAVE) không được gửi thư ra ngoài, nhưng EMAIL_HOST = {settings.EMAIL_HOST}.",
                hint="Bỏ KHOSO_EMAIL_HOST (thư được ghi ra nhật ký thay vì gửi). / Unset KHOSO_EMAIL_HOST.",
                id="khoso.E601",
            )
        )
    if getattr(settings, "KHOSO_TSA_URL", ""):
        problems.append(
            Error(
                "Khu biệt lập (KHOSO_ENCLAVE) không được kết nối máy chủ cấp dấu thời gian bên ngoài, "
                f"nhưng KHOSO_TSA_URL = {settings.KHOSO_TSA_URL}.",
                hint="Bỏ KHOSO_TSA_URL (chữ ký PAdES B-B, không dấu thời gian). / Unset KHOSO_TSA_URL.",
                id="khoso.E602",
            )
        )
    return problems


def _storage_problems(databases: Any) -> list[CheckMessage]:
    if not getattr(settings, "KHOSO_ENCLAVE", False) or not databases:
        return []
    from khoso.preservation.models import StorageLocation

    problems: list[CheckMessage] = []
    try:
        locations = list(
            StorageLocation.objects.filter(kind=StorageLocation.Kind.S3, active=True).values_list(
                "name", "endpoint_url", "bucket"
            )
        )
    except DatabaseError:  # not migrated yet: khoso.E110 says so
        return []
    for name, endpoint, bucket in locations:
        host = urlsplit(endpoint).hostname if endpoint else ""
        if not is_local_host(host or ""):
            problems.append(
                Error(
                    f"Khu biệt lập (KHOSO_ENCLAVE): nơi lưu «{name}» (bucket {bucket}) trỏ tới "
                    f"{endpoint or 'AWS S3'}, không phải máy trong mạng nội bộ.",
                    hint="Dùng máy chủ S3 trong mạng nội bộ (địa chỉ 127.x, 10.x, 172.16–31.x, 192.168.x) "
                    "hoặc tắt nơi lưu này. / Use an S3 endpoint on the private network.",
                    id="khoso.E603",
                )
            )
    return problems


@register("khoso", Tags.database)
def enclave_storage(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return _storage_problems(databases)


@register("khoso", deploy=True)
def enclave_storage_deploy(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return _storage_problems(["default"])
