"""Which files to digitize first: a priority score from the criteria of seeds 000 and 001.

Seed 000 ranks files by "nội dung tài liệu có giá trị cao; tần suất khai thác sử dụng nhiều; tình
trạng vật lý của tài liệu xuống cấp"; seed 001 adds documents from before 1975 and special carriers
(lá, gỗ, vải, da, giấy dó…), and damage "mủn, giòn, rách, ố, mờ chữ". The score is a sum of points
so an archivist can read why a file ranks where it does; every point comes with a Vietnamese reason.

Weights (points):

=============================  ==========================================================
value                          maintenance 01 (vĩnh viễn) 30; 02 (70 năm) 10; others 0
frequency of use               2 per recorded use (lượt khai thác), at most 20
physical condition             8 per kind of damage from the ``damage`` vocabulary, at most 40
age                            20 when the file's documents begin before 1975
special carrier                15 (vật mang tin đặc biệt)
=============================  ==========================================================

Damage kinds are read from the vocabulary table, not listed here, so a kind an administrator adds
counts like the others. Selection is of whole files only (seed 001); nothing here scores a document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from khoso.archive.models import ArchiveFile, Vocabulary
from khoso.core.errors import ValidationError
from khoso.workflow.models import Project, ProjectFile
from khoso.workflow.states import State

VALUE_POINTS = {"01": 30, "02": 10}
USE_POINTS, USE_MAX = 2, 20
DAMAGE_POINTS, DAMAGE_MAX = 8, 40
AGE_BEFORE_YEAR, AGE_POINTS = 1975, 20
SPECIAL_CARRIER_POINTS = 15


class Condition(Protocol):
    """What is known of a file's use and condition (``khoso.handover.models.FileCondition``)."""

    usage_count: int
    damage_codes: list[str]
    special_carrier: bool


def damage_labels() -> dict[str, str]:
    """Damage code → Vietnamese label, from the active ``damage`` vocabulary rows."""
    rows = Vocabulary.objects.filter(kind="damage", active=True).order_by("position")
    return dict(rows.values_list("code", "label_vi"))


def _score(
    archive_file: ArchiveFile,
    *,
    usage_count: int,
    damage_codes: Iterable[str],
    special_carrier: bool,
    labels: Mapping[str, str],
) -> tuple[Decimal, list[str]]:
    score = 0
    reasons: list[str] = []
    value = VALUE_POINTS.get(archive_file.maintenance, 0)
    if value:
        term = "vĩnh viễn" if archive_file.maintenance == "01" else "70 năm"
        reasons.append(f"Giá trị: thời hạn bảo quản {term} (+{value})")
        score += value
    if usage_count > 0:
        points = min(usage_count * USE_POINTS, USE_MAX)
        reasons.append(f"Tần suất khai thác: {usage_count} lượt (+{points})")
        score += points
    codes = list(dict.fromkeys(damage_codes))
    unknown = [code for code in codes if code not in labels]
    if unknown:
        raise ValidationError(reason=f"mã tình trạng hư hỏng không có trong danh mục: {', '.join(unknown)}.")
    if codes:
        points = min(len(codes) * DAMAGE_POINTS, DAMAGE_MAX)
        names = ", ".join(labels[code].lower() for code in codes)
        reasons.append(f"Tình trạng vật lý xuống cấp: {names} (+{points})")
        score += points
    if archive_file.start_date.year < AGE_BEFORE_YEAR:
        reasons.append(f"Tài liệu trước năm {AGE_BEFORE_YEAR} (từ {archive_file.start_date.year}) (+{AGE_POINTS})")
        score += AGE_POINTS
    if special_carrier:
        reasons.append(f"Vật mang tin đặc biệt (+{SPECIAL_CARRIER_POINTS})")
        score += SPECIAL_CARRIER_POINTS
    return Decimal(score), reasons


def score_file(
    archive_file: ArchiveFile,
    *,
    usage_count: int = 0,
    damage_codes: Iterable[str] = (),
    special_carrier: bool = False,
) -> tuple[Decimal, list[str]]:
    """The priority score of one whole file and the reasons for it (see the module's weights)."""
    return _score(
        archive_file,
        usage_count=usage_count,
        damage_codes=damage_codes,
        special_carrier=special_carrier,
        labels=damage_labels(),
    )


def score_with(archive_file: ArchiveFile, condition: Condition | None, labels: Mapping[str, str]) -> Any:
    """Score a file from its recorded condition (none recorded: value and age only)."""
    return _score(
        archive_file,
        usage_count=condition.usage_count if condition else 0,
        damage_codes=condition.damage_codes if condition else (),
        special_carrier=condition.special_carrier if condition else False,
        labels=labels,
    )


@dataclass
class Candidate:
    file: ArchiveFile
    score: Decimal
    reasons: list[str] = field(default_factory=list)


def candidates(
    project: Project,
    *,
    conditions: Mapping[int, Condition] | None = None,
    limit: int | None = None,
) -> list[Candidate]:
    """Files of the project's fonds and years not yet in an unfinished project, best first.

    A file already in this project is not a candidate; one in another project is a candidate again
    once handed over there (BAN_GIAO). ``conditions`` maps file ids to their recorded use and damage.
    """
    busy = ProjectFile.objects.exclude(state=State.BAN_GIAO).values("file_id")
    mine = ProjectFile.objects.filter(project=project).values("file_id")
    files = (
        ArchiveFile.objects.filter(
            fonds__in=project.fonds.all(),
            file_catalog__gte=project.year_from,
            file_catalog__lte=project.year_to,
        )
        .exclude(pk__in=busy)
        .exclude(pk__in=mine)
        .select_related("fonds", "inventory")
    )
    conditions = conditions or {}
    labels = damage_labels()
    found = []
    for archive_file in files:
        score, reasons = score_with(archive_file, conditions.get(archive_file.pk), labels)
        found.append(Candidate(archive_file, score, reasons))
    found.sort(key=lambda c: (-c.score, c.file.file_code))
    return found[:limit] if limit is not None else found
