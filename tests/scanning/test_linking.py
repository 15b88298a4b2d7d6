"""Linking: each document gets its page range; the completeness checks name every gap in Vietnamese.

Checks: no orphan page, no document without pages, as many documents as the worksheet's total,
every document code starting with its file code, no overlapping ranges, no range past the last page.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from khoso.access.models import FondsGrant
from khoso.archive.models import ArchiveFile, Document, Page
from khoso.archive.services import document_create
from khoso.core.errors import PermissionDeniedError, WorkflowError
from khoso.scanning import selectors, services
from khoso.search.selectors import search_pages
from khoso.search.services import file_changed
from khoso.workflow.services import transition
from khoso.workflow.states import State

pytestmark = pytest.mark.django_db


def _document(archive_file: ArchiveFile, pages: int, subject: str) -> Document:
    return document_create(
        archive_file=archive_file,
        type_name="02",
        issued_date=date(1995, 5, 1),
        organ_name="UBND tỉnh Đắk Lắk",
        subject=subject,
        number_of_page=pages,
    )


@pytest.fixture
def linking(scan_item, people, done_pages, put_in_state):  # type: ignore[no-untyped-def]
    """A file of 4 processed pages and two documents (2 + 2 pages on the worksheet), waiting at LIEN_KET."""
    done_pages(scan_item.file, 4)
    _document(scan_item.file, 2, "Quyết định phê duyệt quy hoạch")
    _document(scan_item.file, 2, "Tờ trình về quy hoạch")
    return put_in_state(scan_item, State.LIEN_KET, people["inspector"])


def _codes(item) -> set[str]:  # type: ignore[no-untyped-def]
    return {problem.code for problem in selectors.link_problems(item.file)}


def _messages(item) -> str:  # type: ignore[no-untyped-def]
    return " ".join(problem.message for problem in selectors.link_problems(item.file))


def _link(item, actor, ordinal: int, first: int, count: int) -> Document:  # type: ignore[no-untyped-def]
    document = item.file.documents.get(ordinal=ordinal)
    return services.document_link(
        item=item, actor=actor, document_id=document.pk, first_page=first, number_of_page=count
    )


def test_unlinked_file_reports_orphans_and_documents_without_pages(linking, people) -> None:  # type: ignore[no-untyped-def]
    code = linking.file.file_code
    assert _codes(linking) == {"trang_mo_coi", "tai_lieu_khong_co_trang"}
    text = _messages(linking)
    assert "Trang 1, 2, 3, 4 chưa thuộc tài liệu nào (trang mồ côi)." in text
    assert f"Tài liệu {code}.0000001 chưa được gắn trang nào." in text
    with pytest.raises(WorkflowError) as caught:
        transition(item=linking, target=State.KIEM_TRA_LIEN_KET, actor=people["keyer"])
    assert caught.value.message.startswith("Không thực hiện được bước này: liên kết chưa đầy đủ: Trang 1, 2, 3, 4")


def test_link_check_fix_recheck_until_clean(linking, people) -> None:  # type: ignore[no-untyped-def]
    keyer, checker = people["keyer"], people["checker"]
    first = _link(linking, keyer, 1, 1, 3)
    assert (first.first_page, first.number_of_page) == (1, 3)
    assert list(Page.objects.filter(document=first).values_list("number", flat=True)) == [1, 2, 3]
    assert _codes(linking) == {"trang_mo_coi", "tai_lieu_khong_co_trang"}  # page 4 and document 2 left
    with pytest.raises(WorkflowError) as caught:
        _link(linking, keyer, 2, 3, 2)
    assert "trùng trang với tài liệu" in caught.value.message and "(trang 1–3)" in caught.value.message
    with pytest.raises(WorkflowError) as caught:
        _link(linking, keyer, 2, 4, 2)
    assert "trang cuối 5 vượt quá số trang của hồ sơ (4)" in caught.value.message
    _link(linking, keyer, 1, 1, 2)  # shrink the first range: page 3 is freed
    assert list(Page.objects.filter(document=first).values_list("number", flat=True)) == [1, 2]
    _link(linking, keyer, 2, 3, 2)
    assert selectors.link_problems(linking.file) == []
    item = transition(item=linking, target=State.KIEM_TRA_LIEN_KET, actor=keyer)
    Page.objects.filter(file_id=item.file_id, number=4).update(document=None)  # a link lost before the check
    with pytest.raises(WorkflowError) as caught:
        transition(item=item, target=State.HOAN_KHO, actor=checker)
    assert "Trang 4 chưa thuộc tài liệu nào (trang mồ côi)." in caught.value.message
    item = transition(item=item, target=State.LIEN_KET, actor=checker)
    _link(item, keyer, 2, 3, 2)
    item = transition(item=item, target=State.KIEM_TRA_LIEN_KET, actor=keyer)
    assert transition(item=item, target=State.HOAN_KHO, actor=checker).state == State.HOAN_KHO


def test_document_count_must_equal_the_worksheet_total(linking, people) -> None:  # type: ignore[no-untyped-def]
    services.links_from_metadata(item=linking, actor=people["keyer"])
    assert selectors.link_problems(linking.file) == []
    ArchiveFile.objects.filter(pk=linking.file_id).update(total_doc=3)
    assert _codes(linking) == {"sai_tong_so_tai_lieu"}
    assert "Hồ sơ có 2 tài liệu nhưng phiếu tin ghi tổng số tài liệu là 3." in _messages(linking)


def test_document_code_must_start_with_the_file_code(linking, people) -> None:  # type: ignore[no-untyped-def]
    services.links_from_metadata(item=linking, actor=people["keyer"])
    code = linking.file.file_code
    Document.objects.filter(file_id=linking.file_id, ordinal=2).update(doc_code="H99.2001.01.0000002")
    assert _codes(linking) == {"ma_tai_lieu_sai_ma_ho_so"}
    assert f"Mã tài liệu H99.2001.01.0000002 không bắt đầu bằng mã hồ sơ {code}." in _messages(linking)


def test_overlapping_and_overlong_ranges_are_named(linking, people) -> None:  # type: ignore[no-untyped-def]
    services.links_from_metadata(item=linking, actor=people["keyer"])
    code = linking.file.file_code
    Document.objects.filter(file_id=linking.file_id, ordinal=2).update(first_page=2, number_of_page=4)
    assert {"trung_khoang_trang", "vuot_so_trang"} <= _codes(linking)
    text = _messages(linking)
    assert f"Tài liệu {code}.0000001 (trang 1–2) và {code}.0000002 (trang 2–5) trùng trang." in text
    assert f"Tài liệu {code}.0000002 ghi trang 2–5 nhưng hồ sơ chỉ có 4 trang." in text


def test_links_from_worksheet_page_counts(linking, people) -> None:  # type: ignore[no-untyped-def]
    assert services.links_from_metadata(item=linking, actor=people["keyer"]) == 2
    ranges = list(linking.file.documents.order_by("ordinal").values_list("first_page", "number_of_page"))
    assert ranges == [(1, 2), (3, 2)]
    Document.objects.filter(file_id=linking.file_id, ordinal=2).update(number_of_page=5)
    assert services.links_from_metadata(item=linking, actor=people["keyer"]) == 1  # document 2 does not fit
    assert _codes(linking) == {"trang_mo_coi", "tai_lieu_khong_co_trang"}


def test_linked_pages_are_searched_under_their_documents_access_mode(linking, people) -> None:  # type: ignore[no-untyped-def]
    Page.objects.filter(file_id=linking.file_id).update(ocr_text="Quyết định quy hoạch vùng cà phê")
    Document.objects.filter(file_id=linking.file_id, ordinal=2).update(mode="03")  # Mật
    file_changed(file_id=linking.file_id)
    reader = people["outsider"]
    FondsGrant.objects.create(user=reader, fonds=linking.file.fonds)

    def visible() -> list[int]:
        return sorted(hit.page_no for hit in search_pages(user=reader, query="cà phê").hits)

    assert visible() == [1, 2, 3, 4]  # indexed before linking, under the file's public mode
    services.links_from_metadata(item=linking, actor=people["keyer"])
    assert visible() == [1, 2]  # pages 3–4 now belong to the secret document
    _link(linking, people["keyer"], 1, 1, 1)
    _link(linking, people["keyer"], 2, 2, 3)
    assert visible() == [1]


def test_only_data_entry_links_and_only_at_the_linking_step(linking, people, put_in_state) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDeniedError):
        _link(linking, people["checker"], 1, 1, 2)
    item = put_in_state(linking, State.KIEM_TRA_LIEN_KET, people["keyer"])
    with pytest.raises(WorkflowError) as caught:
        _link(item, people["keyer"], 1, 1, 2)
    assert "thao tác này chỉ làm ở bước «Liên kết dữ liệu đặc tả với tệp số hóa»" in caught.value.message


def test_linking_page_lists_problems_and_saves_ranges(linking, people, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(people["keyer"])
    url = reverse("scan_link", kwargs={"item_id": linking.pk})
    assert "(trang mồ côi)" in client.get(url).content.decode()
    document = linking.file.documents.get(ordinal=1)
    client.post(
        reverse("scan_link_save", kwargs={"item_id": linking.pk}),
        {"document": document.pk, "first_page": 1, "number_of_page": 2},
    )
    document.refresh_from_db()
    assert (document.first_page, document.number_of_page) == (1, 2)
    client.post(reverse("scan_link_auto", kwargs={"item_id": linking.pk}))
    assert 'id="link-ok"' in client.get(url).content.decode()
    client.force_login(people["checker"])
    checker_view = client.get(url).content.decode()
    assert 'id="link-ok"' in checker_view
    assert reverse("scan_link_save", kwargs={"item_id": linking.pk}) not in checker_view
