"""The physical order of a file's journey, declared once as data.

For each movement: the places the file may be in before it, and the place it is in after it
(movements that handle the file where it is, such as cleaning or transport between rooms of the
same team, leave it there). Anything not in this table is an impossible movement: a file on the
shelf cannot be handed to scanning, a file never taken off cannot be re-shelved.
"""

from __future__ import annotations

from dataclasses import dataclass

from khoso.custody.models import Kind, Place


@dataclass(frozen=True)
class Move:
    sources: frozenset[Place]
    target: Place
    label_en: str


def _move(sources: set[Place], target: Place, label_en: str) -> Move:
    return Move(frozenset(sources), target, label_en)


MOVES: dict[Kind, Move] = {
    Kind.LAY_KHOI_GIA: _move({Place.TREN_GIA}, Place.NOI_GIAO_NHAN, "take off the shelf to the handover point"),
    Kind.GIAO_BIEN_MUC: _move({Place.NOI_GIAO_NHAN}, Place.BIEN_MUC, "hand over to cataloguing"),
    Kind.VAN_CHUYEN_BIEN_MUC: _move({Place.BIEN_MUC}, Place.BIEN_MUC, "transport to the cataloguing room"),
    Kind.VE_SINH: _move({Place.BIEN_MUC}, Place.BIEN_MUC, "clean"),
    # From the handover point too: paper taken out again for a rescan after correction skips cataloguing.
    Kind.GIAO_SO_HOA: _move({Place.BIEN_MUC, Place.NOI_GIAO_NHAN}, Place.SO_HOA, "hand over to scanning"),
    Kind.VAN_CHUYEN_SO_HOA: _move({Place.SO_HOA}, Place.SO_HOA, "transport to the scanning room"),
    Kind.GIAO_NGUOI_QUET: _move({Place.SO_HOA}, Place.SO_HOA, "hand over to the scanner operator"),
    Kind.BOC_TACH: _move({Place.SO_HOA}, Place.DA_BOC_TACH, "unbind and flatten"),
    Kind.HOAN_TRA: _move({Place.SO_HOA, Place.DA_BOC_TACH}, Place.DA_HOAN_TRA, "return to storage"),
    Kind.VAN_CHUYEN_VE_KHO: _move({Place.DA_HOAN_TRA}, Place.DA_HOAN_TRA, "transport back to the stacks"),
    Kind.LEN_GIA: _move({Place.DA_HOAN_TRA}, Place.TREN_GIA, "re-shelve"),
}

#: Hand-to-hand movements: both sides count the sheets and the receiving side is named.
HANDOVERS: frozenset[Kind] = frozenset(
    {Kind.LAY_KHOI_GIA, Kind.GIAO_BIEN_MUC, Kind.GIAO_SO_HOA, Kind.GIAO_NGUOI_QUET, Kind.HOAN_TRA, Kind.LEN_GIA}
)

#: A file's place before any movement is recorded.
START = Place.TREN_GIA

#: Rank of each place within one cycle (shelf → … → back on the shelf, which starts the next cycle).
RANK: dict[Place, int] = {place: rank for rank, place in enumerate(Place)}


def next_kinds(place: Place) -> list[Kind]:
    """Movements possible for a file in ``place``, in the order of the table."""
    return [kind for kind, move in MOVES.items() if place in move.sources]


def reached(place: Place, milestone: Place) -> bool:
    """Whether a file now in ``place`` has got at least as far as ``milestone`` in this cycle."""
    return RANK[place] >= RANK[milestone]
