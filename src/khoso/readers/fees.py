"""Fees for reading and copies: one rule for the quote shown to the reader, the receipt and the gate.

TT 05/2025 records a reader's fee group in the DIP (``feeObjectType``); the amounts and the groups
exempted or reduced are set by the finance rules in force and change, so they are data
(:class:`~khoso.readers.models.FeeRate`, :class:`~khoso.readers.models.FeeGroupRule`), edited by the
archive. The quote is fixed when the request is made, so the reader pays what they were shown.
No Django here: the models hand their numbers in.
"""

from __future__ import annotations

from dataclasses import dataclass


def vnd(amount: int) -> str:
    """``12500`` → ``"12.500 đồng"``."""
    return f"{amount:,} đồng".replace(",", ".")


@dataclass(frozen=True)
class FeeQuote:
    amount_vnd: int
    pages: int
    copies: int
    per_request_vnd: int
    per_page_vnd: int
    discount_percent: int

    @property
    def exempt(self) -> bool:
        return self.discount_percent >= 100

    @property
    def full_vnd(self) -> int:
        return (self.per_request_vnd + self.per_page_vnd * self.pages) * self.copies

    @property
    def basis(self) -> str:
        """How the amount was reached, in words for the reader and the receipt."""
        parts = []
        if self.per_request_vnd:
            parts.append(f"{vnd(self.per_request_vnd)}/yêu cầu")
        if self.per_page_vnd:
            parts.append(f"{vnd(self.per_page_vnd)}/trang × {self.pages} trang")
        text = " + ".join(parts) or "không thu phí"
        if self.copies > 1:
            text = f"({text}) × {self.copies} bản"
        if self.exempt:
            return f"{text}; miễn phí theo đối tượng"
        if self.discount_percent:
            return f"{text}; giảm {self.discount_percent} % theo đối tượng"
        return text


def quote(*, per_request_vnd: int, per_page_vnd: int, pages: int, copies: int, discount_percent: int) -> FeeQuote:
    """The fee: (per request + per page × pages) × copies, less the group's reduction (rounded down to the đồng)."""
    if pages < 0 or copies < 1 or not 0 <= discount_percent <= 100:
        raise ValueError("pages ≥ 0, copies ≥ 1, discount 0–100")
    full = (per_request_vnd + per_page_vnd * pages) * copies
    return FeeQuote(
        amount_vnd=full * (100 - discount_percent) // 100,
        pages=pages,
        copies=copies,
        per_request_vnd=per_request_vnd,
        per_page_vnd=per_page_vnd,
        discount_percent=discount_percent,
    )
