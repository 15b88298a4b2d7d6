"""Planning and selection: the priority score, the candidates, the scored selection and its exports."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pypdfium2
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from khoso.core.errors import ValidationError, WorkflowError
from khoso.handover import documents, services
from khoso.handover.models import FileCondition
from khoso.workflow import services as workflow_services
from khoso.workflow.models import ProjectFile
from khoso.workflow.selection import candidates, score_file

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    try:
        text = "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()
    return text.replace("\r", "")


@pytest.fixture
def plain_file(archive_file_factory):  # type: ignore[no-untyped-def]
    """A 30-year file from 1995: no criterion applies."""
    return archive_file_factory(1995, "90.TH", maintenance="04")


def test_a_file_meeting_no_criterion_scores_zero(plain_file) -> None:  # type: ignore[no-untyped-def]
    assert score_file(plain_file) == (Decimal(0), [])


def test_permanent_value_raises_the_score(plain_file, archive_file_factory) -> None:  # type: ignore[no-untyped-def]
    permanent = archive_file_factory(1995, "91.TH", maintenance="01")
    score, reasons = score_file(permanent)
    assert score == 30
    assert reasons == ["Giá trị: thời hạn bảo quản vĩnh viễn (+30)"]
    seventy, _ = score_file(archive_file_factory(1995, "92.TH", maintenance="02"))
    assert score_file(plain_file)[0] < seventy < score


def test_frequency_of_use_raises_the_score_up_to_a_cap(plain_file) -> None:  # type: ignore[no-untyped-def]
    score, reasons = score_file(plain_file, usage_count=3)
    assert score == 6 and reasons == ["Tần suất khai thác: 3 lượt (+6)"]
    assert score_file(plain_file, usage_count=500)[0] == 20


def test_damage_from_the_vocabulary_raises_the_score(plain_file) -> None:  # type: ignore[no-untyped-def]
    score, reasons = score_file(plain_file, damage_codes=["mun", "mo_chu"])
    assert score == 16
    assert reasons == ["Tình trạng vật lý xuống cấp: mủn, mờ chữ (+16)"]
    every, _ = score_file(plain_file, damage_codes=["mun", "gion", "rach", "o", "mo_chu"])
    assert every == 40


def test_an_unknown_damage_code_is_refused(plain_file) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="mã tình trạng hư hỏng không có trong danh mục: chay"):
        score_file(plain_file, damage_codes=["chay"])


def test_documents_before_1975_raise_the_score(archive_file_factory) -> None:  # type: ignore[no-untyped-def]
    old = archive_file_factory(1968, "93.TH", maintenance="04")
    score, reasons = score_file(old)
    assert score == 20 and reasons == ["Tài liệu trước năm 1975 (từ 1968) (+20)"]
    borderline = archive_file_factory(1975, "94.TH", maintenance="04", start_date=date(1975, 1, 2))
    assert score_file(borderline)[0] == 0


def test_a_special_carrier_raises_the_score(plain_file) -> None:  # type: ignore[no-untyped-def]
    assert score_file(plain_file, special_carrier=True) == (Decimal(15), ["Vật mang tin đặc biệt (+15)"])


def test_criteria_add_up(archive_file_factory) -> None:  # type: ignore[no-untyped-def]
    file = archive_file_factory(1960, "95.TH", maintenance="01")
    score, reasons = score_file(file, usage_count=2, damage_codes=["gion"], special_carrier=True)
    assert score == 30 + 4 + 8 + 20 + 15
    assert len(reasons) == 5


# -- candidates ------------------------------------------------------------------------------------


def _other_fonds_file(institution):  # type: ignore[no-untyped-def]
    from khoso.archive.services import file_create, fonds_create

    other = fonds_create(
        institution=institution,
        code="SNV-DL",
        name="Phông Sở Nội vụ tỉnh Đắk Lắk",
        organ_id="000.00.01.H15",
        history="Thành lập năm 1976.",
        archives_time="1976-2000",
        paper_total=10,
        key_groups="Tổ chức cán bộ",
        language="01",
    )
    return file_create(
        fonds=other,
        file_catalog=1990,
        file_notation="01.NV",
        title="Hồ sơ tổ chức bộ máy năm 1990",
        mode="01",
        start_date=date(1990, 1, 2),
        end_date=date(1990, 12, 30),
        description="Người lập hồ sơ: Lê Thị B",
    )


def _second_project(people, institution, fonds):  # type: ignore[no-untyped-def]
    return workflow_services.project_create(
        planner=people["planner"],
        code="SH-2026-02",
        name="Số hóa bổ sung",
        institution=institution,
        fonds=[fonds],
        year_from=1960,
        year_to=2000,
        target_metres="1",
    )


def test_candidates_are_the_project_fonds_and_years_not_in_an_unfinished_project(  # type: ignore[no-untyped-def]
    draft_project, people, institution, fonds, archive_file_factory, put_in_state
) -> None:
    wanted = archive_file_factory(1990, "10.TH")
    too_old = archive_file_factory(1970, "11.TH")
    busy = archive_file_factory(1991, "12.TH")
    finished = archive_file_factory(1992, "13.TH")
    elsewhere = _other_fonds_file(institution)
    second = _second_project(people, institution, fonds)
    workflow_services.files_select(project=second, files=[busy, finished], by=people["planner"])
    put_in_state(ProjectFile.objects.get(project=second, file=finished), "BAN_GIAO", people["approver"])

    codes = {c.file.file_code for c in candidates(draft_project)}

    assert wanted.file_code in codes and finished.file_code in codes
    assert too_old.file_code not in codes  # outside 1976–2000
    assert elsewhere.file_code not in codes  # another fonds
    assert busy.file_code not in codes  # in another unfinished project
    assert not codes & set(draft_project.items.values_list("file__file_code", flat=True))  # already selected


def test_candidates_are_ordered_by_score_from_the_survey_notes(  # type: ignore[no-untyped-def]
    draft_project, people, archive_file_factory
) -> None:
    plain = archive_file_factory(1990, "20.TH")
    damaged = archive_file_factory(1990, "21.TH")
    services.condition_note(
        project=draft_project, archive_file=damaged, by=people["planner"], damage_codes=["rach", "o"], usage_count=4
    )
    from khoso.handover.selectors import candidates_for

    found = candidates_for(project=draft_project)
    assert [c.file.file_code for c in found[:2]] == [damaged.file_code, plain.file_code]
    assert found[0].score == 30 + 16 + 8
    assert "Tình trạng vật lý xuống cấp: rách, ố (+16)" in found[0].reasons


# -- scored selection ------------------------------------------------------------------------------


def test_selecting_stores_each_files_score_and_reasons(draft_project, people, archive_file_factory) -> None:  # type: ignore[no-untyped-def]
    old = archive_file_factory(1976, "30.TH", start_date=date(1972, 3, 1))
    FileCondition.objects.create(file=old, damage_codes=["gion"], special_carrier=True, noted_by=people["planner"])
    services.files_select_scored(project=draft_project, files=[old], by=people["planner"])
    item = ProjectFile.objects.get(project=draft_project, file=old)
    assert item.priority == 30 + 8 + 20 + 15
    assert item.priority_reasons == [
        "Giá trị: thời hạn bảo quản vĩnh viễn (+30)",
        "Tình trạng vật lý xuống cấp: giòn (+8)",
        "Tài liệu trước năm 1975 (từ 1972) (+20)",
        "Vật mang tin đặc biệt (+15)",
    ]


def test_a_new_survey_note_rescores_a_selected_file(draft_project, people) -> None:  # type: ignore[no-untyped-def]
    item = draft_project.items.select_related("file").first()
    services.condition_note(project=draft_project, archive_file=item.file, by=people["planner"], usage_count=5)
    item.refresh_from_db()
    assert item.priority == 30 + 10
    assert "Tần suất khai thác: 5 lượt (+10)" in item.priority_reasons


def test_only_the_planner_notes_conditions_and_only_for_the_projects_fonds(  # type: ignore[no-untyped-def]
    draft_project, people, institution
) -> None:
    from khoso.core.errors import PermissionDeniedError

    item = draft_project.items.select_related("file").first()
    with pytest.raises(PermissionDeniedError):
        services.condition_note(project=draft_project, archive_file=item.file, by=people["scanner"])
    with pytest.raises(WorkflowError, match="không thuộc phông của đề án"):
        services.condition_note(
            project=draft_project, archive_file=_other_fonds_file(institution), by=people["planner"]
        )


# -- exports ---------------------------------------------------------------------------------------


@pytest.fixture
def scored_project(draft_project, people):  # type: ignore[no-untyped-def]
    first = draft_project.items.select_related("file").order_by("file__file_code").first()
    services.condition_note(
        project=draft_project, archive_file=first.file, by=people["planner"], damage_codes=["mun"], usage_count=1
    )
    services.priorities_refresh(project=draft_project, by=people["planner"])
    return draft_project


def test_the_selection_xlsx_lists_the_files_with_their_numbers_and_totals(scored_project) -> None:  # type: ignore[no-untyped-def]
    sheet = load_workbook(io.BytesIO(documents.selection_xlsx(project=scored_project))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk"
    assert [v for v in rows[3] if v] == ["DANH MỤC HỒ SƠ LỰA CHỌN SỐ HÓA"]
    header = rows[5]
    assert header == [
        "STT",
        "Mã hồ sơ",
        "Tiêu đề",
        "Thời gian",
        "Số tờ",
        "Số trang",
        "Thời hạn bảo quản",
        "Điểm ưu tiên",
        "Lý do",
    ]
    body = rows[6:9]
    assert [row[0] for row in body] == [1, 2, 3]
    top = body[0]
    assert top[1].endswith("01.TH") and top[4] == 4 and top[5] == 6 and top[6] == "Vĩnh viễn"
    assert top[7] == 40.0 and "mủn" in top[8] and "1 lượt" in top[8]
    assert body[1][7] == 30.0
    totals = rows[9]
    assert totals[2] == "3 hồ sơ" and totals[4] == 12 and totals[5] == 18
    estimate = rows[11]
    assert estimate[5] == 62_500 and "274.000.000 đồng" in estimate[8]


def test_the_selection_pdf_prints_the_list_and_its_totals(scored_project) -> None:  # type: ignore[no-untyped-def]
    text = pdf_text(documents.selection_pdf(project=scored_project))
    flat = text.replace("\n", " ")
    assert "DANH MỤC HỒ SƠ LỰA CHỌN SỐ HÓA" in flat
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat
    squeezed = "".join(text.split())
    for item in scored_project.items.select_related("file"):
        assert item.file.file_code in squeezed
    assert "Tổng số trang theo danh mục: 18" in flat
    assert "Số trang ước tính theo kế hoạch: 62.500" in flat
    assert "Kinh phí dự toán: 274.000.000 đồng" in flat
    assert "Vĩnh viễn" in flat and "mủn" in flat


def test_the_planner_selects_candidates_and_notes_conditions_on_the_web(  # type: ignore[no-untyped-def]
    draft_project, people, archive_file_factory, client
) -> None:
    extra = archive_file_factory(1990, "40.TH")
    client.force_login(people["planner"])
    page = client.get(reverse("selection_page", args=[draft_project.pk]))
    assert extra.file_code in page.content.decode()
    response = client.post(
        reverse("condition_edit", args=[draft_project.pk, extra.pk]),
        {"damage_codes": ["mun", "gion"], "usage_count": "2", "note": "Giấy giòn, mép rách"},
    )
    assert response.status_code == 302
    client.post(reverse("selection_add", args=[draft_project.pk]), {"file": [str(extra.pk)]})
    item = ProjectFile.objects.get(project=draft_project, file=extra)
    assert item.priority == 30 + 4 + 16
    xlsx = client.get(reverse("selection_xlsx", args=[draft_project.pk]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
