"""The audit trail's hash chain, without Django: canonical form of an entry, its hash, and the walk
that finds the first broken link.

Each entry's hash is SHA-256 over the previous entry's hash and a canonical serialisation of the
entry (sorted keys, no spaces, UTF-8, NFC text, times in UTC with microseconds). Changing any field
of a stored entry, deleting one, or inserting one in the middle changes a hash that a later entry
depends on, so ``verify`` names the first entry whose stored hash or link no longer matches.
Deleting the newest entries cannot be seen from inside the chain; that is why ``verify`` reports the
head (sequence number and hash) for the operator to compare with a copy kept elsewhere.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64

#: the fields an entry's hash covers, in no particular order (the serialisation sorts them)
HASHED_FIELDS = (
    "seq",
    "time",
    "actor_id",
    "actor_name",
    "action",
    "route",
    "kind",
    "object_type",
    "object_id",
    "object_label",
    "fonds_id",
    "digest_before",
    "digest_after",
    "ip",
    "request_id",
    "detail",
    "prev_hash",
)


def _normal(value: Any) -> Any:
    """JSON-ready, NFC, and the same whether it comes from Python or back from the database."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("audit times must be timezone-aware")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, Mapping):
        return {str(key): _normal(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_normal(item) for item in value]
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return repr(value)  # floats only as text: the database's JSON type may not round-trip them
    return str(value)


def json_ready(value: Any) -> Any:
    """``value`` as it will be stored in the JSON ``detail`` column and read back."""
    return _normal(value)


def canonical(entry: Mapping[str, Any]) -> bytes:
    """The bytes an entry's hash covers (every field of :data:`HASHED_FIELDS`)."""
    body = {name: _normal(entry.get(name)) for name in HASHED_FIELDS}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the previous hash, a newline and the entry's canonical form."""
    digest = hashlib.sha256()
    digest.update(str(entry.get("prev_hash") or "").encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical(entry))
    return digest.hexdigest()


def state_digest(state: Mapping[str, Any]) -> str:
    """SHA-256 of an object's canonical state (field name → value)."""
    data = json.dumps(_normal(state), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


@dataclass
class Break:
    """The first broken link: which entry, and what no longer matches."""

    seq: int
    problem: str  # "hash" | "link" | "gap" | "start"
    message: str
    message_en: str
    expected: str = ""
    found: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "problem": self.problem,
            "message": self.message,
            "message_en": self.message_en,
            "expected": self.expected,
            "found": self.found,
        }


@dataclass
class Verdict:
    entries: int = 0
    head_seq: int | None = None
    head_hash: str = GENESIS
    broken: Break | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.broken is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "broken": self.broken.as_dict() if self.broken else None,
        }


def verify(entries: Iterable[Mapping[str, Any]], *, start_seq: int = 1) -> Verdict:
    """Walk ``entries`` in sequence order and report the first broken link.

    A gap in the sequence numbers is a deleted entry; a stored ``prev_hash`` that is not the hash
    of the entry before it is a deleted or inserted entry; a stored ``entry_hash`` that is not the
    hash of the entry's own fields is an edited entry.
    """
    verdict = Verdict()
    expected_seq = start_seq
    previous = GENESIS
    for entry in entries:
        seq = int(entry["seq"])
        if seq != expected_seq:
            problem = "start" if verdict.entries == 0 else "gap"
            verdict.broken = Break(
                seq=seq,
                problem=problem,
                message=f"Thiếu mục nhật ký số {expected_seq} (mục tiếp theo là số {seq}): mục đã bị xóa.",
                message_en=f"Entry {expected_seq} is missing (next is {seq}): an entry was deleted.",
                expected=str(expected_seq),
                found=str(seq),
            )
            return verdict
        if entry.get("prev_hash") != previous:
            verdict.broken = Break(
                seq=seq,
                problem="link",
                message=f"Mục số {seq} không nối với mục trước: mã băm của mục trước không khớp.",
                message_en=f"Entry {seq} does not link to the one before: the previous hash differs.",
                expected=previous,
                found=str(entry.get("prev_hash")),
            )
            return verdict
        computed = entry_hash(entry)
        if entry.get("entry_hash") != computed:
            verdict.broken = Break(
                seq=seq,
                problem="hash",
                message=f"Nội dung mục số {seq} đã bị sửa: mã băm tính lại không khớp mã băm đã lưu.",
                message_en=f"Entry {seq} was altered: its recomputed hash differs from the stored one.",
                expected=computed,
                found=str(entry.get("entry_hash")),
            )
            return verdict
        previous = computed
        verdict.entries += 1
        verdict.head_seq = seq
        verdict.head_hash = computed
        expected_seq = seq + 1
    return verdict
