"""Forms, uploads, progress, viewer and search pages of the web UI (Vietnamese first)."""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from khoso.access.models import FondsGrant
from khoso.archive.models import ArchiveFile, Document, Fonds, Page
from khoso.capture.models import Delivery
from khoso.storage.models import StoredObject

FONDS_POST = {
    "code": "UBND-DL",
    "name": "Phông UBND tỉnh Đắk Lắk",
    "status": "mo",
    "organ_id": "000.00.00.H15",
    "history": "Thành lập năm 1976.",
    "archives_time": "1976-2000",
    "paper_total": "12,5",
    "key_groups": "Tổng hợp",
    "language": "01",
    "description": "",
}
FILE_POST = {
    "file_catalog": "1995",
    "file_notation": "01.TH",
    "title": "Hồ sơ quy hoạch tỉnh Đắk Lắk năm 1995",
    "maintenance": "01",
    "mode": "01",
    "language": "01",
    "start_date": "03/01/1995",
    "end_date": "28/12/1995",
    "keyword": "quy hoạch",
    "number_of_paper": "10",
    "number_of_page": "12",
    "format": "01",
    "confidence_level": "",
    "paper_file_code": "",
    "risk_recovery_status": "",
    "description": "Người lập: A",
}


def test_login_page_is_vietnamese_and_anonymous_is_redirected(client: Client, db) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    page = client.get(reverse("login")).content.decode()
    assert "Đăng nhập" in page and "Mật khẩu" in page
    assert 'lang="vi"' in page
    assert "http://" not in page and "https://" not in page  # nothing from a CDN


def test_wrong_password_message_is_vietnamese(client: Client, world) -> None:
    response = client.post(reverse("login"), {"username": "nhanvien1", "password": "sai"})
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_creating_a_fonds_and_a_file_through_the_forms(client: Client, creator: User) -> None:
    client.force_login(creator)
    response = client.post(reverse("fonds_create"), FONDS_POST)
    fonds = Fonds.objects.get(code="UBND-DL")
    assert response.status_code == 302 and response["Location"] == reverse("fonds_detail", args=[fonds.pk])
    assert str(fonds.paper_total) == "12.50"
    assert FondsGrant.objects.filter(user=creator, fonds=fonds, can_edit=True).exists()

    response = client.post(reverse("file_create", args=[fonds.pk]), FILE_POST)
    archive_file = ArchiveFile.objects.get()
    assert archive_file.file_code == "000.00.00.H15.1995.01.TH"
    assert response["Location"] == reverse("file_detail", args=[archive_file.file_code])
    assert archive_file.created_by == creator
    detail = client.get(response["Location"]).content.decode()
    assert "03/01/1995" in detail and "28/12/1995" in detail  # dd/mm/yyyy
    assert "Vĩnh viễn" in detail  # coded values shown with their Vietnamese label
    listing = client.get(reverse("fonds_detail", args=[fonds.pk])).content.decode()
    assert archive_file.file_code in listing


def test_fonds_form_errors_are_vietnamese(client: Client, creator: User) -> None:
    client.force_login(creator)
    response = client.post(reverse("fonds_create"), {**FONDS_POST, "name": ""})
    assert response.status_code == 200
    assert "Trường này là bắt buộc." in response.content.decode()
    response = client.post(reverse("fonds_create"), {**FONDS_POST, "organ_id": "sai mã!"})
    page = response.content.decode()
    assert "sai quy tắc" in page and "QĐ 20/2020" in page
    assert not Fonds.objects.exists()


def test_staff_without_add_fonds_cannot_create_one(client: Client, world) -> None:
    client.force_login(world.users["staff_with_grant"])
    assert client.post(reverse("fonds_create"), FONDS_POST).status_code == 403
    assert not Fonds.objects.filter(code="UBND-DL").exists()


def test_file_form_errors_are_vietnamese(client: Client, world) -> None:
    client.force_login(world.users["staff_with_grant"])
    url = reverse("file_create", args=[world.fonds.pk])
    page = client.post(url, {**FILE_POST, "start_date": "1995-01-03"}).content.decode()
    assert "Nhập ngày theo dạng dd/mm/yyyy" in page
    page = client.post(url, {**FILE_POST, "start_date": "01/01/1996"}).content.decode()
    assert "Thời gian bắt đầu phải trước hoặc bằng thời gian kết thúc." in page
    page = client.post(url, {**FILE_POST, "confidence_level": "02"}).content.decode()
    assert "Mã hồ sơ gốc giấy: bắt buộc với hồ sơ số hóa" in page
    page = client.post(url, {**FILE_POST, "title": ""}).content.decode()
    assert "Trường này là bắt buộc." in page
    assert ArchiveFile.objects.count() == 2  # only the two from the fixture


