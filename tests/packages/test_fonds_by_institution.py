"""Import finds the fonds by archive institution + fonds code: codes are unique only per institution
(Fonds: UniqueConstraint(institution, code)). A package names both (metsHdr agents CREATOR and
ARCHIVIST, note IDENTIFICATIONCODE); a fonds code that exists in two institutions must not send the
package into the wrong one, and a package of an institution this archive does not hold is refused."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from khoso.archive.models import ArchiveFile
from khoso.packages.services import batch_receive, package_read

pytestmark = pytest.mark.django_db


@pytest.fixture
def twin(db):  # type: ignore[no-untyped-def]
    """Another institution's fonds with the same code, created first (lower id) to tempt a code-only lookup."""
    from khoso.archive.models import Institution
    from khoso.archive.services import fonds_create

    other = Institution.objects.create(code="H16.TTLT", name="Trung tâm Lưu trữ lịch sử tỉnh Đắk Nông")
    return fonds_create(
        institution=other,
        code="UBND-DL",
        name="Phông UBND huyện Đắk Mil",
        organ_id="000.00.00.H16",
        history="x",
        archives_time="2004-2020",
        paper_total=3,
        key_groups="x",
        language="01",
    )


def test_package_lands_in_the_fonds_of_its_institution(twin, export_package, filled_file, fonds, forget) -> None:  # type: ignore[no-untyped-def]
    assert twin.pk < fonds.pk and twin.code == fonds.code
    path = export_package("SIP")
    forget(filled_file)
    report = package_read(path, commit=True)
    assert report.valid, report.findings
    assert report.institution_code == "H15.TTLT"
    assert ArchiveFile.objects.get(pk=report.file_id).fonds == fonds


def test_package_of_an_unknown_institution_is_refused(twin, export_package, filled_file, forget, rewrite) -> None:  # type: ignore[no-untyped-def]
    path = export_package("SIP")
    forget(filled_file)
    other = rewrite(path, {"/METS.xml": lambda xml: xml.replace(b">H15.TTLT<", b">H99.TTLT<")})
    report = package_read(other, commit=True)
    fonds_findings = [f for f in report.findings if f.rule == "IMPORT-FONDS"]
    assert fonds_findings and "H99.TTLT" in fonds_findings[0].message
    assert "chỉ duy nhất trong một cơ quan lưu trữ" in fonds_findings[0].message
    assert not ArchiveFile.objects.exists()


def test_transfer_without_a_chosen_fonds_uses_the_institution(twin, export_package, filled_file, fonds, forget) -> None:  # type: ignore[no-untyped-def]
    path = export_package("SIP")
    forget(filled_file)
    batch = batch_receive(fonds=None, packages=[("a.zip", path)])
    assert batch.fonds == fonds


def test_cli_import_with_an_ambiguous_fonds_code_needs_the_institution(  # type: ignore[no-untyped-def]
    twin, export_package, filled_file, fonds, forget, capsys
) -> None:
    from django.core.management.base import CommandError

    path = export_package("SIP")
    forget(filled_file)
    with pytest.raises(CommandError, match="nhiều cơ quan lưu trữ"):
        call_command("package", "import", str(path), "--fonds", "UBND-DL")
    call_command("package", "import", str(path), "--fonds", "UBND-DL", "--institution", "H15.TTLT")
    assert ArchiveFile.objects.get().fonds == fonds
