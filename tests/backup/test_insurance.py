"""Insurance copies per fonds (bản sao bảo hiểm, QĐ 71/QĐ-TTg; standards.md §5.1): the copy verifies against
its manifest, its statistics list adds up, the fonds counter follows, and a later run copies only changes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from khoso.backup import documents, selectors, services
from khoso.backup.models import InsuranceCopy, Outcome
from khoso.storage.cas import sha256_file

pytestmark = pytest.mark.django_db


def manifest_of(folder: Path) -> dict[str, str]:
    lines = (folder / services.INSURANCE_MANIFEST).read_text(encoding="utf-8").splitlines()
    return {relative: sha256 for sha256, relative in (line.split("  ", 1) for line in lines)}


def test_insurance_copy_writes_files_manifest_and_statistics(small_archive, tmp_path) -> None:
    run = services.insurance_copy(fonds=small_archive.fonds, target=tmp_path / "usb", by=small_archive.users["admin"])
    folder = tmp_path / "usb" / "UBND-DL"
    assert run.outcome == Outcome.OK and run.target == str(folder)

    manifest = manifest_of(folder)
    public, secret = small_archive.public_file.file_code, small_archive.secret_file.file_code
    # a file with a PDF/A is copied as that one PDF; a file without one as its page renditions
    assert set(manifest) == {
        f"{public}/{public}.pdf",
        f"{secret}/{secret}-0001.pdf",
        f"{secret}/{secret}-0002.pdf",
        *documents.STATISTICS_NAMES,
    }
    for relative, sha256 in manifest.items():
        assert sha256_file(folder / relative) == sha256
    assert sha256_file(folder / services.INSURANCE_MANIFEST) == run.manifest_sha256
    assert manifest[f"{public}/{public}.pdf"] == small_archive.public_file.pdf_id

    expected_bytes = small_archive.public_file.pdf.size + sum(
        page.rendition.size for page in small_archive.secret_file.pages.all()
    )
    assert (run.files, run.pages, run.bytes) == (2, 5, expected_bytes)

    sheet = load_workbook(io.BytesIO((folder / documents.STATISTICS_XLSX).read_bytes())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    by_code = {row[1]: row for row in rows if row[1] in (public, secret)}
    assert by_code[public][3:6] == [3, 1, small_archive.public_file.pdf.size]
    assert by_code[secret][3:5] == [2, 2]
    totals = next(row for row in rows if row[1] == "Tổng cộng")
    assert totals[2:6] == ["2 hồ sơ", 5, 3, expected_bytes]
    assert (folder / documents.STATISTICS_PDF).read_bytes().startswith(b"%PDF")


def test_second_run_copies_only_changes_and_updates_the_counter(small_archive, tmp_path, add_pages) -> None:
    target = tmp_path / "o-cung"
    services.insurance_copy(fonds=small_archive.fonds, target=target)
    assert selectors.insured_pages(fonds=small_archive.fonds) == 5

    again = services.insurance_copy(fonds=small_archive.fonds, target=target)
    assert (again.files_written, again.bytes_written, again.pages) == (0, 0, 5)

    add_pages(small_archive.secret_file, 2, start=3)
    third = services.insurance_copy(fonds=small_archive.fonds, target=target)
    assert third.files_written == 2 and third.pages == 7
    assert selectors.insured_pages(fonds=small_archive.fonds) == 7
    counters = {fonds.code: fonds for fonds in selectors.insurance_counters()}
    assert counters["UBND-DL"].insured_pages == 7 and counters["UBND-DL"].digital_pages == 7

    # the secret file gets its PDF/A: its page files leave the copy, the PDF comes in
    from khoso.archive.models import ArchiveFile
    from khoso.storage.services import object_put_bytes

    pdf = object_put_bytes(data=b"%PDF-1.7 ho so mat", mime="application/pdf")
    ArchiveFile.objects.filter(pk=small_archive.secret_file.pk).update(pdf=pdf)
    fourth = services.insurance_copy(fonds=small_archive.fonds, target=target)
    folder = target / "UBND-DL"
    code = small_archive.secret_file.file_code
    assert fourth.files_written == 1
    assert sorted(p.name for p in (folder / code).iterdir()) == [f"{code}.pdf"]
    assert manifest_of(folder)[f"{code}/{code}.pdf"] == pdf.sha256


def test_a_damaged_object_is_never_copied(small_archive, tmp_path) -> None:
    from khoso.storage.services import object_store

    victim = small_archive.public_file.pdf_id
    path = object_store().path_for(victim)
    path.chmod(0o644)
    path.write_bytes(b"hong")
    with pytest.raises(services.IntegrityError):
        services.insurance_copy(fonds=small_archive.fonds, target=tmp_path / "usb")
    code = small_archive.public_file.file_code
    assert not (tmp_path / "usb" / "UBND-DL" / code / f"{code}.pdf").exists()
    assert not (tmp_path / "usb" / "UBND-DL" / services.INSURANCE_MANIFEST).exists()
    run = InsuranceCopy.objects.get()
    assert run.outcome == Outcome.FAILED and "SHA-256" in run.error
    assert selectors.insured_pages(fonds=small_archive.fonds) == 0


def test_insurance_copy_command(small_archive, tmp_path) -> None:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("insurance-copy", "UBND-DL", "--to", str(tmp_path / "bo-noi-vu"), stdout=out)
    assert "2 hồ sơ / files, 5 trang / pages" in out.getvalue()
    assert (tmp_path / "bo-noi-vu" / "UBND-DL" / services.INSURANCE_MANIFEST).is_file()
