"""Secret material in packages (issue 6): a file in access mode 03, or holding a document with a độ mật
(or in mode 03), leaves the archive in a package only when the user holds ``archive.export_secret`` and
gives a reason; the refusal is an ArchiveError naming that rule, on the service, the CLI and the web.
An authorised export is recorded (who, when, why) in one place, ``services.secret_export``."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from khoso.packages.models import PackageRecord
from khoso.packages.services import SecretExportError, package_export
from khoso.packages.tt05 import PackageType

pytestmark = pytest.mark.django_db

REASON = "Cung cấp cho Cục Văn thư và Lưu trữ theo Công văn số 12/VTLTNN"


def grant(user: User, fonds, *, edit: bool = True, perms: tuple[str, ...] = ()) -> User:  # type: ignore[no-untyped-def]
    from khoso.access.models import FondsGrant

    FondsGrant.objects.create(user=user, fonds=fonds, can_edit=edit)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return User.objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def secret_file(filled_file):  # type: ignore[no-untyped-def]
    type(filled_file).objects.filter(pk=filled_file.pk).update(mode="03")
    filled_file.refresh_from_db()
    return filled_file


@pytest.fixture
def exporter(fonds) -> User:  # type: ignore[no-untyped-def]
    return grant(User.objects.create_user("xuat-mat"), fonds, perms=("view_secret", "export_secret"))


@pytest.fixture
def plain(fonds) -> User:  # type: ignore[no-untyped-def]
    return grant(User.objects.create_user("xuat-thuong"), fonds, perms=("view_secret",))


def export(archive_file, out: Path, **kwargs):  # type: ignore[no-untyped-def]
    return package_export(file_code=archive_file.file_code, package_type=PackageType.SIP_HOSO, out=out, **kwargs)


def test_secret_file_needs_the_right_and_a_reason(secret_file, exporter, plain, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "mat.zip"
    for kwargs, missing in (
        ({}, "không có quyền archive.export_secret"),
        ({"user": exporter}, "Chưa ghi lý do"),
        ({"user": exporter, "reason": "   "}, "Chưa ghi lý do"),
        ({"user": plain, "reason": REASON}, "không có quyền archive.export_secret"),
    ):
        with pytest.raises(SecretExportError) as refused:
            export(secret_file, out, **kwargs)
        assert "chế độ sử dụng 03 (Mật)" in refused.value.message and missing in refused.value.message
        assert "archive.export_secret" in refused.value.message_english
        assert not out.exists() and not PackageRecord.objects.exists()
    export(secret_file, out, user=exporter, reason=REASON)
    assert zipfile.is_zipfile(out)
    record = PackageRecord.objects.get()
    assert (record.secret, record.reason, record.by, record.archive_file) == (True, REASON, exporter, secret_file)


def test_document_with_a_secret_class_counts_too(filled_file, exporter, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    document = filled_file.documents.get(ordinal=2)
    type(document).objects.filter(pk=document.pk).update(secret_class="Mật")
    with pytest.raises(SecretExportError, match="độ mật «Mật»"):
        export(filled_file, tmp_path / "a.zip")
    export(filled_file, tmp_path / "a.zip", user=exporter, reason=REASON)
    # a DIP never carries it: the document is left out, and nothing secret needs authorising
    dip = tmp_path / "dip.zip"
    package_export(file_code=filled_file.file_code, package_type=PackageType.DIP, out=dip)
    with zipfile.ZipFile(dip) as archive:
        assert not any(document.doc_id in name for name in archive.namelist())


def test_cli_refuses_then_exports_with_user_and_reason(secret_file, exporter, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "cli.zip"
    with pytest.raises(SystemExit) as exit_info:
        call_command("package", "export", secret_file.file_code, "--type", "SIP", str(out))
    assert exit_info.value.code == 6  # ExitCode.permission
    assert "xuat_tai_lieu_mat" in capsys.readouterr().err
    call_command(
        "package", "export", secret_file.file_code, "--type", "SIP", str(out), "--user", "xuat-mat", "--reason", REASON
    )
    assert "SIP_hoso" in capsys.readouterr().out and zipfile.is_zipfile(out)
    assert PackageRecord.objects.get().reason == REASON


def test_web_export_of_secret_material(secret_file, exporter, plain) -> None:  # type: ignore[no-untyped-def]
    url = reverse("packages_file_export", kwargs={"file_code": secret_file.file_code})
    client = Client()
    client.force_login(plain)
    form = client.get(url)
    assert form.status_code == 200 and "chứa tài liệu Mật" in form.content.decode()
    refused = client.post(url, {"package_type": "SIP", "reason": REASON})
    assert refused.status_code == 403 and "archive.export_secret" in refused.content.decode()
    client.force_login(exporter)
    assert "Chưa ghi lý do" in client.post(url, {"package_type": "SIP", "reason": ""}).content.decode()
    response = client.post(url, {"package_type": "AIP", "reason": REASON})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert 'filename="urn_UBND-DL_uuid_' in response["Content-Disposition"]
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body[:2] == b"PK"
    assert PackageRecord.objects.get().by == exporter


# -- the export route × actor (tests/test_authorization_sweep.py gets the same policy) -------------

ACTORS = ["anonymous", "no_grant", "other_fonds", "read_only", "editor", "superuser"]
EXPECTED = {
    "anonymous": "login",
    "no_grant": 404,
    "other_fonds": 404,
    "read_only": 403,
    "editor": 200,
    "superuser": 200,
}


@pytest.fixture
def actors(fonds, institution) -> dict[str, Client]:  # type: ignore[no-untyped-def]
    from khoso.archive.services import fonds_create

    other = fonds_create(
        institution=institution,
        code="KHAC",
        name="Phông khác",
        organ_id="000.00.30.H15",
        history="x",
        archives_time="2000",
        paper_total=1,
        key_groups="x",
        language="01",
    )
    users = {
        "no_grant": User.objects.create_user("khong-quyen"),
        "other_fonds": grant(User.objects.create_user("phong-khac"), other),
        "read_only": grant(User.objects.create_user("chi-xem"), fonds, edit=False),
        "editor": grant(User.objects.create_user("bien-tap"), fonds),
        "superuser": User.objects.create_superuser("quan-tri"),
    }
    clients = {"anonymous": Client()}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    return clients


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("actor", ACTORS)
def test_export_route_access(actor, method, actors, filled_file) -> None:  # type: ignore[no-untyped-def]
    url = reverse("packages_file_export", kwargs={"file_code": filled_file.file_code})
    client = actors[actor]
    response = client.get(url) if method == "GET" else client.post(url, {"package_type": "SIP"})
    expected = EXPECTED[actor]
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
    assert PackageRecord.objects.exists() == (method == "POST" and expected == 200)


def test_export_route_hides_deleted_and_unknown_files(actors, filled_file) -> None:  # type: ignore[no-untyped-def]
    type(filled_file).objects.filter(pk=filled_file.pk).update(deleted_at="2026-01-01T00:00:00+07:00")
    for code in (filled_file.file_code, "000.00.00.H15.1995.99.KHONG"):
        url = reverse("packages_file_export", kwargs={"file_code": code})
        assert actors["superuser"].get(url).status_code == 404
