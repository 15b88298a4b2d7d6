"""Issue 4 in a real browser: a citizen finds a decision on the public portal, becomes a reader and gets it.

The reader's side is the only one a citizen ever sees, so it is driven end to end through its pages:
an anonymous search typed without diacritics finds the 1995 decision with its words marked and the
facets beside it; the request button sends the visitor to the login page, from where they register;
the archivist (another browser context, another session) approves the account, then a reading request
and a certified-copy request. The reader reads the reading copy in the viewer, whose page images carry
the archive's name burnt into their bottom band and which offers nothing to download, then downloads
the certified copy, whose PAdES signature our verifier and pyHanko's own validator both accept, and
both reject once one signed byte is flipped. Only what has no page is made in Python: the institution,
fonds, file, document and its digitized pages (real images and PDF renditions, no OCR), the staff
account, the test CA and the search index. Screenshots are kept in ``artifacts/reader-*.png``.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from .conftest import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORD = "mat-khau-thu-nghiem-123"
VIEWPORT = {"width": 1400, "height": 1000}
ARCHIVE_NAME = "Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk"
QUERY = "quyet dinh dak lak 1995"  # typed without diacritics
SUBJECT = "Quyết định số 12/QĐ-UBND về việc thành lập Trung tâm Lưu trữ tỉnh Đắk Lắk"
SECRET_TITLE = "Hồ sơ mật về quyết định nhân sự tỉnh Đắk Lắk năm 1995"
READER = {
    "Tên đăng nhập": "tranthihoa",
    "Họ và tên": "Trần Thị Hòa",
    "Số CCCD / giấy tờ tùy thân": "066195001234",
    "Ngày sinh": "12/05/1990",
    "Thư điện tử": "hoa.tran@example.vn",
    "Điện thoại": "0905123456",
    "Địa chỉ": "12 Lê Duẩn, phường Tân Thành, Buôn Ma Thuột",
}
PURPOSE = "01 – Cá nhân"
FEE_GROUP = "01 – Học sinh, sinh viên, nghiên cứu"
TOPIC = "Lịch sử công tác lưu trữ tỉnh Đắk Lắk 1976–2000"
KIND_READ = "Đọc trực tuyến (bản đọc)"
KIND_CERTIFIED = "Bản sao có xác thực"


@dataclass
class World:
    file_id: int
    file_code: str
    document_id: int
    root_pem: Path
    originals: dict[int, str]  # page number → StoredObject id of the original scan


def _page_image(number: int) -> Any:
    """A page with ruled lines everywhere, so a watermark shows as changed pixels in the bottom band."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 850), (236, 232, 220))
    draw = ImageDraw.Draw(image)
    for y in range(40, 830, 24):
        draw.line((40, y, 560, y), fill=(90, 90, 90), width=2)
    draw.text((50, 10), f"Trang {number}", fill="black")
    return image


