"""Searching the public catalogue: folding, ranking, facets, sorting, and nothing leaking."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from khoso.access.models import Restriction
from khoso.core.collation import sorted_vi
from khoso.core.text import fold
from khoso.portal import views

pytestmark = pytest.mark.django_db

#: words found only in material nobody may see on the public side (unless noted)
HIDDEN_WORDS = {
    "quoc phong": "secret file and document",
    "tranh chap": "restricted file and document",
    "sigma": "document on the restricted list",
    "kappa": "deleted document",
    "xoa bo": "deleted file",
    "an ninh": "fonds restricted as a whole",
    "zeta": "conditional file (anonymous)",
    "omega": "conditional document (anonymous)",
}


@pytest.fixture
def indexed(catalogue):  # type: ignore[no-untyped-def]
    from khoso.search.services import index_rebuild

    index_rebuild()
    return catalogue


def _search(client: Client, **params):  # type: ignore[no-untyped-def]
    response = client.get(reverse("portal_home"), params)
    assert response.status_code == 200
    return response


def _facet(response, param: str) -> dict[str, tuple[str, int, bool]]:  # type: ignore[no-untyped-def]
    for group in response.context["facets"]:
        if group["param"] == param:
            return {item["value"]: (item["label"], item["count"], item["selected"]) for item in group["items"]}
    return {}


def test_search_without_diacritics_finds_the_public_decision_first(indexed, client: Client) -> None:
    response = _search(client, q="quyet dinh dak lak 1995")
    results = response.context["results"]
    document = indexed.documents["public"]
    assert results, "nothing found"
    first = results[0]
    assert (first["hit"].kind, first["hit"].document_id) == ("document", document.pk)
    assert first["url"].startswith(reverse("portal_document", args=[document.pk]))
    page = response.content.decode()
    assert "<mark>" in page and "Tài liệu" in page and document.doc_code in page
    total = response.context["total"]
    fonds = _facet(response, "phong")
    assert fonds == {str(indexed.fonds.pk): (indexed.fonds.name, total, False)}
    assert _facet(response, "nam")["1995"][1] >= 1
    assert "1995" in _facet(response, "nam")
    types = _facet(response, "loai")
    assert types["02"][0].endswith("Quyết định") and types["02"][1] >= 1
    assert "01" in _facet(response, "ngon_ngu")
    kinds = _facet(response, "kieu")
    assert kinds["document"][0] == "Tài liệu" and kinds["document"][1] >= 1
    assert sum(count for _label, count, _ in kinds.values()) == total


def test_facet_selection_narrows_and_keeps_the_other_parameters(indexed, client: Client) -> None:
    everything = _search(client, q="dak lak")
    only_documents = _search(client, q="dak lak", kieu="document")
    assert 0 < only_documents.context["total"] < everything.context["total"]
    assert {r["hit"].kind for r in only_documents.context["results"]} == {"document"}
    assert _facet(only_documents, "kieu")["document"][2] is True  # shown as checked
    year_1995 = _search(client, q="dak lak", nam="1995")
    assert {r["hit"].year for r in year_1995.context["results"]} == {1995}
    page = only_documents.content.decode()
    assert 'name="kieu" value="document" id=' in page and "checked" in page
    assert 'value="dak lak"' in page  # the query stays in the box when a facet changes


def test_sort_by_title_is_vietnamese_order(indexed, client: Client) -> None:
    response = _search(client, phong=str(indexed.fonds.pk), kieu="file", sap_xep="tieu-de")
    titles = [r["hit"].title for r in response.context["results"]]
    assert titles == sorted_vi(titles)
    expected = [
        "Bản đồ hành chính huyện Krông Pắc",
        "Đường giao thông nông thôn",
        "Ủy ban bầu cử tỉnh",
        "Yên định dân cư vùng kinh tế mới",
    ]
    assert [t for t in titles if t in expected] == expected
    years = [
        r["hit"].year
        for r in _search(client, phong=str(indexed.fonds.pk), kieu="file", sap_xep="nam-giam").context["results"]
    ]
    assert years == sorted(years, reverse=True)


def test_pagination_keeps_the_query(indexed, client: Client, monkeypatch) -> None:
    monkeypatch.setattr(views, "RESULTS_PER_PAGE", 2)
    first = _search(client, q="dak lak")
    assert first.context["next_url"] and "q=dak+lak" in first.context["next_url"]
    second = _search(client, q="dak lak", trang="2")
    one = {(r["hit"].kind, r["hit"].file_id, r["hit"].document_id, r["hit"].page_no) for r in first.context["results"]}
    two = {(r["hit"].kind, r["hit"].file_id, r["hit"].document_id, r["hit"].page_no) for r in second.context["results"]}
    assert one and two and not one & two


@pytest.mark.parametrize("actor", ["anonymous", "approved"])
def test_hidden_material_never_appears(indexed, client: Client, actor: str) -> None:
    if indexed.users[actor] is not None:
        client.force_login(indexed.users[actor])
    for words, what in HIDDEN_WORDS.items():
        if actor == "approved" and words in {"zeta", "omega"}:
            continue
        response = _search(client, q=words)
        assert response.context["total"] == 0, what
        assert response.context["results"] == [], what
        assert all(item["count"] == 0 for g in response.context["facets"] for item in g["items"]), what
        suggestions = client.get(reverse("portal_suggest"), {"q": words}).json()
        assert not any(words in fold(s) for s in suggestions), (what, suggestions)
    broad = _search(client, q="dak lak")
    page = broad.content.decode()
    for name in ("Công an", "quốc phòng", "tranh chấp", "Sigma", "Kappa", "xóa bỏ"):
        assert name not in page
    assert str(indexed.closed_fonds.pk) not in _facet(broad, "phong")
    sitemap = client.get(reverse("portal_sitemap")).content.decode()
    assert f"/ho-so/{indexed.files['conditional'].pk}/" not in sitemap


def test_conditional_title_only_for_approved_readers_and_never_its_text(indexed, client: Client) -> None:
    assert _search(client, q="zeta").context["total"] == 0
    client.force_login(indexed.users["pending"])
    assert _search(client, q="zeta").context["total"] == 0
    client.force_login(indexed.users["approved"])
    response = _search(client, q="zeta")
    kinds = {(r["hit"].kind, r["hit"].file_id) for r in response.context["results"]}
    assert ("file", indexed.files["conditional"].pk) in kinds
    assert all(kind != "page" for kind, _ in kinds)  # its OCR text is content, not catalogue
    assert "Danh sách nhân sự" not in response.content.decode()
    assert client.get(reverse("portal_suggest"), {"q": "zet"}).status_code == 200


def test_expired_restriction_opens_and_a_new_one_closes(indexed, client: Client) -> None:
    found = _search(client, q="kiem ke rung")
    assert any(r["hit"].file_id == indexed.files["expired"].pk for r in found.context["results"])
    Restriction.objects.filter(file=indexed.files["expired"]).update(end_date=timezone.localdate())
    assert _search(client, q="kiem ke rung").context["total"] == 0


def test_suggestions_complete_public_words(indexed, client: Client) -> None:
    response = client.get(reverse("portal_suggest"), {"q": "quy hoa"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=300"
    suggestions = response.json()
    assert isinstance(suggestions, list) and len(suggestions) <= 10
    assert suggestions and all(isinstance(s, str) for s in suggestions)


def test_search_results_escape_titles(indexed, client: Client) -> None:
    page = _search(client, q="thu nghiem").content.decode()
    assert '<script>alert("xss")</script>' not in page
    assert "&lt;script&gt;" in page


def test_bad_input_is_harmless(indexed, client: Client) -> None:
    response = client.get(
        reverse("portal_home"),
        {"q": '"', "phong": ["abc", "-1"], "nam": "x", "kieu": "nope", "sap_xep": "drop", "trang": "99999999"},
    )
    assert response.status_code in {200, 400}
    assert client.get(reverse("portal_home"), {"q": "dak", "trang": "-3"}).status_code == 200
