"""The board at /thoi-han/, the annual report's "sent" form and the home page panel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from deadlines_kit import make_file, make_request  # tests/deadlines/conftest.py
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from khoso.deadlines.models import ReportSubmission

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_board_lists_items_with_their_dates_and_links(place) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    archive_file = make_file(place.fonds_a, "01.TH", today.replace(year=today.year - 5))
    late = make_request(archive_file, today - timedelta(days=2))
    page = _client(place.users["staff_a"]).get(reverse("deadlines_board")).content.decode()
    assert late.code in page and reverse("reader_request_review", args=[late.pk]) in page
    assert (today - timedelta(days=2)).strftime("%d/%m/%Y") in page and "quá hạn" in page
    assert "06 ngày làm việc" in page  # the rule quoted
    assert "Báo cáo năm gửi Bộ Nội vụ" not in page  # not this person's duty


def test_the_board_filters_by_kind_and_state(place) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    archive_file = make_file(place.fonds_a, "01.TH", today.replace(year=today.year - 5))
    late = make_request(archive_file, today - timedelta(days=2), number=1)
    later = make_request(archive_file, today + timedelta(days=20), number=2)
    client = _client(place.users["admin"])
    board = reverse("deadlines_board")
    actionable = client.get(board).content.decode()  # by default: what needs acting on
    assert late.code in actionable and later.code not in actionable
    assert client.get(board, {"trang_thai": "x"}).content.decode().count(later.code) == 0  # unknown: the default
    ok = client.get(board, {"trang_thai": "con_han", "loai": "yeu_cau_doc_gia"}).content.decode()
    assert later.code in ok and late.code not in ok
    requests = client.get(board, {"loai": "yeu_cau_doc_gia", "trang_thai": "tat_ca"}).content.decode()
    assert late.code in requests and later.code in requests and f"Báo cáo kết quả năm {today.year}" not in requests
    everything = client.get(board, {"loai": "khong-co", "trang_thai": "tat_ca"}).content.decode()
    assert late.code in everything and f"Báo cáo kết quả năm {today.year}" in everything  # unknown kind: all kinds


def test_recording_the_report_as_sent_ends_its_reminder(place) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    client = _client(place.users["reporter"])
    board = client.get(reverse("deadlines_board"), {"trang_thai": "tat_ca"}).content.decode()
    assert f"Báo cáo kết quả năm {today.year}" in board and "Ghi nhận đã gửi báo cáo" in board
    response = client.post(
        reverse("deadlines_report_submit"),
        {"year": today.year, "submitted_on": today.strftime("%d/%m/%Y"), "reference": "312/BC-SNV"},
    )
    assert response.status_code == 302
    page = client.get(response["Location"] + "&trang_thai=tat_ca").content.decode()
    assert f"Đã ghi nhận báo cáo năm {today.year} gửi ngày {today:%d/%m/%Y}" in page
    assert f"Báo cáo kết quả năm {today.year}" not in page and "312/BC-SNV" in page
    submission = ReportSubmission.objects.get(year=today.year)
    assert submission.recorded_by == place.users["reporter"]


def test_a_refused_record_changes_nothing_and_says_why(place) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    client = _client(place.users["reporter"])
    tomorrow = (today + timedelta(days=1)).strftime("%d/%m/%Y")
    page = client.post(
        reverse("deadlines_report_submit"), {"year": today.year, "submitted_on": tomorrow}, follow=True
    ).content.decode()
    assert "chưa đến: chỉ ghi nhận báo cáo đã gửi" in page
    page = client.post(
        reverse("deadlines_report_submit"), {"year": today.year, "submitted_on": today.isoformat()}, follow=True
    ).content.decode()
    assert "Ngày gửi: Nhập ngày theo dạng dd/mm/yyyy" in page
    assert not ReportSubmission.objects.exists()


def test_the_home_panel_shows_what_is_near_to_whoever_follows_deadlines(place) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    archive_file = make_file(place.fonds_a, "01.TH", today.replace(year=today.year - 5))
    late = make_request(archive_file, today - timedelta(days=2))
    template = engines["django"].from_string("{% load deadlines %}{% deadlines_panel %}")
    request = RequestFactory().get("/")
    request.user = place.users["staff_a"]
    panel = template.render({}, request)
    assert "1 việc quá hạn" in panel and late.code in panel and reverse("deadlines_board") in panel
    request.user = place.users["reader"]
    assert template.render({}, request).strip() == ""