def test_adding_a_document(client: Client, world) -> None:
    archive_file = world.files["01"]
    client.force_login(world.users["staff_with_grant"])
    url = reverse("document_create", args=[archive_file.file_code])
    data = {
        "type_name": "02",
        "code_number": "12",
        "code_notation": "QĐ-UBND",
        "issued_date": "15/03/2001",
        "organ_name": "UBND tỉnh",
        "subject": "Về việc thành lập",
        "number_of_page": "2",
    }
    response = client.post(url, {**data, "issued_date": "32/13/2001"})
    assert response.status_code == 400 and "dd/mm/yyyy" in response.content.decode()
    response = client.post(url, data)
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.ordinal == 1 and document.mode == "01"
    page = client.get(reverse("file_detail", args=[archive_file.file_code])).content.decode()
    assert "Về việc thành lập" in page and "15/03/2001" in page


def test_upload_of_a_non_image_shows_the_preflight_error_and_stores_nothing(
    client: Client, world, settings, jpeg_bytes
) -> None:
    archive_file = world.files["01"]
    client.force_login(world.users["staff_with_grant"])
    objects_before = StoredObject.objects.count()
    pages_before = Page.objects.count()
    deliveries_before = Delivery.objects.count()
    stored_files_before = sorted(p for p in settings.KHOSO_OBJECTS_DIR.rglob("*") if p.is_file())
    upload = [
        SimpleUploadedFile("trang-1.jpg", jpeg_bytes(), content_type="image/jpeg"),
        SimpleUploadedFile("ghi-chu.jpg", b"day khong phai la anh\n" * 20, content_type="image/jpeg"),
    ]
    response = client.post(reverse("file_upload", args=[archive_file.file_code]), {"files": upload}, follow=True)
    page = response.content.decode()
    assert "ghi-chu.jpg không phải ảnh JPEG, PNG, TIFF hay tệp PDF" in page
    assert StoredObject.objects.count() == objects_before
    assert Page.objects.count() == pages_before
    assert Delivery.objects.count() == deliveries_before
    assert sorted(p for p in settings.KHOSO_OBJECTS_DIR.rglob("*") if p.is_file()) == stored_files_before
    assert not any(settings.FILE_UPLOAD_TEMP_DIR.iterdir())  # temporary copies removed


def test_upload_of_images_creates_pages_and_progress_reports_them(client: Client, world, jpeg_bytes) -> None:
    archive_file = world.files["01"]
    client.force_login(world.users["staff_with_grant"])
    upload = [SimpleUploadedFile(f"p{i}.jpg", jpeg_bytes(text=f"trang {i}"), content_type="image/jpeg") for i in (1, 2)]
    response = client.post(reverse("file_upload", args=[archive_file.file_code]), {"files": upload}, follow=True)
    assert "Đã nhận 2 tệp, 2 trang" in response.content.decode()
    assert list(archive_file.pages.order_by("number").values_list("number", "original_name")) == [
        (1, "a.jpg"),
        (2, "p1.jpg"),
        (3, "p2.jpg"),
    ]
    data = client.get(reverse("file_progress", args=[archive_file.file_code])).json()
    assert data["total"] == 3 and data["done"] == 1 and data["status"] == "processing"
    assert [p["number"] for p in data["pages"]] == [1, 2, 3]
    assert data["pages"][1]["stage"] == "received"
    assert data["pages"][0]["thumbnail_url"].endswith("/trang/1/anh-nho.jpg")
    assert data["pdf_url"] == reverse("file_pdf", args=[archive_file.file_code])


def test_progress_reports_qc_problems_and_rescan(client: Client, world) -> None:
    archive_file = world.files["01"]
    archive_file.pages.update(
        needs_rescan=True,
        qc_passed=False,
        qc={
            "problems": [
                {
                    "code": "do_phan_giai",
                    "message_vi": "Độ phân giải 150 dpi thấp hơn 200 dpi.",
                    "message_en": "x",
                    "severity": "error",
                }
            ]
        },
    )
    client.force_login(world.users["superuser"])
    data = client.get(reverse("file_progress", args=[archive_file.file_code])).json()
    assert data["rescan"] == 1 and data["status"] == "needs_rescan"
    assert data["pages"][0]["problems"][0]["message"] == "Độ phân giải 150 dpi thấp hơn 200 dpi."
    assert data["pages"][0]["needs_rescan"] is True


