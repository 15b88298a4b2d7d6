"""A content-addressed store on a local file system, safe against crashes.

Every write follows engineering.md C2: stream into a staging file on the same file system while
hashing, ``fsync`` it, ``os.replace`` it to ``objects/ab/cd/<sha256>``, ``fsync`` the directory,
and only then let the caller commit the database row. A crash leaves at worst an orphan object
(swept by ``khoso fsck``), never a row pointing at a missing or partial file. Identical content is
stored once. This module has no Django imports so the CLI, workers and tests share it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

CHUNK = 1024 * 1024
#: Reads while hashing: large enough that the syscall cost vanishes and hashlib (which releases the
#: GIL on big buffers) lets several threads hash at once.
HASH_CHUNK = 4 * 1024 * 1024


class DigestMismatchError(ValueError):
    """The content written does not hash to the digest the caller expected; nothing was stored."""

    def __init__(self, expected: str, found: str) -> None:
        super().__init__(f"expected SHA-256 {expected}, content hashes to {found}")
        self.expected = expected
        self.found = found


@dataclass(frozen=True)
class PutResult:
    sha256: str
    size: int
    path: Path
    created: bool


class Readable(Protocol):
    """Anything with ``read(size)``: files, and streams such as an S3 body that have no ``readinto``."""

    def read(self, size: int, /) -> bytes: ...


def sha256_stream(handle: Readable, chunk: int = HASH_CHUNK) -> tuple[str, int]:
    """SHA-256 and length of everything left in ``handle``, read into one reused buffer."""
    digest = hashlib.sha256()
    buffer = bytearray(chunk)
    view = memoryview(buffer)
    size = 0
    readinto = getattr(handle, "readinto", None)
    while True:
        if readinto is not None:
            count = readinto(view)
            if not count:
                break
            digest.update(view[:count])
        else:
            data = handle.read(chunk)
            if not data:
                break
            count = len(data)
            digest.update(data)
        size += count
    return digest.hexdigest(), size


def sha256_file(path: Path) -> str:
    with open(path, "rb", buffering=0) as handle:
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
        return sha256_stream(handle)[0]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ObjectStore:
    """Objects under ``root``: ``root/ab/cd/abcd…`` named by their SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.staging = self.root / ".staging"
        self.root.mkdir(mode=0o750, parents=True, exist_ok=True)  # not world-readable (T10)
        self.staging.mkdir(mode=0o750, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put_bytes(self, data: bytes) -> PutResult:
        with self._staged() as (handle, staged):
            handle.write(data)
            return self._commit(handle, staged, hashlib.sha256(data).hexdigest(), len(data))

    def put_stream(self, source: BinaryIO, *, expected_sha256: str | None = None, replace: bool = False) -> PutResult:
        """Store ``source``; with ``expected_sha256`` refuse content that hashes otherwise.

        ``replace`` renames over an existing object of the same name: repair writes a good copy over
        a damaged one (same size, different bytes), which the ordinary de-duplicating put would keep.
        """
        digest = hashlib.sha256()
        size = 0
        with self._staged() as (handle, staged):
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                handle.write(chunk)
                size += len(chunk)
            found = digest.hexdigest()
            if expected_sha256 is not None and found != expected_sha256:
                raise DigestMismatchError(expected_sha256, found)
            return self._commit(handle, staged, found, size, replace=replace)

    def put_file(self, path: Path) -> PutResult:
        with open(path, "rb") as source:
            return self.put_stream(source)

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path_for(sha256), "rb")

    def read_bytes(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def verify(self, sha256: str) -> bool:
        """True when the object exists and its content still hashes to its name."""
        return self.sha256_of(sha256) == sha256

    def sha256_of(self, sha256: str) -> str | None:
        """The digest of the stored bytes named ``sha256`` (streamed), or None when there is no such object."""
        try:
            return sha256_file(self.path_for(sha256))
        except (FileNotFoundError, IsADirectoryError):
            return None

    def delete(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def iter_digests(self) -> Iterator[str]:
        for path in self.root.glob("??/??/*"):
            if path.is_file() and len(path.name) == 64:
                yield path.name

    @contextmanager
    def _staged(self) -> Iterator[tuple[BinaryIO, Path]]:
        fd, name = tempfile.mkstemp(dir=self.staging, prefix="put-")
        staged = Path(name)
        try:
            with os.fdopen(fd, "wb") as handle:
                yield handle, staged
        finally:
            staged.unlink(missing_ok=True)

    def _commit(self, handle: BinaryIO, staged: Path, sha256: str, size: int, *, replace: bool = False) -> PutResult:
        handle.flush()
        os.fsync(handle.fileno())
        final = self.path_for(sha256)
        if not replace and final.is_file() and final.stat().st_size == size:
            return PutResult(sha256, size, final, created=False)
        final.parent.mkdir(parents=True, exist_ok=True)
        staged.chmod(0o444)
        staged.replace(final)
        _fsync_dir(final.parent)
        return PutResult(sha256, size, final, created=True)
