"""The printed papers of steps 1 and 6: the selection list, the minutes and the project dossier.

The selection list goes to the approving authority (seed 001: "thống kê danh mục hồ sơ … trình
cấp có thẩm quyền phê duyệt"); the acceptance and handover minutes are signed by the archive and
the contractor; the dossier (hồ sơ cơ sở dữ liệu, TT 04/2014 step 6) gathers them with the copy
manifests and the event log so the project can be filed as one unit.
"""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal
from typing import Any

from django.utils import timezone

from khoso.core.printing import Column, PdfDocument, Signature, vn_date, xlsx_table
from khoso.handover import selectors
from khoso.handover.models import CopyRun
from khoso.workflow.models import Project, WorkflowEvent

SELECTION_COLUMNS = [
    Column("STT", 6, numeric=True),
    Column("Mã hồ sơ", 26),
    Column("Tiêu đề", 30),
    Column("Thời gian", 14),
    Column("Số tờ", 6, numeric=True),
    Column("Số trang", 9, numeric=True),
    Column("Thời hạn bảo quản", 10),
    Column("Điểm ưu tiên", 7, numeric=True),
    Column("Lý do", 30),
]
SELECTION_TITLE = "DANH MỤC HỒ SƠ LỰA CHỌN SỐ HÓA"


def _date(value: Any) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _money(value: int) -> str:
    return f"{value:,}".replace(",", ".") + " đồng"


