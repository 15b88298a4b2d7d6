"""Hostile packages (engineering.md C5 T8 plus entity expansion, zip bombs, checksum mismatch): each is
refused, the offending member is named, nothing is written outside staging and staging is removed."""

from __future__ import annotations

import hashlib
import stat
import zipfile
from pathlib import Path

import pytest

from khoso.packages.services import package_read

pytestmark = pytest.mark.django_db


def regular(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = 0o100644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def make_zip(path: Path, entries: list[tuple[zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return path


@pytest.fixture
def sentinels(package_data: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Files a traversal would overwrite, hashed before; the check compares after and that staging is empty."""
    places = [tmp_path / "x", package_data / "staging" / "x", package_data / "staging" / "packages" / "x"]
    for place in places:
        place.parent.mkdir(parents=True, exist_ok=True)
        place.write_bytes(b"sentinel")
    before = {place: hashlib.sha256(place.read_bytes()).hexdigest() for place in places}
    listing_before = sorted(str(p) for p in tmp_path.rglob("*"))

    def unchanged() -> None:
        assert {place: hashlib.sha256(place.read_bytes()).hexdigest() for place in places} == before
        assert sorted(str(p) for p in tmp_path.rglob("*") if "hostile" not in p.name) == [
            p for p in listing_before if "hostile" not in p
        ]

    return unchanged


def refused(path: Path, rule: str, member: str) -> None:
    report = package_read(path)
    assert not report.valid
    matching = [f for f in report.findings if f.rule == rule]
    assert matching, report.findings
    assert any(member in f.location for f in matching), matching
    assert all(f.message and f.message_en for f in report.findings)


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("pkg/../../x", "ZIP-TRAVERSAL"),
        ("../../../x", "ZIP-TRAVERSAL"),
        ("/etc/passwd", "ZIP-ABSOLUTE"),
        ("C:/Windows/x", "ZIP-DRIVE"),
        ("//server/share/x", "ZIP-DRIVE"),
        ("pkg\\..\\..\\x", "ZIP-BACKSLASH"),
        ("pkg/" + "a" * 300, "ZIP-LONGNAME"),
    ],
)
def test_bad_names_refused_before_extraction(tmp_path: Path, sentinels, name: str, rule: str) -> None:  # type: ignore[no-untyped-def]
    path = make_zip(tmp_path / "hostile.zip", [(regular("pkg/METS.xml"), b"<a/>"), (regular(name), b"pwned")])
    refused(path, rule, name[:40])
    sentinels()


def test_nul_in_name_refused(tmp_path: Path, sentinels) -> None:  # type: ignore[no-untyped-def]
    path = make_zip(tmp_path / "hostile.zip", [(regular("pkg/evilZname.txt"), b"x")])
    path.write_bytes(path.read_bytes().replace(b"evilZname", b"evil\x00name"))
    refused(path, "ZIP-NUL", "evil")
    sentinels()


@pytest.mark.parametrize("kind", [stat.S_IFLNK, stat.S_IFCHR, stat.S_IFIFO])
def test_link_and_special_members_refused(tmp_path: Path, sentinels, kind: int) -> None:  # type: ignore[no-untyped-def]
    link = regular("pkg/data")  # a link named like a directory the next member writes into (gh-149486)
    link.external_attr = (kind | 0o777) << 16
    path = make_zip(tmp_path / "hostile.zip", [(link, b"../../"), (regular("pkg/data/x"), b"pwned")])
    refused(path, "ZIP-LINK", "pkg/data")
    sentinels()


def test_duplicate_and_nfc_colliding_names_refused(tmp_path: Path, sentinels) -> None:  # type: ignore[no-untyped-def]
    nfc, nfd = "pkg/Hồ sơ.txt", "pkg/Ho\u0302\u0300 so\u031b.txt"
    path = tmp_path / "hostile.zip"
    with zipfile.ZipFile(path, "w") as archive, pytest.warns(UserWarning):
        archive.writestr(regular("pkg/a.txt"), b"1")
        archive.writestr(regular("pkg/a.txt"), b"2")
        archive.writestr(regular(nfc), b"3")
        archive.writestr(regular(nfd), b"4")
    report = package_read(path)
    rules = {f.rule: f.location for f in report.findings}
    assert rules["ZIP-DUPLICATE"] == "pkg/a.txt" and rules["ZIP-NFC-COLLISION"] == nfd
    sentinels()


def test_encrypted_member_refused(tmp_path: Path, sentinels) -> None:  # type: ignore[no-untyped-def]
    path = make_zip(tmp_path / "hostile.zip", [(regular("pkg/secret.txt"), b"x" * 10)])
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = data.find(signature)
        data[position + offset] |= 0x1
    path.write_bytes(bytes(data))
    refused(path, "ZIP-ENCRYPTED", "pkg/secret.txt")
    sentinels()


def test_zip_bomb_over_the_size_limit_refused(tmp_path: Path, sentinels) -> None:  # type: ignore[no-untyped-def]
    path = make_zip(tmp_path / "hostile.zip", [(regular("pkg/zeros.bin"), bytes(4_500_000))])
    assert path.stat().st_size < 20_000
    refused(path, "ZIP-BOMB", "tổng")
    sentinels()


def test_extreme_ratio_refused(tmp_path: Path, sentinels) -> None:  # type: ignore[no-untyped-def]
    path = make_zip(tmp_path / "hostile.zip", [(regular("pkg/zeros.bin"), bytes(3_900_000))])
    refused(path, "ZIP-RATIO", "pkg/zeros.bin")
    sentinels()


def test_lying_size_header_is_caught_while_extracting(tmp_path: Path, sentinels) -> None:  # type: ignore[no-untyped-def]
    payload = bytes(range(256)) * 400  # 102,400 bytes
    path = make_zip(tmp_path / "hostile.zip", [(regular("pkg/big.bin"), payload)])
    data = bytearray(path.read_bytes())
    central = data.find(b"PK\x01\x02")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")  # declares 100 bytes uncompressed
    path.write_bytes(bytes(data))
    report = package_read(path)
    assert {f.rule for f in report.findings} & {"ZIP-BOMB", "ZIP-CORRUPT"}
    assert any("pkg/big.bin" in f.location for f in report.findings)
    sentinels()


def test_not_a_zip(tmp_path: Path, sentinels) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "hostile.zip"
    path.write_bytes(b"%PDF-1.7 not a zip")
    refused(path, "ZIP-CORRUPT", "hostile.zip")
    sentinels()


def test_entity_expansion_refused(export_package, package_data: Path, rewrite) -> None:  # type: ignore[no-untyped-def]
    laughs = (
        b'<?xml version="1.0"?>\n<!DOCTYPE ead [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n<ead><title>&c;</title></ead>'
    )
    path = rewrite(export_package("SIP"), {"metadata/descriptive/EAD.xml": laughs})
    report = package_read(path)
    dtd = [f for f in report.findings if f.rule == "XML-DTD"]
    assert dtd and dtd[0].location == "metadata/descriptive/EAD.xml"
    assert "thực thể" in dtd[0].message
    assert not any((package_data / "staging" / "packages").iterdir())


def test_checksum_mismatch_names_the_file(export_package, filled_file, package_data: Path, rewrite) -> None:  # type: ignore[no-untyped-def]
    path = rewrite(export_package("SIP"), {f"{filled_file.file_code}.pdf": b"%PDF-1.7 tampered"})
    report = package_read(path)
    rules = {f.rule: f for f in report.findings}
    assert {"PKG-CHECKSUM", "PKG-SIZE"} <= set(rules)
    assert rules["PKG-CHECKSUM"].location.endswith(f"data/{filled_file.file_code}.pdf")
    assert "Mã băm SHA-256 không khớp" in rules["PKG-CHECKSUM"].message
    assert not any((package_data / "staging" / "packages").iterdir())
