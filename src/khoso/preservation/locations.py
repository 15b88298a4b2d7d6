"""Storage locations behind one small interface: a local folder or an S3-compatible bucket.

Replication, audits and repair only ever ask a location six things (put a copy, read it, does it
exist, delete it, list what it holds, hash what it holds), so the rules in ``services`` are written
once for every kind of location. Both kinds keep the primary store's layout, ``ab/cd/<sha256>``
(under ``objects/`` in a bucket), so a copy can be read with ordinary tools. Neither trusts a
write: a local copy is hashed while it is written and renamed into place only when it matches; an
S3 copy is uploaded under a staging key and copied to its final key, and the caller then reads it
back and hashes it before counting it. No Django here: the CLI, workers, bench and tests share it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from khoso.storage.cas import HASH_CHUNK, ObjectStore, sha256_stream

S3_PREFIX = "objects/"
S3_STAGING_PREFIX = "staging/"


def _is_digest(name: str) -> bool:
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


class Location(Protocol):
    """What replication and audits need from a place that holds copies."""

    def put_from(self, source: Path | BinaryIO, sha256: str) -> None:
        """Store the bytes of ``source`` as object ``sha256``, replacing any copy there."""

    def open(self, sha256: str) -> BinaryIO:
        """A stream of the stored copy (FileNotFoundError when there is none)."""

    def exists(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> None: ...

    def iter_digests(self) -> Iterator[str]:
        """Every object name the location holds (staging areas excluded)."""

    def sha256_of(self, sha256: str) -> str | None:
        """The streamed SHA-256 of the stored copy, or None when it is missing."""

    def describe(self, sha256: str) -> str:
        """Where the copy lives, for reports: a path or an s3:// address."""


class LocalLocation:
    """A folder with the primary store's layout; writes are staged, fsynced and renamed (ObjectStore)."""

    def __init__(self, root: Path) -> None:
        self.store = ObjectStore(Path(root))

    def put_from(self, source: Path | BinaryIO, sha256: str) -> None:
        if isinstance(source, Path):
            with open(source, "rb") as handle:
                self.store.put_stream(handle, expected_sha256=sha256, replace=True)
        else:
            self.store.put_stream(source, expected_sha256=sha256, replace=True)

    def open(self, sha256: str) -> BinaryIO:
        return self.store.open(sha256)

    def exists(self, sha256: str) -> bool:
        return self.store.exists(sha256)

    def delete(self, sha256: str) -> None:
        self.store.delete(sha256)

    def iter_digests(self) -> Iterator[str]:
        return self.store.iter_digests()

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

    def put_from(self, source: Path | BinaryIO, sha256: str) -> None:
        final = self.key_for(sha256)
        staging = f"{S3_STAGING_PREFIX}{sha256}-{uuid.uuid4().hex}"
        try:
            if isinstance(source, Path):
                self.client.upload_file(str(source), self.bucket, staging)
            else:
                self.client.upload_fileobj(source, self.bucket, staging)
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
