"""Linked ("holey") documents (standards.md §6.3): a package references a document already sent in an
earlier package of the same fonds instead of carrying its data again.

SIP: each data file of the linked document is replaced by ``name.ext.fetch.txt`` holding only its
identifier in the earlier package; AIP: by the line ``urn_{phông}_uuid_{UUID}_{path} {size} {path in
new package} {ID}``. METS lists the stand-ins in the file group Holeyfile and links them to the
document's EAD_doc in the structMap division MetadataLink/Holey. On import each reference must name a
document this archive holds in the same fonds; anything else is a finding, in Vietnamese and English.
"""

from __future__ import annotations

import re
import zipfile

import pytest
from lxml import etree

from khoso.archive.models import ArchiveFile, DocumentLink, Page
from khoso.packages.services import document_link, package_read

pytestmark = pytest.mark.django_db

M = "{http://www.loc.gov/METS/}"
UUID = r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}"


def members(path) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(path) as archive:
        return {info.filename.partition("/")[2]: archive.read(info) for info in archive.infolist()}


@pytest.fixture
def linked(filled_file, loose_file):  # type: ignore[no-untyped-def]
    """The gói tài liệu also holds document 1 of the hồ sơ (2 pages: 2 originals and 2 renditions)."""
    document = filled_file.documents.get(ordinal=1)
    document_link(archive_file=loose_file, document=document)
    return document


def test_sip_references_the_earlier_package_instead_of_copying(export_file, filled_file, loose_file, linked) -> None:  # type: ignore[no-untyped-def]
    earlier = members(export_file(filled_file, "SIP"))
    earlier_rep = etree.fromstring(earlier["representations/rep1/METS.xml"])
    ids = {
        f.find(f"{M}FLocat").get("{http://www.w3.org/1999/xlink}href").removeprefix("data/"): f.get("ID")
        for f in earlier_rep.iter(f"{M}file")
    }
    files = members(export_file(loose_file, "SIP"))
    stand_ins = {name: data for name, data in files.items() if name.endswith(".fetch.txt")}
    assert len(stand_ins) == 4
    for name, data in stand_ins.items():
        original = name.removeprefix("representations/rep1/data/").removesuffix(".fetch.txt")
        assert original.startswith(linked.doc_id + ".trang")
        assert data.decode().strip() == ids[original]  # only the identifier of the file sent earlier
        assert re.fullmatch(f"ID-{UUID}", data.decode().strip())
    assert not any(linked.doc_id in name and not name.endswith((".fetch.txt", ".xml")) for name in files)
    rep = etree.fromstring(files["representations/rep1/METS.xml"])
    groups = {g.get("USE"): len(g) for g in rep.iter(f"{M}fileGrp")}
    assert groups == {"Data": 4, "Holeyfile": 4}  # the gói's own 2 pages × 2; the linked ones stand in
    holey = [div for div in rep.iter(f"{M}div") if div.get("LABEL") == "Holey"]
    assert len(holey) == 1 and len(holey[0].findall(f"{M}fptr")) == 4
    dmd = {d.get("ID"): d.find(f"{M}mdRef").get("{http://www.w3.org/1999/xlink}href") for d in rep.iter(f"{M}dmdSec")}
    assert dmd[holey[0].get("DMDID")].endswith(f"EAD_doc_{linked.doc_id}.xml")
    ead = etree.fromstring(files["metadata/descriptive/EAD.xml"])
    assert ead.findtext("totalDoc") == "3"  # 2 own documents + the linked one
    assert package_read(export_file(loose_file, "SIP", "again.zip"), check_instance=False).valid


def test_aip_holey_line_names_the_earlier_aip_of_the_same_fonds(export_file, filled_file, loose_file, linked) -> None:  # type: ignore[no-untyped-def]
    from khoso.core.errors import ValidationError

    with pytest.raises(ValidationError, match="chưa được gửi trong gói AIP"):
        export_file(loose_file, "AIP")  # the linked document was never in an AIP: nothing to reference
    earlier_path = export_file(filled_file, "AIP")
    with zipfile.ZipFile(earlier_path) as archive:
        earlier_folder = archive.namelist()[0].split("/")[0]
    files = members(export_file(loose_file, "AIP"))
    lines = [data.decode() for name, data in files.items() if name.endswith(".fetch.txt")]
    assert len(lines) == 4
    earlier = members(earlier_path)
    for line in lines:
        location, size, new_path, file_id = line.split()
        assert re.fullmatch(f"urn_{filled_file.fonds.code}_uuid_{UUID}", earlier_folder)
        assert location.startswith(earlier_folder + "_representations/rep1/data/")
        path = location.removeprefix(earlier_folder + "_")
        assert int(size) == len(earlier[path])
        assert new_path == path  # same name, now in the new package
        assert re.fullmatch(f"ID-{UUID}", file_id)