def _encoded(image: Any, fmt: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.fixture
def world(transactional_db, settings, tmp_path: Path) -> World:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Permission, User

    from khoso.access.models import FondsGrant
    from khoso.archive.models import Institution, Page
    from khoso.archive.services import document_create, file_create, fonds_create
    from khoso.capture.models import Delivery as CaptureDelivery
    from khoso.search.services import index_rebuild
    from khoso.signing.testca import ensure_test_ca
    from khoso.storage.services import object_put_bytes

    settings.KHOSO_INLINE_TASKS = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.LANGUAGE_CODE = "vi"
    settings.KHOSO_ARCHIVE_NAME = ARCHIVE_NAME
    settings.KHOSO_HOLIDAYS = []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ca = ensure_test_ca(tmp_path / "signing", agency_name=ARCHIVE_NAME)
    settings.KHOSO_SIGNING_P12 = Path(ca.p12_path)
    settings.KHOSO_SIGNING_P12_PASSWORD = ""

    institution = Institution.objects.create(code="H15.TTLT", name=ARCHIVE_NAME)
    fonds = fonds_create(
        institution=institution,
        code="UBND-DL",
        name="Phông UBND tỉnh Đắk Lắk",
        organ_id="000.00.00.H15",
        history="Thành lập năm 1976.",
        archives_time="1976-2000",
        paper_total=120,
        key_groups="Tài liệu tổng hợp",
        language="01",
    )
    common = dict(maintenance="01", language="01", description="Người lập hồ sơ: Nguyễn Văn A")
    archive_file = file_create(
        fonds=fonds,
        file_catalog=1995,
        file_notation="03.TC",
        title="Hồ sơ về việc thành lập Trung tâm Lưu trữ tỉnh Đắk Lắk năm 1995",
        mode="01",
        start_date=date(1995, 3, 15),
        end_date=date(1995, 6, 30),
        number_of_page=2,
        **common,
    )
    # Neighbours in the catalogue: a public file that matches only part of the query, and a secret one
    # that matches all of it but must never reach the portal.
    file_create(
        fonds=fonds,
        file_catalog=1996,
        file_notation="04.KH",
        title="Hồ sơ về kế hoạch phát triển giao thông tỉnh Đắk Lắk năm 1996",
        mode="01",
        start_date=date(1996, 1, 5),
        end_date=date(1996, 12, 20),
        **common,
    )
    file_create(
        fonds=fonds,
        file_catalog=1995,
        file_notation="05.NS",
        title=SECRET_TITLE,
        mode="03",
        start_date=date(1995, 1, 5),
        end_date=date(1995, 12, 20),
        **common,
    )
    document = document_create(
        archive_file=archive_file,
        type_name="02",
        code_number="12",
        code_notation="QĐ-UBND",
        issued_date=date(1995, 3, 15),
        organ_name="Ủy ban nhân dân tỉnh Đắk Lắk",
        subject=SUBJECT,
        number_of_page=2,
        first_page=1,
    )
    capture = CaptureDelivery.objects.create(
        file=archive_file, source=CaptureDelivery.Source.UPLOAD, names=["1.jpg", "2.jpg"], page_count=2
    )
    originals = {}
    for number in (1, 2):
        image = _page_image(number)
        page = Page.objects.create(
            file=archive_file,
            document=document,
            delivery=capture,
            number=number,
            original=object_put_bytes(data=_encoded(image, "JPEG", quality=90, dpi=(300, 300)), mime="image/jpeg"),
            original_name=f"{number}.jpg",
            rendition=object_put_bytes(data=_encoded(image, "PDF", resolution=100), mime="application/pdf"),
            thumbnail=object_put_bytes(data=_encoded(image.resize((120, 170)), "JPEG"), mime="image/jpeg"),
            width=image.width,
            height=image.height,
            dpi=300,
            stage=Page.Stage.DONE,
            qc_passed=True,
            ocr_text=f"ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK\nBuôn Ma Thuột, ngày 15/3/1995\nQUYẾT ĐỊNH\nTrang {number}",
        )
        originals[number] = page.original_id

    archivist = User.objects.create_user(
        "luutruvien", password=PASSWORD, is_staff=True, first_name="Mai", last_name="Lê Thị"
    )
    FondsGrant.objects.create(user=archivist, fonds=fonds)
    archivist.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="readers", codename__in=["change_reader", "change_readerrequest"]
        )
    )
    index_rebuild()
    return World(
        file_id=archive_file.pk,
        file_code=archive_file.file_code,
        document_id=document.pk,
        root_pem=Path(ca.root_cert_path),
        originals=originals,
    )


class Person:
    """One browser context (own cookies, own session) and its page; every request is watched."""

    def __init__(self, browser: Any, base: str, outside: list[str]) -> None:
        from playwright.sync_api import expect

        self.expect = expect
        self.base = base
        self.context = browser.new_context(viewport=VIEWPORT, locale="vi-VN", accept_downloads=True)
        self.context.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def says(self, text: str) -> None:
        self.expect(self.page.locator("main")).to_contain_text(text)

    def shoot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"reader-{name}.png"), full_page=True)

    def log_in(self, username: str, then: str) -> None:
        self.go(then)
        assert "/dang-nhap/" in self.page.url
        self.page.get_by_label("Tên đăng nhập").fill(username)
        self.page.get_by_label("Mật khẩu").fill(PASSWORD)
        self.page.get_by_role("button", name="Đăng nhập").click()
        self.page.wait_for_url(f"**{then}")


def test_reader_story(live_server, world: World, launch_chromium) -> None:
    from playwright import sync_api

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url
    outside: list[str] = []

    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            reader = Person(browser, base, outside)
            file_url = find_the_decision(reader, world)
            register(reader, file_url)
            archivist = Person(browser, base, outside)
            archivist.log_in("luutruvien", then="/doc-gia/tai-khoan/")
            approve_account(archivist)
            request_both(reader, file_url)
            approve_requests(archivist)
            read_the_reading_copy(reader, archivist, world)
            pdf = download_certified_copy(reader)
        finally:
            browser.close()

    assert_certified(pdf, world)
    assert_mail_and_usage(world)
    for name in ("portal-results", "reader-home", "viewer"):
        shot = ARTIFACTS / f"reader-{name}.png"
        assert shot.exists() and shot.stat().st_size > 10_000, shot
    assert outside == []


