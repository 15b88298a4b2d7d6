"""The whole user story in a real browser (headless Debian Chromium, no `playwright install`).

Log in, create a fonds and a file through the forms, upload two scanned pages, wait until the
pipeline has processed them, search for a word typed without diacritics, open the hit and check
the page viewer draws highlight boxes over the image. A screenshot is kept in ``artifacts/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from .conftest import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCANS = Path("/work/shared/corpus/ocr-vie/P01/HS002")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORD = "mat-khau-thu-nghiem-123"
QUERY = "kinh phi"  # "kinh phí" on page 1, typed without diacritics


@pytest.fixture
def operator(transactional_db, settings):
    from django.contrib.auth.models import Permission, User

    settings.KHOSO_INLINE_TASKS = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = User.objects.create_user("thuthu", password=PASSWORD, is_staff=True, first_name="Lan")
    user.user_permissions.add(Permission.objects.get(codename="add_fonds", content_type__app_label="archive"))
    return user


def test_user_story(live_server, operator, launch_chromium) -> None:
    # ./install.sh installs Debian's chromium; the corpus sits beside the project (../shared).
    assert (SCANS / "page-001.jpg").exists(), f"the OCR corpus is missing: {SCANS}"
    from playwright import sync_api

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url

    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
            page.set_default_timeout(30_000)
            requests_outside: list[str] = []
            page.on(
                "request",
                lambda r: None if r.url.startswith(base) else requests_outside.append(r.url),
            )

            # 1. log in
            page.goto(base + "/")
            assert "/dang-nhap/" in page.url
            page.fill("#id_username", "thuthu")
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit].primary")
            page.wait_for_selector("h1:has-text('Phông lưu trữ')")

            # 2. create a fonds
            page.click("text=Tạo phông mới")
            page.fill("#id_code", "UBND-BK")
            page.fill("#id_name", "Phông Ủy ban nhân dân tỉnh Bắc Kạn")
            page.fill("#id_organ_id", "000.00.00.H03")
            page.fill("#id_history", "Thành lập năm 1997.")
            page.fill("#id_archives_time", "1997-2025")
            page.fill("#id_paper_total", "3,5")
            page.fill("#id_key_groups", "Tài liệu tổng hợp")
            page.click("text=Lưu phông")
            page.wait_for_selector("text=Đã tạo phông UBND-BK")

            # 3. create a file in it
            page.click("text=Tạo hồ sơ mới")
            page.fill("#id_file_catalog", "2024")
            page.fill("#id_file_notation", "02.KH")
            page.fill("#id_title", "Hồ sơ dự toán kinh phí bảo hiểm tài liệu lưu trữ năm 2024")
            page.fill("#id_start_date", "28/03/2024")
            page.fill("#id_end_date", "31/12/2024")
            page.fill("#id_description", "Kiểm thử giao diện")
            page.click("text=Lưu hồ sơ")
            page.wait_for_selector("text=Đã tạo hồ sơ 000.00.00.H03.2024.02.KH")
            assert "28/03/2024" in page.content()

            # 4. upload two scanned pages (the pipeline runs in-process: the POST returns when done)
            page.set_input_files("#id_files", [str(SCANS / "page-001.jpg"), str(SCANS / "page-002.jpg")])
            with page.expect_navigation(timeout=600_000):
                page.click("form.upload button[type=submit]")
            page.wait_for_selector("text=Đã nhận 2 tệp, 2 trang")

            # 5. the progress script polls until the pipeline is done
            progress = page.locator("#progress")
            wait_until(
                page,
                lambda: progress.get_attribute("data-status") in {"done", "needs_rescan"},
                timeout_ms=600_000,
                what="the pipeline",
            )
            assert re.search(r"2/2 trang đã xử lý", page.inner_text("#progress-text"))
            assert page.locator("#page-states li").count() == 2
            assert page.locator("#pdf-link").is_visible()
            page.screenshot(path=str(ARTIFACTS / "file-detail.png"))

            # 6. search without diacritics and open the hit
            page.fill(".quicksearch input[name=q]", QUERY)
            page.press(".quicksearch input[name=q]", "Enter")
            page.wait_for_selector("ol.results li")
            first = page.locator("ol.results li").first
            assert "000.00.00.H03.2024.02.KH" in first.inner_text()
            assert first.locator(".snippet mark").count() >= 1
            first.locator("a.result-title").click()

            # 7. the viewer shows the page, its OCR text and highlight boxes over the image
            page.wait_for_selector("#page-img")
            image = page.locator("#page-img")
            wait_until(page, lambda: image.evaluate("i => i.naturalWidth") > 0, what="the page image")
            assert "q=kinh+phi" in page.url
            boxes = page.locator(".image-frame .hl")
            assert boxes.count() >= 2  # "kinh" and "phí"
            frame = page.locator("#image-frame").bounding_box()
            box = boxes.first.bounding_box()
            assert frame and box and frame["x"] <= box["x"] < frame["x"] + frame["width"]
            assert frame["y"] <= box["y"] < frame["y"] + frame["height"]
            assert page.locator(".ocr-text mark").count() >= 2
            thumbs = page.locator(".strip img[loading=lazy]")
            assert thumbs.count() == 2
            page.screenshot(path=str(ARTIFACTS / "user-story.png"))
            assert requests_outside == []
        finally:
            browser.close()