def test_page_viewer_highlights_words_matching_without_diacritics(client: Client, world) -> None:
    archive_file = world.files["01"]
    client.force_login(world.users["staff_with_grant"])
    page = client.get(reverse("page_viewer", args=[archive_file.file_code, 1]), {"q": "dak lak"}).content.decode()
    boxes = re.findall(r'class="hl" style="left:([\d.]+)%;top:([\d.]+)%;width:([\d.]+)%;height:([\d.]+)%"', page)
    # Đắk is word 8: left 10 + 40 * 8 = 330 px of a 200 px wide image
    assert len(boxes) == 2
    assert boxes[0] == ("165.000", "6.667", "17.500", "4.000")
    assert "<mark>Đắk</mark> <mark>Lắk</mark>" in page
    assert 'loading="lazy"' in page
    plain = client.get(reverse("page_viewer", args=[archive_file.file_code, 1])).content.decode()
    assert 'class="hl"' not in plain


def test_viewer_of_a_thousand_page_file_renders_a_small_strip(client: Client, world) -> None:
    archive_file = world.files["01"]
    first = archive_file.pages.get()
    Page.objects.bulk_create(
        [
            Page(
                file=archive_file,
                number=n,
                original_id=first.original_id,
                original_name=f"{n}.jpg",
                thumbnail_id=first.thumbnail_id,
                width=200,
                height=300,
                stage=Page.Stage.DONE,
            )
            for n in range(2, 1001)
        ]
    )
    client.force_login(world.users["superuser"])
    page = client.get(reverse("page_viewer", args=[archive_file.file_code, 500])).content.decode()
    thumbs = re.findall(r'<img loading="lazy"[^>]*anh-nho.jpg', page)
    assert 0 < len(thumbs) <= 40
    assert "/trang/500/anh-nho.jpg" in page and "/trang/1000/anh-nho.jpg" not in page
    assert "Trang 500 / 1000" in page
    jump = client.get(reverse("page_viewer", args=[archive_file.file_code, 500]), {"trang": "999"})
    assert jump["Location"] == reverse("page_viewer", args=[archive_file.file_code, 999])


