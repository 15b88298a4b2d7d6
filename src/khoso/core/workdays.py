"""Working days for legal deadlines: TT 05/2025 counts review times in working days, not calendar days.

A reader's account is to be issued within 1 working day and a request decided within 6; a weekend
or Tết in between must not eat into the archive's time, nor may the deadline shown to the reader
fall on a day the office is closed. Holidays are data (the list changes every year), given in the
installation's settings as ``dd/mm/yyyy``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta

SATURDAY = 5


def is_working_day(day: date, *, holidays: Collection[date] = ()) -> bool:
    """Monday to Friday and not a public holiday."""
    return day.weekday() < SATURDAY and day not in holidays


def add_working_days(start: date, days: int, *, holidays: Collection[date] = ()) -> date:
    """The day ``days`` working days after ``start`` (``start`` itself never counts; 0 gives ``start``)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current, holidays=holidays):
            remaining -= 1
    return current


def parse_holidays(values: Iterable[str]) -> set[date]:
    """``dd/mm/yyyy`` strings to dates; a malformed entry is an error (a silently skipped holiday moves deadlines)."""
    days: set[date] = set()
    for value in values:
        text = value.strip()
        if not text:
            continue
        try:
            days.add(datetime.strptime(text, "%d/%m/%Y").date())
        except ValueError as error:
            raise ValueError(f"ngày nghỉ «{text}» không đúng dạng dd/mm/yyyy / holiday not dd/mm/yyyy") from error
    return days


def holidays_from_settings() -> set[date]:
    """The public holidays configured for this installation (setting HOLIDAYS)."""
    from django.conf import settings

    return parse_holidays(settings.KHOSO_HOLIDAYS or ())
