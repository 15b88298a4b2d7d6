"""The custody pages as a stack keeper and an approving archivist use them."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from khoso.custody import selectors
from khoso.custody.models import CustodyEvent, Discrepancy, Kind, Place

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_custody_page_shows_the_place_and_records_the_next_movement(item, client, people) -> None:  # type: ignore[no-untyped-def]
    client.force_login(people["planner"])
    url = reverse("custody_item", kwargs={"item_id": item.pk})
    page = client.get(url).content.decode()
    assert "Trên giá trong kho" in page and "Chưa có giao nhận nào" in page
    assert 'value="lay_khoi_gia"' in page and 'value="len_gia"' not in page  # only the possible movements
    response = client.post(
        reverse("custody_record", kwargs={"item_id": item.pk}),
        {"kind": "lay_khoi_gia", "sheets_counted": "4", "to_party": "Trần Thị B", "location": "Kho 1"},
    )
    assert response.status_code == 302 and response["Location"] == url
    assert _messages(response) == [f"Đã ghi nhận giao nhận hồ sơ {item.file.file_code}."]
    page = client.get(url).content.decode()
    assert "Đã lấy khỏi giá, tại nơi giao nhận" in page and "Trần Thị B" in page
    assert timezone.localtime().strftime("%d/%m/%Y") in page


def test_an_impossible_movement_shows_the_rule_and_records_nothing(item, client, people) -> None:  # type: ignore[no-untyped-def]
    client.force_login(people["planner"])
    response = client.post(
        reverse("custody_record", kwargs={"item_id": item.pk}),
        {"kind": "giao_so_hoa", "sheets_counted": "4", "to_party": "Tổ số hóa"},
    )
    assert response.status_code == 302
    assert _messages(response) == [
        f"Không thực hiện được bước này: hồ sơ {item.file.file_code} đang ở «Trên giá trong kho», "
        "không thể «Giao tài liệu và phiếu tin cho tổ số hóa»; thao tác này chỉ thực hiện khi hồ sơ ở "
        "«Đã lấy khỏi giá, tại nơi giao nhận» hoặc «Tổ biên mục đang giữ»."
    ]
    assert not CustodyEvent.objects.exists()


def test_a_box_moved_from_its_form_prints_a_receipt_with_totals(approved_project, box_of_two, client, people) -> None:  # type: ignore[no-untyped-def]
    client.force_login(people["planner"])
    url = reverse("custody_box", kwargs={"project_id": approved_project.pk})
    assert str(box_of_two) in client.get(url).content.decode()
    boxed = list(approved_project.items.filter(file__box=box_of_two).order_by("file__file_code"))
    form = client.get(url, {"box": box_of_two.pk}).content.decode()
    assert all(f"sheets_{i.pk}" in form for i in boxed)
    response = client.post(
        f"{url}?box={box_of_two.pk}",
        {
            "kind": "lay_khoi_gia",
            "files_counted": "2",
            "from_party": "Nguyễn Văn A (thủ kho)",
            "to_party": "Trần Thị B (tổ biên mục)",
            f"sheets_{boxed[0].pk}": "4",
            f"sheets_{boxed[1].pk}": "3",
        },
    )
    first = CustodyEvent.objects.order_by("id").first()
    assert response.status_code == 302
    assert response["Location"] == reverse("custody_receipt", kwargs={"event_id": first.pk})
    assert all(selectors.current_place(i) == Place.NOI_GIAO_NHAN for i in boxed)
    receipt = client.get(response["Location"]).content.decode()
    assert "BIÊN BẢN GIAO NHẬN TÀI LIỆU" in receipt
    assert '<span id="total-boxes">1</span> hộp, <span id="total-files">2</span> hồ sơ' in receipt
    assert '<span id="total-sheets">7</span> tờ' in receipt
    assert "Nguyễn Văn A (thủ kho)" in receipt and "Trần Thị B (tổ biên mục)" in receipt
    assert f'<dd id="date">{timezone.localtime(first.at).strftime("%d/%m/%Y")}</dd>' in receipt
    assert all(i.file.file_code in receipt for i in boxed)
    assert "số tờ kiểm đếm 3, theo sổ sách 4" in receipt  # the shortfall is on the minutes


def test_a_refused_box_movement_keeps_the_form_and_says_why(approved_project, box_of_two, client, people) -> None:  # type: ignore[no-untyped-def]
    client.force_login(people["planner"])
    url = reverse("custody_box", kwargs={"project_id": approved_project.pk})
    response = client.post(f"{url}?box={box_of_two.pk}", {"kind": "len_gia", "files_counted": "2", "to_party": "K"})
    assert response.status_code == 200
    assert "không thể «Đưa tài liệu trở lại giá (hoàn kho)»" in response.content.decode()
    assert not CustodyEvent.objects.exists()
    response = client.post(url, {"kind": "lay_khoi_gia", "files_counted": "2"})
    assert response.status_code == 302 and _messages(response) == ["Hãy chọn hộp trước khi ghi nhận."]


def test_the_discrepancy_list_and_its_resolution(item, record, client, people) -> None:  # type: ignore[no-untyped-def]
    record(item, Kind.LAY_KHOI_GIA, sheets_counted=3)
    discrepancy = Discrepancy.objects.get()
    client.force_login(people["approver"])
    url = reverse("custody_discrepancies", kwargs={"project_id": item.project_id})
    page = client.get(url).content.decode()
    assert f"CL-{discrepancy.pk}" in page and item.file.file_code in page
    assert reverse("custody_resolve", kwargs={"discrepancy_id": discrepancy.pk}) in page
    resolve = reverse("custody_resolve", kwargs={"discrepancy_id": discrepancy.pk})
    response = client.post(resolve, {"note": ""})
    assert _messages(response) == [
        f"Không thực hiện được bước này: phải ghi rõ cách giải quyết chênh lệch CL-{discrepancy.pk}."
    ]
    response = client.post(resolve, {"note": "Tờ 4 dính vào tờ 3.", "confirmed": "4"})
    assert response.status_code == 302 and response["Location"] == url
    discrepancy.refresh_from_db()
    assert discrepancy.status == Discrepancy.Status.RESOLVED and discrepancy.confirmed == 4
    assert f'id="cl-{discrepancy.pk}"' not in client.get(url).content.decode()  # the default view: open ones
    everything = client.get(url, {"trang_thai": ""}).content.decode()
    assert "Tờ 4 dính vào tờ 3." in everything


def test_a_scanner_sees_the_list_but_no_resolve_form(item, record, client, people) -> None:  # type: ignore[no-untyped-def]
    record(item, Kind.LAY_KHOI_GIA, sheets_counted=3)
    client.force_login(people["scanner"])
    page = client.get(reverse("custody_discrepancies", kwargs={"project_id": item.project_id})).content.decode()
    assert "CL-" in page and "custody_resolve" not in page and "/giai-quyet/" not in page


def test_the_project_page_counts_files_by_place(approved_project, item, record, client, people) -> None:  # type: ignore[no-untyped-def]
    record(item, Kind.LAY_KHOI_GIA)
    record(item, Kind.GIAO_BIEN_MUC)
    assert dict(selectors.place_counts(approved_project)) == {
        Place.TREN_GIA.label: 2,
        Place.NOI_GIAO_NHAN.label: 0,
        Place.BIEN_MUC.label: 1,
        Place.SO_HOA.label: 0,
        Place.DA_BOC_TACH.label: 0,
        Place.DA_HOAN_TRA.label: 0,
    }
    client.force_login(people["planner"])
    page = client.get(reverse("custody_project", kwargs={"project_id": approved_project.pk})).content.decode()
    assert page.count("Biên bản giao nhận") == 2
    assert reverse("custody_box", kwargs={"project_id": approved_project.pk}) in page