def _count(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _decimal(value: Any) -> str:
    """12.50 → «12,5»: the Vietnamese decimal comma, no trailing zeros."""
    return format(Decimal(value).normalize(), "f").replace(".", ",")


def _project_lines(project: Project) -> list[str]:
    fonds = ", ".join(f"{f.code} – {f.name}" for f in project.fonds.all())
    lines = [
        project.institution.name,
        f"Đề án / kế hoạch: {project.code} – {project.name}",
        f"Phông: {fonds}; thời gian tài liệu {project.year_from}–{project.year_to}",
    ]
    if project.decision:
        lines.append(f"Quyết định phê duyệt: {project.decision} ngày {_date(project.approved_at)}")
    return lines


def _selection_totals(listing: selectors.SelectionList) -> list[list[Any]]:
    project = listing.project
    return [
        ["", "Tổng cộng", f"{listing.files} hồ sơ", "", listing.sheets, listing.pages, "", "", ""],
        ["", "Trang theo danh mục", "", "", "", listing.pages, "", "", f"Kinh phí: {_money(listing.cost_listed)}"],
        [
            "",
            "Trang ước tính (kế hoạch)",
            f"{_decimal(project.target_metres)} mét giá × {_count(project.pages_per_metre)} trang/mét",
            "",
            "",
            listing.pages_estimated,
            "",
            "",
            f"Kinh phí dự toán: {_money(listing.cost_estimated)} ({_count(project.price_per_page)} đồng/trang)",
        ],
    ]


def selection_xlsx(*, project: Project) -> bytes:
    listing = selectors.selection_list(project=project)
    return xlsx_table(
        SELECTION_TITLE,
        _project_lines(project),
        SELECTION_COLUMNS,
        [row.values() for row in listing.rows],
        footer_rows=_selection_totals(listing),
    )


def selection_pdf(*, project: Project) -> bytes:
    listing = selectors.selection_list(project=project)
    doc = PdfDocument(
        institution=project.institution.name,
        title=SELECTION_TITLE,
        subtitle=f"{project.code} – {project.name}",
        place_date=vn_date(timezone.localdate()).capitalize(),
        wide=True,
    )
    doc.paragraph(_project_lines(project)[2])
    doc.table(
        SELECTION_COLUMNS,
        [[*row.values()[:7], _decimal(row.priority), row.reasons] for row in listing.rows],
        footer_rows=_selection_totals(listing),
        size=9.5,
    )
    doc.facts(
        [
            ("Tổng số hồ sơ", _count(listing.files)),
            ("Tổng số tờ", _count(listing.sheets)),
            ("Tổng số trang theo danh mục", _count(listing.pages)),
            ("Số trang ước tính theo kế hoạch", _count(listing.pages_estimated)),
            ("Kinh phí dự toán", _money(listing.cost_estimated)),
            ("Kinh phí theo số trang của danh mục", _money(listing.cost_listed)),
        ]
    )
    doc.paragraph("Lựa chọn cả hồ sơ, không lựa chọn văn bản, tài liệu đơn lẻ.", italic=True)
    doc.signatures([Signature("Người lập danh mục"), Signature("Lãnh đạo phê duyệt")])
    return doc.render()


# -- minutes ---------------------------------------------------------------------------------------


def _copy_rows(copies: list[CopyRun]) -> list[list[Any]]:
    return [
        [
            index,
            run.target.name,
            run.target.get_kind_display(),
            run.target.medium_id,
            _date(run.finished_at),
            run.file_count,
            run.manifest_sha256,
        ]
        for index, run in enumerate(copies, start=1)
    ]


COPY_COLUMNS = [
    Column("STT", 5, numeric=True),
    Column("Nơi lưu", 14),
    Column("Loại", 11),
    Column("Mã hiệu thiết bị", 13),
    Column("Ngày sao chép", 12),
    Column("Số tệp", 7, numeric=True),
    Column("SHA-256 của bảng kê", 30),
]
FILE_COLUMNS = [
    Column("STT", 5, numeric=True),
    Column("Mã hồ sơ", 24),
    Column("Tiêu đề", 34),
    Column("Số văn bản", 7, numeric=True),
    Column("Số trang theo phiếu tin", 8, numeric=True),
    Column("Số trang đã số hóa", 8, numeric=True),
]


def minutes_pdf(*, project: Project, kind: str, item_ids: list[int] | None = None) -> bytes:
    """Acceptance (``nghiem_thu``) or handover (``ban_giao``) minutes; raises if a file is not ready."""
    items = selectors.minutes_items(project=project, kind=kind, item_ids=item_ids)
    totals = selectors.minutes_totals(project=project, items=items)
    today = timezone.localdate()
    acceptance = kind == selectors.ACCEPTANCE
    contractor = project.contractor
    doc = PdfDocument(
        institution=project.institution.name,
        title="BIÊN BẢN NGHIỆM THU SẢN PHẨM SỐ HÓA" if acceptance else "BIÊN BẢN BÀN GIAO SẢN PHẨM SỐ HÓA",
        subtitle=f"{project.code} – {project.name}",
        place_date=vn_date(today).capitalize(),
    )
    doc.paragraph(
        "Căn cứ Thông tư số 04/2014/TT-BNV ngày 23/6/2014 của Bộ trưởng Bộ Nội vụ quy định định mức "
        "kinh tế - kỹ thuật tạo lập cơ sở dữ liệu tài liệu lưu trữ;"
    )
    if project.decision:
        doc.paragraph(f"Căn cứ quyết định phê duyệt {project.decision} ngày {_date(project.approved_at)};")
    doc.paragraph(f"Hôm nay, ngày {today:%d/%m/%Y}, chúng tôi gồm:")
    doc.paragraph(f"Bên {'nghiệm thu' if acceptance else 'nhận'} (cơ quan lưu trữ): {project.institution.name}.")
    if contractor:
        doc.paragraph(
            f"Bên {'thực hiện' if acceptance else 'giao'} (đơn vị số hóa): {contractor.name}"
            + (f", mã số thuế {contractor.tax_code}" if contractor.tax_code else "")
            + f", giấy phép {contractor.licence}."
        )
    else:
        doc.paragraph(f"Bên {'thực hiện' if acceptance else 'giao'}: bộ phận số hóa của {project.institution.name}.")
    verb = "nghiệm thu" if acceptance else "bàn giao"
    doc.paragraph(f"Cùng thống nhất {verb} sản phẩm số hóa tài liệu lưu trữ với các nội dung sau:")
    doc.heading("I. Khối lượng sản phẩm")
    doc.facts(
        [
            ("Số hồ sơ", _count(totals.files)),
            ("Số văn bản", _count(totals.documents)),
            ("Số tờ theo phiếu tin", _count(totals.sheets)),
            ("Số trang ước tính theo kế hoạch", _count(totals.pages_estimated)),
            ("Số trang theo phiếu tin (đếm thực tế)", _count(totals.pages_counted)),
            ("Số trang đã số hóa", _count(totals.pages_scanned)),
            ("Kinh phí theo số trang đã số hóa", _money(totals.cost_scanned)),
            ("Số bản sao đã xác minh SHA-256", _count(len(totals.copies))),
        ]
    )
    doc.heading("II. Bản sao sản phẩm trên thiết bị lưu trữ")
    if totals.copies:
        doc.table(COPY_COLUMNS, _copy_rows(totals.copies), size=9.5)
    else:
        doc.paragraph("Chưa có bản sao nào được xác minh.", italic=True)
    doc.heading("III. Danh mục hồ sơ")
    scanned = selectors.scanned_pages_by_file([item.file_id for item in items])
    doc.table(
        FILE_COLUMNS,
        [
            [
                i,
                item.file.file_code,
                item.file.title,
                item.file.total_doc,
                item.file.number_of_page,
                scanned.get(item.file_id, 0),
            ]
            for i, item in enumerate(items, start=1)
        ],
        footer_rows=[
            ["", "Tổng cộng", f"{totals.files} hồ sơ", totals.documents, totals.pages_counted, totals.pages_scanned]
        ],
        size=9.5,
    )
    doc.heading("IV. Kết luận")
    if acceptance:
        doc.paragraph("Sản phẩm đạt yêu cầu, đồng ý nghiệm thu. Biên bản được lập thành 02 bản, mỗi bên giữ 01 bản.")
        signers = [
            Signature("Đại diện đơn vị thực hiện", title=contractor.name if contractor else ""),
            Signature("Đại diện cơ quan lưu trữ", title=project.institution.name),
        ]
    else:
        doc.paragraph(
            "Bên giao đã bàn giao đầy đủ sản phẩm và bản sao nêu trên; bên nhận đã nhận đủ. "
            "Biên bản được lập thành 02 bản, mỗi bên giữ 01 bản."
        )
        signers = [
            Signature("Đại diện bên giao", title=contractor.name if contractor else ""),
            Signature("Đại diện bên nhận", title=project.institution.name),
        ]
    doc.signatures(signers)
    return doc.render()


# -- the project dossier ---------------------------------------------------------------------------


def plan_pdf(*, project: Project) -> bytes:
    """A one-page summary of the approved plan: scope, factors, estimate and counted figures."""
    listing = selectors.selection_list(project=project)
    doc = PdfDocument(
        institution=project.institution.name,
        title="TÓM TẮT KẾ HOẠCH SỐ HÓA",
        subtitle=f"{project.code} – {project.name}",
        place_date=vn_date(timezone.localdate()).capitalize(),
    )
    doc.facts(
        [
            ("Phông", ", ".join(f"{f.code} – {f.name}" for f in project.fonds.all())),
            ("Thời gian tài liệu", f"{project.year_from}–{project.year_to}"),
            ("Khối lượng", f"{_decimal(project.target_metres)} mét giá"),
            ("Hệ số quy đổi", f"{_count(project.pages_per_metre)} trang A4 / mét giá"),
            ("Đơn giá", f"{_count(project.price_per_page)} đồng / trang A4"),
            ("Số trang ước tính", _count(project.planned_pages)),
            ("Kinh phí dự toán", _money(project.estimated_cost)),
            ("Số hồ sơ lựa chọn", _count(listing.files)),
            ("Số trang theo danh mục", _count(listing.pages)),
            ("Nhà thầu", project.contractor.name if project.contractor else "—"),
            ("Trạng thái", project.get_status_display()),
            ("Quyết định phê duyệt", f"{project.decision} {_date(project.approved_at)}".strip() or "—"),
        ]
    )
    return doc.render()


def events_csv(*, project: Project) -> bytes:
    """The event log (who, when, what, counts), UTF-8 with a BOM so spreadsheet programs read the accents."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(
        ["Thời gian", "Người thực hiện", "Thao tác", "Mã hồ sơ", "Từ bước", "Đến bước", "Số lượng", "Ghi chú"]
    )
    events = WorkflowEvent.objects.filter(project=project).select_related("actor", "item__file").order_by("at", "id")
    for event in events.iterator():
        writer.writerow(
            [
                timezone.localtime(event.at).strftime("%d/%m/%Y %H:%M:%S"),
                event.actor.get_username(),
                event.action,
                event.item.file.file_code if event.item else "",
                event.source,
                event.target,
                "; ".join(f"{key}={value}" for key, value in event.counts.items()),
                event.note,
            ]
        )
    return ("\ufeff" + output.getvalue()).encode("utf-8")


def dossier_zip(*, project: Project) -> bytes:
    """The project dossier (hồ sơ CSDL): plan, selection list, minutes that can be made, manifests, log."""
    output = io.BytesIO()
    code = project.code
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(f"{code}/01-tom-tat-ke-hoach.pdf", plan_pdf(project=project))
        bundle.writestr(f"{code}/02-danh-muc-ho-so.xlsx", selection_xlsx(project=project))
        bundle.writestr(f"{code}/02-danh-muc-ho-so.pdf", selection_pdf(project=project))
        ready = selectors.minutes_ready(project=project)
        if ready[selectors.ACCEPTANCE]:
            bundle.writestr(
                f"{code}/03-bien-ban-nghiem-thu.pdf", minutes_pdf(project=project, kind=selectors.ACCEPTANCE)
            )
        if ready[selectors.HANDOVER]:
            bundle.writestr(f"{code}/04-bien-ban-ban-giao.pdf", minutes_pdf(project=project, kind=selectors.HANDOVER))
        for run in selectors.runs_of(project=project).filter(manifest_sha256__gt=""):
            medium = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in run.target.medium_id)
            name = f"{code}/05-sao-chep/{run.pk:05d}-{medium}-{run.status}-manifest-sha256.txt"
            bundle.writestr(name, run.manifest)
        bundle.writestr(f"{code}/06-nhat-ky.csv", events_csv(project=project))
    return output.getvalue()