# -- the reader's turns ---------------------------------------------------------------------------


def find_the_decision(reader: Person, world: World) -> str:
    """Anonymous search without diacritics: the decision comes first, marked, with facets; open it."""
    page = reader.page
    reader.go("/tra-cuu/")
    page.get_by_label("Từ khóa tìm kiếm").fill(QUERY)
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.wait_for_url(re.compile(r"/tra-cuu/\?q=quyet"))
    reader.expect(page.locator("#so-ket-qua")).to_have_text("3 kết quả")  # the document and its 2 pages
    first = page.locator("ol.results li").first
    reader.expect(first.locator(".badge")).to_have_text("Tài liệu")
    reader.expect(first).to_contain_text(SUBJECT)
    reader.expect(first).to_contain_text("1995")
    marked = " ".join(first.locator("mark").all_inner_texts()).lower().split()
    assert {"quyết", "định", "đắk", "lắk", "1995"} <= set(marked), marked
    facets = page.locator("aside.facets fieldset")
    assert facets.count() >= 2
    reader.expect(page.locator("aside.facets")).to_contain_text("Năm")
    reader.expect(page.locator("aside.facets label", has_text="1995")).to_have_count(1)
    reader.expect(page.locator("aside.facets")).to_contain_text("Phông UBND tỉnh Đắk Lắk")
    reader.expect(page.locator("ol.results")).not_to_contain_text(SECRET_TITLE)
    reader.shoot("portal-results")

    first.locator("a.result-title").click()
    reader.expect(page.get_by_role("heading", level=1)).to_contain_text(SUBJECT)
    assert f"/tra-cuu/tai-lieu/{world.document_id}/" in page.url
    page.get_by_role("link", name=world.file_code).first.click()  # up to the file the request is for
    reader.expect(page.get_by_role("heading", level=1)).to_contain_text(world.file_code)
    reader.expect(page.locator("ol.thumbs img")).to_have_count(2)
    thumbs = page.locator("ol.thumbs img")
    wait_until(page, lambda: all(thumbs.evaluate_all("imgs => imgs.map(i => i.naturalWidth > 0)")), what="thumbnails")
    return page.url.removeprefix(reader.base)


def register(reader: Person, file_url: str) -> None:
    """The request button asks an anonymous visitor to log in; from there they register as a reader."""
    page = reader.page
    page.get_by_role("link", name="Yêu cầu đọc / sao").click()
    page.wait_for_url(re.compile(r"/dang-nhap/\?next=.*yeu-cau"))
    page.get_by_role("link", name="Đăng ký tài khoản độc giả").click()
    page.wait_for_url("**/doc-gia/dang-ky/")
    for label, value in {**READER, "Mật khẩu": PASSWORD, "Nhập lại mật khẩu": PASSWORD}.items():
        page.get_by_label(re.compile(rf"^{re.escape(label)}:?$")).fill(value)  # Django adds the colon
    page.get_by_label("Tôi cam kết", exact=False).check()
    page.get_by_role("button", name="Đăng ký", exact=True).click()
    page.wait_for_url("**/doc-gia/")
    reader.says("Đã nhận đăng ký")
    reader.says("Tài khoản đang chờ cơ quan lưu trữ duyệt")
    reader.expect(page.locator("dl.meta")).to_contain_text(READER["Họ và tên"])

    # Not approved yet: the request button now answers, in words, that the account waits.
    reader.go(file_url)
    page.get_by_role("link", name="Yêu cầu đọc / sao").click()
    reader.expect(page.get_by_role("heading", level=1)).to_have_text("Chưa gửi được yêu cầu")
    reader.says("Chờ duyệt")


