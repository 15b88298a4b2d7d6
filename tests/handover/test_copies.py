"""Copying the product (step SAO_CHEP): bags with a SHA-256 manifest, read back, two independent copies."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.urls import reverse

from khoso.core.errors import PermissionDeniedError, ValidationError, WorkflowError
from khoso.handover import services
from khoso.handover.models import CopyRun
from khoso.storage.services import object_store
from khoso.workflow.services import transition

pytestmark = pytest.mark.django_db


def bag_files(run: CopyRun) -> dict[str, Path]:
    folder = Path(run.folder)
    return {str(p.relative_to(folder)): p for p in folder.rglob("*") if p.is_file()}


def test_a_copy_is_a_bag_whose_manifest_matches_every_copied_file(at_copy_step, two_targets, people) -> None:  # type: ignore[no-untyped-def]
    item = at_copy_step[0]
    run = services.copy_product(target=two_targets[0], items=[item], by=people["contractor"])

    assert run.status == CopyRun.Status.VERIFIED and run.verified_at is not None
    files = bag_files(run)
    code = item.file.file_code
    base = f"data/UBND-DL/{code}"
    assert set(files) == {
        "bagit.txt",
        "bag-info.txt",
        "manifest-sha256.txt",
        f"{base}/{code}.pdf",
        f"{base}/trang/0001.tif",
        f"{base}/trang/0002.tif",
    }
    manifest = files["manifest-sha256.txt"].read_text()
    lines = dict(reversed(line.split("  ", 1)) for line in manifest.splitlines())
    assert lines[f"{base}/{code}.pdf"] == item.file.pdf_id
    for relative, digest in lines.items():
        assert hashlib.sha256(files[relative].read_bytes()).hexdigest() == digest
    assert run.manifest == manifest and run.manifest_sha256 == hashlib.sha256(manifest.encode()).hexdigest()
    assert run.file_count == 3 and list(run.items.all()) == [item]
    assert item.events.filter(action="sao_chep", actor=people["contractor"]).exists()


def test_a_corrupted_byte_on_the_copy_fails_the_verification_naming_the_file(  # type: ignore[no-untyped-def]
    at_copy_step, two_targets, people
) -> None:
    item = at_copy_step[0]
    run = services.copy_product(target=two_targets[0], items=[item], by=people["contractor"])
    page = Path(run.folder) / f"data/UBND-DL/{item.file.file_code}/trang/0002.tif"
    data = bytearray(page.read_bytes())
    data[3] ^= 0x01
    page.write_bytes(bytes(data))

    with pytest.raises(services.CopyVerificationError) as caught:
        services.copy_verify(run=run, by=people["contractor"])

    assert f"tệp data/UBND-DL/{item.file.file_code}/trang/0002.tif có SHA-256" in caught.value.message
    assert "khác bảng kê" in caught.value.message
    run.refresh_from_db()
    assert run.status == CopyRun.Status.FAILED and "0002.tif" in run.error
    assert (Path(run.folder) / "LOI-BAN-SAO.txt").exists()


def test_a_missing_file_or_an_edited_manifest_fails_the_verification(at_copy_step, two_targets, people) -> None:  # type: ignore[no-untyped-def]
    first = services.copy_product(target=two_targets[0], items=[at_copy_step[0]], by=people["contractor"])
    (Path(first.folder) / f"data/UBND-DL/{at_copy_step[0].file.file_code}/trang/0001.tif").unlink()
    with pytest.raises(services.CopyVerificationError, match="0001.tif bị thiếu"):
        services.copy_verify(run=first, by=people["contractor"])

    second = services.copy_product(target=two_targets[1], items=[at_copy_step[1]], by=people["contractor"])
    manifest = Path(second.folder) / "manifest-sha256.txt"
    manifest.write_text(manifest.read_text() + "0" * 64 + "  data/them.txt\n")
    with pytest.raises(services.CopyVerificationError, match="manifest-sha256.txt bị thiếu hoặc bị sửa đổi"):
        services.copy_verify(run=second, by=people["contractor"])


def test_a_rotten_object_in_the_store_fails_the_copy_and_marks_it_failed(  # type: ignore[no-untyped-def]
    at_copy_step, two_targets, people
) -> None:
    item = at_copy_step[0]
    stored = object_store().path_for(item.file.pdf_id)
    stored.chmod(0o644)
    stored.write_bytes(b"%PDF-1.7 bit rot")

    with pytest.raises(services.CopyVerificationError, match=f"{item.file.file_code}.pdf đọc từ kho có SHA-256"):
        services.copy_product(target=two_targets[0], items=[item], by=people["contractor"])

    run = CopyRun.objects.get()
    assert run.status == CopyRun.Status.FAILED and run.finished_at is not None
    assert "Lần sao chép đã được đánh dấu lỗi" in run.error


def test_only_files_at_the_copy_step_with_a_pdf_are_copied(  # type: ignore[no-untyped-def]
    approved_project, two_targets, people, put_in_state
) -> None:
    item = approved_project.items.select_related("file").first()
    with pytest.raises(WorkflowError, match="đang ở bước «Đã duyệt, chờ xuất kho», chỉ sao chép hồ sơ ở bước sao chép"):
        services.copy_product(target=two_targets[0], items=[item], by=people["contractor"])
    put_in_state(item, "SAO_CHEP", people["inspector"])
    with pytest.raises(WorkflowError, match="chưa có bản PDF/A để sao chép"):
        services.copy_product(target=two_targets[0], items=[item], by=people["contractor"])
    with pytest.raises(PermissionDeniedError):
        services.copy_product(target=two_targets[0], items=[item], by=people["scanner"])
    assert not CopyRun.objects.exists()


def test_copy_targets_must_be_allowed_and_independent(approved_project, people, copy_root, settings) -> None:  # type: ignore[no-untyped-def]
    def make(path: Path | str, medium: str, name: str = "Ổ cứng") -> object:
        return services.copy_target_create(
            project=approved_project,
            by=people["contractor"],
            name=name,
            kind="thiet_bi",
            path=str(path),
            medium_id=medium,
        )

    make(copy_root / "a", "HDD-1")
    with pytest.raises(ValidationError, match="nằm ngoài các thư mục được phép sao chép"):
        make("/tmp/khac", "HDD-2")
    with pytest.raises(ValidationError, match="phải là đường dẫn tuyệt đối"):
        make("tuong-doi", "HDD-2")
    with pytest.raises(ValidationError, match="mã hiệu «HDD-1» đã dùng"):
        make(copy_root / "b", "HDD-1")
    with pytest.raises(ValidationError, match="lồng với nơi lưu «Ổ cứng».*hai bản sao không độc lập"):
        make(copy_root / "a" / "con", "HDD-3")
    settings.KHOSO_COPY_ROOTS = [settings.KHOSO_OBJECTS_DIR.parent]
    with pytest.raises(ValidationError, match="không sao chép vào kho lưu trữ đối tượng số"):
        make(settings.KHOSO_OBJECTS_DIR / "x", "HDD-4")
    with pytest.raises(PermissionDeniedError):
        services.copy_target_create(
            project=approved_project,
            by=people["planner"],
            name="X",
            kind="thu_muc",
            path=str(copy_root / "c"),
            medium_id="X",
        )


# -- the guard SAO_CHEP → NGHIEM_THU ---------------------------------------------------------------


def test_acceptance_needs_two_verified_copies_on_independent_targets(at_copy_step, two_targets, people) -> None:  # type: ignore[no-untyped-def]
    item = at_copy_step[0]
    contractor = people["contractor"]
    with pytest.raises(WorkflowError) as refused:
        transition(item=item, target="NGHIEM_THU", actor=contractor)
    assert refused.value.message == (
        f"Không thực hiện được bước này: hồ sơ {item.file.file_code} mới có 0 bản sao đã xác minh SHA-256 "
        "trên nơi lưu độc lập; cần ít nhất 2 bản sao trên 2 thiết bị hoặc thư mục khác nhau."
    )

    services.copy_product(target=two_targets[0], items=[item], by=contractor)
    services.copy_product(target=two_targets[0], items=[item], by=contractor)  # the same medium twice
    with pytest.raises(WorkflowError, match="mới có 1 bản sao đã xác minh"):
        transition(item=item, target="NGHIEM_THU", actor=contractor)

    services.copy_product(target=two_targets[1], items=[item], by=contractor)
    moved = transition(item=item, target="NGHIEM_THU", actor=contractor)
    assert moved.state == "NGHIEM_THU"


def test_copies_made_before_a_correction_no_longer_count(at_copy_step, two_targets, people) -> None:  # type: ignore[no-untyped-def]
    from khoso.archive.models import Page
    from khoso.handover import selectors
    from khoso.storage.services import object_put_bytes

    first, second = at_copy_step[:2]
    contractor = people["contractor"]
    old = [services.copy_product(target=target, items=[first, second], by=contractor) for target in two_targets]
    assert services.verified_copies(first) == old
    # page 2 of the first file is rescanned after the copies were made
    rescan = object_put_bytes(data=b"TIFF trang 2, quet lai", mime="image/tiff")
    Page.objects.filter(file_id=first.file_id, number=2).update(original=rescan)
    assert services.verified_copies(first) == [] and services.verified_copies(second) == old
    with pytest.raises(WorkflowError, match="mới có 0 bản sao đã xác minh"):
        transition(item=first, target="NGHIEM_THU", actor=contractor)
    new = [services.copy_product(target=target, items=[first], by=contractor) for target in two_targets]
    assert services.verified_copies(first) == new
    assert transition(item=first, target="NGHIEM_THU", actor=contractor).state == "NGHIEM_THU"
    # the old copies still hold the second file's product: the minutes list all four
    assert selectors.current_copies([first, second]) == old + new
    assert selectors.current_copies([first]) == new


def test_a_copy_that_fails_re_verification_no_longer_counts(at_copy_step, two_targets, people) -> None:  # type: ignore[no-untyped-def]
    item = at_copy_step[0]
    contractor = people["contractor"]
    services.copy_product(target=two_targets[0], items=[item], by=contractor)
    second = services.copy_product(target=two_targets[1], items=[item], by=contractor)
    pdf = Path(second.folder) / f"data/UBND-DL/{item.file.file_code}/{item.file.file_code}.pdf"
    pdf.write_bytes(pdf.read_bytes()[:-1])
    with pytest.raises(services.CopyVerificationError):
        services.copy_verify(run=second, by=contractor)
    with pytest.raises(WorkflowError, match="mới có 1 bản sao"):
        transition(item=item, target="NGHIEM_THU", actor=contractor)
    # Fix: copy again onto the second medium, then the move is allowed.
    services.copy_product(target=two_targets[1], items=[item], by=contractor)
    assert transition(item=item, target="NGHIEM_THU", actor=contractor).state == "NGHIEM_THU"


def test_the_contractor_copies_the_whole_step_from_the_web(at_copy_step, two_targets, people, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(people["contractor"])
    project = two_targets[0].project
    for target in two_targets:
        response = client.post(reverse("copy_project", args=[project.pk]), {"target": target.pk}, follow=True)
        assert "Đã sao chép và xác minh SHA-256" in response.content.decode()
    for item in at_copy_step:
        page = client.get(reverse("copy_item_page", args=[item.pk]))
        assert '<dd id="independent">2 / 2</dd>' in page.content.decode()
        assert transition(item=item, target="NGHIEM_THU", actor=people["contractor"]).state == "NGHIEM_THU"
    run = CopyRun.objects.first()
    manifest = client.get(reverse("copy_run_manifest", args=[project.pk, run.pk]))
    assert manifest.content.decode() == run.manifest


def test_a_refused_copy_shows_the_vietnamese_reason(approved_project, two_targets, people, client) -> None:  # type: ignore[no-untyped-def]
    item = approved_project.items.first()
    client.force_login(people["contractor"])
    response = client.post(reverse("copy_item", args=[item.pk]), {"target": two_targets[0].pk}, follow=True)
    assert "chỉ sao chép hồ sơ ở bước sao chép sản phẩm" in response.content.decode()


def test_the_step_pages_are_linked_from_the_task_page(at_copy_step, people, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(people["contractor"])
    page = client.get(reverse("item_detail", args=[at_copy_step[0].pk])).content.decode()
    assert reverse("copy_item_page", args=[at_copy_step[0].pk]) in page
