"""QC inspection and rescans: check → reject with a reason → rescan → re-check, with the real pipeline.

The rescan replaces the page in the file's PDF/A while the rejected scan, its rendition and its
automatic QC result stay in the history and in the object store.
"""

from __future__ import annotations

import pikepdf
import pytest
from django.urls import reverse

from khoso.archive.models import ArchiveFile, Page
from khoso.capture.services import Arrival
from khoso.core.errors import PermissionDeniedError, WorkflowError
from khoso.core.text import fold
from khoso.ocr.pdfa import extract_text
from khoso.scanning import selectors, services
from khoso.scanning.models import PageReview, RejectReason, ScanHistory
from khoso.storage.services import object_store
from khoso.workflow.services import member_add, transition
from khoso.workflow.states import Role, State

pytestmark = pytest.mark.django_db


@pytest.fixture
def scanned(scan_item, people, tmp_path, write_page, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Two real pages delivered, processed (QC, OCR, rendition) and assembled; the file sent to QC."""
    paths = [write_page(tmp_path / "lo-1", f"{n}.jpg", f"Quyết định trang {n}") for n in (1, 2)]
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_upload(
            item=scan_item, operator=people["scanner"], arrivals=[Arrival(p, p.name) for p in paths]
        )
    assert list(scan_item.file.pages.values_list("stage", "qc_passed")) == [(Page.Stage.DONE, True)] * 2
    return transition(item=scan_item, target=State.KIEM_TRA_CHAT_LUONG, actor=people["scanner"])


def _pdf_text(archive_file: ArchiveFile) -> list[str]:
    archive_file.refresh_from_db()
    path = object_store().path_for(archive_file.pdf_id)
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 2
    return [fold(text) for text in extract_text(path)]


def test_reject_rescan_recheck_replaces_the_page_and_keeps_the_history(  # type: ignore[no-untyped-def]
    scanned, people, tmp_path, write_page, django_capture_on_commit_callbacks
) -> None:
    item, inspector, scanner = scanned, people["inspector"], people["scanner"]
    first_pdf = ArchiveFile.objects.get(pk=item.file_id).pdf_id
    assert "quyet dinh trang 2" in _pdf_text(item.file)[1]
    old = Page.objects.get(file_id=item.file_id, number=2)

    with pytest.raises(WorkflowError) as caught:
        services.page_review(item=item, number=2, inspector=inspector, decision=PageReview.Decision.REJECT)
    assert "trang không đạt phải có lý do" in caught.value.message
    services.page_review(
        item=item, number=2, inspector=inspector, decision=PageReview.Decision.REJECT,
        reason=RejectReason.SKEWED, note="Lệch lề trái",
    )  # fmt: skip
    with pytest.raises(WorkflowError) as caught:
        transition(item=item, target=State.LIEN_KET, actor=inspector)
    assert "trang 2 bị đánh giá không đạt, phải quét lại" in caught.value.message

    item = transition(item=item, target=State.SO_HOA_LAI, actor=inspector)
    assert [row.page.number for row in selectors.rescan_tasks(item)] == [2]
    with pytest.raises(WorkflowError) as caught:
        transition(item=item, target=State.KIEM_TRA_CHAT_LUONG, actor=scanner)
    assert "trang 2 bị trả nhưng chưa được quét lại" in caught.value.message
    new_scan = write_page(tmp_path / "quet-lai", "2-lai.jpg", "Bản quét lại")
    with pytest.raises(WorkflowError) as caught:
        services.page_rescan(item=item, number=1, operator=scanner, path=new_scan, name=new_scan.name)
    assert "trang 1 không bị đánh giá «không đạt»" in caught.value.message

    with django_capture_on_commit_callbacks(execute=True):
        history = services.page_rescan(item=item, number=2, operator=scanner, path=new_scan, name=new_scan.name)

    page = Page.objects.get(pk=old.pk)
    assert page.stage == Page.Stage.DONE and page.qc_passed and page.original_name == "2-lai.jpg"
    assert page.original_id != old.original_id and page.rendition_id != old.rendition_id
    assert (history.version, history.old_original_id, history.old_rendition_id) == (
        1,
        old.original_id,
        old.rendition_id,
    )
    assert history.old_qc == old.qc and history.old_qc_passed is True
    assert history.reason == "Nghiêng: Lệch lề trái" and history.rejected_by == inspector
    assert history.replaced_by == scanner and history.new_original_id == page.original_id
    store = object_store()
    assert store.read_bytes(history.old_original_id) == (tmp_path / "lo-1" / "2.jpg").read_bytes()
    assert all(store.exists(sha) for sha in (history.old_rendition_id, history.old_thumbnail_id, first_pdf))
    texts = _pdf_text(item.file)
    assert "ban quet lai" in texts[1] and "quyet dinh trang 1" in texts[0]
    assert ArchiveFile.objects.get(pk=item.file_id).pdf_id != first_pdf

    item = transition(item=item, target=State.KIEM_TRA_CHAT_LUONG, actor=scanner)
    assert selectors.rescan_tasks(item) == []  # the rejection was for the replaced scan
    assert services.pages_accept_passing(item=item, inspector=inspector) == 2
    assert transition(item=item, target=State.LIEN_KET, actor=inspector).state == State.LIEN_KET
    assert PageReview.objects.filter(page=page).values_list("scan_version", "decision")[0] == (1, "dat")


def test_rescan_page_shows_tasks_and_history_on_the_web(  # type: ignore[no-untyped-def]
    scanned, people, client, page_jpeg, django_capture_on_commit_callbacks
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(people["inspector"])
    qc = client.get(reverse("scan_qc", kwargs={"item_id": scanned.pk})).content.decode()
    assert reverse("scan_thumbnail", kwargs={"item_id": scanned.pk, "number": 2}) in qc
    assert "Đạt kiểm tra tự động, chưa đánh giá" in qc
    thumb = client.get(reverse("scan_thumbnail", kwargs={"item_id": scanned.pk, "number": 2}))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    client.post(
        reverse("scan_review", kwargs={"item_id": scanned.pk, "number": 1}),
        {"decision": "khong_dat", "reason": "mat_chu", "note": "Mất chữ ở góc"},
    )
    client.post(reverse("item_transition", kwargs={"item_id": scanned.pk}), {"target": State.SO_HOA_LAI})
    client.force_login(people["scanner"])
    page = client.get(reverse("scan_rescan", kwargs={"item_id": scanned.pk})).content.decode()
    assert "Mất chữ: Mất chữ ở góc" in page
    hostile = SimpleUploadedFile("1-lai.jpg", b"%PDF-1.7\n<</JS (app.alert(1))>>", "image/jpeg")
    refused = client.post(reverse("scan_rescan_upload", kwargs={"item_id": scanned.pk, "number": 1}), {"file": hostile})
    assert 400 <= refused.status_code < 500 and "Đã thay trang" not in refused.content.decode()
    assert not ScanHistory.objects.exists()
    upload = SimpleUploadedFile("1-lai.jpg", page_jpeg("Trang một quét lại"), "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("scan_rescan_upload", kwargs={"item_id": scanned.pk, "number": 1}), {"file": upload}, follow=True
        )
    body = response.content.decode()
    assert "Đã thay trang 1 bằng bản quét lại" in body and "Không còn trang nào chờ quét lại." in body
    assert f"{reverse('scan_thumbnail', kwargs={'item_id': scanned.pk, 'number': 1})}?lan=1" in body
    old_thumb = client.get(reverse("scan_thumbnail", kwargs={"item_id": scanned.pk, "number": 1}) + "?lan=1")
    assert old_thumb.status_code == 200
    assert ScanHistory.objects.get().reason == "Mất chữ: Mất chữ ở góc"


def test_a_rescan_must_be_one_page(scanned, people, tmp_path, write_page) -> None:  # type: ignore[no-untyped-def]
    import img2pdf

    services.page_review(
        item=scanned, number=1, inspector=people["inspector"], decision="khong_dat", reason=RejectReason.BLURRED
    )
    item = transition(item=scanned, target=State.SO_HOA_LAI, actor=people["inspector"])
    pages = [write_page(tmp_path, f"{n}.jpg") for n in (1, 2)]
    pdf = tmp_path / "hai-trang.pdf"
    pdf.write_bytes(img2pdf.convert([str(p) for p in pages]))
    with pytest.raises(WorkflowError) as caught:
        services.page_rescan(item=item, number=1, operator=people["scanner"], path=pdf, name=pdf.name)
    assert "phải có đúng một trang (tệp có 2 trang)" in caught.value.message
    assert not ScanHistory.objects.exists()


def test_nothing_rejected_means_no_rescan_step(scan_item, people, done_pages, put_in_state) -> None:  # type: ignore[no-untyped-def]
    done_pages(scan_item.file, 2)
    item = put_in_state(scan_item, State.KIEM_TRA_CHAT_LUONG, people["scanner"])
    with pytest.raises(WorkflowError) as caught:
        transition(item=item, target=State.SO_HOA_LAI, actor=people["inspector"])
    assert "chưa có trang nào bị đánh giá «không đạt» trong lượt kiểm tra này" in caught.value.message


def test_a_page_failing_automatic_qc_needs_a_decision(scan_item, people, done_pages, put_in_state) -> None:  # type: ignore[no-untyped-def]
    done_pages(scan_item.file, 1)
    blank = done_pages(scan_item.file, 1, qc_passed=False)[0]
    item = put_in_state(scan_item, State.KIEM_TRA_CHAT_LUONG, people["scanner"])
    with pytest.raises(WorkflowError) as caught:
        transition(item=item, target=State.LIEN_KET, actor=people["inspector"])
    assert "trang 2 không đạt kiểm tra tự động và chưa được người kiểm tra đánh giá" in caught.value.message
    assert services.pages_accept_passing(item=item, inspector=people["inspector"]) == 1  # page 1 only
    services.page_review(item=item, number=2, inspector=people["inspector"], decision="dat", note="Trang trắng thật")
    blank.refresh_from_db()
    assert blank.needs_rescan is False and blank.qc_passed is False  # the measurement stays, the flag is decided
    assert transition(item=item, target=State.LIEN_KET, actor=people["inspector"]).state == State.LIEN_KET


def test_who_may_review(scan_item, people, done_pages, put_in_state) -> None:  # type: ignore[no-untyped-def]
    done_pages(scan_item.file, 2)
    item = put_in_state(scan_item, State.KIEM_TRA_CHAT_LUONG, people["scanner"])
    with pytest.raises(PermissionDeniedError):
        services.page_review(item=item, number=1, inspector=people["scanner"], decision="dat")
    member_add(project=item.project, user=people["scanner"], role=Role.QC_INSPECTOR, by=people["planner"])
    with pytest.raises(WorkflowError) as caught:
        services.page_review(item=item, number=1, inspector=people["scanner"], decision="dat")
    assert "người kiểm tra chất lượng phải là người thứ hai" in caught.value.message
    with pytest.raises(WorkflowError) as caught:
        services.page_review(item=item, number=1, inspector=people["inspector"], decision="khong_dat", reason="khac")
    assert "lý do «Khác» cần ghi chú cụ thể" in caught.value.message
    with pytest.raises(WorkflowError) as caught:
        services.page_review(item=item, number=9, inspector=people["inspector"], decision="dat")
    assert "không có trang 9" in caught.value.message


def test_inspector_changes_a_decision_and_the_latest_counts(scan_item, people, done_pages, put_in_state) -> None:  # type: ignore[no-untyped-def]
    done_pages(scan_item.file, 2)
    item = put_in_state(scan_item, State.KIEM_TRA_CHAT_LUONG, people["scanner"])
    services.page_review(item=item, number=1, inspector=people["inspector"], decision="khong_dat", reason="mo")
    services.page_review(item=item, number=1, inspector=people["inspector"], decision="dat", note="Nhầm trang")
    assert transition(item=item, target=State.LIEN_KET, actor=people["inspector"]).state == State.LIEN_KET
    assert PageReview.objects.count() == 2  # both decisions stay on record


def test_scanner_replaces_an_automatically_failed_page_before_qc(  # type: ignore[no-untyped-def]
    scan_item, people, tmp_path, write_page, client, django_capture_on_commit_callbacks
) -> None:
    paths = [write_page(tmp_path, "1.jpg", "Trang một"), write_page(tmp_path, "2.jpg", blank=True)]
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_upload(
            item=scan_item, operator=people["scanner"], arrivals=[Arrival(p, p.name) for p in paths]
        )
    blank = Page.objects.get(file_id=scan_item.file_id, number=2)
    assert blank.needs_rescan and not blank.qc_passed
    first_pdf = ArchiveFile.objects.get(pk=scan_item.file_id).pdf_id
    client.force_login(people["scanner"])
    page = client.get(reverse("scan_delivery", kwargs={"item_id": scan_item.pk})).content.decode()
    assert reverse("scan_rescan_upload", kwargs={"item_id": scan_item.pk, "number": 2}) in page
    assert "Trang trắng (không thấy chữ hay hình)" in page
    scan = write_page(tmp_path / "lai", "2.jpg", "Trang hai có chữ")
    with django_capture_on_commit_callbacks(execute=True):
        history = services.page_rescan(item=scan_item, number=2, operator=people["scanner"], path=scan, name="2.jpg")
    blank.refresh_from_db()
    assert blank.stage == Page.Stage.DONE and blank.qc_passed and not blank.needs_rescan
    assert history.reason.startswith("Trang trắng") and history.rejected_by is None and history.old_qc_passed is False
    assert ArchiveFile.objects.get(pk=scan_item.file_id).pdf_id not in (None, first_pdf)


def test_a_page_found_bad_by_product_inspection_is_rescanned_at_the_correction_step(  # type: ignore[no-untyped-def]
    scan_item, people, done_pages, put_in_state, tmp_path, write_page
) -> None:
    done_pages(scan_item.file, 2)
    new_scan = write_page(tmp_path / "sua-loi", "2-sua.jpg", "Bản quét sửa lỗi")
    item = put_in_state(scan_item, State.LIEN_KET, people["inspector"])
    with pytest.raises(WorkflowError) as caught:
        services.page_rescan(item=item, number=2, operator=people["scanner"], path=new_scan, name=new_scan.name)
    assert "thao tác này chỉ làm ở bước «Số hóa lại», «Số hóa», «Sửa lỗi sản phẩm»" in caught.value.message
    item = put_in_state(item, State.SUA_LOI, people["inspector"])  # product inspection found page 2 blurred
    history = services.page_rescan(
        item=item, number=2, operator=people["scanner"], path=new_scan, name=new_scan.name,
        reason="Biên bản kiểm tra sản phẩm: trang 2 mờ",
    )  # fmt: skip
    page = Page.objects.get(file_id=item.file_id, number=2)
    assert (history.version, history.replaced_by, page.original_name) == (1, people["scanner"], "2-sua.jpg")
    assert history.reason == "Biên bản kiểm tra sản phẩm: trang 2 mờ"
    assert page.stage == Page.Stage.RECEIVED  # the pipeline runs again, then the PDF/A is rebuilt


def test_at_product_correction_the_scanner_replaces_any_page_from_the_web_with_a_reason(  # type: ignore[no-untyped-def]
    scanned, people, client, page_jpeg, put_in_state, django_capture_on_commit_callbacks
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = put_in_state(scanned, State.SUA_LOI, people["inspector"])
    client.force_login(people["scanner"])
    detail = client.get(reverse("item_detail", kwargs={"item_id": item.pk})).content.decode()
    assert reverse("scan_rescan", kwargs={"item_id": item.pk}) in detail
    page = client.get(reverse("scan_rescan", kwargs={"item_id": item.pk})).content.decode()
    assert "sửa lỗi theo biên bản kiểm tra sản phẩm" in page
    assert reverse("scan_rescan_upload", kwargs={"item_id": item.pk, "number": 2}) in page
    upload = SimpleUploadedFile("2-sua.jpg", page_jpeg("Trang hai quét lại"), "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("scan_rescan_upload", kwargs={"item_id": item.pk, "number": 2}),
            {"file": upload, "reason": "Biên bản KTSP số 3: trang 2 mờ"},
            follow=True,
        )
    assert "Đã thay trang 2 bằng bản quét lại" in response.content.decode()
    assert ScanHistory.objects.get().reason == "Biên bản KTSP số 3: trang 2 mờ"
