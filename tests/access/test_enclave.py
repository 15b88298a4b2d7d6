"""The offline enclave (KHOSO_ENCLAVE): no outbound connection configured, no public portal or reader
routes, no link to them."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import NoReverseMatch, clear_url_caches, reverse

from khoso.access.checks import enclave_settings, enclave_storage, is_local_host


def _ids(messages) -> list[str]:  # type: ignore[no-untyped-def]
    return [message.id for message in messages]


def test_local_hosts_are_told_from_outside_ones() -> None:
    for host in ("127.0.0.1", "localhost", "10.1.2.3", "192.168.1.20", "172.20.0.4", "::1", "minio.lan", "s3.internal"):
        assert is_local_host(host), host
    for host in ("", "8.8.8.8", "s3.amazonaws.com", "luutru.gov.vn", "172.32.0.1"):
        assert not is_local_host(host), host


def test_mail_and_time_stamp_authority_are_refused_in_the_enclave(settings) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_ENCLAVE = True
    settings.EMAIL_HOST = ""
    settings.KHOSO_TSA_URL = ""
    assert enclave_settings() == []
    settings.EMAIL_HOST = "smtp.gmail.com"
    settings.KHOSO_TSA_URL = "http://timestamp.digicert.com"
    problems = enclave_settings()
    assert _ids(problems) == ["khoso.E601", "khoso.E602"]
    assert "smtp.gmail.com" in problems[0].msg and "không được gửi thư ra ngoài" in problems[0].msg
    settings.KHOSO_ENCLAVE = False
    assert enclave_settings() == []


@pytest.mark.django_db
def test_only_private_s3_endpoints_in_the_enclave(settings) -> None:  # type: ignore[no-untyped-def]
    from khoso.preservation.models import StorageLocation

    settings.KHOSO_ENCLAVE = True
    StorageLocation.objects.create(name="noi-bo", kind="s3", endpoint_url="http://10.0.0.5:8333", bucket="kho")
    assert enclave_storage(databases=["default"]) == []
    assert enclave_storage(databases=None) == []  # plain `check` reads no database
    StorageLocation.objects.create(name="aws", kind="s3", endpoint_url="", bucket="kho-aws")
    StorageLocation.objects.create(name="ngoai", kind="s3", endpoint_url="https://s3.example.com", bucket="kho2")
    problems = enclave_storage(databases=["default"])
    assert _ids(problems) == ["khoso.E603", "khoso.E603"]
    assert any("AWS S3" in p.msg for p in problems) and any("s3.example.com" in p.msg for p in problems)


def test_khoso_check_fails_in_an_enclave_that_sends_mail(tmp_path: Path) -> None:
    env = {key: val for key, val in os.environ.items() if not key.startswith("KHOSO_")}
    env.update(KHOSO_DATA_DIR=str(tmp_path), KHOSO_ENCLAVE="1", KHOSO_EMAIL_HOST="smtp.gmail.com")
    run = [sys.executable, "-m", "khoso", "check"]
    refused = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0
    assert "khoso.E601" in refused.stderr and "smtp.gmail.com" in refused.stderr


@pytest.fixture
def enclave_urls(settings):  # type: ignore[no-untyped-def]
    """The URL configuration as an enclave deployment loads it."""
    settings.KHOSO_ENCLAVE = True
    import khoso.config.urls as urls

    importlib.reload(urls)
    clear_url_caches()
    yield urls
    settings.KHOSO_ENCLAVE = False
    importlib.reload(urls)
    clear_url_caches()


def test_no_portal_or_reader_routes_in_the_enclave(enclave_urls) -> None:  # type: ignore[no-untyped-def]
    with override_settings(ROOT_URLCONF=enclave_urls.__name__):
        for name in ("portal_home", "portal_sitemap", "reader_register", "reader_home"):
            with pytest.raises(NoReverseMatch):
                reverse(name)
        assert reverse("home") == "/"


@pytest.mark.django_db
def test_a_reader_account_gets_no_link_to_the_reader_side_in_the_enclave(settings) -> None:  # type: ignore[no-untyped-def]
    from khoso.readers.models import Reader

    user = User.objects.create_user("doc-gia")
    Reader.objects.create(user=user, full_name="Lê Văn Đọc", citizen_id="066095000123", email="a@b.vn")
    client = Client()
    client.force_login(user)
    assert client.get(reverse("home"))["Location"] == reverse("reader_home")
    settings.KHOSO_ENCLAVE = True
    response = client.get(reverse("home"))
    assert response.status_code == 200 and "doc-gia/" not in response.content.decode().replace("doc-gia</span>", "")
