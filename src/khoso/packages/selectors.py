"""Reads of transfers: the batches a staff member may handle, one batch, and the receipt's totals.

A batch is handled by whoever may write into its fonds (a fonds grant with edit right, or a
superuser): accepting an item creates a hồ sơ there. A batch outside those fonds is "not found",
exactly like a batch that does not exist, so its existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet

from khoso.access.selectors import Actor, editable_fonds_ids
from khoso.archive.models import Fonds
from khoso.core.errors import NotFoundError
from khoso.packages.models import TransferBatch, TransferItem

#: standards.md §7.1: 1 mét giá = 5,000 A4 pages (BNV Tờ trình 2628/TTr-BNV).
PAGES_PER_METRE = 5000


def receiving_fonds(*, user: Actor) -> QuerySet[Fonds]:
    editable = editable_fonds_ids(user)
    fonds = Fonds.objects.select_related("institution").order_by("code")
    return fonds if editable is None else fonds.filter(pk__in=editable)


def batch_list(*, user: Actor) -> QuerySet[TransferBatch]:
    return (
        TransferBatch.objects.filter(fonds__in=receiving_fonds(user=user))
        .select_related("fonds", "received_by")
        .annotate(
            item_count=Count("items"),
            waiting=Count("items", filter=Q(items__state=TransferItem.State.RECEIVED)),
            accepted=Count("items", filter=Q(items__state=TransferItem.State.ACCEPTED)),
            rejected=Count("items", filter=Q(items__state=TransferItem.State.REJECTED)),
        )
    )


def batch_get(*, user: Actor, batch_id: int) -> TransferBatch:
    batch = (
        TransferBatch.objects.filter(fonds__in=receiving_fonds(user=user), pk=batch_id)
        .select_related("fonds__institution", "received_by")
        .first()
    )
    if batch is None:
        raise NotFoundError(what="Lần nộp lưu", key=batch_id)
    return batch


def item_get(*, batch: TransferBatch, item_id: int) -> TransferItem:
    item = batch.items.select_related("batch__fonds").filter(pk=item_id).first()
    if item is None:
        raise NotFoundError(what="Hồ sơ nộp lưu", key=item_id)
    return item


def batch_items(*, batch: TransferBatch) -> list[TransferItem]:
    return list(batch.items.select_related("decided_by", "archive_file").order_by("sequence"))


def box_of(paper_file_code: str) -> str:
    """The stack/shelf/box part of a paperFileCode ([archive].[stack/shelf/box].[number], standards.md §1.5)."""
    parts = paper_file_code.split(".")
    return parts[-2] if len(parts) >= 3 else ""


@dataclass(frozen=True)
class Totals:
    """The figures of the receipt (biên bản giao nhận, NĐ 30/2020 Đ30): counted on the accepted files."""

    boxes: int
    files: int
    metres: Decimal
    electronic_files: int
    data_files: int
    data_bytes: int
    sheets: int
    pages: int
    accepted: int
    rejected: int
    waiting: int


def batch_totals(*, items: list[TransferItem]) -> Totals:
    accepted = [item for item in items if item.state == TransferItem.State.ACCEPTED]
    with_paper = [item for item in accepted if item.paper_file_code]
    paper_pages = sum(item.number_of_page or 0 for item in with_paper)
    metres = (Decimal(paper_pages) / PAGES_PER_METRE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Totals(
        boxes=len({box_of(item.paper_file_code) for item in with_paper} - {""}),
        files=len(accepted),
        metres=metres,
        electronic_files=sum(1 for item in accepted if item.data_files),
        data_files=sum(item.data_files for item in accepted),
        data_bytes=sum(item.data_bytes for item in accepted),
        sheets=sum(item.number_of_paper or 0 for item in accepted),
        pages=sum(item.number_of_page or 0 for item in accepted),
        accepted=len(accepted),
        rejected=sum(1 for item in items if item.state == TransferItem.State.REJECTED),
        waiting=sum(1 for item in items if item.state == TransferItem.State.RECEIVED),
    )
