"""A document with a state-secret class is mode 03 everywhere, even in a public file: it never reaches the
portal (entries, search hits, counts, suggestions, thumbnails, sitemap), and staff see it, its pages
and its text only with ``archive.view_secret``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser, Permission, User
from django.test import Client
from django.urls import reverse
from PIL import Image

from khoso.access.models import FondsGrant
from khoso.access.selectors import (
    effective_mode,
    portal_documents,
    portal_scope,
    restrict_documents,
)
from khoso.archive.models import ArchiveFile, Page
from khoso.core.text import fold
from khoso.search.selectors import CatalogueQuery, catalogue_search, catalogue_suggest, search_pages
from khoso.storage.services import object_put_bytes

pytestmark = pytest.mark.django_db
MARKER = "dauvetmat"


@pytest.fixture(autouse=True)
def web_settings(settings, tmp_path: Path) -> None:
    settings.LANGUAGE_CODE = "vi"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _jpeg(tag: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), "white").save(buffer, "JPEG")
    return buffer.getvalue() + tag.encode()


def _page(archive_file: ArchiveFile, number: int, text: str, document) -> Page:  # type: ignore[no-untyped-def]
    return Page.objects.create(
        file=archive_file,
        document=document,
        number=number,
        original=object_put_bytes(data=_jpeg(f"o{number}"), mime="image/jpeg"),
        original_name=f"{number}.jpg",
        thumbnail=object_put_bytes(data=_jpeg(f"t{number}"), mime="image/jpeg"),
        width=40,
        height=60,
        ocr_text=text,
        stage=Page.Stage.DONE,
        qc_passed=True,
    )


@pytest.fixture
def secret(world, new_document):  # type: ignore[no-untyped-def]
    """In the public file: an open decision (page 1) and a document classed Mật (page 2), mode 01 on paper."""
    classified = new_document(world.file, f"Kế hoạch {MARKER} bảo vệ biên giới", secret_class="mat")
    _page(world.file, 1, "Quyết định phê duyệt quy hoạch", world.document)
    _page(world.file, 2, f"Nội dung {MARKER} kế hoạch", classified)
    pdf = object_put_bytes(data=b"%PDF-1.7\n%%EOF\n", mime="application/pdf")
    ArchiveFile.objects.filter(pk=world.file.pk).update(pdf=pdf)
    from khoso.search.services import index_rebuild

    index_rebuild()
    world.classified = classified
    return world


def _cleared(user: User) -> User:
    user.user_permissions.add(Permission.objects.get(codename="view_secret"))
    return User.objects.get(pk=user.pk)


def test_a_secret_class_makes_the_effective_mode_03() -> None:
    assert effective_mode("01", "01", "mat") == "03"
    assert effective_mode("01", "02", "") == "02"
    assert effective_mode("01", None, None) == "01"


def test_never_on_the_public_side(secret) -> None:  # type: ignore[no-untyped-def]
    from khoso.readers.models import Reader

    reader = User.objects.create_user("doc-gia")
    Reader.objects.create(
        user=reader, full_name="Lê Văn Đọc", citizen_id="066095000123", email="a@b.vn", status="duyet"
    )
    for visitor in (AnonymousUser(), reader):
        scope = portal_scope(visitor)
        assert secret.classified not in portal_documents(scope)
        assert secret.document in portal_documents(scope)
        result = catalogue_search(scope=scope, query=CatalogueQuery(text=MARKER))
        assert result.total == 0 and not result.hits
        assert all(item.count == 0 for facet in result.facets.values() for item in facet)
        assert not any(MARKER in fold(s) for s in catalogue_suggest(scope=scope, prefix=MARKER[:6]))
        # the open part of the same file is still found
        assert catalogue_search(scope=scope, query=CatalogueQuery(text="quy hoach")).total > 0

    client = Client()
    file_page = client.get(reverse("portal_file", args=[secret.file.pk])).content.decode()
    assert MARKER not in file_page and "Quyết định phê duyệt quy hoạch" in file_page
    assert client.get(reverse("portal_document", args=[secret.classified.pk])).status_code == 404
    assert client.get(reverse("portal_thumbnail", args=[secret.file.pk, 2])).status_code == 404
    assert client.get(reverse("portal_thumbnail", args=[secret.file.pk, 1])).status_code == 200
    search_page = client.get(reverse("portal_home"), {"q": MARKER})
    assert search_page.context["total"] == 0 and search_page.context["results"] == []
    assert "bảo vệ biên giới" not in search_page.content.decode()
    sitemap = client.get(reverse("portal_sitemap")).content.decode()
    assert f"/tai-lieu/{secret.classified.pk}/" not in sitemap


def test_staff_need_the_right_to_see_secret_material(secret) -> None:  # type: ignore[no-untyped-def]
    clerk = secret.users["cataloguer"]
    assert search_pages(user=clerk, query=MARKER).total == 0
    assert search_pages(user=clerk, query="quy hoach").total == 1
    assert secret.classified not in restrict_documents(secret.file.documents.all(), clerk)

    client = Client()
    client.force_login(clerk)
    detail = client.get(reverse("file_detail", args=[secret.file.file_code])).content.decode()
    assert MARKER not in detail and "Quyết định phê duyệt quy hoạch" in detail
    assert client.get(reverse("page_viewer", args=[secret.file.file_code, 2])).status_code == 404
    assert client.get(reverse("page_thumbnail", args=[secret.file.file_code, 2])).status_code == 404
    assert client.get(reverse("page_image", args=[secret.file.file_code, 2])).status_code == 404
    assert client.get(reverse("page_viewer", args=[secret.file.file_code, 1])).status_code == 200
    assert client.get(reverse("file_pdf", args=[secret.file.file_code])).status_code == 403  # holds page 2
    progress = client.get(reverse("file_progress", args=[secret.file.file_code])).json()
    assert [page["number"] for page in progress["pages"]] == [1]
    results = client.get(reverse("search"), {"q": MARKER})
    assert results.context["total"] == 0

    cleared = _cleared(User.objects.create_user("mat-vu", is_staff=True))
    FondsGrant.objects.create(user=cleared, fonds=secret.fonds)
    assert search_pages(user=cleared, query=MARKER).total == 1
    client.force_login(cleared)
    assert MARKER in client.get(reverse("file_detail", args=[secret.file.file_code])).content.decode()
    assert client.get(reverse("page_viewer", args=[secret.file.file_code, 2])).status_code == 200
    assert client.get(reverse("file_pdf", args=[secret.file.file_code])).status_code == 200


def test_classifying_through_four_eyes_takes_it_off_the_portal(world) -> None:  # type: ignore[no-untyped-def]
    from khoso.access import services
    from khoso.search.services import index_rebuild

    _page(world.file, 1, f"Văn bản {MARKER}", world.document)
    index_rebuild()
    scope = portal_scope(AnonymousUser())
    assert catalogue_search(scope=scope, query=CatalogueQuery(text=MARKER)).total > 0
    change = services.propose_document_access(
        document=world.document, secret_class="tuyet_mat", reason="Tuyệt mật", by=world.users["proposer"]
    )
    assert catalogue_search(scope=scope, query=CatalogueQuery(text=MARKER)).total > 0  # not yet
    services.confirm(change=change, by=world.users["confirmer"])
    assert catalogue_search(scope=scope, query=CatalogueQuery(text=MARKER)).total == 0  # the index followed
    assert not portal_documents(scope).filter(pk=world.document.pk).exists()


def test_exports_can_tell_which_files_hold_secret_material(world, new_document, new_file) -> None:  # type: ignore[no-untyped-def]
    from khoso.access.selectors import secret_files

    closed = new_file(world.fonds, "02.TH", mode="03")
    open_file = new_file(world.fonds, "03.TH")
    assert set(secret_files(ArchiveFile.objects.filter(fonds=world.fonds))) == {closed}
    new_document(open_file, "Công văn mật", secret_class="toi_mat")
    assert set(secret_files(ArchiveFile.objects.filter(fonds=world.fonds))) == {closed, open_file}
