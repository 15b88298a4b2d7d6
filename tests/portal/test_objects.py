"""File and document pages: what a visitor sees, what is recorded, and the one 404 for hidden ids."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from khoso.access.models import Restriction
from khoso.archive.models import ArchiveFile, Document
from khoso.readers.models import UsageEvent

pytestmark = pytest.mark.django_db


def _missing_ids() -> tuple[int, int]:
    """Ids just past the last file and document: they do not exist (sequential guessing)."""
    return (
        ArchiveFile.objects.order_by("-pk").values_list("pk", flat=True).first() + 1,
        Document.objects.order_by("-pk").values_list("pk", flat=True).first() + 1,
    )


def test_public_file_shows_reader_fields_documents_and_thumbnails(catalogue, client: Client) -> None:
    archive_file = catalogue.files["public"]
    response = client.get(reverse("portal_file", args=[archive_file.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert archive_file.title in page and archive_file.file_code in page
    assert "Người lập hồ sơ: Nguyễn Văn A" in page
    assert "05/01/1995" in page  # dd/mm/yyyy
    assert "Quyết định phê duyệt quy hoạch tỉnh Đắk Lắk" in page and "Báo cáo tổng kết năm 1995" in page
    for hidden in ("Omega", "Sigma", "Kappa"):  # conditional, restricted, deleted documents
        assert hidden not in page
    thumbnail = reverse("portal_thumbnail", args=[archive_file.pk, 1])
    assert thumbnail in page
    for number in (2, 3, 4):
        assert reverse("portal_thumbnail", args=[archive_file.pk, number]) not in page
    assert f"/doc-gia/yeu-cau/tao/?ho_so={archive_file.pk}" in page
    for internal in ("pdf_pages_digest", "created_by", "Đã xóa", "risk_recovery"):
        assert internal not in page


def test_file_arriving_from_a_search_marks_the_matching_page_text(catalogue, client: Client) -> None:
    url = reverse("portal_file", args=[catalogue.files["public"].pk])
    page = client.get(url, {"q": "quy hoach"}).content.decode()
    assert "<mark>quy hoạch</mark>" in page or "<mark>quy</mark> <mark>hoạch</mark>" in page
    assert 'href="#trang-1"' in page and 'href="#trang-5"' in page
    assert "Omega" not in client.get(url, {"q": "omega"}).content.decode()  # text of a hidden page


def test_conditional_file_is_listed_for_an_approved_reader_without_content(catalogue, client: Client) -> None:
    archive_file = catalogue.files["conditional"]
    url = reverse("portal_file", args=[archive_file.pk])
    assert client.get(url).status_code == 404
    client.force_login(catalogue.users["pending"])
    assert client.get(url).status_code == 404
    client.force_login(catalogue.users["approved"])
    response = client.get(url, {"q": "zeta"})
    page = response.content.decode()
    assert response.status_code == 200 and archive_file.title in page
    assert "anh-nho.jpg" not in page and "Danh sách nhân sự" not in page  # no thumbnails, no OCR text
    assert f"/doc-gia/yeu-cau/tao/?ho_so={archive_file.pk}" in page
    document = catalogue.documents["conditional"]
    assert client.get(reverse("portal_document", args=[document.pk])).status_code == 200
    public_file = client.get(reverse("portal_file", args=[catalogue.files["public"].pk])).content.decode()
    assert "Omega" in public_file  # its conditional document is listed for the approved reader
    assert reverse("portal_thumbnail", args=[catalogue.files["public"].pk, 2]) not in public_file


def test_paper_holding_without_pages_can_be_requested(catalogue, client: Client) -> None:
    archive_file = catalogue.files["b"]
    page = client.get(reverse("portal_file", args=[archive_file.pk])).content.decode()
    assert "anh-nho.jpg" not in page
    assert f"/doc-gia/yeu-cau/tao/?ho_so={archive_file.pk}" in page
    assert "Yêu cầu đọc / sao" in page


def test_document_page(catalogue, client: Client) -> None:
    document = catalogue.documents["public"]
    response = client.get(reverse("portal_document", args=[document.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        document.doc_code,
        "15/QĐ-UBND",
        "04/03/1995",
        "Quyết định",
        document.subject,
        "Ủy ban nhân dân tỉnh Đắk Lắk",
        reverse("portal_file", args=[document.file_id]),
    ):
        assert text in page, text
    assert f"ho_so={document.file_id}&amp;tai_lieu={document.pk}" in page


@pytest.mark.parametrize("actor", ["anonymous", "pending", "approved"])
def test_hidden_files_and_documents_answer_like_missing_ids(catalogue, client: Client, actor: str) -> None:
    user = catalogue.users[actor]
    if user is not None:
        client.force_login(user)
    missing_file, missing_document = _missing_ids()
    file_404 = client.get(reverse("portal_file", args=[missing_file]))
    document_404 = client.get(reverse("portal_document", args=[missing_document]))
    assert file_404.status_code == document_404.status_code == 404
    assert file_404.content == document_404.content
    hidden_files = ["secret", "restricted", "deleted", "closed", "empty_secret"]
    if actor != "approved":
        hidden_files.append("conditional")
    for name in hidden_files:
        response = client.get(reverse("portal_file", args=[catalogue.files[name].pk]))
        assert (response.status_code, response.content) == (404, file_404.content), name
    hidden_documents = ["secret", "restricted", "deleted"]
    if actor != "approved":
        hidden_documents += ["conditional", "in_conditional"]
    for name in hidden_documents:
        response = client.get(reverse("portal_document", args=[catalogue.documents[name].pk]))
        assert (response.status_code, response.content) == (404, file_404.content), name
    assert not UsageEvent.objects.exists()  # nothing hidden was "viewed"


def test_restriction_whose_end_date_passed_opens_the_material(catalogue, client: Client) -> None:
    expired = catalogue.files["expired"]
    assert client.get(reverse("portal_file", args=[expired.pk])).status_code == 200
    restriction = Restriction.objects.get(document=catalogue.documents["restricted"])
    url = reverse("portal_document", args=[catalogue.documents["restricted"].pk])
    assert client.get(url).status_code == 404
    restriction.start_date = timezone.localdate() - timedelta(days=60)
    restriction.end_date = timezone.localdate() - timedelta(days=1)
    restriction.save()
    assert client.get(url).status_code == 200
    thumbnail = reverse("portal_thumbnail", args=[catalogue.files["public"].pk, 3])
    response = client.get(thumbnail)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)


def test_views_are_recorded_as_usage_events(catalogue, client: Client) -> None:
    archive_file = catalogue.files["public"]
    document = catalogue.documents["public"]
    client.get(reverse("portal_file", args=[archive_file.pk]))
    client.force_login(catalogue.users["approved"])
    client.get(reverse("portal_document", args=[document.pk]))
    events = list(UsageEvent.objects.order_by("pk"))
    assert [(e.action, e.file_id, e.document_id, e.surface) for e in events] == [
        (UsageEvent.Action.VIEW_FILE, archive_file.pk, None, "portal"),
        (UsageEvent.Action.VIEW_DOCUMENT, archive_file.pk, document.pk, "portal"),
    ]
    assert events[0].user is None and events[1].user == catalogue.users["approved"]


def test_titles_are_escaped(catalogue, client: Client) -> None:
    archive_file = catalogue.files["xss"]
    for url in (reverse("portal_file", args=[archive_file.pk]), reverse("portal_fonds", args=[catalogue.fonds.pk])):
        page = client.get(url).content.decode()
        assert '<script>alert("xss")</script>' not in page
        assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in page
