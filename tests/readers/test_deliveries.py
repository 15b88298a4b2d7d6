"""What a reader receives (TT05 Đ37, 40, 41): a watermarked reading copy that cannot be downloaded,
a copy marked «BẢN SAO», a certified copy that validates; only for its reader; it expires and is purged."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import numpy as np
import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from django.core import mail
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from PIL import Image, ImageChops

from khoso.readers import selectors, services
from khoso.readers.models import Delivery, ReaderRequest, UsageEvent
from khoso.storage.models import StoredObject
from khoso.storage.services import object_store

pytestmark = pytest.mark.django_db


def _deliver(world, submit, approve, kind: str, *, document=None) -> Delivery:  # type: ignore[no-untyped-def]
    item = submit(world.reader("reader"), world.files["public"], kind, document=document)
    item = approve(item, world.users["staff"])
    assert item.status == ReaderRequest.Status.DELIVERED
    return item.deliveries.get()


def _text_of_first_page(pdf: bytes, *, flatten: bool = False) -> str:
    """Page 1's text; ``flatten`` first merges the signature's appearance, as a printout shows it."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        if flatten:
            first = document[0]
            assert pdfium_c.FPDFPage_Flatten(first.raw, pdfium_c.FLAT_PRINT) != pdfium_c.FLATTEN_FAIL
            first.close()
        return document[0].get_textpage().get_text_range()
    finally:
        document.close()


