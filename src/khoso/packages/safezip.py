"""Unpacking an untrusted package ZIP into a staging folder, and nowhere else.

Every member header is checked before the first byte is written (engineering.md C5 T8): names that
climb out (``..``), absolute, Windows drive or UNC names, backslashes, NUL and overlong names,
duplicates and names that collide once normalised to NFC, links and other non-regular members (ZIP
mode bits), encrypted members, and a declared size over the limit or an extreme compression ratio.
Any of these rejects the whole package with every offending member named, and nothing is extracted.
Headers can lie, so bytes are counted again while extracting; a member that grows past its declared
size or the package limit aborts, and the staging folder is removed.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from khoso.packages.findings import Finding

MAX_NAME_BYTES = 1024
MAX_COMPONENT_BYTES = 255
MAX_MEMBERS = 10_000
MAX_RATIO = 1_000
WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")
CHUNK = 1 << 20


class UnsafePackageError(Exception):
    """The package is refused before (or while) unpacking; ``findings`` names each offending member."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__("; ".join(str(finding) for finding in findings))


def _finding(rule: str, vi: str, en: str, name: str) -> Finding:
    return Finding(rule=rule, message=vi, message_en=en, location=repr(name) if "\x00" in name else name)


def _name_findings(name: str) -> list[Finding]:
    found: list[Finding] = []
    if "\x00" in name:
        found.append(_finding("ZIP-NUL", "Tên tệp chứa ký tự NUL.", "Member name contains a NUL character.", name))
    if "\\" in name:
        found.append(
            _finding(
                "ZIP-BACKSLASH",
                "Tên tệp chứa dấu gạch chéo ngược (\\): chỉ dùng «/» trong gói tin.",
                "Member name contains a backslash; packages use '/' only.",
                name,
            )
        )
    if name.startswith("/"):
        found.append(
            _finding("ZIP-ABSOLUTE", "Đường dẫn tuyệt đối trong gói tin.", "Absolute path in the package.", name)
        )
    if WINDOWS_DRIVE.match(name) or name.startswith(("//", "\\\\")):
        found.append(
            _finding(
                "ZIP-DRIVE",
                "Đường dẫn có ổ đĩa hoặc máy chủ Windows (C:, \\\\máy\\...).",
                "Path names a Windows drive or UNC host.",
                name,
            )
        )
    parts = re.split(r"[\\/]", name)
    if ".." in parts:
        found.append(
            _finding(
                "ZIP-TRAVERSAL",
                "Đường dẫn có «..», trỏ ra ngoài thư mục gói tin.",
                "Path contains '..' and leaves the package folder.",
                name,
            )
        )
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES or any(
        len(part.encode("utf-8", "surrogatepass")) > MAX_COMPONENT_BYTES for part in parts
    ):
        found.append(
            _finding(
                "ZIP-LONGNAME",
                f"Tên tệp quá dài (tối đa {MAX_COMPONENT_BYTES} byte mỗi phần, {MAX_NAME_BYTES} byte cả đường dẫn).",
                f"Member name too long (at most {MAX_COMPONENT_BYTES} bytes per part, {MAX_NAME_BYTES} in all).",
                name,
            )
        )
    return found


def _is_directory(info: zipfile.ZipInfo) -> bool:
    return info.orig_filename.endswith("/")


def _type_findings(info: zipfile.ZipInfo) -> list[Finding]:
    found: list[Finding] = []
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):  # no type bits: a plain file (Python's writestr)
        what = "liên kết tượng trưng (symlink)" if kind == stat.S_IFLNK else "liên kết hoặc tệp thiết bị"
        found.append(
            _finding(
                "ZIP-LINK",
                f"Thành phần là {what}, không phải tệp thường: không được phép trong gói tin.",
                "Member is a link or special file, not a regular file.",
                info.orig_filename,
            )
        )
    if info.flag_bits & 0x1:
        found.append(
            _finding(
                "ZIP-ENCRYPTED",
                "Thành phần được mã hóa (đặt mật khẩu): gói tin phải không mã hóa.",
                "Member is encrypted; packages must not be.",
                info.orig_filename,
            )
        )
    if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > CHUNK:
        found.append(
            _finding(
                "ZIP-RATIO",
                f"Tỷ lệ nén vượt {MAX_RATIO}:1 (nghi «bom zip»).",
                f"Compression ratio over {MAX_RATIO}:1 (suspected zip bomb).",
                info.orig_filename,
            )
        )
    return found


