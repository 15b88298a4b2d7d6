"""Stateless resumption tokens: the position in a list, signed with the secret key.

Nothing is stored per harvest, so any web server of the installation can answer the next page and
an abandoned harvest leaves nothing behind. The token carries the request's arguments, the last
(datestamp, id) sent (the list is ordered by both, so a record re-stamped during a harvest moves to
the end instead of being skipped), the cursor and the list size counted at the first page. It is
valid for :data:`LIFETIME` after it was issued: long enough for a slow harvester to pause, short
enough that a leaked token stops working.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.utils import timezone

from khoso.core.errors import ArchiveError
from khoso.oai.protocol import BadResumptionToken, check_bounds

SALT = "khoso.oai.resumptionToken"
LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class Position:
    verb: str
    prefix: str
    set_spec: str = ""
    from_text: str = ""
    until_text: str = ""
    after_datestamp: str = ""  # ISO 8601 with microseconds; empty before the first page
    after_id: int = 0
    cursor: int = 0  # records sent before the page this position starts
    complete: int = 0  # completeListSize, counted at the first page

    def after(self, datestamp: datetime, row_id: int, sent: int) -> Position:
        return replace(self, after_datestamp=datestamp.isoformat(), after_id=row_id, cursor=self.cursor + sent)


def issue(position: Position) -> tuple[str, datetime]:
    """(token, expiration time) for ``position``."""
    token = signing.dumps(asdict(position), salt=SALT, compress=True)
    return token, timezone.now() + LIFETIME


def invalid() -> BadResumptionToken:
    return BadResumptionToken(hours=int(LIFETIME.total_seconds() // 3600))


def read(token: str, verb: str) -> Position:
    """The position ``token`` stands for; :class:`BadResumptionToken` when forged, expired or not
    issued for ``verb``."""
    try:
        data: Any = signing.loads(token, salt=SALT, max_age=LIFETIME)
        position = Position(**data)
        datetime.fromisoformat(position.after_datestamp)
        check_bounds(position.from_text or None, position.until_text or None)
    except (signing.BadSignature, TypeError, ValueError, ArchiveError):  # signed by us, but not for this version
        raise invalid() from None
    if position.verb != verb:
        raise invalid()
    return position