def test_search_results_link_to_the_viewer_with_the_query(client: Client, world) -> None:
    client.force_login(world.users["superuser"])
    page = client.get(reverse("search"), {"q": "uy ban"}).content.decode()
    archive_file = world.files["01"]
    assert "1 trang khớp" in page
    assert "<mark>Ủy ban</mark>" in page  # snippet_html kept as HTML
    assert f'href="{reverse("page_viewer", args=[archive_file.file_code, 1])}?q=uy+ban"' in page
    assert archive_file.title in page
    empty = client.get(reverse("search"), {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in empty


def test_search_paginates(client: Client, world, file_factory) -> None:
    for n in range(25):
        file_factory(
            world.fonds,
            notation=f"{n + 10}",
            mode="01",
            title=f"Hồ sơ {n}",
            ocr_text="Ủy ban nhân dân",
        )
    from khoso.search.services import index_changed

    index_changed(page_ids=Page.objects.values_list("pk", flat=True))
    client.force_login(world.users["superuser"])
    first = client.get(reverse("search"), {"q": "uy ban"}).content.decode()
    assert "26 trang khớp" in first and "Trang 1 / 2" in first and "trang=2" in first
    second = client.get(reverse("search"), {"q": "uy ban", "trang": "2"}).content.decode()
    assert second.count('class="result-title"') == 6


def test_file_serving_types(client: Client, world) -> None:
    archive_file = world.files["01"]
    client.force_login(world.users["staff_with_grant"])
    for route, args, mime in [
        ("page_image", [archive_file.file_code, 1], "image/jpeg"),
        ("page_thumbnail", [archive_file.file_code, 1], "image/jpeg"),
        ("page_pdf", [archive_file.file_code, 1], "application/pdf"),
        ("file_pdf", [archive_file.file_code], "application/pdf"),
    ]:
        response = client.get(reverse(route, args=args))
        assert response.status_code == 200 and response["Content-Type"] == mime
        assert response["X-Content-Type-Options"] == "nosniff"
        body = b"".join(response.streaming_content)
        assert body[:4] in {b"\xff\xd8\xff\xe0", b"%PDF"}
    assert client.get(reverse("page_image", args=[archive_file.file_code, 2])).status_code == 404


def test_pipeline_page_counts_stages(client: Client, world) -> None:
    client.force_login(world.users["staff_with_grant"])
    page = client.get(reverse("pipeline_status")).content.decode()
    assert world.files["01"].file_code in page
    assert world.files["03"].file_code not in page  # mode 03 without view_secret
    assert "Hoàn thành" in page


def test_language_switcher_turns_the_ui_english_and_back(client: Client, world) -> None:
    client.force_login(world.users["superuser"])
    assert "Tạo phông mới" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    page = client.get(reverse("home")).content.decode()
    assert "New fonds" in page and 'lang="en"' in page
    client.post(reverse("set_language"), {"language": "vi", "next": reverse("home")})
    assert "Tạo phông mới" in client.get(reverse("home")).content.decode()


def test_editing_a_file_keeps_its_code_and_checks_the_rules(client: Client, world) -> None:
    archive_file = world.files["01"]
    client.force_login(world.users["staff_with_grant"])
    url = reverse("file_edit", args=[archive_file.file_code])
    form_page = client.get(url).content.decode()
    assert archive_file.title in form_page and "không sửa được" in form_page
    data = {
        **FILE_POST,
        "file_catalog": "1800",  # disabled field: a posted value is ignored
        "file_notation": "99.XX",
        "title": "Hồ sơ đã sửa tiêu đề về Đắk Lắk",
        "start_date": "01/01/1996",
        "end_date": "31/12/1995",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Thời gian bắt đầu phải trước hoặc bằng thời gian kết thúc." in response.content.decode()
    response = client.post(url, {**data, "end_date": "31/12/1996"})
    assert response.status_code == 302
    archive_file.refresh_from_db()
    assert archive_file.title == "Hồ sơ đã sửa tiêu đề về Đắk Lắk"
    assert archive_file.file_code == world.files["01"].file_code
    assert archive_file.file_catalog == 2001


def test_too_many_files_in_one_upload_is_refused_in_vietnamese(client: Client, world, settings, jpeg_bytes) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    client.force_login(world.users["staff_with_grant"])
    upload = [SimpleUploadedFile(f"trang-{n}.jpg", jpeg_bytes(), content_type="image/jpeg") for n in range(3)]
    pages_before = Page.objects.count()
    response = client.post(reverse("file_upload", args=[world.files["01"].file_code]), {"files": upload})
    assert response.status_code == 400
    assert "Quá nhiều tệp trong một lần tải lên: tối đa 2 tệp" in response.content.decode()
    assert Page.objects.count() == pages_before


def test_the_page_pdf_opened_from_a_search_marks_the_matching_words(client: Client, world) -> None:
    """The browser's PDF viewer shows the same marks as the page viewer; the archival rendition stays as it is."""
    import io

    import pikepdf

    from khoso.storage.services import object_put_bytes, object_store

    archive_file = world.files["01"]
    page = archive_file.pages.get(number=1)
    blank = pikepdf.new()
    blank.add_blank_page(page_size=(842, 421))
    buffer = io.BytesIO()
    blank.save(buffer)
    page.rendition = object_put_bytes(data=buffer.getvalue(), mime="application/pdf")
    page.width, page.height = 2000, 1000
    page.words = [["Tỉnh", 100, 100, 200, 50], ["Đắk", 400, 100, 200, 50], ["Lắk", 700, 100, 200, 50]]
    page.save(update_fields=["rendition", "width", "height", "words"])
    client.force_login(world.users["staff_with_grant"])
    url = reverse("page_pdf", args=[archive_file.file_code, 1])

    viewer = client.get(reverse("page_viewer", args=[archive_file.file_code, 1]), {"q": "dak lak"}).content.decode()
    assert f'href="{url}?q=dak%20lak"' in viewer

    response = client.get(url, {"q": "dak lak"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    with pikepdf.open(io.BytesIO(response.content)) as pdf:
        x0, y0, x1, y1 = (float(v) for v in pdf.pages[0].mediabox)
        marks = [a for a in pdf.pages[0].obj.get("/Annots", []) if a.get("/Subtype") == "/Highlight"]
        assert [str(a.Contents) for a in marks] == ["Đắk", "Lắk"]
        left, bottom, right, top = (float(v) for v in marks[0].Rect)
        width, height = x1 - x0, y1 - y0
        assert abs(left - (x0 + 0.2 * width)) < 0.01 and abs(right - (x0 + 0.3 * width)) < 0.01
        assert abs(top - (y1 - 0.1 * height)) < 0.01 and abs(bottom - (y1 - 0.15 * height)) < 0.01

    stored = object_store().read_bytes(page.rendition_id)
    assert b"".join(client.get(url).streaming_content) == stored  # no query: the rendition itself
    assert b"".join(client.get(url, {"q": "khong co"}).streaming_content) == stored
