"""Storage locations behind one small interface: a local folder or an S3-compatible bucket.

Replication, audits, ``fsck`` and the staging sweep only ever ask a location a few things (put a
copy, read it, does it exist, delete it, list what it holds with sizes, hash what it holds, list and
remove what a killed write left in staging), so the rules in ``services`` are written once for every
kind of location. Both kinds keep the primary store's layout, ``ab/cd/<sha256>``
(under ``objects/`` in a bucket), so a copy can be read with ordinary tools. Neither trusts a
write: a local copy is hashed while it is written and renamed into place only when it matches; an
S3 copy is uploaded under a staging key and copied to its final key, and the caller then reads it
back and hashes it before counting it. No Django here: the CLI, workers, bench and tests share it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from khoso.storage.cas import HASH_CHUNK, ObjectStore, sha256_stream

S3_PREFIX = "objects/"
S3_STAGING_PREFIX = "staging/"


def _is_digest(name: str) -> bool:
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


#: The 256 two-hex-digit prefixes: listings are read one prefix at a time, so memory stays ~1/256 of the holding.
PREFIXES = tuple(f"{n:02x}" for n in range(256))

#: Called once a copy's bytes are all in staging, before they are moved to the final name (fault injection).
Hook = Callable[[], None]


@dataclass(frozen=True)
class Leftover:
    """Something a write left in a location's staging area: a file, an S3 key or an unfinished multipart upload.

    ``sha256`` is the object it was meant to become when the name tells (S3 staging keys), else None.
    """

    key: str
    size: int
    modified: datetime
    sha256: str | None = None
    upload_id: str = ""

    @property
    def kind(self) -> str:
        return "multipart" if self.upload_id else "object"


class _NotifyAtEnd:
    """A reader that calls ``at_end`` once, when ``source`` is exhausted (every byte handed to the writer)."""

    def __init__(self, source: BinaryIO, at_end: Hook) -> None:
        self.source = source
        self.at_end: Hook | None = at_end

    def read(self, size: int = -1, /) -> bytes:
        data = self.source.read(size)
        if not data and self.at_end is not None:
            at_end, self.at_end = self.at_end, None
            at_end()
        return data


class Location(Protocol):
    """What replication and audits need from a place that holds copies."""

    def put_from(self, source: Path | BinaryIO, sha256: str, *, staged: Hook | None = None) -> None:
        """Store the bytes of ``source`` as object ``sha256``, replacing any copy there; ``staged`` is called
        when the bytes are in staging and not yet under their final name."""

    def open(self, sha256: str) -> BinaryIO:
        """A stream of the stored copy (FileNotFoundError when there is none)."""

    def exists(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> None: ...

    def iter_digests(self) -> Iterator[str]:
        """Every object name the location holds (staging areas excluded)."""

    def sizes(self, prefix: str) -> dict[str, int]:
        """Digest → stored size of every object whose digest starts with the two hex digits ``prefix``."""

    def staging_leftovers(self) -> Iterator[Leftover]:
        """Everything in the location's staging area (writes in progress and writes that were killed)."""

    def remove_leftover(self, leftover: Leftover) -> None: ...

    def sha256_of(self, sha256: str) -> str | None:
        """The streamed SHA-256 of the stored copy, or None when it is missing."""

    def describe(self, sha256: str) -> str:
        """Where the copy lives, for reports: a path or an s3:// address."""


class LocalLocation:
    """A folder with the primary store's layout; writes are staged, fsynced and renamed (ObjectStore)."""

    def __init__(self, root: Path) -> None:
        self.store = ObjectStore(Path(root))

    def put_from(self, source: Path | BinaryIO, sha256: str, *, staged: Hook | None = None) -> None:
        if isinstance(source, Path):
            with open(source, "rb") as handle:
                self._put(handle, sha256, staged)
        else:
            self._put(source, sha256, staged)

    def _put(self, source: BinaryIO, sha256: str, staged: Hook | None) -> None:
        reader = _NotifyAtEnd(source, staged) if staged else source
        self.store.put_stream(reader, expected_sha256=sha256, replace=True)  # type: ignore[arg-type]

    def open(self, sha256: str) -> BinaryIO:
        return self.store.open(sha256)

    def exists(self, sha256: str) -> bool:
        return self.store.exists(sha256)

    def delete(self, sha256: str) -> None:
        self.store.delete(sha256)

    def iter_digests(self) -> Iterator[str]:
        return self.store.iter_digests()

    def sizes(self, prefix: str) -> dict[str, int]:
        found: dict[str, int] = {}
        for path in (self.store.root / prefix).glob("??/*"):
            if _is_digest(path.name) and path.name.startswith(prefix) and path.parent.name == path.name[2:4]:
                try:
                    stat = path.stat()
                except FileNotFoundError:  # removed while we listed
                    continue
                if path.is_file():
                    found[path.name] = stat.st_size
        return found

    def staging_leftovers(self) -> Iterator[Leftover]:
        for path in sorted(self.store.staging.iterdir()):
            try:
                stat = path.lstat()
            except FileNotFoundError:  # a write finished while we listed
                continue
            yield Leftover(path.name, stat.st_size, datetime.fromtimestamp(stat.st_mtime, tz=UTC))

    def remove_leftover(self, leftover: Leftover) -> None:
        if "/" in leftover.key or leftover.key in {"", ".", ".."}:
            raise ValueError(f"not a staging file name: {leftover.key!r}")
        (self.store.staging / leftover.key).unlink(missing_ok=True)

    def sha256_of(self, sha256: str) -> str | None:
        return self.store.sha256_of(sha256)

    def describe(self, sha256: str) -> str:
        return str(self.store.path_for(sha256))


