"""Deny by default: every route of ``khoso.catalogue.urls`` × every actor, and the web flow
upload → preview → commit.

Who may do what: the home page needs a grant on some fonds (else 403); a fonds without a grant is 404,
the same answer as a fonds that does not exist, and so is another user's upload; uploading and
committing need an edit grant (403 with a view-only grant). Exports leave secret rows out unless
the user holds archive.view_secret.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, reverse

from khoso.access.models import FondsGrant
from khoso.archive.models import ArchiveFile
from khoso.catalogue import urls as catalogue_urls
from khoso.catalogue.models import CatalogueImport

pytestmark = pytest.mark.django_db

#: route → (method, scope)
POLICY: dict[str, tuple[str, str]] = {
    "catalogue_home": ("GET", "site"),
    "catalogue_fonds": ("GET", "fonds"),
    "catalogue_upload": ("POST", "edit"),
    "catalogue_preview": ("GET", "import"),
    "catalogue_commit": ("POST", "import_edit"),
    "catalogue_export_xlsx": ("GET", "fonds"),
    "catalogue_export_csv": ("GET", "fonds"),
}
ACTORS = ["anonymous", "outsider", "staff_other_fonds", "viewer", "archivist", "superuser"]
#: scope → actor → expected outcome
EXPECTED: dict[str, dict[str, str]] = {
    "site": {"outsider": "403", "staff_other_fonds": "ok", "viewer": "ok", "archivist": "ok", "superuser": "ok"},
    "fonds": {"outsider": "404", "staff_other_fonds": "404", "viewer": "ok", "archivist": "ok", "superuser": "ok"},
    "edit": {"outsider": "404", "staff_other_fonds": "404", "viewer": "403", "archivist": "ok", "superuser": "ok"},
    # the upload belongs to the archivist: another user of the fonds gets the 404 of a missing one
    "import": {"outsider": "404", "staff_other_fonds": "404", "viewer": "404", "archivist": "ok", "superuser": "ok"},
    "import_edit": {
        "outsider": "404",
        "staff_other_fonds": "404",
        "viewer": "404",
        "archivist": "ok",
        "superuser": "ok",
    },
}


def test_every_route_is_in_the_policy() -> None:
    assert {p.name for p in catalogue_urls.urlpatterns if isinstance(p, URLPattern)} == set(POLICY)


@pytest.fixture
def users(fonds, other_fonds, archivist) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    viewer = User.objects.create_user("chi-xem", is_staff=True)
    FondsGrant.objects.create(user=viewer, fonds=fonds, can_edit=False)
    other = User.objects.create_user("nhan-vien-khac", is_staff=True)
    FondsGrant.objects.create(user=other, fonds=other_fonds, can_edit=True)
    return {
        "anonymous": None,
        "outsider": User.objects.create_user("nguoi-ngoai"),
        "staff_other_fonds": other,
        "viewer": viewer,
        "archivist": archivist,
        "superuser": User.objects.create_superuser("quan-tri-muc-luc"),
    }


def _client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def upload(fonds, archivist, make_csv) -> CatalogueImport:  # type: ignore[no-untyped-def]
    from khoso.catalogue import services

    data = make_csv([["Mã hồ sơ", "Tiêu đề hồ sơ"], ["000.00.00.H15.1995.01.TH", "x"]])
    return services.import_upload(fonds=fonds, inventory=None, name="a.csv", data=data, by=archivist)


def _url(route: str, fonds: Any, upload: CatalogueImport, *, missing: bool = False) -> str:
    scope = POLICY[route][1]
    if scope == "site":
        return reverse(route)
    kwargs = {"fonds_id": fonds.pk + (100_000 if missing and not scope.startswith("import") else 0)}
    if scope.startswith("import"):
        kwargs["import_id"] = upload.pk + (100_000 if missing else 0)
    return reverse(route, kwargs=kwargs)


def _outcome(response: Any) -> str:
    if response.status_code in (302, 301):
        return "login" if response["Location"].startswith(reverse("login")) else "ok"
    if response.status_code in (403, 404):
        return str(response.status_code)
    return "ok" if response.status_code in (200, 400) else f"status {response.status_code}"


@pytest.mark.parametrize("route", sorted(POLICY))
def test_route_matrix(route: str, users, fonds, upload) -> None:  # type: ignore[no-untyped-def]
    method, scope = POLICY[route]
    for actor in ACTORS:
        client = _client(users[actor])
        url = _url(route, fonds, upload)
        response = client.post(url) if method == "POST" else client.get(url)
        expected = "login" if actor == "anonymous" else EXPECTED[scope][actor]
        assert _outcome(response) == expected, (route, actor, response.status_code)
        if expected == "404":
            missing_url = _url(route, fonds, upload, missing=True)
            missing = client.post(missing_url) if method == "POST" else client.get(missing_url)
            assert missing.status_code == 404 and missing.content == response.content, (route, actor)


def test_web_upload_preview_commit(fonds, archivist, make_xlsx) -> None:  # type: ignore[no-untyped-def]
    client = _client(archivist)
    headings = ["Mã hồ sơ", "Tiêu đề hồ sơ", "Chế độ sử dụng", "Thời gian bắt đầu", "Thời gian kết thúc", "Ghi chú"]
    data = make_xlsx([headings, ["000.00.00.H15.1997.01.TH", "Hồ sơ web", "01", "01/01/1997", "31/12/1997", "A"]])
    sheet = io.BytesIO(data)
    sheet.name = "muc-luc.xlsx"
    response = client.post(reverse("catalogue_upload", args=[fonds.pk]), {"sheet": sheet})
    assert response.status_code == 302
    catalogue_import = CatalogueImport.objects.get()
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Tạo mới" in page.content.decode() and "Ghi vào kho" in page.content.decode()
    assert not ArchiveFile.objects.exists()
    plan = page.context["result"].plan_digest()
    commit_url = reverse("catalogue_commit", args=[fonds.pk, catalogue_import.pk])
    # a stale plan (what the user saw is not what would be written) is refused, nothing written
    client.post(commit_url, {"sha256": catalogue_import.sha256, "plan": "0" * 64})
    assert not ArchiveFile.objects.exists()
    client.post(commit_url, {"sha256": "f" * 64, "plan": plan})
    assert not ArchiveFile.objects.exists()
    done = client.post(commit_url, {"sha256": catalogue_import.sha256, "plan": plan}, follow=True)
    assert "Đã ghi mục lục: tạo mới 1" in done.content.decode()
    assert ArchiveFile.objects.get(file_code="000.00.00.H15.1997.01.TH").created_by == archivist
    catalogue_import.refresh_from_db()
    assert catalogue_import.status == CatalogueImport.Status.COMMITTED
    again = client.post(commit_url, {"sha256": catalogue_import.sha256, "plan": plan}, follow=True)
    assert "đã được ghi vào kho" in again.content.decode()


def test_exports_leave_secret_rows_out_without_the_right(fonds, holdings, archivist, secret_archivist) -> None:  # type: ignore[no-untyped-def]
    for user, sees in ((archivist, False), (secret_archivist, True)):
        client = _client(user)
        files = client.get(reverse("catalogue_export_csv", args=[fonds.pk])).content.decode("utf-8-sig")
        documents = client.get(reverse("catalogue_export_csv", args=[fonds.pk]) + "?loai=van-ban").content.decode(
            "utf-8-sig"
        )
        assert (holdings["secret_file"].file_code in files) is sees
        assert ("Công văn về an ninh" in documents) is sees  # a document with a secret class
        assert ("Báo cáo tình hình biên giới" in documents) is sees  # a document of a secret file
        assert holdings["first"].file_code in files and "Quyết định phê duyệt quy hoạch" in documents
    xlsx = _client(archivist).get(reverse("catalogue_export_xlsx", args=[fonds.pk]) + "?muc_luc=1")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert _client(archivist).get(reverse("catalogue_export_xlsx", args=[fonds.pk]) + "?muc_luc=9").status_code == 404