def request_both(reader: Person, file_url: str) -> None:
    """An approved reader asks, from the file's portal page, to read it online and for a certified copy."""
    page = reader.page
    for kind in (KIND_READ, KIND_CERTIFIED):
        reader.go(file_url)
        page.get_by_role("link", name="Yêu cầu đọc / sao").click()
        reader.expect(page.get_by_role("heading", level=1)).to_have_text("Yêu cầu khai thác tài liệu")
        page.get_by_label("Hình thức khai thác").select_option(label=kind)
        page.get_by_label("Mục đích khai thác").select_option(label=PURPOSE)
        page.get_by_label("Nội dung mục đích").fill("Nghiên cứu lịch sử hình thành ngành lưu trữ địa phương")
        page.get_by_label("Đối tượng thu phí").select_option(label=FEE_GROUP)
        page.get_by_label("Đề tài nghiên cứu").fill(TOPIC)
        page.get_by_role("button", name="Gửi yêu cầu").click()
        page.wait_for_url("**/doc-gia/")
        reader.says("Đã gửi yêu cầu YC")
    rows = page.locator("table.list tbody tr")
    reader.expect(rows).to_have_count(2)
    reader.expect(page.locator("table.list")).to_contain_text("Chờ duyệt")


def read_the_reading_copy(reader: Person, archivist: Person, world: World) -> None:
    """The viewer shows the page image with the archive's name burnt in, and nothing to download."""
    from PIL import Image, ImageChops, ImageStat

    from khoso.signing.stamps import image_band_height
    from khoso.storage.services import object_store

    page = reader.page
    reader.go("/doc-gia/")
    table = page.locator("table.list")
    reader.expect(table.locator("tbody tr", has_text="Đã giao")).to_have_count(2)
    reader.expect(table.get_by_role("link", name="Đọc bản đọc")).to_have_count(1)
    reader.expect(table.get_by_role("link", name="Tải bản sao có xác thực")).to_have_count(1)
    reader.shoot("reader-home")

    table.get_by_role("link", name="Đọc bản đọc").click()
    page.wait_for_url("**/doc-gia/ban-doc/*/")
    image = page.get_by_role("img", name="Trang 1")
    reader.expect(image).to_be_visible()
    wait_until(page, lambda: page.locator("figure img").evaluate("i => i.naturalWidth") > 0, what="page image")
    reader.expect(page.locator("main")).to_contain_text("Trang 1 / 2")
    reader.says("không tải về")
    # Nothing on the viewer leads to a file the reader could keep.
    assert page.locator("a[download], a[href*='tai-ve'], a[href$='.pdf'], embed, object, iframe").count() == 0
    assert ".pdf" not in page.content().lower()
    reader.shoot("viewer")

    source = image.get_attribute("src")
    assert source and source.endswith("/trang/1.jpg")
    token = source.split("/ban-doc/")[1].split("/")[0]
    served = reader.context.request.get(reader.base + source)
    assert served.ok and served.headers["content-type"] == "image/jpeg"
    assert served.headers["cache-control"] == "no-store"
    assert "inline" in served.headers["content-disposition"]
    shown = Image.open(io.BytesIO(served.body())).convert("RGB")
    with object_store().open(world.originals[1]) as handle:
        original = Image.open(handle).convert("RGB")
    assert shown.size == original.size
    width, height = shown.size
    band = image_band_height(height, width, ARCHIVE_NAME)
    assert 0 < band < height // 4

    def difference(box: tuple[int, int, int, int]) -> float:
        return sum(ImageStat.Stat(ImageChops.difference(shown.crop(box), original.crop(box))).mean) / 3

    assert difference((0, height - band, width, height)) > 8  # the archive's name is in the bottom band
    assert difference((0, 0, width, height - band)) < 3  # the page above it is the page (JPEG noise only)

    # The reading copy is no download: its token opens no PDF, and nobody else can see its pages.
    assert reader.context.request.get(f"{reader.base}/doc-gia/ban-sao/{token}/tai-ve/").status == 404
    assert archivist.context.request.get(reader.base + source).status == 404

    page.get_by_role("link", name="Trang sau").click()
    reader.expect(page.get_by_role("img", name="Trang 2")).to_be_visible()
    wait_until(page, lambda: page.locator("figure img").evaluate("i => i.naturalWidth") > 0, what="page image")


def download_certified_copy(reader: Person) -> bytes:
    page = reader.page
    reader.go("/doc-gia/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải bản sao có xác thực").click()
    assert re.fullmatch(r"YC.+-ban-sao-xac-thuc\.pdf", download.value.suggested_filename)
    saved = ARTIFACTS / "reader-certified-copy.pdf"
    download.value.save_as(saved)
    return saved.read_bytes()


# -- the archivist's turns ------------------------------------------------------------------------


