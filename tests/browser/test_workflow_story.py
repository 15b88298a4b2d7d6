"""Issue 3 in a real browser: one file walks TT 04/2014's six steps, each part done by its own person.

Eight people, each in a browser context of their own (own cookies, own session, logged in through the
login page and logged out at the end of the turn), do their part only through the pages their role
sees: the planner drafts the project and selects the file, the approving archivist approves it; the
file goes off the shelf, through cataloguing (with one correction loop), data entry and its check,
scanning by upload (the pipeline and OCR run for real), the QC review, linking and its check, back to
the shelf, product inspection, two verified copies and acceptance; the handover minutes are downloaded
as a PDF. Every turn starts at the person's queue (/so-hoa/viec-cua-toi/), kept as a screenshot in
``artifacts/workflow-<nn>-<role>.png``. Only what has no page is made in Python: the institution,
fonds, the file with its TT05 metadata, the accounts, the contractor, and the project's members.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCANS = Path("/work/shared/corpus/ocr-vie/P01/HS002")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORD = "mat-khau-thu-nghiem-123"
PROJECT_CODE = "SH-2026-TN"
FILE_CODE = "000.00.00.H15.1995.02.KH"
VIEWPORT = {"width": 1400, "height": 1000}
UPLOAD_TIMEOUT_MS = 600_000  # the upload returns when the pipeline (OCR included) has run

#: user name → (role in the project, full name)
PEOPLE = {
    "planner": ("lap_ke_hoach", "Nguyễn Thị Lan"),
    "approver": ("phe_duyet", "Trần Văn Hùng"),
    "cataloguer": ("bien_muc", "Lê Thị Mai"),
    "checker": ("kiem_tra", "Phạm Quốc Bảo"),
    "keyer": ("nhap_lieu", "Hoàng Thu Trang"),
    "scanner": ("so_hoa", "Vũ Đức Anh"),
    "inspector": ("kiem_tra_chat_luong", "Đỗ Minh Châu"),
    "contractor": ("quan_ly_nha_thau", "Bùi Thanh Sơn"),
}

#: The file sheet as the paper says it, in the worksheet form's labels: (label, value, is a select).
FILE_SHEET = [
    ("Tiêu đề hồ sơ", "Hồ sơ về kế hoạch phát triển kinh tế – xã hội tỉnh Đắk Lắk năm 1995", False),
    ("Thời hạn lưu trữ", "01", True),
    ("Chế độ sử dụng", "01", True),
    ("Ngôn ngữ", "01", False),
    ("Thời gian bắt đầu", "03/01/1995", False),
    ("Thời gian kết thúc", "28/12/1995", False),
    ("Từ khóa", "kế hoạch; kinh tế – xã hội", False),
    ("Tổng số tài liệu", "1", False),
    ("Số lượng tờ", "1", False),
    ("Số lượng trang", "2", False),
    ("Tình trạng vật lý", "02", True),
    ("Ghi chú", "Người lập hồ sơ: Nguyễn Văn A", False),
]
#: The one document's sheet; the cataloguer's form inherits the first three from the file sheet.
DOCUMENT_INHERITED = [("Thời hạn lưu trữ", "01", True), ("Chế độ sử dụng", "01", True), ("Ngôn ngữ", "01", False)]
DOCUMENT_SHEET = [
    ("Tên loại tài liệu", "14", True),
    ("Số của tài liệu", "25", False),
    ("Ký hiệu của tài liệu", "BC-UBND", False),
    ("Ngày tháng năm tài liệu", "15/03/1995", False),
    ("Cơ quan, tổ chức, cá nhân ban hành", "Ủy ban nhân dân tỉnh Đắk Lắk", False),
    ("Trích yếu nội dung", "Báo cáo kế hoạch phát triển kinh tế – xã hội năm 1995", False),
    ("Số lượng trang", "2", False),
]

#: Every step the file takes, and who takes it (source, target, user).
EXPECTED_STEPS = [
    ("KE_HOACH", "DA_DUYET", "approver"),
    ("DA_DUYET", "XUAT_KHO", "planner"),
    ("XUAT_KHO", "BIEN_MUC", "planner"),
    ("BIEN_MUC", "KIEM_TRA_BIEN_MUC", "cataloguer"),
    ("KIEM_TRA_BIEN_MUC", "SUA_LOI_BIEN_MUC", "checker"),
    ("SUA_LOI_BIEN_MUC", "KIEM_TRA_BIEN_MUC", "cataloguer"),
    ("KIEM_TRA_BIEN_MUC", "NHAP_LIEU", "checker"),
    ("NHAP_LIEU", "KIEM_TRA_NHAP", "keyer"),
    ("KIEM_TRA_NHAP", "SO_HOA", "checker"),
    ("SO_HOA", "KIEM_TRA_CHAT_LUONG", "scanner"),
    ("KIEM_TRA_CHAT_LUONG", "LIEN_KET", "inspector"),
    ("LIEN_KET", "KIEM_TRA_LIEN_KET", "keyer"),
    ("KIEM_TRA_LIEN_KET", "HOAN_KHO", "checker"),
    ("HOAN_KHO", "KIEM_TRA_SAN_PHAM", "planner"),
    ("KIEM_TRA_SAN_PHAM", "SAO_CHEP", "inspector"),
    ("SAO_CHEP", "NGHIEM_THU", "contractor"),
    ("NGHIEM_THU", "BAN_GIAO", "approver"),
]


@dataclass
class World:
    file_id: int
    copy_root: Path


@pytest.fixture
def world(transactional_db, settings, tmp_path: Path) -> World:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Permission, User

    from khoso.access.models import FondsGrant
    from khoso.archive.models import Institution
    from khoso.archive.services import file_create, fonds_create
    from khoso.workflow.models import Contractor

    settings.KHOSO_INLINE_TASKS = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    copy_root = tmp_path / "sao-chep"
    copy_root.mkdir()
    settings.KHOSO_COPY_ROOTS = [str(copy_root)]

    institution = Institution.objects.create(code="H15.TTLT", name="Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk")
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
    archive_file = file_create(
        fonds=fonds,
        file_catalog=1995,
        file_notation="02.KH",
        title=FILE_SHEET[0][1],
        maintenance="01",
        mode="01",
        language="01",
        start_date=date(1995, 1, 3),
        end_date=date(1995, 12, 28),
        description="Người lập hồ sơ: Nguyễn Văn A",
        format="02",
        total_doc=1,
        number_of_paper=1,
        number_of_page=2,
    )
    assert archive_file.file_code == FILE_CODE
    users = {}
    for username, (_, full_name) in PEOPLE.items():
        family, _, given = full_name.rpartition(" ")
        users[username] = User.objects.create_user(username, password=PASSWORD, first_name=given, last_name=family)
    users["planner"].user_permissions.add(
        Permission.objects.get(codename="add_project", content_type__app_label="workflow")
    )
    FondsGrant.objects.create(user=users["planner"], fonds=fonds)
    Contractor.objects.create(name="Công ty Cổ phần Số hóa Tây Nguyên", tax_code="6000123456", licence="GP-LT 15/2024")
    return World(file_id=archive_file.pk, copy_root=copy_root)


@dataclass
class Story:
    """The browser, the server, the screenshots taken so far and any request that left the server."""

    browser: Any
    base: str
    shots: list[Path] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def shoot(self, page: Any, role: str) -> None:
        path = ARTIFACTS / f"workflow-{len(self.shots) + 1:02d}-{role}.png"
        page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)

    def turn(self, username: str) -> Desk:
        return Desk(self, username)


class Desk:
    """One person's turn: a fresh browser context, logged in through the login page, logged out after."""

    def __init__(self, story: Story, username: str) -> None:
        from playwright.sync_api import expect

        self.expect = expect
        self.story = story
        self.username = username
        self.context = story.browser.new_context(viewport=VIEWPORT, locale="vi-VN", accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.page.on("request", self._watch)

    def _watch(self, request: Any) -> None:
        if not request.url.startswith(self.story.base):
            self.story.outside.append(request.url)

    def __enter__(self) -> Desk:
        page = self.page
        page.goto(self.story.base + "/so-hoa/viec-cua-toi/")
        assert "/dang-nhap/" in page.url
        page.get_by_label("Tên đăng nhập").fill(self.username)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        self.expect(page.get_by_role("heading", name="Việc của tôi", level=1)).to_be_visible()
        self.expect(page.locator(".account .who")).to_have_text(self.username)
        return self

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        try:
            if kind is None:
                self.page.get_by_role("button", name="Đăng xuất").click()
                self.page.wait_for_url(re.compile(r"/dang-nhap/"))
        finally:
            self.context.close()

    # -- looking around ----------------------------------------------------------------------------

    def queue(self, *, waiting: bool = True) -> None:
        """Open my queue, check whether the file waits in it, keep a screenshot of it."""
        page = self.page
        page.goto(self.story.base + "/so-hoa/viec-cua-toi/")
        rows = page.locator("#queue tbody tr", has_text=FILE_CODE)
        self.expect(rows).to_have_count(1 if waiting else 0)
        self.story.shoot(page, self.username)

    def go(self, target: Any) -> None:
        """Follow a link and wait for the new page."""
        with self.page.expect_navigation():
            target.click()

    def link(self, name: str) -> None:
        self.go(self.page.get_by_role("link", name=name, exact=True).first)

    def back_to_queue(self) -> None:
        """Back to my queue by the menu, later in the same turn (no second screenshot)."""
        self.go(self.page.get_by_role("navigation").get_by_role("link", name="Việc của tôi", exact=True))

    def open_file_from_queue(self) -> None:
        self.go(self.page.locator("#queue").get_by_role("link", name=FILE_CODE))
        self.expect(self.page.locator("h1")).to_contain_text(FILE_CODE)

    def open_file_from_crumbs(self) -> None:
        self.go(self.page.locator(".crumbs").get_by_role("link", name=FILE_CODE))
        self.expect(self.page.locator("h1")).to_contain_text(FILE_CODE)

    def open_project(self) -> None:
        self.go(self.page.get_by_role("navigation").get_by_role("link", name="Số hóa", exact=True))
        self.go(self.page.get_by_role("link", name=PROJECT_CODE, exact=True))
        self.expect(self.page.locator("h1")).to_contain_text(PROJECT_CODE)

    def open_file_from_project(self) -> None:
        self.open_project()
        self.go(self.page.get_by_role("link", name=FILE_CODE, exact=True))
        self.expect(self.page.locator("h1")).to_contain_text(FILE_CODE)

    def state_is(self, label: str) -> None:
        self.expect(self.page.locator("#state")).to_have_text(label)

    # -- acting ------------------------------------------------------------------------------------

    def press(self, target: Any, says: str | None = None, *, timeout: float = 30_000) -> None:
        """Click a button that posts a form, wait for the answer page, fail on any refusal shown."""
        with self.page.expect_navigation(timeout=timeout):
            target.click()
        self.no_refusal()
        if says:
            self.expect(self.page.locator("ul.messages")).to_contain_text(says)

    def button(self, name: str) -> Any:
        return self.page.get_by_role("button", name=name, exact=True)

    def no_refusal(self) -> None:
        shown = self.page.locator("li.msg-error, form .error-box, small.error").all_inner_texts()
        assert not shown, f"{self.username} at {self.page.url}: {shown}"

    def step(self, label: str) -> None:
        """On the file's task page, take the step named ``label``; the file leaves for the next queue."""
        self.press(self.button(label), "đã chuyển sang bước")

    def refused_step(self, label: str, because: str) -> None:
        with self.page.expect_navigation():
            self.button(label).click()
        self.expect(self.page.locator("li.msg-error")).to_contain_text(because)

    def fill(self, values: list[tuple[str, str, bool]]) -> None:
        for label, value, is_select in values:
            box = self.page.get_by_label(label)
            if is_select:
                box.select_option(value)
            else:
                box.fill(value)

    def custody(self, kind: str, received_by: str) -> None:
        """On the custody page of the file, record a hand-to-hand movement with its sheet count."""
        page = self.page
        page.get_by_label("Thao tác").select_option(label=kind)
        page.get_by_label("Số tờ kiểm đếm").fill("1")
        page.get_by_label("Bên nhận").fill(received_by)
        self.press(self.button("Ghi nhận"), f"Đã ghi nhận giao nhận hồ sơ {FILE_CODE}")
        self.expect(page.locator("table.list tbody tr").first).to_contain_text(kind)


def test_one_file_through_the_six_steps(live_server, world: World, launch_chromium) -> None:
    # ./install.sh installs Debian's chromium; the corpus sits beside the project (../shared).
    assert (SCANS / "page-001.jpg").exists(), f"the OCR corpus is missing: {SCANS}"
    from playwright import sync_api

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("workflow-*.png"):
        old.unlink()

    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            story = Story(browser=browser, base=live_server.url)
            plan_and_approve(story)
            take_off_the_shelf(story)
            catalogue_with_one_correction(story)
            key_and_check_entry(story)
            scan_and_review(story, world)
            link_and_check(story)
            reshelve_and_inspect(story)
            copy_and_accept(story, world)
            minutes = download_handover_minutes(story)
        finally:
            browser.close()

    assert_the_record(story, minutes)


# -- the turns ------------------------------------------------------------------------------------


def _add_members() -> None:
    """The project has no members page yet: the planner's team is added with the service."""
    from django.contrib.auth.models import User

    from khoso.workflow import services
    from khoso.workflow.models import Project

    project = Project.objects.get(code=PROJECT_CODE)
    planner = User.objects.get(username="planner")
    for username, (role, _) in PEOPLE.items():
        if username != "planner":
            services.member_add(project=project, user=User.objects.get(username=username), role=role, by=planner)


def plan_and_approve(story: Story) -> None:
    with story.turn("planner") as planner:
        planner.queue(waiting=False)
        page = planner.page
        planner.go(page.get_by_role("navigation").get_by_role("link", name="Số hóa", exact=True))
        planner.link("Lập đề án mới")
        page.get_by_label("Mã đề án").fill(PROJECT_CODE)
        page.get_by_label("Tên đề án / kế hoạch").fill("Số hóa tài liệu Phông UBND tỉnh Đắk Lắk 1990–2000")
        page.get_by_label("Phông").select_option(label="UBND-DL – Phông UBND tỉnh Đắk Lắk")
        page.get_by_label("Từ năm").fill("1990")
        page.get_by_label("Đến năm").fill("2000")
        page.get_by_label("Khối lượng (mét giá)").fill("1")
        page.get_by_label("Nhà thầu").select_option(label="Công ty Cổ phần Số hóa Tây Nguyên")
        planner.press(planner.button("Lưu dự thảo"), f"Đã lập đề án {PROJECT_CODE}")
        _add_members()

        planner.link("Danh mục lựa chọn")
        page.get_by_role("checkbox", name=FILE_CODE).check()
        planner.press(planner.button("Thêm vào danh mục"), "Đã thêm 1 hồ sơ vào danh mục")
        planner.expect(page.locator("#sel-files")).to_have_text("1")
        planner.go(page.locator(".crumbs").get_by_role("link", name=PROJECT_CODE))
        planner.press(planner.button("Gửi phê duyệt"), "Đã gửi phê duyệt")

    with story.turn("approver") as approver:
        approver.queue(waiting=False)
        approver.open_project()
        approver.page.get_by_label("Số quyết định phê duyệt").fill("QĐ 15/QĐ-TTLT")
        approver.press(approver.button("Phê duyệt kế hoạch"), "Đã phê duyệt kế hoạch")


def take_off_the_shelf(story: Story) -> None:
    """Custody (step 1): off the shelf, to the cataloguing team; the planner also publishes the guideline."""
    with story.turn("planner") as planner:
        planner.queue()
        planner.open_project()
        planner.link("Hướng dẫn biên mục")
        planner.link("Ban hành phiên bản mới")
        page = planner.page
        page.get_by_label("Tên hướng dẫn").fill("Hướng dẫn biên mục phiếu tin Phông UBND tỉnh")
        page.get_by_label("Ngày áp dụng").fill("02/03/2026")
        page.get_by_label("Nội dung hướng dẫn").fill("Ghi đủ các trường bắt buộc theo TT 05/2025; từ khóa bắt buộc.")
        planner.press(planner.button("Ban hành"), "Đã ban hành phiên bản mới")

        planner.back_to_queue()
        planner.open_file_from_queue()
        planner.link("Giao nhận, vận chuyển tài liệu")
        planner.custody("Lấy tài liệu khỏi giá, đưa đến nơi giao nhận", "Nơi giao nhận – Kho 1")
        planner.open_file_from_crumbs()
        planner.step("Xuất kho")

        planner.open_file_from_queue()
        planner.state_is("Đã xuất kho, chờ giao biên mục")
        planner.link("Giao nhận, vận chuyển tài liệu")
        planner.custody("Giao tài liệu cho tổ biên mục", "Tổ biên mục – Lê Thị Mai")
        planner.open_file_from_crumbs()
        planner.step("Giao cho tổ biên mục")


def catalogue_with_one_correction(story: Story) -> None:
    """Cataloguing (step 2): worksheets, a check that finds a blocking error, the fix, the re-check."""
    with story.turn("cataloguer") as cataloguer:
        cataloguer.queue()
        cataloguer.open_file_from_queue()
        cataloguer.link("Biên mục phiếu tin")
        page = cataloguer.page
        cataloguer.expect(page.get_by_label("Tiêu đề hồ sơ")).to_have_value(FILE_SHEET[0][1])  # from the inventory
        cataloguer.press(cataloguer.button("Lưu phiếu tin hồ sơ"), "Đã lưu phiếu tin hồ sơ")
        cataloguer.go(page.locator("#documents").get_by_role("link", name="1", exact=True))
        cataloguer.expect(page.get_by_label("Thời hạn lưu trữ")).to_have_value("01")  # inherited from the file
        cataloguer.fill(DOCUMENT_SHEET)
        cataloguer.press(cataloguer.button("Lưu phiếu tin tài liệu"), "Đã lưu phiếu tin tài liệu số 1")
        cataloguer.link("Về trang hồ sơ để chuyển bước")
        cataloguer.step("Gửi kiểm tra biên mục")

    with story.turn("checker") as checker:
        checker.queue()
        checker.open_file_from_queue()
        checker.link("Kiểm tra phiếu tin")
        page = checker.page
        page.get_by_label("Phiếu tin", exact=False).first.select_option(label="Phiếu tin hồ sơ")
        page.get_by_label("Trường").select_option(label="Từ khóa")
        page.get_by_label("Mức độ").select_option(label="Lỗi phải sửa (chặn)")
        page.get_by_label("Mô tả lỗi").fill("Chưa ghi từ khóa theo hướng dẫn biên mục.")
        checker.press(checker.button("Ghi lỗi vào biên bản"), "Đã ghi lỗi vào biên bản kiểm tra")
        checker.link("Về trang hồ sơ để trả lại hoặc chuyển nhập phiếu tin")
        checker.refused_step("Đạt, chuyển nhập phiếu tin", "còn 1 lỗi phải sửa chưa được sửa")
        checker.step("Trả lại để sửa lỗi")

    with story.turn("cataloguer") as cataloguer:
        cataloguer.queue()
        cataloguer.open_file_from_queue()
        cataloguer.state_is("Sửa lỗi biên mục")
        cataloguer.link("Sửa lỗi phiếu tin")
        page = cataloguer.page
        cataloguer.expect(page.locator("#open-errors")).to_contain_text("Chưa ghi từ khóa")
        page.get_by_label("Từ khóa").fill(FILE_SHEET[6][1])
        cataloguer.press(cataloguer.button("Lưu phiếu tin hồ sơ"), "Đã lưu phiếu tin hồ sơ")
        cataloguer.expect(page.locator("#open-errors")).to_have_count(0)  # the changed field fixed the error
        cataloguer.link("Về trang hồ sơ để chuyển bước")
        cataloguer.step("Gửi kiểm tra lại")

    with story.turn("checker") as checker:
        checker.queue()
        checker.open_file_from_queue()
        checker.link("Kiểm tra phiếu tin")
        checker.press(
            checker.button("Lập biên bản kiểm tra lượt này (kể cả khi không có lỗi)"), "Đã lập biên bản kiểm tra"
        )
        checker.link("Về trang hồ sơ để trả lại hoặc chuyển nhập phiếu tin")
        checker.step("Đạt, chuyển nhập phiếu tin")


def key_and_check_entry(story: Story) -> None:
    """Data entry (step 3): the keyer keys both sheets, the checker compares; custody hands the paper over."""
    with story.turn("keyer") as keyer:
        keyer.queue()
        keyer.open_file_from_queue()
        keyer.link("Nhập phiếu tin")
        page = keyer.page
        for sheet, values in (
            ("Phiếu tin hồ sơ", FILE_SHEET),
            ("Phiếu tin tài liệu số 1", DOCUMENT_INHERITED + DOCUMENT_SHEET),
        ):
            keyer.go(page.locator("#keying tbody tr", has_text=sheet).get_by_role("link", name="Nhập"))
            keyer.fill(values)
            keyer.press(keyer.button("Lưu lượt nhập"), f"Đã nhập {sheet.lower()}")
        keyer.link("Về trang hồ sơ để gửi kiểm tra")
        keyer.step("Gửi kiểm tra nhập liệu")

    with story.turn("checker") as checker:
        checker.queue()
        checker.open_file_from_queue()
        checker.link("Đối chiếu dữ liệu nhập")
        checker.press(checker.button("Đối chiếu các lượt nhập với phiếu tin"), "Đã lập biên bản kiểm tra")
        checker.expect(checker.page.locator("#differences")).to_contain_text("Các lượt nhập khớp với phiếu tin")
        checker.link("Về trang hồ sơ để trả lại hoặc giao số hóa")
        # The paper has not reached the scanning team yet: custody refuses the pass.
        checker.refused_step("Đạt, giao số hóa", "Giao tài liệu và phiếu tin cho tổ số hóa")

    with story.turn("planner") as planner:
        planner.queue(waiting=False)  # the file waits for the checker, not for the stack keeper
        planner.open_file_from_project()
        planner.link("Giao nhận, vận chuyển tài liệu")
        planner.custody("Giao tài liệu và phiếu tin cho tổ số hóa", "Tổ số hóa – Vũ Đức Anh")

    with story.turn("checker") as checker:
        checker.queue()
        checker.open_file_from_queue()
        checker.step("Đạt, giao số hóa")


def scan_and_review(story: Story, world: World) -> None:
    """Scanning (step 3 of TT 04): upload two pages, reconcile the counts; the QC inspector accepts them."""
    from khoso.archive.models import ArchiveFile

    assert ArchiveFile.objects.get(pk=world.file_id).keyword == FILE_SHEET[6][1]  # the entry check wrote it

    with story.turn("scanner") as scanner:
        scanner.queue()
        scanner.open_file_from_queue()
        scanner.link("Nộp bản quét, đối chiếu số trang")
        page = scanner.page
        page.locator("#id_files").set_input_files([str(SCANS / "page-001.jpg"), str(SCANS / "page-002.jpg")])
        scanner.press(scanner.button("Nộp"), "Đã nhận 2 trang", timeout=UPLOAD_TIMEOUT_MS)
        scanner.expect(page.locator("#pages-delivered")).to_have_text("2")
        page.get_by_label("Số tờ đếm được").fill("1")
        scanner.press(scanner.button("Ghi kết quả đối chiếu"), "Đã ghi kết quả đối chiếu")
        scanner.expect(page.locator("#count-ok")).to_be_visible()
        scanner.open_file_from_crumbs()
        scanner.step("Gửi kiểm tra chất lượng")

    with story.turn("inspector") as inspector:
        inspector.queue()
        inspector.open_file_from_queue()
        inspector.link("Kiểm tra chất lượng từng trang")
        page = inspector.page
        for number in (1, 2):
            row = page.locator(f"#trang-{number}")
            inspector.expect(row.get_by_role("img")).to_be_visible()
            inspector.press(row.get_by_role("button", name="Đạt", exact=True), f"Trang {number}: Đạt")
        inspector.expect(page.locator("#qc-pages")).not_to_contain_text("chưa đánh giá")
        inspector.link("Về trang hồ sơ để chuyển bước")
        inspector.step("Đạt, chuyển liên kết")


def link_and_check(story: Story) -> None:
    """Linking (step 4): the document gets pages 1–2; the checker checks the links."""
    from khoso.archive.models import Document

    document = Document.objects.get(file__file_code=FILE_CODE, ordinal=1)
    with story.turn("keyer") as keyer:
        keyer.queue()
        keyer.open_file_from_queue()
        keyer.link("Gắn trang cho từng tài liệu")
        page = keyer.page
        page.get_by_label("Tài liệu").select_option(label=f"1. {document.doc_code} – {document.subject[:80]}")
        page.get_by_label("Từ trang").fill("1")
        page.get_by_label("Số trang").fill("2")
        keyer.press(keyer.button("Lưu"), f"Tài liệu {document.doc_code}: trang 1–2")
        keyer.expect(page.locator("#link-ok")).to_be_visible()
        keyer.link("Về trang hồ sơ để chuyển bước")
        keyer.step("Gửi kiểm tra liên kết")

    with story.turn("checker") as checker:
        checker.queue()
        checker.open_file_from_queue()
        checker.link("Kiểm tra liên kết")
        checker.expect(checker.page.locator("#links")).to_contain_text("1–2")
        checker.expect(checker.page.locator("#link-ok")).to_be_visible()
        checker.link("Về trang hồ sơ để chuyển bước")
        checker.step("Đạt, hoàn trả về kho")


def reshelve_and_inspect(story: Story) -> None:
    """Custody (step 5) puts the paper back on its shelf; product inspection (step 6) samples and passes it."""
    with story.turn("planner") as planner:
        planner.queue()
        planner.open_file_from_queue()
        planner.link("Giao nhận, vận chuyển tài liệu")
        planner.custody("Trả tài liệu về bộ phận bảo quản", "Bộ phận bảo quản – Kho 1")
        planner.custody("Đưa tài liệu trở lại giá (hoàn kho)", "Kho 1, giá 3, hộp 12")
        planner.expect(planner.page.locator("#place")).to_have_text("Trên giá trong kho")
        planner.open_file_from_crumbs()
        planner.step("Đã hoàn kho, chờ kiểm tra sản phẩm")

        planner.open_project()
        planner.link("Kiểm tra sản phẩm")
        planner.link("Kế hoạch lấy mẫu")
        page = planner.page
        page.get_by_label("Tỷ lệ lấy mẫu theo lượt (%)").fill("100, 10")
        page.get_by_label("Tỷ lệ hồ sơ lỗi tối đa (%)").fill("5")
        planner.press(planner.button("Lưu kế hoạch"), "Đã lưu kế hoạch lấy mẫu")

    with story.turn("inspector") as inspector:
        inspector.queue()
        inspector.open_file_from_queue()
        inspector.link("Kiểm tra sản phẩm")
        inspector.link("Bắt đầu đợt kiểm tra")
        page = inspector.page
        inspector.expect(page.get_by_label("Lượt kiểm tra")).to_have_value("1")
        inspector.press(inspector.button("Lấy mẫu và bắt đầu"), "Đã bắt đầu đợt kiểm tra")
        inspector.expect(page.locator("#sample")).to_contain_text("1 / 1")
        page.get_by_label("Nhận xét, kết luận").fill("Hồ sơ đạt yêu cầu, không phát hiện lỗi.")
        inspector.press(inspector.button("Kết thúc và lập biên bản"), "Đã kết thúc đợt kiểm tra")
        inspector.expect(page.locator("h1")).to_contain_text("BIÊN BẢN KIỂM TRA SẢN PHẨM SỐ HÓA")
        inspector.queue(waiting=False)


def copy_and_accept(story: Story, world: World) -> None:
    """Acceptance and handover (step 6): two verified copies on independent targets, then acceptance."""
    with story.turn("contractor") as contractor:
        contractor.queue()
        contractor.open_file_from_queue()
        contractor.link("Sao chép sản phẩm ra thiết bị lưu trữ")
        contractor.link("Quản lý nơi lưu")
        page = contractor.page
        for name, folder, medium in (
            ("Máy chủ lưu trữ NAS", "nas", "NAS-01"),
            ("Ổ cứng rời số 2", "o-cung-2", "HDD-02"),
        ):
            page.get_by_label("Tên nơi lưu").fill(name)
            page.get_by_label("Loại", exact=False).first.select_option(label="Thư mục lưu trữ")
            page.get_by_label("Đường dẫn thư mục").fill(str(world.copy_root / folder))
            page.get_by_label("Mã hiệu thiết bị / nhãn").fill(medium)
            contractor.press(contractor.button("Thêm"), f"Đã thêm nơi lưu «{name}»")

        contractor.back_to_queue()
        contractor.open_file_from_queue()
        contractor.link("Sao chép sản phẩm ra thiết bị lưu trữ")
        for target in ("Máy chủ lưu trữ NAS (NAS-01)", "Ổ cứng rời số 2 (HDD-02)"):
            page.get_by_label("Nơi lưu", exact=True).select_option(label=target)
            contractor.press(contractor.button("Sao chép và xác minh"), "xác minh SHA-256")
        contractor.expect(page.locator("#independent")).to_have_text("2 / 2")
        contractor.link("Về trang công việc")
        contractor.step("Đã sao chép, đề nghị nghiệm thu")

    with story.turn("approver") as approver:
        approver.queue()
        approver.open_file_from_queue()
        approver.link("Nghiệm thu: bản sao và biên bản")
        approver.expect(approver.page.locator("#independent")).to_have_text("2 / 2")
        approver.link("Về trang công việc")
        approver.step("Nghiệm thu và bàn giao")
        approver.queue(waiting=False)


def download_handover_minutes(story: Story) -> bytes:
    with story.turn("approver") as approver:
        approver.open_project()
        approver.link("Biên bản nghiệm thu, bàn giao")
        with approver.page.expect_download() as download:
            approver.page.get_by_role("link", name="Biên bản bàn giao (toàn đề án)").click()
        assert download.value.suggested_filename.startswith("bien-ban-ban-giao-")
        return Path(download.value.path()).read_bytes()


# -- what the archive now holds -------------------------------------------------------------------


def assert_the_record(story: Story, minutes: bytes) -> None:
    import pypdfium2

    from khoso.workflow.models import ProjectFile, WorkflowEvent

    item = ProjectFile.objects.select_related("file").get(project__code=PROJECT_CODE)
    assert item.state == "BAN_GIAO"
    steps = list(
        WorkflowEvent.objects.filter(item=item, action__in=["phe_duyet", "chuyen_buoc"])
        .order_by("at", "id")
        .values_list("source", "target", "actor__username")
    )
    assert steps == EXPECTED_STEPS
    project_events = list(
        WorkflowEvent.objects.filter(project=item.project, item__isnull=True)
        .order_by("at", "id")
        .values_list("action", "actor__username")
    )
    for expected in (("tao_de_an", "planner"), ("gui_duyet", "planner"), ("phe_duyet_de_an", "approver")):
        assert expected in project_events
    assert item.file.pages.count() == 2 and item.file.pdf_id

    assert minutes.startswith(b"%PDF-")
    document = pypdfium2.PdfDocument(minutes)
    text = "\n".join(document[n].get_textpage().get_text_range() for n in range(len(document)))
    assert "BIÊN BẢN BÀN GIAO" in text
    assert FILE_CODE in text
    assert "Số trang đã số hóa: 2" in text and "Số bản sao đã xác minh SHA-256: 2" in text

    assert {shot.stem.split("-", 2)[2] for shot in story.shots} == set(PEOPLE)  # every role's queue was seen
    for shot in story.shots:
        assert shot.exists() and shot.stat().st_size > 10_000, shot
    assert story.outside == []
