"""How a reader pays: an interface, with paying at the counter, confirmed by staff, as the default.

An online public service at "mức độ 4" takes payment online (a provincial payment gateway, the
national public-service portal); those differ per province and need contracts, so the system keeps
one narrow interface: a provider tells the reader how to pay and records a confirmed payment. The
counter provider has no online step: the reader pays at the reading room, staff confirm it with the
receipt number of the cash book, and the copy goes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from khoso.readers.fees import vnd


@dataclass(frozen=True)
class PaymentInstructions:
    text_vi: str
    text_en: str
    link: str = ""  # an online provider's payment page; empty at the counter


class PaymentProvider(Protocol):
    code: str
    label: str

    def instructions(self, *, request_code: str, amount_vnd: int) -> PaymentInstructions: ...

    def staff_confirms(self) -> bool:
        """True when a staff member records the payment (the counter); False when the provider calls back."""
        ...


class CounterPayment:
    code = "quay"
    label = "Nộp tại quầy, cán bộ xác nhận"

    def instructions(self, *, request_code: str, amount_vnd: int) -> PaymentInstructions:
        return PaymentInstructions(
            text_vi=f"Nộp {vnd(amount_vnd)} tại phòng đọc của {settings.KHOSO_ARCHIVE_NAME} (ghi mã yêu cầu "
            f"{request_code}); bản sao được gửi ngay khi cán bộ xác nhận đã thu phí.",
            text_en=f"Pay {amount_vnd:,} VND at the reading room (quote request {request_code}); the copy is sent "
            "as soon as staff confirm the payment.",
        )

    def staff_confirms(self) -> bool:
        return True


PROVIDERS: dict[str, str] = {"counter": "khoso.readers.payments.CounterPayment"}


def payment_provider() -> PaymentProvider:
    """The configured provider (``KHOSO_PAYMENT_PROVIDER``: ``counter`` or a dotted path to a class)."""
    name = settings.KHOSO_PAYMENT_PROVIDER
    provider: PaymentProvider = import_string(PROVIDERS.get(name, name))()
    return provider
