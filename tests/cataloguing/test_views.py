"""The cataloguing pages as people use them: forms with dd/mm/yyyy dates and errors beside the
field, the check page, keying pages that never show another operator's values, the differences
page, the error report, and the links from a file's task page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from khoso.cataloguing import selectors, services
from khoso.cataloguing.models import CheckError, Guideline
from khoso.workflow.states import State

from .conftest import document_values, file_values

pytestmark = pytest.mark.django_db


def _form(values: dict) -> dict:  # type: ignore[type-arg]
    """Form data as a browser sends it: dates dd/mm/yyyy, booleans only when ticked."""
    data = {}
    for key, value in values.items():
        if hasattr(value, "strftime"):
            data[key] = value.strftime("%d/%m/%Y")
        elif value is False or value is None:
            continue
        else:
            data[key] = str(value)
    return data


def test_the_planner_publishes_a_guideline_from_the_form(approved_project, people, client: Client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(people["planner"])
    url = reverse("guideline_publish", kwargs={"project_id": approved_project.pk})
    response = client.post(
        url, {"title": "Hướng dẫn 2026", "effective_date": "05/01/2026", "text": "Ghi đúng bìa.", "double_keying": "on"}
    )
    assert response.status_code == 302
    guideline = Guideline.objects.get(project=approved_project)
    assert (guideline.version, guideline.double_keying, guideline.effective_date.day) == (1, True, 5)
    page = client.get(reverse("guideline_list", kwargs={"project_id": approved_project.pk})).content.decode()
    assert "Hướng dẫn 2026" in page
    assert "Hai người nhập độc lập" in page and "05/01/2026" in page


def test_the_cataloguer_writes_the_file_sheet_and_sees_each_wrong_field(item, people, client: Client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(people["cataloguer"])
    url = reverse("worksheet_edit", kwargs={"item_id": item.pk})
    page = client.get(url).content.decode()
    assert item.file.title in page  # the sheet starts from what the inventory says
    bad = _form(file_values(end_date=file_values()["start_date"].replace(year=1994), total_doc=1))
    response = client.post(url, bad)
    assert response.status_code == 200
    assert "phải sau hoặc bằng thời gian bắt đầu" in response.content.decode()
    assert not item.worksheets.exists()

    response = client.post(url, _form(file_values(total_doc=1)))
    assert response.status_code == 302
    sheet = selectors.file_sheet(item=item)
    assert sheet.data["start_date"] == "1995-01-05" and sheet.author == people["cataloguer"]
    page = client.get(url).content.decode()
    assert "05/01/1995" in page and "Chưa lập" in page

    doc_url = reverse("worksheet_document", kwargs={"item_id": item.pk, "ordinal": 1})
    assert client.post(doc_url, _form(document_values(1))).status_code == 302
    assert item.worksheets.filter(kind="tai_lieu", ordinal=1).exists()
    # the task page of the file links to the working page of its step
    detail = client.get(reverse("item_detail", kwargs={"item_id": item.pk})).content.decode()
    assert url in detail and "Biên mục phiếu tin" in detail


def test_the_checker_records_errors_on_the_check_page(item, people, catalogue, put_in_state, client: Client) -> None:  # type: ignore[no-untyped-def]
    catalogue(item, people["cataloguer"], total_doc=0)
    put_in_state(item, State.KIEM_TRA_BIEN_MUC, people["cataloguer"])
    client.force_login(people["checker"])
    sheet = selectors.file_sheet(item=item)
    response = client.post(
        reverse("check_error_add", kwargs={"item_id": item.pk}),
        {"worksheet": sheet.pk, "field": "title", "severity": "nghiem_trong", "message": "Sai tiêu đề so với bìa."},
    )
    assert response.status_code == 302
    error = CheckError.objects.get()
    assert (error.worker, error.field, error.report.checker) == (people["cataloguer"], "title", people["checker"])
    page = client.get(reverse("catalogue_check", kwargs={"item_id": item.pk})).content.decode()
    assert "Sai tiêu đề so với bìa." in page and "Tiêu đề hồ sơ" in page

    # the author sees the open error on the sheet page during correction
    put_in_state(item, State.SUA_LOI_BIEN_MUC, people["checker"])
    client.force_login(people["cataloguer"])
    page = client.get(reverse("worksheet_edit", kwargs={"item_id": item.pk})).content.decode()
    assert "Lỗi cần sửa" in page and "Sai tiêu đề so với bìa." in page
    fix = reverse("error_fix", kwargs={"item_id": item.pk, "error_id": error.pk})
    assert client.post(fix, {"note": "Đã sửa theo bìa."}).status_code == 302
    error.refresh_from_db()
    assert error.fixed


def test_a_keyer_never_sees_the_other_keying_nor_the_worksheet(  # type: ignore[no-untyped-def]
    item, people, double_keying, catalogue, put_in_state, client: Client
) -> None:
    catalogue(item, people["cataloguer"], total_doc=0)
    put_in_state(item, State.NHAP_LIEU, people["checker"])
    sheet = selectors.file_sheet(item=item)
    services.keying_save(
        worksheet=sheet, by=people["keyer"], values=file_values(total_doc=0, keyword="từ khóa riêng của lần một")
    )
    client.force_login(people["keyer2"])
    url = reverse("keying_sheet", kwargs={"item_id": item.pk, "worksheet_id": sheet.pk})
    page = client.get(url).content.decode()
    assert "từ khóa riêng của lần một" not in page
    assert file_values()["title"] not in page
    listing = client.get(reverse("keying_list", kwargs={"item_id": item.pk})).content.decode()
    assert "1 / 2" in listing
    response = client.post(url, _form(file_values(total_doc=0)))
    assert response.status_code == 302
    assert sheet.keyings.get(keyer=people["keyer2"]).pass_no == 2


def test_the_checker_resolves_a_difference_on_the_differences_page(  # type: ignore[no-untyped-def]
    item, people, catalogue, put_in_state, client: Client
) -> None:
    catalogue(item, people["cataloguer"], total_doc=0)
    put_in_state(item, State.NHAP_LIEU, people["checker"])
    sheet = selectors.file_sheet(item=item)
    services.keying_save(worksheet=sheet, by=people["keyer"], values=file_values(total_doc=0, number_of_page=60))
    put_in_state(item, State.KIEM_TRA_NHAP, people["keyer"])
    client.force_login(people["checker"])
    url = reverse("entry_check", kwargs={"item_id": item.pk})
    assert client.post(reverse("check_start", kwargs={"item_id": item.pk})).status_code == 302
    page = client.get(url).content.decode()
    assert "Số lượng trang" in page and ">60<" in page and ">6<" in page
    difference = selectors.report_of(item=item, stage="nhap_lieu").differences.get()
    resolve = reverse("difference_resolve", kwargs={"item_id": item.pk, "difference_id": difference.pk})
    assert client.post(resolve, {"choice": "phieu"}).status_code == 302
    difference.refresh_from_db()
    assert (difference.resolved, difference.resolved_value) == (True, 6)
    page = client.get(url).content.decode()
    assert "Nhập «60», đúng là «6»." in page


def test_the_error_report_page_shows_rates_per_field_and_worker(  # type: ignore[no-untyped-def]
    item, people, catalogue, put_in_state, client: Client
) -> None:
    catalogue(item, people["cataloguer"], total_doc=0)
    put_in_state(item, State.KIEM_TRA_BIEN_MUC, people["cataloguer"])
    sheet = selectors.file_sheet(item=item)
    services.check_error_add(
        item=item, by=people["checker"], worksheet=sheet, field="title", severity="nghiem_trong", message="Sai."
    )
    client.force_login(people["planner"])
    page = client.get(reverse("error_report", kwargs={"project_id": item.project_id})).content.decode()
    assert "Hồ sơ: Tiêu đề hồ sơ" in page
    assert "cataloguer" in page and "5,88" in page  # 1 wrong field of 17 checked, Vietnamese decimal comma
    assert "100,00" in page  # one error per checked file sheet on the title