def test_import_resolves_links_to_documents_already_here(export_file, filled_file, loose_file, linked, forget) -> None:  # type: ignore[no-untyped-def]
    """Another instance: the gói referencing the hồ sơ is refused until the hồ sơ's package is imported;
    then it links the imported document, copying none of its data."""
    earlier = export_file(filled_file, "SIP")
    later = export_file(loose_file, "SIP")
    digests = set(Page.objects.filter(document=linked).values_list("original_id", flat=True))
    forget(loose_file, filled_file)

    refused = package_read(later, commit=True)
    missing = [f for f in refused.findings if f.rule == "HOLEY-MISSING"]
    assert len(missing) == 4 and refused.file_id is None and not ArchiveFile.objects.exists()
    assert "không có trong kho" in missing[0].message and "import that package first" in missing[0].message_en
    assert linked.doc_code in missing[0].message

    first = package_read(earlier, commit=True)
    assert first.valid, first.findings
    report = package_read(later, commit=True)
    assert report.valid, report.findings
    assert report.linked_documents == 1
    gói = ArchiveFile.objects.get(pk=report.file_id)
    link = DocumentLink.objects.get(file=gói)
    assert link.document.doc_code == linked.doc_code and link.document.file_id == first.file_id
    assert gói.documents.count() == 2 and gói.pages.count() == 2  # the linked document's pages stay in its hồ sơ
    assert set(Page.objects.filter(document=link.document).values_list("original_id", flat=True)) == digests
    # exported again from here, the gói references the same files of the same earlier package
    again = members(export_file(gói, "SIP", "re.zip"))
    before = members(later)
    assert {n: d for n, d in again.items() if n.endswith(".fetch.txt")} == {
        n: d for n, d in before.items() if n.endswith(".fetch.txt")
    }


def test_aip_round_trip_with_links(export_file, filled_file, loose_file, linked, forget) -> None:  # type: ignore[no-untyped-def]
    earlier = export_file(filled_file, "AIP")
    later = export_file(loose_file, "AIP")
    forget(loose_file, filled_file)
    assert package_read(earlier, commit=True).valid
    report = package_read(later, commit=True)
    assert report.valid, report.findings
    assert DocumentLink.objects.get(file_id=report.file_id).document.doc_code == linked.doc_code


def test_link_to_a_document_of_another_fonds_is_a_finding(  # type: ignore[no-untyped-def]
    export_file, filled_file, loose_file, linked, forget, institution
) -> None:
    from khoso.archive.services import fonds_create

    earlier = export_file(filled_file, "SIP")
    later = export_file(loose_file, "SIP")
    forget(loose_file, filled_file)
    imported = package_read(earlier, commit=True)
    other = fonds_create(
        institution=institution,
        code="SOXD",
        name="Phông Sở Xây dựng",
        organ_id="000.00.20.H15",
        history="x",
        archives_time="1990-2000",
        paper_total=1,
        key_groups="x",
        language="01",
    )
    ArchiveFile.objects.filter(pk=imported.file_id).update(fonds=other)  # here the hồ sơ is in another fonds
    findings = [f for f in package_read(later).findings if f.rule == "HOLEY-FONDS"]
    assert len(findings) == 4
    assert "cùng một phông" in findings[0].message and "within one fonds" in findings[0].message_en
    from khoso.core.errors import ValidationError

    from .conftest import make_loose_file

    moved = ArchiveFile.objects.get(pk=imported.file_id).documents.get(ordinal=1)
    with pytest.raises(ValidationError, match="phông khác"):  # nor can an archivist link across fonds
        document_link(archive_file=make_loose_file(loose_file.fonds, sequence=3, shades=(33,)), document=moved)


def test_aip_holey_line_of_another_fonds_or_unsafe_path(export_file, filled_file, loose_file, linked, rewrite) -> None:  # type: ignore[no-untyped-def]
    export_file(filled_file, "AIP")
    later = export_file(loose_file, "AIP")
    code = filled_file.fonds.code.encode()

    def other_fonds(line: bytes) -> bytes:
        return line.replace(b"urn_" + code + b"_", b"urn_KHAC_", 1)

    def traversal(line: bytes) -> bytes:
        return re.sub(rb"_uuid_([0-9A-F-]{36})_\S+ ", rb"_uuid_\1_../../etc/passwd ", line, count=1)

    def absolute(line: bytes) -> bytes:
        return re.sub(rb"_uuid_([0-9A-F-]{36})_\S+ ", rb"_uuid_\1_/etc/passwd ", line, count=1)

    def rules(change) -> set[str]:  # type: ignore[no-untyped-def]
        return {f.rule for f in package_read(rewrite(later, {".fetch.txt": change}), check_instance=False).findings}

    assert "HOLEY-FONDS" in rules(other_fonds)
    assert "HOLEY-PATH" in rules(traversal)
    assert "HOLEY-PATH" in rules(absolute)
    assert "HOLEY-FORMAT" in rules(lambda line: b"not a holey line\n")