def test_reading_copy_pages_are_watermarked_images_only(world, submit, approve, client: Client) -> None:
    mail.outbox.clear()
    delivery = _deliver(world, submit, approve, "doc")
    assert delivery.kind == "doc" and delivery.content is None and delivery.page_count == 3
    assert len(delivery.token) == 43
    assert timedelta(days=14, hours=23) < delivery.expires_at - delivery.created_at <= timedelta(days=15)
    assert delivery.purge_after - delivery.expires_at == timedelta(days=5)
    link = f"https://luutru.example.vn{reverse('reader_read', args=[delivery.token])}"
    assert any(link in message.body for message in mail.outbox)  # the reader gets the link

    client.force_login(world.users["reader"])
    viewer = client.get(reverse("reader_read", args=[delivery.token]))
    assert viewer.status_code == 200 and viewer["Cache-Control"] == "no-store"
    html = viewer.content.decode()
    assert reverse("reader_read_page", args=[delivery.token, 1]) in html
    assert ".pdf" not in html and "download" not in html
    second = client.get(reverse("reader_read", args=[delivery.token]) + "?trang=2").content.decode()
    assert reverse("reader_read_page", args=[delivery.token, 2]) in second

    response = client.get(reverse("reader_read_page", args=[delivery.token, 1]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    served = Image.open(io.BytesIO(response.content)).convert("L")
    page = world.files["public"].pages.get(number=1)
    source = Image.open(object_store().open(page.original_id)).convert("L").resize(served.size)
    band = served.height // 12
    bottom = ImageChops.difference(
        served.crop((0, served.height - band, served.width, served.height)),
        source.crop((0, source.height - band, source.width, source.height)),
    )
    top = ImageChops.difference(served.crop((0, 0, served.width, band)), source.crop((0, 0, source.width, band)))
    bottom_diff, top_diff = np.asarray(bottom, dtype=np.int64), np.asarray(top, dtype=np.int64)
    assert bottom_diff.max() > 100  # the archive's name is burnt into the bottom band
    assert bottom_diff.sum() > 20 * top_diff.sum() + 1000  # and only there (JPEG noise aside)

    # no PDF of a reading copy: not by the download route, and no route for it exists
    assert client.get(reverse("reader_download", args=[delivery.token])).status_code == 404
    assert client.get(reverse("reader_read_page", args=[delivery.token, 9])).status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("reader_read_pdf", args=[delivery.token])
    assert UsageEvent.objects.filter(action=UsageEvent.Action.READ_COPY, delivery=delivery, page_number=1).count() == 1


def test_document_request_shows_only_the_documents_pages(world, submit, approve, client: Client) -> None:
    delivery = _deliver(world, submit, approve, "doc", document=world.document)
    assert delivery.page_count == 2
    client.force_login(world.users["reader"])
    assert client.get(reverse("reader_read_page", args=[delivery.token, 1])).status_code == 404
    assert client.get(reverse("reader_read_page", args=[delivery.token, 2])).status_code == 200
    assert client.get(reverse("reader_read_page", args=[delivery.token, 3])).status_code == 200


def test_copy_has_bản_sao_on_page_one_and_downloads(world, submit, approve, client: Client) -> None:
    delivery = _deliver(world, submit, approve, "sao", document=world.document)
    client.force_login(world.users["reader"])
    response = client.get(reverse("reader_download", args=[delivery.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "no-store"
    pdf = b"".join(response.streaming_content)
    assert "BẢN SAO" in _text_of_first_page(pdf)
    assert len(pypdfium2.PdfDocument(pdf)) == 2  # the document's pages only
    event = UsageEvent.objects.get(action=UsageEvent.Action.DOWNLOAD)
    assert event.delivery == delivery and event.user == world.users["reader"] and event.address == "127.0.0.1"
    # a copy is not readable in the reading-copy viewer either
    assert client.get(reverse("reader_read", args=[delivery.token])).status_code == 404


def test_certified_copy_validates_and_a_flipped_byte_breaks_it(world, submit, approve, signing, client: Client) -> None:
    from khoso.signing.pades import verify_pdf

    delivery = _deliver(world, submit, approve, "sao_xt")
    client.force_login(world.users["reader"])
    response = client.get(reverse("reader_download", args=[delivery.token]))
    pdf = b"".join(response.streaming_content)
    roots = [Path(signing.root_cert_path)]
    report = verify_pdf(pdf, trust_roots=roots)
    assert report.valid and report.intact and report.trusted, report.message_vi
    assert "BẢN SAO" not in _text_of_first_page(pdf)  # not stamped a second time under the signature
    assert _text_of_first_page(pdf, flatten=True).count("BẢN SAO") == 1
    assert len(pypdfium2.PdfDocument(pdf)) == 3
    position = pdf.index(b"/Contents") // 2  # somewhere inside the signed byte range
    flipped = pdf[:position] + bytes([pdf[position] ^ 0x01]) + pdf[position + 1 :]
    assert not verify_pdf(flipped, trust_roots=roots).valid


def test_the_test_ca_is_made_when_no_certificate_is_configured(world, submit, approve, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    settings.KHOSO_SIGNING_P12 = tmp_path / "signing" / "archive.p12"
    delivery = _deliver(world, submit, approve, "sao_xt")
    assert delivery.content_id
    assert (tmp_path / "signing").is_dir() and any((tmp_path / "signing").iterdir())


def test_a_configured_certificate_that_is_missing_is_an_error_not_a_test_ca(world, submit, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from khoso.core.errors import DependencyError

    settings.KHOSO_SIGNING_P12 = tmp_path / "khong-co.p12"
    item = submit(world.reader("reader"), world.files["public"], "sao_xt")
    ReaderRequest.objects.filter(pk=item.pk).update(status=ReaderRequest.Status.APPROVED)
    with pytest.raises(DependencyError):
        services.delivery_make(request_id=item.pk)
    item.refresh_from_db()
    assert item.status == ReaderRequest.Status.APPROVED and not item.deliveries.exists()


@pytest.mark.parametrize("kind", ["doc", "sao"])
def test_someone_elses_delivery_is_404_like_a_missing_one(world, submit, approve, client: Client, kind: str) -> None:
    delivery = _deliver(world, submit, approve, kind)
    route = "reader_read" if kind == "doc" else "reader_download"
    client.force_login(world.users["other_reader"])
    theirs = client.get(reverse(route, args=[delivery.token]))
    missing = client.get(reverse(route, args=["x" * 43]))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    client.force_login(world.users["staff"])
    assert client.get(reverse(route, args=[delivery.token])).status_code == 404
    client.force_login(world.users["superuser"])
    response = client.get(reverse(route, args=[delivery.token]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) if response.streaming else response.content


def test_expired_delivery_answers_410_and_is_purged_five_days_later(
    world, submit, approve, client: Client, django_capture_on_commit_callbacks
) -> None:
    delivery = _deliver(world, submit, approve, "sao")
    sha = delivery.content_id
    assert object_store().exists(sha)
    Delivery.objects.filter(pk=delivery.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(world.users["reader"])
    response = client.get(reverse("reader_download", args=[delivery.token]))
    assert response.status_code == 410
    assert "đã hết hạn" in response.content.decode()
    assert "đã hết hạn" in client.get(reverse("reader_home")).content.decode()

    delivery.refresh_from_db()
    assert services.deliveries_purge(now=delivery.purge_after - timedelta(minutes=1)) == 0
    assert object_store().exists(sha)
    with django_capture_on_commit_callbacks(execute=True):  # the bytes go once the rows are gone
        assert services.deliveries_purge(now=delivery.purge_after + timedelta(minutes=1)) == 1
    delivery.refresh_from_db()
    assert delivery.purged_at is not None and delivery.content_id is None
    assert not StoredObject.objects.filter(pk=sha).exists()
    assert not object_store().exists(sha)
    assert services.deliveries_purge(now=delivery.purge_after + timedelta(days=1)) == 0
    assert client.get(reverse("reader_download", args=[delivery.token])).status_code == 410


def test_purge_keeps_bytes_another_delivery_still_uses(world, submit, approve) -> None:
    first = _deliver(world, submit, approve, "sao")
    item = submit(world.reader("reader"), world.files["public"], "sao")
    second = approve(item, world.users["staff"]).deliveries.get()
    if first.content_id != second.content_id:  # stamping is not byte-deterministic: share the bytes explicitly
        Delivery.objects.filter(pk=second.pk).update(content_id=first.content_id)
    Delivery.objects.filter(pk=first.pk).update(purge_after=timezone.now() - timedelta(days=1))
    assert services.deliveries_purge() == 1
    assert StoredObject.objects.filter(pk=first.content_id).exists()
    assert object_store().exists(first.content_id)


def test_purge_task_runs_the_service(world, submit, approve) -> None:
    from khoso.readers.tasks import purge_expired_deliveries

    delivery = _deliver(world, submit, approve, "doc")
    Delivery.objects.filter(pk=delivery.pk).update(purge_after=timezone.now() - timedelta(seconds=1))
    assert purge_expired_deliveries.delay().get() == 1
    delivery.refresh_from_db()
    assert delivery.purged_at is not None


def test_a_file_deleted_after_approval_is_no_longer_delivered(world, submit, approve, client: Client) -> None:
    delivery = _deliver(world, submit, approve, "doc")
    type(world.files["public"]).objects.filter(pk=world.files["public"].pk).update(deleted_at=timezone.now())
    client.force_login(world.users["reader"])
    assert client.get(reverse("reader_read", args=[delivery.token])).status_code == 404
    assert client.get(reverse("reader_read_page", args=[delivery.token, 1])).status_code == 404


def test_reading_usage_is_counted_per_file_and_document(world, submit, approve, client: Client) -> None:
    delivery = _deliver(world, submit, approve, "doc", document=world.document)
    client.force_login(world.users["reader"])
    for number in (2, 3, 2):
        assert client.get(reverse("reader_read_page", args=[delivery.token, number])).status_code == 200
    (row,) = selectors.usage_stats(user=world.users["staff"])
    assert row.file == world.files["public"] and row.read_pages == 3 and row.downloads == 0
    (document_row,) = selectors.usage_stats_documents(user=world.users["staff"])
    assert document_row.document == world.document and document_row.read_pages == 3
    assert selectors.usage_stats(user=world.users["staff_other"]) == []


def test_paper_request_is_delivered_once_digitized(
    world, submit, approve, client: Client, django_capture_on_commit_callbacks
) -> None:
    from khoso.archive.models import Page

    item = approve(submit(world.reader("reader"), world.files["paper"], "doc"), world.users["staff"])
    assert item.status == ReaderRequest.Status.APPROVED and not item.deliveries.exists()
    source = world.files["public"].pages.get(number=1)  # the scan arrives: one page, done
    Page.objects.create(
        file=world.files["paper"],
        number=1,
        original=source.original,
        original_name="1.jpg",
        rendition=source.rendition,
        stage=Page.Stage.DONE,
    )
    client.force_login(world.users["staff"])
    url = reverse("reader_request_review", args=[item.pk])
    assert "Tạo bản giao cho độc giả" in client.get(url).content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"decision": "deliver"}).status_code == 302
    item.refresh_from_db()
    assert item.status == ReaderRequest.Status.DELIVERED and item.deliveries.get().page_count == 1
    assert [m.to for m in mail.outbox] == [["docgia@example.vn"]]


def test_paper_request_is_delivered_by_the_schedule_once_the_whole_file_is_digitized(
    world, submit, approve, django_capture_on_commit_callbacks
) -> None:
    from khoso.archive.models import Page
    from khoso.readers import tasks

    item = approve(submit(world.reader("reader"), world.files["paper"], "doc"), world.users["staff"])
    source = world.files["public"].pages.get(number=1)

    def scan(number: int, stage: str) -> Page:
        return Page.objects.create(
            file=world.files["paper"],
            number=number,
            original=source.original,
            original_name=f"{number}.jpg",
            rendition=source.rendition if stage == Page.Stage.DONE else None,
            stage=stage,
        )

    scan(1, Page.Stage.DONE)
    second = scan(2, Page.Stage.PROCESSING)  # the file is still being scanned: nothing goes out
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.deliver_digitized_requests() == 0
    item.refresh_from_db()
    assert item.status == ReaderRequest.Status.APPROVED and not item.deliveries.exists()

    second.stage = Page.Stage.DONE
    second.rendition = source.rendition
    second.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.deliver_digitized_requests() == 1
    item.refresh_from_db()
    assert item.status == ReaderRequest.Status.DELIVERED and item.deliveries.get().page_count == 2
    assert [m.to for m in mail.outbox] == [["docgia@example.vn"]]
    with django_capture_on_commit_callbacks(execute=True):  # the next run finds nothing left to do
        assert tasks.deliver_digitized_requests() == 0
    assert item.deliveries.count() == 1


def test_pages_of_a_secret_document_never_reach_a_reader_of_its_public_file(world, submit, approve) -> None:
    from khoso.archive.models import Document

    Document.objects.filter(pk=world.document.pk).update(secret_class="Mật")  # classified pages 2–3
    delivery = _deliver(world, submit, approve, "doc")
    assert delivery.page_count == 1
