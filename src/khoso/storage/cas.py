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
from typing import BinaryIO

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class PutResult:
    sha256: str
    size: int
    path: Path
    created: bool


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


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
        self.staging.mkdir(parents=True, exist_ok=True)

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

    def put_stream(self, source: BinaryIO) -> PutResult:
        digest = hashlib.sha256()
        size = 0
        with self._staged() as (handle, staged):
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                handle.write(chunk)
                size += len(chunk)
            return self._commit(handle, staged, digest.hexdigest(), size)

    def put_file(self, path: Path) -> PutResult:
        with open(path, "rb") as source:
            return self.put_stream(source)

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path_for(sha256), "rb")

    def read_bytes(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def verify(self, sha256: str) -> bool:
        """True when the object exists and its content still hashes to its name."""
        path = self.path_for(sha256)
        return path.is_file() and sha256_file(path) == sha256

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

    def _commit(self, handle: BinaryIO, staged: Path, sha256: str, size: int) -> PutResult:
        handle.flush()
        os.fsync(handle.fileno())
        final = self.path_for(sha256)
        if final.is_file() and final.stat().st_size == size:
            return PutResult(sha256, size, final, created=False)
        final.parent.mkdir(parents=True, exist_ok=True)
        staged.chmod(0o444)
        staged.replace(final)
        _fsync_dir(final.parent)
        return PutResult(sha256, size, final, created=True)