class S3Location:
    """A bucket of an S3-compatible store (MinIO, SeaweedFS, Ceph, AWS) reached with boto3."""

    def __init__(
        self,
        *,
        endpoint_url: str,
        bucket: str,
        access_key: str,
        secret_key: str,
        region: str = "us-east-1",
        create_bucket: bool = False,
    ) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.endpoint_url = endpoint_url
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            region_name=region or "us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"}),
        )
        if create_bucket:
            self._ensure_bucket()

    def _ensure_bucket(self) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)

    @staticmethod
    def key_for(sha256: str) -> str:
        if not _is_digest(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return f"{S3_PREFIX}{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def put_from(self, source: Path | BinaryIO, sha256: str, *, staged: Hook | None = None) -> None:
        final = self.key_for(sha256)
        staging = f"{S3_STAGING_PREFIX}{sha256}-{uuid.uuid4().hex}"
        try:
            if isinstance(source, Path):
                self.client.upload_file(str(source), self.bucket, staging)
            else:
                self.client.upload_fileobj(source, self.bucket, staging)
            if staged is not None:
                staged()
            self.client.copy({"Bucket": self.bucket, "Key": staging}, self.bucket, final)
        finally:
            self.client.delete_object(Bucket=self.bucket, Key=staging)

    def open(self, sha256: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.key_for(sha256))["Body"]
        except ClientError as error:
            if _not_found(error):
                raise FileNotFoundError(self.describe(sha256)) from error
            raise

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key_for(sha256))
        except ClientError as error:
            if _not_found(error):
                return False
            raise
        return True

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key_for(sha256))

    def iter_digests(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=S3_PREFIX):
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[-1]
                if _is_digest(name) and item["Key"] == self.key_for(name):
                    yield name

    def sizes(self, prefix: str) -> dict[str, int]:
        found: dict[str, int] = {}
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{S3_PREFIX}{prefix}/"):
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[-1]
                if _is_digest(name) and item["Key"] == self.key_for(name):
                    found[name] = int(item["Size"])
        return found

    def staging_leftovers(self) -> Iterator[Leftover]:
        """Staging keys, and multipart uploads a kill left unfinished (invisible in listings, yet stored)."""
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=S3_STAGING_PREFIX):
            for item in page.get("Contents", []):
                yield Leftover(item["Key"], int(item["Size"]), item["LastModified"], _staged_digest(item["Key"]))
        marker: dict[str, str] = {}
        while True:
            listing = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=S3_STAGING_PREFIX, **marker)
            for upload in listing.get("Uploads", []):
                yield Leftover(
                    upload["Key"], 0, upload["Initiated"], _staged_digest(upload["Key"]), upload_id=upload["UploadId"]
                )
            if not listing.get("IsTruncated"):
                break
            marker = {"KeyMarker": listing["NextKeyMarker"], "UploadIdMarker": listing["NextUploadIdMarker"]}

    def remove_leftover(self, leftover: Leftover) -> None:
        if not leftover.key.startswith(S3_STAGING_PREFIX):
            raise ValueError(f"not a staging key: {leftover.key!r}")
        if leftover.upload_id:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=leftover.key, UploadId=leftover.upload_id)
        else:
            self.client.delete_object(Bucket=self.bucket, Key=leftover.key)

    def sha256_of(self, sha256: str) -> str | None:
        try:
            body = self.open(sha256)
        except FileNotFoundError:
            return None
        try:
            return sha256_stream(_Chunks(body), HASH_CHUNK)[0]
        finally:
            body.close()

    def describe(self, sha256: str) -> str:
        return f"s3://{self.bucket}/{self.key_for(sha256)}"


class _Chunks:
    """A ``read`` that fills whole chunks from botocore's streaming body (it returns short reads)."""

    def __init__(self, body: BinaryIO) -> None:
        self.chunks = body.iter_chunks(HASH_CHUNK)  # type: ignore[attr-defined]

    def read(self, _size: int) -> bytes:
        return next(self.chunks, b"")


def _staged_digest(key: str) -> str | None:
    """``staging/<sha256>-<uuid>`` → the digest, or None for a key we did not name."""
    name = key[len(S3_STAGING_PREFIX) :].split("-", 1)[0]
    return name if _is_digest(name) else None


def _not_found(error: Exception) -> bool:
    code = str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))
    return code in {"404", "NoSuchKey", "NotFound"}


def s3_from_environment(
    *, endpoint_url: str, bucket: str, region: str, access_key_env: str, secret_key_env: str
) -> S3Location:
    """An S3 location whose credentials are read from the named environment variables (never stored)."""
    missing = [name for name in (access_key_env, secret_key_env) if not os.environ.get(name)]
    if missing:
        raise KeyError(", ".join(missing))
    return S3Location(
        endpoint_url=endpoint_url,
        bucket=bucket,
        region=region,
        access_key=os.environ[access_key_env],
        secret_key=os.environ[secret_key_env],
    )
