"""Count reconciliation before QC: pages delivered and sheets counted against the worksheet.

A difference is fixed (deliver the missing pages) or explained with a note for exactly those
figures; until then, and until every page has been processed, the file does not leave scanning.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from khoso.archive.models import Page
from khoso.core.errors import PermissionDeniedError, WorkflowError
from khoso.scanning import services
from khoso.workflow.services import transition
from khoso.workflow.states import State

pytestmark = pytest.mark.django_db


def _submit(item, actor):  # type: ignore[no-untyped-def]
    return transition(item=item, target=State.KIEM_TRA_CHAT_LUONG, actor=actor)


def test_nothing_delivered_cannot_go_to_qc(scan_item, people) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(WorkflowError) as caught:
        _submit(scan_item, people["scanner"])
    assert "chưa nhận được trang quét nào của hồ sơ" in caught.value.message


def test_pages_still_in_the_pipeline_hold_the_file(scan_item, people, done_pages) -> None:  # type: ignore[no-untyped-def]
    first, second = done_pages(scan_item.file, 2)
    Page.objects.filter(pk=second.pk).update(stage=Page.Stage.PROCESSING)
    with pytest.raises(WorkflowError) as caught:
        _submit(scan_item, people["scanner"])
    assert "còn 1 trang chưa xử lý xong (trang 2)" in caught.value.message
    Page.objects.filter(pk=second.pk).update(stage=Page.Stage.FAILED)
    with pytest.raises(WorkflowError) as caught:
        _submit(scan_item, people["scanner"])
    assert "trang 2 xử lý bị lỗi" in caught.value.message


def test_missing_page_is_fixed_by_delivering_it(scan_item, people, done_pages) -> None:  # type: ignore[no-untyped-def]
    done_pages(scan_item.file, 1)
    with pytest.raises(WorkflowError) as caught:
        _submit(scan_item, people["scanner"])
    assert "số trang đã nhận (1) khác số trang theo phiếu tin (2)" in caught.value.message
    done_pages(scan_item.file, 1)
    moved = _submit(scan_item, people["scanner"])
    assert moved.state == State.KIEM_TRA_CHAT_LUONG


def test_a_difference_explained_for_these_figures_lets_the_file_go(scan_item, people, done_pages) -> None:  # type: ignore[no-untyped-def]
    done_pages(scan_item.file, 3)
    services.count_reconcile(item=scan_item, actor=people["scanner"], sheets_counted=1)  # no note: not explained
    with pytest.raises(WorkflowError) as caught:
        _submit(scan_item, people["scanner"])
    assert "số trang đã nhận (3) khác số trang theo phiếu tin (2)" in caught.value.message
    services.count_reconcile(
        item=scan_item, actor=people["scanner"], sheets_counted=1, note="Tờ 1 có phụ lục gấp, quét thành 2 trang."
    )
    done_pages(scan_item.file, 1)  # a later delivery: the explanation no longer covers the figures
    with pytest.raises(WorkflowError) as caught:
        _submit(scan_item, people["scanner"])
    assert "số trang đã nhận (4)" in caught.value.message
    reconciliation = services.count_reconcile(
        item=scan_item, actor=people["scanner"], sheets_counted=1, note="Phụ lục gấp: 4 trang từ 1 tờ."
    )
    assert (reconciliation.pages_delivered, reconciliation.pages_expected) == (4, 2)
    assert _submit(scan_item, people["scanner"]).state == State.KIEM_TRA_CHAT_LUONG


def test_sheets_counted_must_match_the_worksheet_or_be_explained(scan_item, people, done_pages) -> None:  # type: ignore[no-untyped-def]
    done_pages(scan_item.file, 2)
    services.count_reconcile(item=scan_item, actor=people["scanner"], sheets_counted=2)
    with pytest.raises(WorkflowError) as caught:
        _submit(scan_item, people["scanner"])
    assert "số tờ đếm được (2) khác số tờ theo phiếu tin (1)" in caught.value.message
    services.count_reconcile(item=scan_item, actor=people["scanner"], sheets_counted=1)
    assert _submit(scan_item, people["scanner"]).state == State.KIEM_TRA_CHAT_LUONG


def test_only_the_scanner_reconciles_and_only_at_the_scanning_step(scan_item, people, put_in_state) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDeniedError):
        services.count_reconcile(item=scan_item, actor=people["inspector"], sheets_counted=1)
    put_in_state(scan_item, State.KIEM_TRA_CHAT_LUONG, people["scanner"])
    with pytest.raises(WorkflowError) as caught:
        services.count_reconcile(item=scan_item, actor=people["scanner"], sheets_counted=1)
    assert "thao tác này chỉ làm ở bước «Số hóa»" in caught.value.message


def test_reconciliation_form_and_refused_move_on_the_web(scan_item, people, done_pages, client) -> None:  # type: ignore[no-untyped-def]
    done_pages(scan_item.file, 3)
    client.force_login(people["scanner"])
    page = client.get(reverse("scan_delivery", kwargs={"item_id": scan_item.pk})).content.decode()
    assert "Số trang đã nhận (3) khác số trang theo phiếu tin (2)" in page
    response = client.post(
        reverse("item_transition", kwargs={"item_id": scan_item.pk}), {"target": State.KIEM_TRA_CHAT_LUONG}, follow=True
    )
    assert "Không thực hiện được bước này: số trang đã nhận (3)" in response.content.decode()
    client.post(
        reverse("scan_reconcile", kwargs={"item_id": scan_item.pk}),
        {"sheets_counted": "1", "note": "Trang 3 là bìa sau có chữ ký."},
    )
    page = client.get(reverse("scan_delivery", kwargs={"item_id": scan_item.pk})).content.decode()
    assert "Đủ điều kiện gửi kiểm tra chất lượng." in page and "Trang 3 là bìa sau có chữ ký." in page
    client.post(reverse("item_transition", kwargs={"item_id": scan_item.pk}), {"target": State.KIEM_TRA_CHAT_LUONG})
    scan_item.refresh_from_db()
    assert scan_item.state == State.KIEM_TRA_CHAT_LUONG
