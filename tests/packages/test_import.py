"""Validation findings, import, the round trip between two instances, and the ``khoso package`` command."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from khoso.packages.services import package_read

pytestmark = pytest.mark.django_db


def snapshot(archive_file) -> dict:  # type: ignore[no-untyped-def]
    from khoso.archive.models import FILE_DESCRIPTION_FIELDS

    skip = {"id", "file", "created_at", "updated_at", "first_page"}
    documents = [
        {f.name: getattr(d, f.name) for f in d._meta.fields if f.name not in skip}
        for d in archive_file.documents.order_by("ordinal")
    ]
    pages = list(
        archive_file.pages.order_by("number").values_list(
            "number", "document__doc_code", "original_id", "original_name", "rendition_id"
        )
    )
    fields = {name: getattr(archive_file, name) for name in (*FILE_DESCRIPTION_FIELDS, "file_code", "pdf_id")}
    return {"file": fields, "documents": documents, "pages": pages}


def forget(archive_file) -> None:  # type: ignore[no-untyped-def]
    """Make this instance a fresh one: no rows, no objects of the file (as on another machine)."""
    from khoso.storage.models import StoredObject
    from khoso.storage.services import object_store

    digests = {archive_file.pdf_id}
    for page in archive_file.pages.all():
        digests |= {page.original_id, page.rendition_id}
    archive_file.pages.all().delete()
    archive_file.documents.all().delete()
    type(archive_file).objects.filter(pk=archive_file.pk).delete()
    StoredObject.objects.filter(sha256__in=digests).delete()
    for digest in digests:
        object_store().delete(digest)


@pytest.mark.parametrize("kind", ["SIP", "AIP"])
def test_round_trip_keeps_metadata_and_digests(export_package, filled_file, kind: str) -> None:  # type: ignore[no-untyped-def]
    from khoso.archive.models import ArchiveFile
    from khoso.storage.services import object_store

    before = snapshot(filled_file)
    path = export_package(kind)
    forget(filled_file)
    assert not object_store().exists(before["file"]["pdf_id"])
    report = package_read(path, commit=True)
    assert report.valid, report.findings
    imported = ArchiveFile.objects.get(pk=report.file_id)
    assert snapshot(imported) == before
    for _, _, original, _, rendition in before["pages"]:
        assert object_store().verify(original) and object_store().verify(rendition)


def test_clean_package_is_valid_and_second_import_refused(export_package) -> None:  # type: ignore[no-untyped-def]
    report = package_read(export_package("SIP"), check_instance=False)
    assert report.valid and report.file_code and report.package_type == "SIP_hoso"
    again = package_read(export_package("SIP"), commit=True)
    assert [f.rule for f in again.findings] == ["IMPORT-EXISTS"]


def test_every_broken_rule_is_listed_in_vietnamese(export_package, filled_file, rewrite) -> None:  # type: ignore[no-untyped-def]
    path = export_package("SIP")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        ead_name = next(n for n in names if n.endswith("metadata/descriptive/EAD.xml"))
        doc_name = next(
            n for n in names if "EAD_doc_" in n and n.endswith(".0000001.xml") is False and n.endswith(".1.xml")
        )
        ead = archive.read(ead_name).decode()
        doc = archive.read(doc_name).decode()
    ead = (
        ead.replace("<totalDoc>2</totalDoc>", "<totalDoc>5</totalDoc>")
        .replace("<maintenance>01</maintenance>", "<maintenance>99</maintenance>")
        .replace("<confidenceLevel></confidenceLevel>", "<confidenceLevel>02</confidenceLevel>")
        .replace("<riskRecovery>0</riskRecovery>", "<riskRecovery>1</riskRecovery>")
        .replace("<startDate>03/01/1995</startDate>", "<startDate>1995-01-03</startDate>")
    )
    doc = doc.replace(f"<docCode>{filled_file.file_code}.0000001", "<docCode>X.1995.9.0000001").replace(
        "<confidenceLevel></confidenceLevel>", "<confidenceLevel>01</confidenceLevel>"
    )
    report = package_read(rewrite(path, {ead_name: ead.encode(), doc_name: doc.encode()}))
    rules = {f.rule for f in report.findings}
    assert {
        "EAD-TOTALDOC",
        "EAD-ENUM",
        "EAD-PAPERFILECODE",
        "EAD-RISKRECOVERY",
        "EAD-DATE",
        "EAD-DOCCODE",
        "EAD-PROCESS",
        "PKG-CHECKSUM",
    } <= rules
    by_rule = {f.rule: f for f in report.findings}
    assert "totalDoc = 5 nhưng gói tin có 2 tài liệu" in by_rule["EAD-TOTALDOC"].message
    assert "paperFileCode" in by_rule["EAD-PAPERFILECODE"].message and "số hóa" in by_rule["EAD-PAPERFILECODE"].message
    assert by_rule["EAD-ENUM"].location.endswith("maintenance")


def test_unreferenced_and_missing_files(export_package, filled_file) -> None:  # type: ignore[no-untyped-def]
    path = export_package("SIP")
    out = path.with_name("extra.zip")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if not info.filename.endswith(f"{filled_file.file_code}.pdf"):
                target.writestr(info, source.read(info))
        top = source.namelist()[0].split("/")[0]
        target.writestr(f"{top}/representations/rep1/data/la.txt", b"stray")
    rules = {(f.rule, f.location.rpartition("/")[2]) for f in package_read(out).findings}
    assert ("PKG-UNREFERENCED", "la.txt") in rules
    assert ("PKG-MISSING", f"{filled_file.file_code}.pdf") in rules


def test_cli_export_and_import_json(filled_file, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "sip.zip"
    call_command("package", "export", filled_file.file_code, "--type", "SIP", str(out))
    assert zipfile.is_zipfile(out)
    with pytest.raises(SystemExit) as exit_info:
        call_command("package", "import", str(out), "--json")
    assert exit_info.value.code == 1  # the file is already here
    result = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert result["valid"] is False and result["findings"][0]["rule"] == "IMPORT-EXISTS"
    assert "đã có trong kho" in result["findings"][0]["message"]
    forget(filled_file)
    call_command("package", "import", str(out))
    assert "đã nhập" in capsys.readouterr().out


def test_cli_unknown_file_code(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exit_info:
        call_command("package", "export", "000.00.00.H15.1995.99", "--type", "AIP", str(tmp_path / "x.zip"))
    assert exit_info.value.code == 5
