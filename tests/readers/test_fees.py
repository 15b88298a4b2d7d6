"""Reader fees (issue 9): a schedule by service and fee group, the fee shown when the request is made, a
receipt, and the copy delivered only once paid at the counter (confirmed by staff) or exempt."""

from __future__ import annotations

import io

import pypdfium2
import pytest
from django.test import Client
from django.urls import reverse

from khoso.readers import selectors, services
from khoso.readers.fees import quote
from khoso.readers.models import Delivery, FeeGroupRule, FeeRate, Reader, ReaderRequest


@pytest.mark.parametrize(
    ("per_request", "per_page", "pages", "copies", "discount", "amount", "basis"),
    [
        (10000, 0, 3, 1, 0, 10000, "10.000 đồng/yêu cầu"),
        (0, 2000, 3, 1, 0, 6000, "2.000 đồng/trang × 3 trang"),
        (20000, 2000, 3, 2, 0, 52000, "(20.000 đồng/yêu cầu + 2.000 đồng/trang × 3 trang) × 2 bản"),
        (20000, 2000, 3, 2, 50, 26000, "giảm 50 % theo đối tượng"),
        (20000, 2000, 3, 1, 100, 0, "miễn phí theo đối tượng"),
        (0, 1500, 7, 1, 33, 7035, "giảm 33 %"),  # 10.500 × 67 % = 7.035 (rounded down to the đồng)
        (0, 0, 3, 1, 0, 0, "không thu phí"),
    ],
)
def test_the_fee_rule(per_request, per_page, pages, copies, discount, amount, basis) -> None:  # type: ignore[no-untyped-def]
    fee = quote(
        per_request_vnd=per_request, per_page_vnd=per_page, pages=pages, copies=copies, discount_percent=discount
    )
    assert fee.amount_vnd == amount and basis in fee.basis
    assert fee.exempt == (discount == 100)


def test_installed_schedule_charges_nothing_until_rates_are_entered_and_exempts_the_named_groups(db) -> None:  # type: ignore[no-untyped-def]
    assert {r.kind: (r.per_request_vnd, r.per_page_vnd) for r in FeeRate.objects.all()} == {
        "doc": (0, 0),
        "sao": (0, 0),
        "sao_xt": (0, 0),
    }
    assert sorted(FeeGroupRule.objects.filter(discount_percent=100).values_list("fee_object_type", flat=True)) == [
        "02",
        "03",
        "04",
        "05",
        "06",
    ]


@pytest.fixture
def rates(db) -> None:  # type: ignore[no-untyped-def]
    FeeRate.objects.filter(kind="sao").update(per_request_vnd=5000, per_page_vnd=2000)
    FeeRate.objects.filter(kind="doc").update(per_request_vnd=10000)
    FeeGroupRule.objects.update_or_create(fee_object_type="01", defaults={"discount_percent": 50})


def _reader(world) -> Reader:  # type: ignore[no-untyped-def]
    return Reader.objects.get(user=world.users["reader"])


def _copy_request(world, fee_object_type: str = "10") -> ReaderRequest:  # type: ignore[no-untyped-def]
    return services.request_submit(
        reader=_reader(world),
        archive_file=world.files["public"],
        kind="sao",
        purpose="01",
        purpose_content="Làm hồ sơ đất đai",
        fee_object_type=fee_object_type,
        copies=2,
    )


def test_the_quote_is_fixed_when_the_request_is_made(world, rates) -> None:  # type: ignore[no-untyped-def]
    item = _copy_request(world)
    assert item.fee_vnd == (5000 + 2000 * 3) * 2 and "× 2 bản" in item.fee_basis
    FeeRate.objects.filter(kind="sao").update(per_page_vnd=9000)  # a later price change does not touch it
    item.refresh_from_db()
    assert item.fee_vnd == 22000 and item.fee_due
    student = services.request_submit(
        reader=_reader(world),
        archive_file=world.files["paper"],  # not digitized: the pages counted in the catalogue
        kind="doc",
        purpose="01",
        purpose_content="Luận văn",
        fee_object_type="01",
    )
    assert student.fee_vnd == 5000 and "giảm 50 %" in student.fee_basis