def approve_account(archivist: Person) -> None:
    page = archivist.page
    row = page.locator("table.list tbody tr", has_text=READER["Họ và tên"])
    archivist.expect(row).to_contain_text(READER["Số CCCD / giấy tờ tùy thân"])
    archivist.expect(row).to_contain_text(READER["Thư điện tử"])
    row.get_by_role("button", name="Duyệt", exact=True).click()
    archivist.says(f"Đã duyệt tài khoản của {READER['Họ và tên']}")
    archivist.says("Không có tài khoản nào chờ duyệt")


def approve_requests(archivist: Person) -> None:
    """Both requests from the queue: approve; the delivery is made when the approval commits."""
    page = archivist.page
    for kind in (KIND_READ, KIND_CERTIFIED):
        archivist.go("/doc-gia/duyet/")
        row = page.locator("table.list tbody tr", has_text=kind)
        archivist.expect(row).to_contain_text(READER["Họ và tên"])
        row.get_by_role("link", name=re.compile(r"^YC")).click()
        archivist.expect(page.locator("main")).to_contain_text(TOPIC)
        archivist.expect(page.locator("main")).to_contain_text(kind)
        page.get_by_label("Lý do / ghi chú").fill("Đồng ý cung cấp theo đề nghị.")
        page.get_by_role("button", name="Chấp thuận").click()
        archivist.says("Đã chấp thuận yêu cầu")
        # The file is digitized, so the delivery was made as the approval committed: no «Tạo bản giao» needed.
        archivist.expect(page.get_by_role("heading", level=1)).to_contain_text("Đã giao")
        archivist.expect(page.get_by_role("button", name="Tạo bản giao cho độc giả")).to_have_count(0)
        archivist.expect(page.locator("main")).to_contain_text("2 trang")
    archivist.go("/doc-gia/duyet/")
    archivist.says("Không có yêu cầu nào")


# -- what the reader took home --------------------------------------------------------------------


def assert_certified(pdf: bytes, world: World) -> None:
    """Our verifier and pyHanko's validator agree: valid as served, not valid once a signed byte changes."""
    from khoso.signing.pades import verify_pdf

    assert pdf.startswith(b"%PDF-")
    report = verify_pdf(pdf, trust_roots=[world.root_pem])
    assert report.valid and report.intact and report.trusted, report.message_en
    assert report.signer_name == ARCHIVE_NAME
    assert report.message_vi.startswith("Chữ ký số hợp lệ")
    status = _pyhanko_status(pdf, world.root_pem)
    assert status.intact and status.valid and status.trusted and status.bottom_line

    tampered = _flip_signed_byte(pdf)
    report = verify_pdf(tampered, trust_roots=[world.root_pem])
    assert not report.valid and not report.intact
    assert "đã bị thay đổi" in report.message_vi
    status = _pyhanko_status(tampered, world.root_pem)
    assert not status.intact and not status.bottom_line


def _pyhanko_status(pdf: bytes, root_pem: Path) -> Any:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    assert len(signatures) == 1
    context = ValidationContext(
        trust_roots=[load_cert_from_pemder(str(root_pem))], allow_fetching=False, revocation_mode="soft-fail"
    )
    return validate_pdf_signature(signatures[0], signer_validation_context=context)


def _flip_signed_byte(pdf: bytes) -> bytes:
    """One bit of a page's content stream, inside the first signed range: the file still parses."""
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match
    first_end = int(match.group(1)) + int(match.group(2))
    stream = re.search(rb"stream\r?\n", pdf)
    assert stream and stream.end() + 64 < first_end
    position = stream.end() + 32
    return pdf[:position] + bytes([pdf[position] ^ 0x01]) + pdf[position + 1 :]


def assert_mail_and_usage(world: World) -> None:
    from django.core import mail

    from khoso.readers.models import Delivery, ReaderRequest, UsageEvent

    requests = ReaderRequest.objects.filter(reader__user__username=READER["Tên đăng nhập"])
    assert sorted(requests.values_list("kind", "status", "purpose", "fee_object_type")) == [
        ("doc", "da_giao", "01", "01"),
        ("sao_xt", "da_giao", "01", "01"),
    ]
    assert {r.research_topic for r in requests} == {TOPIC}
    assert Delivery.objects.filter(request__in=requests).count() == 2
    to_reader = [message for message in mail.outbox if READER["Thư điện tử"] in message.to]
    assert len(to_reader) >= 4  # registration, account approved, and each delivery ready
    assert any("/doc-gia/" in message.body for message in to_reader)
    events = set(UsageEvent.objects.filter(user__username=READER["Tên đăng nhập"]).values_list("action", flat=True))
    assert {UsageEvent.Action.READ_COPY, UsageEvent.Action.DOWNLOAD} <= events
