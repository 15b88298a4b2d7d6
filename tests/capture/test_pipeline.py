"""The ingest pipeline end to end on real corpus pages, and what happens to bad input."""

from __future__ import annotations

import io
import json
import shutil
from datetime import timedelta
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from khoso.archive.models import ArchiveFile, Page
from khoso.capture import pipeline, services, tasks
from khoso.capture.models import Delivery
from khoso.core.errors import ArchiveError
from khoso.ocr.pdfa import check_pdfa, extract_text
from khoso.search.selectors import search_pages
from khoso.storage.models import StoredObject
from khoso.storage.selectors import consistency_problems
from khoso.storage.services import object_store
from samples import document_values  # tests/samples.py

pytestmark = pytest.mark.django_db(transaction=True)


def _deliver_and_run(archive_file: ArchiveFile, paths: list[Path]) -> Delivery:
    delivery = services.deliver(
        archive_file=archive_file,
        arrivals=[services.Arrival(p, p.name) for p in paths],
        source=Delivery.Source.CLI,
        enqueue=False,
    )
    services.run_inline(list(delivery.pages.values_list("pk", flat=True)), jobs=1)
    services.assemble_file(archive_file.pk)
    return delivery


@pytest.fixture(scope="module")
def two_pages(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> list[Path]:  # type: ignore[override]
    folder = tmp_path_factory.mktemp("scans")
    paths = []
    for number in (1, 2):
        target = folder / f"trang-{number}.jpg"
        shutil.copy(corpus / "P01" / "HS002" / f"page-00{number}.jpg", target)
        paths.append(target)
    return paths


@pytest.fixture(scope="module")
def corpus() -> Path:  # module-scoped twin of the conftest fixture
    return Path(__file__).resolve().parents[3] / "shared" / "corpus" / "ocr-vie"


def test_scans_become_a_searchable_pdfa_with_originals_kept(archive_file, two_pages) -> None:  # type: ignore[no-untyped-def]
    _deliver_and_run(archive_file, two_pages)
    archive_file.refresh_from_db()
    pages = list(archive_file.pages.order_by("number"))
    assert [p.stage for p in pages] == [Page.Stage.DONE, Page.Stage.DONE]
    store = object_store()
    for page, path in zip(pages, two_pages, strict=True):
        assert store.read_bytes(page.original_id) == path.read_bytes()  # byte-identical original
        assert min(page.qc["dpi"]) >= 200 and page.qc_passed
        assert page.words and page.ocr_text
        assert page.qc["ocr_layout"] == "one block"  # a column of text: no layout analysis needed
    pdf_path = store.path_for(archive_file.pdf_id)
    assert check_pdfa(pdf_path) == []
    with pikepdf.open(pdf_path) as pdf:
        assert len(pdf.pages) == 2
    text = " ".join(extract_text(pdf_path))
    assert "Đắk Lắk" in text or "Đắk" in text
    assert consistency_problems() == []


def test_a_map_page_is_read_with_the_full_layout_analysis(archive_file, two_pages) -> None:  # type: ignore[no-untyped-def]
    """A map's labels lie among lines and areas: its pages never go to tesseract as one block of text,
    whatever the page looks like (here a page of text)."""
    from khoso.archive.services import document_create

    map_sheet = document_create(
        archive_file=archive_file, **document_values(1, type_name="30", subject="Bản đồ địa chính")
    )
    delivery = services.deliver(
        archive_file=archive_file,
        arrivals=[services.Arrival(two_pages[0], two_pages[0].name)],
        source=Delivery.Source.CLI,
        enqueue=False,
    )
    delivery.pages.update(document=map_sheet)
    services.run_inline(list(delivery.pages.values_list("pk", flat=True)), jobs=1)
    page = delivery.pages.get()
    assert page.stage == Page.Stage.DONE
    assert page.qc["ocr_layout"] == "full"


def test_search_finds_pages_with_and_without_diacritics(archive_file, two_pages, django_user_model) -> None:  # type: ignore[no-untyped-def]
    _deliver_and_run(archive_file, two_pages)
    exact = search_pages(user=None, query="Đắk Lắk", system=True)
    folded = search_pages(user=None, query="dak lak", system=True)
    assert exact.total >= 1 and folded.total == exact.total
    assert folded.hits[0].file_code == archive_file.file_code
    assert "<mark>" in folded.hits[0].snippet_html
    stranger = django_user_model.objects.create_user("nguoila", password="x")
    assert search_pages(user=stranger, query="dak lak").total == 0


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("rong.jpg", b"", "tep_rong"),
        ("khong-phai-anh.jpg", "Đây là văn bản, không phải ảnh".encode(), "dinh_dang_khong_ho_tro"),
    ],
)
def test_bad_input_is_rejected_and_nothing_is_stored(archive_file, tmp_path, name, content, code) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ArchiveError) as caught:
        services.deliver(archive_file=archive_file, arrivals=[services.Arrival(path, name)], source="cli")
    assert caught.value.code == code
    assert caught.value.message  # Vietnamese message naming the rule
    assert not Delivery.objects.exists() and not Page.objects.exists() and not StoredObject.objects.exists()
    assert list(object_store().iter_digests()) == []