def test_a_copy_waits_for_the_fee_then_goes_out_with_a_receipt(
    world, rates, approve, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    staff = world.users["staff"]
    item = approve(_copy_request(world), staff)
    assert item.status == ReaderRequest.Status.APPROVED and not Delivery.objects.exists()
    assert services.delivery_make(request_id=item.pk) is None  # the task itself refuses while unpaid
    with pytest.raises(services.FeeNotPaidError) as refused:
        services.request_deliver(item=item, by=staff)
    assert "chưa nộp phí (22.000 đồng)" in refused.value.message
    assert services.deliveries_for_digitized_requests() == 0  # the beat job skips it too

    client = Client()
    client.force_login(staff)
    url = reverse("reader_request_review", kwargs={"request_id": item.pk})
    assert "Xác nhận đã thu phí" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {"decision": "paid", "reference": "Sổ thu 12/2026"}, follow=True).content.decode()
    item.refresh_from_db()
    assert item.receipt_number and item.receipt_number.endswith("-000001") and item.paid_by == staff
    assert f"biên lai số {item.receipt_number}" in page
    assert item.status == ReaderRequest.Status.DELIVERED and Delivery.objects.filter(request=item).exists()
    with pytest.raises(services.WorkflowError):  # paid once only
        services.payment_confirm(item=item, by=staff)

    reader = Client()
    reader.force_login(world.users["reader"])
    receipt = reader.get(reverse("reader_receipt", kwargs={"request_id": item.pk}))
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    text = pypdfium2.PdfDocument(io.BytesIO(receipt.content))[0].get_textpage().get_text_range()
    assert "BIÊN LAI THU PHÍ" in text and "22.000 đồng" in text and item.receipt_number in text
    assert item.receipt_number in reader.get(reverse("reader_home")).content.decode()
    for other in ("other_reader", "staff_other", "pending"):
        outsider = Client()
        outsider.force_login(world.users[other])
        assert outsider.get(reverse("reader_receipt", kwargs={"request_id": item.pk})).status_code == 404
    assert Client().get(reverse("reader_receipt", kwargs={"request_id": item.pk})).status_code == 302  # login


def test_an_exempt_group_gets_the_copy_without_paying(world, rates, approve) -> None:  # type: ignore[no-untyped-def]
    item = _copy_request(world, fee_object_type="03")  # thương binh, bệnh binh
    assert item.fee_vnd == 0 and "miễn phí" in item.fee_basis
    item = approve(item, world.users["staff"])
    assert item.status == ReaderRequest.Status.DELIVERED
    with pytest.raises(services.WorkflowError, match="không có phí"):
        services.payment_confirm(item=item, by=world.users["staff"])


def test_only_staff_of_the_fonds_record_a_payment(world, rates, approve) -> None:  # type: ignore[no-untyped-def]
    item = approve(_copy_request(world), world.users["staff"])
    with pytest.raises(services.PermissionDeniedError):
        services.payment_confirm(item=item, by=world.users["staff_other"])
    with pytest.raises(services.PermissionDeniedError):
        services.payment_confirm(item=item, by=world.users["reader"])
    item.refresh_from_db()
    assert item.paid_at is None and item.receipt_number is None


def test_the_request_form_shows_the_fees_before_sending(world, rates) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(world.users["reader"])
    page = client.get(reverse("reader_request_create") + f"?ho_so={world.files['public'].pk}").content.decode()
    assert "Phí khai thác" in page and "11.000 đồng" in page  # a copy of 3 pages: 5.000 + 3 × 2.000
    assert "01 (giảm 50 %)" in page and "03 (miễn)" in page
    rows = {row["kind"]: row["amount"] for row in selectors.fee_table(archive_file=world.files["public"])}
    assert rows == {"doc": "10.000 đồng", "sao": "11.000 đồng", "sao_xt": "0 đồng"}
