"""The public catalogue: what a citizen finds, how it is ranked, faceted and sorted, and that
nothing hidden (conditional, secret, restricted, deleted) is ever found, counted or suggested."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from khoso.access.models import Restriction
from khoso.access.selectors import PortalScope, RestrictedSet, portal_scope
from khoso.archive.services import document_delete, document_update, file_delete, file_update
from khoso.search.selectors import CatalogueQuery, catalogue_search, catalogue_suggest

pytestmark = pytest.mark.django_db

ANYONE = PortalScope(frozenset({"01"}), frozenset({"01"}), RestrictedSet())
READER = PortalScope(frozenset({"01", "02"}), frozenset({"01"}), RestrictedSet())


def search(text: str = "", scope: PortalScope = ANYONE, **filters: object):  # type: ignore[no-untyped-def]
    return catalogue_search(scope=scope, query=CatalogueQuery(text=text, **filters))  # type: ignore[arg-type]


def titles(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [hit.title for hit in result.hits]


def facet(result, name: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {value.value: value.count for value in result.facets[name]}


def test_citizen_finds_the_decision_without_diacritics(archive) -> None:  # type: ignore[no-untyped-def]
    archive_file = archive.file("Hồ sơ tổ chức bộ máy", year=1995)
    document = archive.document(archive_file, "Quyết định số 12/QĐ-UBND về thành lập Sở Văn hóa tỉnh Đắk Lắk")
    archive.document(archive.file("Hồ sơ khác", year=1990), "Quyết định về tỉnh Đắk Lắk", code_number="3")

    result = search("quyet dinh dak lak 1995")

    assert result.total == 1
    (hit,) = result.hits
    assert (hit.kind, hit.document_id, hit.file_id, hit.year) == ("document", document.pk, archive_file.pk, 1995)
    assert hit.doc_code == document.doc_code and hit.type_name == "02" and hit.mode == "01"
    assert "<mark>Quyết định</mark>" in hit.snippet_html
    assert "<mark>Đắk Lắk</mark>" in hit.snippet_html
    assert [h.document_id for h in search('"12/QĐ-UBND"').hits] == [document.pk]


def test_folded_query_finds_d_with_stroke_and_tone_marks(archive) -> None:  # type: ignore[no-untyped-def]
    archive_file = archive.file("Hồ sơ đất đai")
    page = archive.page(archive_file, "Biên bản giao đất cho hộ ông Lê Văn Đức ở Buôn Ma Thuột")

    for query in ("duc", "DUC", "Đức", "buon ma thuot", "giao dat"):
        assert [hit.page_id for hit in search(query, kinds=frozenset({"page"})).hits] == [page.pk], query
    assert search("dat dai").hits[0].kind == "file"


def test_exact_spelling_outranks_folded_and_metadata_outranks_page_text(archive) -> None:  # type: ignore[no-untyped-def]
    plain = archive.file("Hồ sơ Dak Lak", keyword="")
    exact = archive.file("Hồ sơ Đắk Lắk")
    assert [hit.file_id for hit in search("Đắk Lắk", kinds=frozenset({"file"})).hits] == [exact.pk, plain.pk]

    other = archive.file("Hồ sơ hành chính")
    archive.page(other, "trang có nhắc tới Đắk Lắk " + "và nhiều chữ khác " * 20)
    other_file = archive.file("Hồ sơ Đắk Lắk và Gia Lai")
    # exact spelling first (records before pages), then what matches only when folded
    ranked = [(hit.kind, hit.file_id) for hit in search("Đắk Lắk").hits]
    assert ranked[:2] == [("file", exact.pk), ("file", other_file.pk)] or ranked[:2] == [
        ("file", other_file.pk),
        ("file", exact.pk),
    ]
    # Every record here names its fonds, "Phông UBND tỉnh Đắk Lắk", exactly: all stay in the exact tier,
    # titles first, and as metadata above the page that mentions Đắk Lắk in its text
    assert sorted(ranked[2:4]) == [("file", plain.pk), ("file", other.pk)]
    assert ranked[4:] == [("page", other.pk)]


def test_a_page_with_the_exact_word_outranks_a_record_that_only_folds_to_it(archive) -> None:  # type: ignore[no-untyped-def]
    """Folding merges thể and thế: a reader asking for "thế" wants the page that says "thế" before the
    catalogue record titled "thể lệ", although metadata matches otherwise come first."""
    rules = archive.file("Hồ sơ về thể lệ bầu cử")
    world = archive.page(archive.file("Hồ sơ công văn đến"), "báo cáo tình hình thế giới " + "và nhiều chữ khác " * 20)

    ranked = search("thế").hits
    assert [(hit.kind, hit.page_id or hit.file_id) for hit in ranked][:2] == [("page", world.pk), ("file", rules.pk)]
    assert (search("thể").hits[0].kind, search("thể").hits[0].file_id) == ("file", rules.pk)


def test_facets_count_every_visible_match_and_selection_filters(archive, other_fonds) -> None:  # type: ignore[no-untyped-def]
    a = archive.file("Báo cáo tổng kết năm 1995", year=1995)
    archive.document(a, "Báo cáo tổng kết công tác", type_name="05", language="01,02")
    archive.file("Báo cáo tình hình năm 1996", year=1996)
    archive.file("Báo cáo của tỉnh Gia Lai", year=1996, fonds=other_fonds)
    archive.page(a, "nội dung báo cáo")

    result = search("bao cao")
    assert result.total == 5
    assert facet(result, "kind") == {"file": 3, "document": 1, "page": 1}
    assert facet(result, "year") == {"1995": 3, "1996": 2}
    assert facet(result, "fonds") == {str(archive.fonds.pk): 4, str(other_fonds.pk): 1}
    assert facet(result, "language") == {"01": 5, "02": 1}
    assert facet(result, "type_name") == {"05": 1}  # only documents and their pages have a type
    labels = {value.value: value.label for value in result.facets["fonds"]}
    assert labels[str(other_fonds.pk)] == "Phông UBND tỉnh Gia Lai"
    assert result.facets["type_name"][0].label not in ("", "05")  # the vocabulary's Vietnamese label

    chosen = search("bao cao", years=frozenset({1996}))
    assert chosen.total == 2
    assert {hit.year for hit in chosen.hits} == {1996}
    # The chosen facet keeps its siblings' counts (to widen the choice); the others narrow.
    assert facet(chosen, "year") == {"1995": 3, "1996": 2}
    assert [v.selected for v in chosen.facets["year"]] == [True, False]  # newest year first
    assert facet(chosen, "fonds") == {str(archive.fonds.pk): 1, str(other_fonds.pk): 1}

    both_years = search("bao cao", years=frozenset({1995, 1996}), fonds_ids=frozenset({other_fonds.pk}))
    assert both_years.total == 1  # OR within a facet, AND across facets
    assert search("bao cao", kinds=frozenset({"document"}), languages=frozenset({"02"})).total == 1


def test_browse_without_words_lists_everything_visible_in_vietnamese_title_order(archive) -> None:  # type: ignore[no-untyped-def]
    for title in ["Bình Định", "Ấp Bắc", "An Giang", "Đà Nẵng", "Dân số", "Yên Bái", "Ăn uống", "Âm nhạc"]:
        archive.file(title)
    archive.file("Cà Mau", mode="02")

    browse = search("", kinds=frozenset({"file"}))
    expected = ["An Giang", "Ăn uống", "Âm nhạc", "Ấp Bắc", "Bình Định", "Dân số", "Đà Nẵng", "Yên Bái"]
    assert titles(browse) == expected
    assert titles(search("", kinds=frozenset({"file"}), sort="title")) == expected
    assert browse.total == 8


def test_year_sort(archive) -> None:  # type: ignore[no-untyped-def]
    for year in (1990, 1985, 2001):
        archive.file(f"Hồ sơ năm {year}", year=year)

    assert [hit.year for hit in search("ho so", sort="year_asc").hits] == [1985, 1990, 2001]
    assert [hit.year for hit in search("ho so", sort="year_desc").hits] == [2001, 1990, 1985]


def test_hidden_material_is_never_found_counted_or_suggested(archive, other_fonds) -> None:  # type: ignore[no-untyped-def]
    public = archive.file("Quyết định công khai", year=1991)
    archive.page(public, "quyết định trang công khai")
    conditional = archive.file("Quyết định hạn chế", year=1992, mode="02")
    archive.page(conditional, "quyết định trang hạn chế")
    secret = archive.file("Quyết định mật", year=1993, mode="03")
    archive.page(secret, "quyết định trang mật")
    archive.document(public, "Quyết định mật trong hồ sơ công khai", mode="03")
    deleted = archive.file("Quyết định đã xóa", year=1994)
    archive.page(deleted, "quyết định trang đã xóa")
    file_delete(archive_file=deleted, reason="Nhập nhầm")
    restricted = archive.file("Quyết định bị hạn chế sử dụng", year=1996)
    today = timezone.localdate()
    Restriction.objects.create(
        fonds=archive.fonds, file=restricted, reason="Đang chỉnh lý", start_date=today - timedelta(days=10)
    )
    expired = archive.file("Quyết định hết hạn hạn chế", year=1997)
    Restriction.objects.create(
        fonds=archive.fonds,
        file=expired,
        reason="Cũ",
        start_date=today - timedelta(days=30),
        end_date=today - timedelta(days=1),
    )
    gia_lai = archive.file("Quyết định của Gia Lai", year=1998, fonds=other_fonds)
    Restriction.objects.create(fonds=other_fonds, reason="Cả phông", start_date=today - timedelta(days=1))

    anyone = portal_scope(AnonymousUser())
    result = search("quyet dinh", scope=anyone)
    assert sorted(titles(result)) == sorted(
        ["Quyết định công khai", "Quyết định công khai", "Quyết định hết hạn hạn chế"]
    )
    assert result.total == 3
    assert facet(result, "year") == {"1991": 2, "1997": 1}
    assert facet(result, "kind") == {"file": 2, "page": 1}
    assert facet(result, "fonds") == {str(archive.fonds.pk): 3}
    assert search("", scope=anyone).total == 3
    suggestions = catalogue_suggest(scope=anyone, prefix="quyet d")
    assert sorted(suggestions) == ["Quyết định công khai", "Quyết định hết hạn hạn chế"]

    # An approved reader also sees the conditional file's catalogue entry, not its page.
    reader_scope = PortalScope(frozenset({"01", "02"}), frozenset({"01"}), anyone.restricted)
    reader = search("quyet dinh", scope=reader_scope)
    assert "Quyết định hạn chế" in titles(reader)
    assert [hit.kind for hit in reader.hits if hit.file_id == conditional.pk] == ["file"]
    assert reader.total == 4
    assert "Quyết định hạn chế" in catalogue_suggest(scope=reader_scope, prefix="quyet")
    assert gia_lai.pk not in {hit.file_id for hit in reader.hits}

    # The restriction list is read at query time: its end opens the material without reindexing.
    Restriction.objects.filter(file=restricted).update(end_date=today - timedelta(days=1))
    assert "Quyết định bị hạn chế sử dụng" in titles(search("quyet dinh", scope=portal_scope(None)))
    later = portal_scope(None, today=date(today.year + 5, 1, 1))
    assert search("quyet dinh", scope=later).total == 4, titles(search("quyet dinh", scope=later))


def test_restricted_document_hides_its_record_and_pages(archive) -> None:  # type: ignore[no-untyped-def]
    archive_file = archive.file("Hồ sơ nhân sự")
    document = archive.document(archive_file, "Quyết định bổ nhiệm")
    archive.page(archive_file, "quyết định bổ nhiệm ông A", document=document)
    Restriction.objects.create(
        fonds=archive.fonds, file=archive_file, document=document, reason="Đời tư", start_date=date(2000, 1, 1)
    )

    result = search("bo nhiem", scope=portal_scope(None))
    assert result.total == 0
    assert facet(result, "kind") == {}
    assert catalogue_suggest(scope=portal_scope(None), prefix="quyet dinh bo") == []
    assert search("nhan su", scope=portal_scope(None)).total == 1  # the file itself is not restricted


def test_suggestions_complete_the_typed_prefix(archive) -> None:  # type: ignore[no-untyped-def]
    archive_file = archive.file("Quyết định giao đất năm 1995")
    archive.document(archive_file, "Quyết định giao đất năm 1995")  # same text: suggested once
    archive.document(archive_file, "Về việc quyết toán ngân sách")
    archive.file("Báo cáo quyết định")

    suggestions = catalogue_suggest(scope=ANYONE, prefix="quyet d")
    assert suggestions[0] == "Quyết định giao đất năm 1995"
    assert suggestions.count("Quyết định giao đất năm 1995") == 1
    assert "Báo cáo quyết định" in suggestions
    assert "Về việc quyết toán ngân sách" not in suggestions
    assert "Về việc quyết toán ngân sách" in catalogue_suggest(scope=ANYONE, prefix="quyet")
    assert len(catalogue_suggest(scope=ANYONE, prefix="quyet", limit=2)) == 2
    assert catalogue_suggest(scope=ANYONE, prefix="   ") == []


def test_updates_and_deletions_reach_the_index(archive) -> None:  # type: ignore[no-untyped-def]
    archive_file = archive.file("Hồ sơ xây dựng trường học")
    document = archive.document(archive_file, "Tờ trình xây dựng trường")
    archive.page(archive_file, "trang về trường học", document=document)
    assert search("truong").total == 3

    file_update(archive_file=archive_file, title="Hồ sơ sửa chữa bệnh viện")
    assert titles(search("benh vien")) == ["Hồ sơ sửa chữa bệnh viện"]
    assert search("truong", kinds=frozenset({"file"})).total == 0

    from django.contrib.auth.models import User

    from khoso.access import services as access

    proposer, confirmer = (User.objects.create_superuser(name) for name in ("de-nghi", "xac-nhan"))

    def mode(value: str) -> None:  # an access-mode change takes effect when a second person confirms it
        change = access.propose_document_access(document=document, mode=value, reason="Đổi chế độ", by=proposer)
        access.confirm(change=change, by=confirmer)

    document_update(document=document, subject="Tờ trình mua sắm thiết bị")
    mode("02")
    assert search("mua sam").total == 0  # conditional: hidden from anyone, its page too
    assert search("truong hoc").total == 0
    assert titles(search("mua sam", scope=READER)) == ["Tờ trình mua sắm thiết bị"]
    mode("01")
    document_update(document=document, issued_date=date(1999, 5, 5))
    assert {hit.year for hit in search("truong hoc").hits} == {1999}

    document_delete(document=document, reason="Trùng lặp")
    assert search("mua sam", scope=READER).total == 0
    assert search("truong hoc").total == 0  # its page went with it
    assert search("benh vien").total == 1

    file_delete(archive_file=archive_file, reason="Nhập nhầm")
    assert search("benh vien").total == 0
    assert search("").total == 0


def test_staff_page_search_ignores_catalogue_records(archive, people) -> None:  # type: ignore[no-untyped-def]
    from khoso.search.selectors import search_pages

    archive_file = archive.file("Hồ sơ Đắk Lắk")
    page = archive.page(archive_file, "tỉnh Đắk Lắk năm 1995")

    result = search_pages(user=people["admin"], query="dak lak")
    assert [hit.page_id for hit in result.hits] == [page.pk]
    assert result.total == 1
    assert "<mark>Đắk Lắk</mark>" in result.hits[0].snippet_html