def _size_limit_finding(total: int, limit: int, name: str) -> Finding:
    return _finding(
        "ZIP-BOMB",
        f"Dung lượng giải nén {total} byte vượt giới hạn {limit} byte (KHOSO_PACKAGE_MAX_BYTES).",
        f"Unpacked size {total} bytes exceeds the {limit}-byte limit (KHOSO_PACKAGE_MAX_BYTES).",
        name,
    )


def check_members(archive: zipfile.ZipFile, *, max_bytes: int) -> list[Finding]:
    """Every rule the members' headers break; empty when the ZIP may be unpacked."""
    infos = archive.infolist()
    found: list[Finding] = []
    if len(infos) > MAX_MEMBERS:
        found.append(
            _finding(
                "ZIP-COUNT",
                f"Gói tin có {len(infos)} thành phần, vượt giới hạn {MAX_MEMBERS}.",
                f"Package has {len(infos)} members, over the {MAX_MEMBERS} limit.",
                "",
            )
        )
    seen: dict[str, str] = {}
    declared = 0
    for info in infos:
        name = info.orig_filename
        found.extend(_name_findings(name))
        found.extend(_type_findings(info))
        key = unicodedata.normalize("NFC", name.rstrip("/"))
        if key in seen:
            same = seen[key] == name
            found.append(
                _finding(
                    "ZIP-DUPLICATE" if same else "ZIP-NFC-COLLISION",
                    "Tên tệp bị trùng trong gói tin."
                    if same
                    else f"Tên tệp trùng với «{seen[key]}» sau khi chuẩn hóa Unicode NFC.",
                    "Duplicate member name." if same else f"Name collides with «{seen[key]}» after NFC normalisation.",
                    name,
                )
            )
        seen.setdefault(key, name)
        declared += info.file_size
    if declared > max_bytes:
        found.append(_size_limit_finding(declared, max_bytes, "(tổng / total)"))
    return found


def _extract_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, root: Path, budget: list[int]) -> None:
    target = root.joinpath(*info.orig_filename.split("/"))
    if not target.resolve().is_relative_to(root):  # defence in depth: the header checks already refused
        raise UnsafePackageError(
            [_finding("ZIP-TRAVERSAL", "Đường dẫn ra ngoài thư mục tạm.", "Path leaves staging.", info.orig_filename)]
        )
    if _is_directory(info):
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    written = 0
    with os.fdopen(descriptor, "wb") as out, archive.open(info) as source:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            budget[0] -= len(chunk)
            if budget[0] < 0 or written > info.file_size:
                raise UnsafePackageError([_size_limit_finding(written, info.file_size, info.orig_filename)])
            out.write(chunk)


@contextmanager
def unpacked(zip_path: Path, *, parent: Path, max_bytes: int) -> Iterator[Path]:
    """Unpack ``zip_path`` into a new folder under ``parent``; yield it; remove it afterwards, always.

    Raises :class:`UnsafePackageError` (nothing extracted) when a header breaks a rule, and when the
    bytes turn out to break one while extracting (the partial staging folder is removed).
    """
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="goi-tin-", dir=parent)).resolve()
    try:
        try:
            archive = zipfile.ZipFile(zip_path)
        except (zipfile.BadZipFile, OSError) as error:
            raise UnsafePackageError(
                [
                    _finding(
                        "ZIP-CORRUPT",
                        f"Không phải tệp ZIP đọc được: {error}",
                        f"Not a readable ZIP: {error}",
                        zip_path.name,
                    )
                ]
            ) from error
        with archive:
            problems = check_members(archive, max_bytes=max_bytes)
            if problems:
                raise UnsafePackageError(problems)
            budget = [max_bytes]
            for info in archive.infolist():
                try:
                    _extract_member(archive, info, staging, budget)
                except (zipfile.BadZipFile, OSError, NotImplementedError, EOFError) as error:
                    raise UnsafePackageError(
                        [
                            _finding(
                                "ZIP-CORRUPT",
                                f"Không giải nén được thành phần: {error}",
                                f"Cannot unpack member: {error}",
                                info.orig_filename,
                            )
                        ]
                    ) from error
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)
