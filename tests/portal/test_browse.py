"""Browsing the public catalogue: fonds, files, documents, thumbnails, the sitemap, the one 404."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from khoso.access.models import Restriction
from khoso.portal import views

pytestmark = pytest.mark.django_db


def _get(client: Client, route: str, *args: int):  # type: ignore[no-untyped-def]
    response = client.get(reverse(route, args=list(args)))
    streamed = hasattr(response, "streaming_content")
    response.content_bytes = b"".join(response.streaming_content) if streamed else response.content
    return response


def test_home_lists_visible_fonds_in_vietnamese_order(catalogue, client: Client) -> None:
    page = client.get(reverse("portal_home")).content.decode()
    names = re.findall(r'<a href="/tra-cuu/phong/\d+/">([^<]+)</a>', page)
    # Đ after D and before S, Ủ after U: ICU Vietnamese, not code-point order
    assert names == ["Phông Đài phát thanh tỉnh", "Phông Sở Y tế", "Phông Ủy ban nhân dân tỉnh Đắk Lắk"]
    assert "Phông Công an" not in page  # restricted as a whole
    assert "Phông chưa công bố" not in page  # nothing visible in it
    assert "Phông chỉ có hồ sơ" not in page  # only a conditional or a deleted file


def test_fonds_page_lists_visible_files_sorted_by_title_and_by_year(catalogue, client: Client) -> None:
    url = reverse("portal_fonds", args=[catalogue.fonds.pk])
    page = client.get(url).content.decode()
    titles = re.findall(r'<a href="/tra-cuu/ho-so/\d+/">([^<]+)</a>', page)
    assert titles.index("Bản đồ hành chính huyện Krông Pắc") < titles.index("Đường giao thông nông thôn")
    assert titles.index("Đường giao thông nông thôn") < titles.index("Ủy ban bầu cử tỉnh")
    assert titles.index("Ủy ban bầu cử tỉnh") < titles.index("Yên định dân cư vùng kinh tế mới")
    for hidden in ("quốc phòng", "tranh chấp", "xóa bỏ", "Zeta"):
        assert hidden not in page
    assert "Hồ sơ kiểm kê rừng" in page  # its restriction ended yesterday
    by_year = client.get(url, {"sap_xep": "nam"}).content.decode()
    years = [int(y) for y in re.findall(r"</a></td><td>(\d{4})</td>", by_year)]
    assert years == sorted(years) and len(years) == len(titles)


def test_fonds_page_paginates(catalogue, client: Client, monkeypatch) -> None:
    monkeypatch.setattr(views, "FILES_PER_PAGE", 3)
    url = reverse("portal_fonds", args=[catalogue.fonds.pk])
    first = client.get(url).content.decode()
    second = client.get(url, {"trang": 2}).content.decode()
    one = set(re.findall(r'href="/tra-cuu/ho-so/(\d+)/"', first))
    two = set(re.findall(r'href="/tra-cuu/ho-so/(\d+)/"', second))
    assert len(one) == 3 and len(two) == 3 and not one & two
    assert "Trang 1 / 3" in first


def test_title_order_is_kept_by_the_database_across_pages_and_edits(catalogue, client: Client, monkeypatch) -> None:
    from khoso.archive.services import file_update
    from khoso.core.collation import sort_key

    monkeypatch.setattr(views, "FILES_PER_PAGE", 3)
    url = reverse("portal_fonds", args=[catalogue.fonds.pk])

    def listed() -> list[str]:
        titles: list[str] = []
        for number in (1, 2, 3):
            titles += re.findall(
                r'<a href="/tra-cuu/ho-so/\d+/">([^<]+)</a>', client.get(url, {"trang": number}).content.decode()
            )
        return titles

    before = listed()
    assert before == sorted(before, key=sort_key)  # page 1 ends before page 2 begins, in Vietnamese order
    moved = catalogue.files["public"]
    file_update(archive_file=moved, title="Ấp chiến lược xã Ea Kao")  # Ấ sorts after A, before B
    after = listed()
    assert after == sorted(after, key=sort_key)
    assert after.index("Ấp chiến lược xã Ea Kao") == after.index("Bản đồ hành chính huyện Krông Pắc") - 1


def test_the_migration_gives_existing_files_their_title_key(catalogue) -> None:
    import importlib

    from django.apps import apps

    from khoso.archive.models import ArchiveFile
    from khoso.core.collation import stored_sort_key

    ArchiveFile.objects.update(title_sort=b"")
    importlib.import_module("khoso.archive.migrations.0010_file_title_sort").fill_title_keys(apps, None)
    for title, key in ArchiveFile.objects.values_list("title", "title_sort"):
        assert bytes(key) == stored_sort_key(title) != b""


def test_restricted_or_empty_fonds_is_404_like_a_missing_one(catalogue, client: Client) -> None:
    missing = client.get(reverse("portal_fonds", args=[999_999]))
    closed = client.get(reverse("portal_fonds", args=[catalogue.closed_fonds.pk]))
    empty = client.get(reverse("portal_fonds", args=[catalogue.files["empty_secret"].fonds_id]))
    assert missing.status_code == closed.status_code == empty.status_code == 404
    assert missing.content == closed.content == empty.content


def test_thumbnails_only_of_public_content(catalogue, client: Client) -> None:
    shown = _get(client, "portal_thumbnail", catalogue.files["public"].pk, 1)
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/jpeg"
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert shown["Cache-Control"] == "private, max-age=300"
    assert shown.content_bytes.startswith(b"\xff\xd8")
    assert _get(client, "portal_thumbnail", catalogue.files["public"].pk, 5).status_code == 200  # no document
    missing = _get(client, "portal_thumbnail", 999_999, 1)
    hidden = [
        (catalogue.files["public"].pk, 2),  # document in mode 02
        (catalogue.files["public"].pk, 3),  # document on the restricted list
        (catalogue.files["public"].pk, 4),  # deleted document
        (catalogue.files["public"].pk, 9),  # no such page
        (catalogue.files["conditional"].pk, 1),
        (catalogue.files["secret"].pk, 1),
        (catalogue.files["restricted"].pk, 1),
        (catalogue.files["deleted"].pk, 1),
        (catalogue.files["closed"].pk, 1),
    ]
    for file_id, number in hidden:
        response = _get(client, "portal_thumbnail", file_id, number)
        assert (response.status_code, response.content_bytes) == (404, missing.content_bytes), (file_id, number)


def test_approved_reader_never_gets_thumbnails_of_conditional_files(catalogue, client: Client) -> None:
    client.force_login(catalogue.users["approved"])
    response = _get(client, "portal_thumbnail", catalogue.files["conditional"].pk, 1)
    assert response.status_code == 404
    assert _get(client, "portal_thumbnail", catalogue.files["public"].pk, 2).status_code == 404


def test_expired_restriction_opens_the_thumbnail(catalogue, client: Client) -> None:
    assert _get(client, "portal_thumbnail", catalogue.files["expired"].pk, 1).status_code == 200
    Restriction.objects.filter(file=catalogue.files["expired"]).update(end_date=timezone.localdate())
    assert _get(client, "portal_thumbnail", catalogue.files["expired"].pk, 1).status_code == 404


def _locs(xml: str) -> list[str]:
    return re.findall(r"<loc>([^<]+)</loc>", xml)


def test_sitemap_lists_anonymous_catalogue_only(catalogue, client: Client) -> None:
    client.force_login(catalogue.users["approved"])  # a reader's wider view must not reach search engines
    response = client.get(reverse("portal_sitemap"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    xml = response.content.decode()
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    locs = _locs(xml)
    base = "https://lưu-trữ.example.vn"
    assert all(loc.startswith(base + "/tra-cuu/") for loc in locs)
    files = {name: f"{base}/tra-cuu/ho-so/{f.pk}/" for name, f in catalogue.files.items()}
    documents = {name: f"{base}/tra-cuu/tai-lieu/{d.pk}/" for name, d in catalogue.documents.items()}
    for name in ("public", "b", "xss", "expired", "other1"):
        assert files[name] in locs
    for name in ("conditional", "secret", "restricted", "deleted", "closed", "empty_secret", "only_conditional"):
        assert files[name] not in locs
    assert documents["public"] in locs and documents["report"] in locs
    for name in ("conditional", "restricted", "deleted", "secret", "in_conditional"):
        assert documents[name] not in locs
    assert f"{base}/tra-cuu/phong/{catalogue.fonds.pk}/" in locs
    assert f"{base}/tra-cuu/phong/{catalogue.closed_fonds.pk}/" not in locs
    assert f"<lastmod>{timezone.localdate().isoformat()}</lastmod>" in xml


def test_sitemap_is_chunked_with_an_index(catalogue, client: Client, monkeypatch) -> None:
    single = _locs(client.get(reverse("portal_sitemap")).content.decode())
    monkeypatch.setattr(views, "SITEMAP_LIMIT", 4)
    index = client.get(reverse("portal_sitemap")).content.decode()
    assert "<sitemapindex" in index
    parts = _locs(index)
    assert len(parts) == -(-len(single) // 4)
    chunked: list[str] = []
    for number in range(1, len(parts) + 1):
        assert parts[number - 1].endswith(f"/tra-cuu/sitemap-{number}.xml")
        chunk = _locs(client.get(reverse("portal_sitemap_part", args=[number])).content.decode())
        assert 0 < len(chunk) <= 4
        chunked.extend(chunk)
    assert chunked == single
    assert client.get(reverse("portal_sitemap_part", args=[len(parts) + 1])).status_code == 404
    assert client.get(reverse("portal_sitemap_part", args=[0])).status_code == 404


def test_suggest_is_empty_for_short_prefixes(catalogue, client: Client) -> None:
    response = client.get(reverse("portal_suggest"), {"q": "q"})
    assert response.status_code == 200
    assert response.json() == []


def test_english_is_a_click_away(catalogue, client: Client) -> None:
    url = reverse("portal_fonds", args=[catalogue.fonds.pk])
    assert "Giới thiệu phông" in client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": url})
    page = client.get(url).content.decode()
    assert "About this fonds" in page and 'lang="en"' in page
    assert catalogue.fonds.name in page  # data stays as catalogued