def test_one_bad_file_rejects_the_whole_delivery(archive_file, two_pages, tmp_path) -> None:  # type: ignore[no-untyped-def]
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes(two_pages[0].read_bytes()[:50_000])
    with pytest.raises(ArchiveError) as caught:
        services.deliver(
            archive_file=archive_file,
            arrivals=[services.Arrival(two_pages[0], "ok.jpg"), services.Arrival(truncated, "cut.jpg")],
            source="cli",
        )
    assert caught.value.code == "tep_hong"
    assert not Page.objects.exists() and list(object_store().iter_digests()) == []


def test_a_crashing_stage_leaves_nothing_partial_and_the_queue_moves_on(archive_file, two_pages, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    crashed: list[int] = []

    def crash_first_page(page: Page) -> None:
        if page.number == 1:
            crashed.append(page.pk)
            raise RuntimeError("tesseract bị giết")

    monkeypatch.setitem(pipeline.FAULT_HOOKS, "render", crash_first_page)
    _deliver_and_run(archive_file, two_pages)
    first, second = archive_file.pages.order_by("number")
    assert second.stage == Page.Stage.DONE  # the queue kept moving
    assert first.stage == Page.Stage.RECEIVED and first.rendition_id is None and first.error
    assert first.lease_until is not None  # retry scheduled, not lost
    archive_file.refresh_from_db()
    assert archive_file.pdf_id is None  # no PDF/A without every page
    monkeypatch.delitem(pipeline.FAULT_HOOKS, "render")
    Page.objects.filter(pk=first.pk).update(lease_until=None)
    assert services.requeue_stalled() == [first.pk]  # eager here: the retry runs at once
    archive_file.refresh_from_db()
    assert archive_file.pdf_id and Page.objects.filter(stage=Page.Stage.DONE).count() == 2


def test_a_page_whose_attempts_all_stopped_the_worker_fails_instead_of_looping(archive_file, two_pages) -> None:  # type: ignore[no-untyped-def]
    delivery = services.deliver(
        archive_file=archive_file,
        arrivals=[services.Arrival(two_pages[0], "treo.jpg"), services.Arrival(two_pages[1], "lan-hai.jpg")],
        source=Delivery.Source.CLI,
        enqueue=False,
    )
    poison, retried = delivery.pages.order_by("number")
    expired = timezone.now() - timedelta(seconds=1)  # each attempt's worker was killed: nothing was recorded
    Page.objects.filter(pk=poison.pk).update(
        stage=Page.Stage.PROCESSING, attempts=pipeline.MAX_ATTEMPTS, lease_until=expired, lease_token="a" * 32
    )
    Page.objects.filter(pk=retried.pk).update(
        stage=Page.Stage.PROCESSING, attempts=pipeline.MAX_ATTEMPTS - 1, lease_until=expired, lease_token="b" * 32
    )
    assert sorted(services.requeue_stalled()) == sorted([poison.pk, retried.pk])  # eager: both tasks run now
    poison.refresh_from_db()
    retried.refresh_from_db()
    assert retried.stage == Page.Stage.DONE and retried.attempts == pipeline.MAX_ATTEMPTS  # a try was left
    assert poison.stage == Page.Stage.FAILED and poison.attempts == pipeline.MAX_ATTEMPTS  # not started again
    assert poison.error.startswith(f"Trang đã được xử lý {pipeline.MAX_ATTEMPTS} lần mà không xong")
    assert "KHOSO_STAGE_LEASE_SECONDS" in poison.error and " / The page was tried 3 times" in poison.error
    assert poison.lease_until is None and poison.lease_token == "" and poison.rendition_id is None
    assert Delivery.objects.get().status == Delivery.Status.FAILED  # as for a page failed by its stage
    assert pipeline.pages_waiting() == [] and services.requeue_stalled() == []  # the loop is over
    assert pipeline.process_page(poison.pk) == "skipped"
    poison.refresh_from_db()
    assert poison.stage == Page.Stage.FAILED and poison.attempts == pipeline.MAX_ATTEMPTS
    archive_file.refresh_from_db()
    assert archive_file.pdf_id is None  # no PDF/A without every page


def test_a_page_failed_by_its_stage_settles_the_delivery(archive_file, two_pages, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def crash(page: Page) -> None:
        raise RuntimeError("ảnh hỏng")

    monkeypatch.setitem(pipeline.FAULT_HOOKS, "qc", crash)
    delivery = _deliver_and_run(archive_file, two_pages[:1])
    page = delivery.pages.get()
    for _ in range(pipeline.MAX_ATTEMPTS - 1):
        assert page.stage == Page.Stage.RECEIVED and delivery.status == Delivery.Status.PROCESSING
        Page.objects.filter(pk=page.pk).update(lease_until=None)  # the retry is due
        services.requeue_stalled()
        page.refresh_from_db()
        delivery.refresh_from_db()
    assert page.stage == Page.Stage.FAILED and "ảnh hỏng" in page.error
    assert delivery.status == Delivery.Status.FAILED and delivery.finished_at is not None


def test_a_page_and_its_delivery_settle_together_or_not_at_all(archive_file, two_pages, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settle_delivery = services._refresh_delivery

    def crash_between(delivery_id: int | None) -> None:
        raise RuntimeError("worker chết giữa hai lần ghi")

    monkeypatch.setattr(services, "_refresh_delivery", crash_between)
    delivery = _deliver_and_run(archive_file, two_pages[:1])
    page = delivery.pages.get()
    assert page.stage == Page.Stage.RECEIVED and page.rendition_id is None and not page.ocr_text  # rolled back
    assert "worker chết giữa hai lần ghi" in page.error and page.lease_until is not None  # a retry is due
    assert delivery.status == Delivery.Status.PROCESSING
    monkeypatch.setattr(services, "_refresh_delivery", settle_delivery)
    Page.objects.filter(pk=page.pk).update(lease_until=None)
    services.requeue_stalled()
    page.refresh_from_db()
    delivery.refresh_from_db()
    assert page.stage == Page.Stage.DONE and delivery.status == Delivery.Status.DONE


def test_the_page_task_is_killed_before_its_lease_ends() -> None:
    lease = settings.KHOSO_STAGE_LEASE_SECONDS
    assert tasks.process_page.time_limit == tasks.hard_time_limit(lease) < lease
    assert tasks.hard_time_limit(600) == 570 and tasks.hard_time_limit(5) == 3
    assert all(1 <= tasks.hard_time_limit(n) <= n - 2 for n in range(3, 4000))


def test_a_page_is_processed_once_even_if_queued_twice(archive_file, two_pages) -> None:  # type: ignore[no-untyped-def]
    delivery = _deliver_and_run(archive_file, two_pages[:1])
    page = delivery.pages.get()
    rendition = page.rendition_id
    assert pipeline.process_page(page.pk) == "skipped"
    page.refresh_from_db()
    assert page.rendition_id == rendition and page.attempts == 1


def test_qc_failures_are_flagged_for_rescan_not_dropped(archive_file, tmp_path, two_pages) -> None:  # type: ignore[no-untyped-def]
    low = tmp_path / "thap.jpg"
    with Image.open(two_pages[0]) as image:
        small = image.resize((image.width // 3, image.height // 3))
        small.save(low, dpi=(100, 100), quality=80)
    _deliver_and_run(archive_file, [low])
    page = archive_file.pages.get()
    assert page.stage == Page.Stage.DONE and page.needs_rescan and page.qc_passed is False
    assert "do_phan_giai_thap" in {p["code"] for p in page.qc["problems"]}
    assert Delivery.objects.get().status == Delivery.Status.NEEDS_RESCAN


def test_fsck_reports_damaged_and_missing_objects(archive_file, two_pages, capsys) -> None:  # type: ignore[no-untyped-def]
    _deliver_and_run(archive_file, two_pages[:1])
    page = archive_file.pages.get()
    path = object_store().path_for(page.thumbnail_id)
    path.chmod(0o644)
    path.write_bytes(b"hong")
    object_store().path_for(page.rendition_id).unlink()
    with pytest.raises(SystemExit) as exit_info:
        call_command("fsck", "--json")
    assert exit_info.value.code == 7
    found = {p["code"] for p in json.loads(capsys.readouterr().out)}
    assert {"sai_kich_thuoc", "thieu_doi_tuong"} <= found


def test_cli_ingest_wait_json_and_export(two_pages, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "hs"
    folder.mkdir()
    for path in two_pages:
        shutil.copy(path, folder / path.name)
    call_command(
        "ingest", str(folder), "--file-code", "000.00.00.H15.1995.07", "--title", "Hồ sơ thử", "--wait", "--json"
    )
    result = json.loads(capsys.readouterr().out)
    assert result["file_code"] == "000.00.00.H15.1995.07"
    assert result["pages"] == 2 and result["status"] == "done"
    assert len(result["qc"]) == 2 and result["pdf_sha256"] and result["pdf_bytes"] > 0
    out = tmp_path / "out.pdf"
    call_command("export", "000.00.00.H15.1995.07", "--pdf", str(out))
    assert out.read_bytes()[:5] == b"%PDF-"
    assert "SHA-256" in capsys.readouterr().out
    call_command("search", "dak lak", "--json")
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits and hits[0]["file_code"] == "000.00.00.H15.1995.07"


def test_pdf_input_is_split_into_pages(archive_file, two_pages, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import img2pdf

    pdf_path = tmp_path / "ban-quet.pdf"
    pdf_path.write_bytes(img2pdf.convert([str(p) for p in two_pages]))
    _deliver_and_run(archive_file, [pdf_path])
    pages = list(archive_file.pages.order_by("number"))
    assert len(pages) == 2 and all(p.stage == Page.Stage.DONE for p in pages)
    # the delivered PDF itself is kept byte-identical
    assert object_store().read_bytes(pages[0].qc["delivered_sha256"]) == pdf_path.read_bytes()
    # JPEG pages pass through: the page master is the embedded JPEG, unchanged
    assert object_store().read_bytes(pages[0].original_id) == two_pages[0].read_bytes()


def test_thumbnail_is_small(archive_file, two_pages) -> None:  # type: ignore[no-untyped-def]
    _deliver_and_run(archive_file, two_pages[:1])
    page = archive_file.pages.get()
    with Image.open(io.BytesIO(object_store().read_bytes(page.thumbnail_id))) as thumb:
        assert max(thumb.size) <= 640


def _huge_png(path: Path) -> None:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def _blank_pdf(path: Path, pages: int) -> None:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    pdf.save(path)


def _encrypted_pdf(path: Path, source: Path) -> None:
    import img2pdf

    plain = path.with_suffix(".plain.pdf")
    plain.write_bytes(img2pdf.convert(str(source)))
    with pikepdf.open(plain) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user="", owner="chu-so-huu"))


def _truncated_pdf(path: Path, source: Path) -> None:
    import img2pdf

    data = img2pdf.convert(str(source))
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(
    ("maker", "code"),
    [
        (lambda p, src: _huge_png(p), "vuot_gioi_han_diem_anh"),
        (lambda p, src: _blank_pdf(p, 3000), "pdf_trang_trong"),
        (_encrypted_pdf, "pdf_ma_hoa"),
        (_truncated_pdf, "tep_hong"),
    ],
    ids=["100000x100000-pixels", "3000-empty-pages", "encrypted-pdf", "truncated-pdf"],
)
def test_hostile_files_are_refused_and_the_next_delivery_still_works(
    archive_file, two_pages, tmp_path, maker, code
) -> None:  # type: ignore[no-untyped-def]
    import resource

    bad = tmp_path / "xau.pdf"
    maker(bad, two_pages[0])
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ArchiveError) as caught:
        services.deliver(archive_file=archive_file, arrivals=[services.Arrival(bad, bad.name)], source="upload")
    assert caught.value.code == code and caught.value.message
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 300 * 1024  # KiB: bounded
    assert not Page.objects.exists() and not StoredObject.objects.exists()
    _deliver_and_run(archive_file, two_pages[:1])  # the queue keeps moving
    assert archive_file.pages.get().stage == Page.Stage.DONE
