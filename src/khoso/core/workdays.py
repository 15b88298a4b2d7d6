"""Working days for legal deadlines: TT 05/2025 counts review times in working days, not calendar days.

A reader's account is to be issued within 1 working day and a request decided within 6; a weekend
or Tết in between must not eat into the archive's time, nor may the deadline shown to the reader
fall on a day the office is closed.

The statutory holidays of Bộ luật Lao động 2019 Điều 112 are computed for any year
(:func:`statutory_holidays`: New Year, five days of Tết by the lunar calendar, the Hùng Kings' day,
30/4 and 1/5, National Day with the day before), with the compensating day of Điều 111 when one falls
on a weekend. Each year the Prime Minister fixes the exact Tết and National Day days and may move
working days; the installation adds those as data (``KHOSO_HOLIDAYS``, dd/mm/yyyy) and names the
Saturdays worked in exchange (``KHOSO_MAKEUP_WORKDAYS``).
"""

from __future__ import annotations

import functools
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from khoso.core.lunar import lunar_new_year, lunar_to_solar

SATURDAY = 5


@dataclass(frozen=True)
class Holiday:
    day: date
    name: str


@functools.cache
def statutory_holidays(year: int) -> tuple[Holiday, ...]:
    """Public holidays of solar ``year`` by Bộ luật Lao động 2019 Điều 112, with Điều 111's compensating days.

    Tết is taken as the last day of the old lunar year and the first four of the new one; National Day as
    1/9 and 2/9. Where the Prime Minister's yearly decision differs, ``KHOSO_HOLIDAYS`` adds the days.
    """
    new_year = lunar_new_year(year)
    days = [
        Holiday(date(year, 1, 1), "Tết Dương lịch"),
        *(Holiday(new_year + timedelta(days=n), "Tết Nguyên đán") for n in range(-1, 4)),
        Holiday(lunar_to_solar(10, 3, year), "Giỗ Tổ Hùng Vương"),
        Holiday(date(year, 4, 30), "Ngày Chiến thắng"),
        Holiday(date(year, 5, 1), "Ngày Quốc tế Lao động"),
        Holiday(date(year, 9, 1), "Quốc khánh"),
        Holiday(date(year, 9, 2), "Quốc khánh"),
    ]
    taken = {holiday.day for holiday in days}
    compensating = []
    for holiday in sorted(days, key=lambda h: h.day):
        if holiday.day.weekday() >= SATURDAY:
            substitute = holiday.day + timedelta(days=1)
            while substitute.weekday() >= SATURDAY or substitute in taken:
                substitute += timedelta(days=1)
            taken.add(substitute)
            compensating.append(Holiday(substitute, f"Nghỉ bù {holiday.name}"))
    return tuple(sorted(days + compensating, key=lambda h: h.day))


@dataclass(frozen=True)
class HolidayCalendar:
    """The office's calendar: statutory holidays of every year, plus configured holidays, minus make-up days."""

    extra: frozenset[date] = frozenset()
    makeup: frozenset[date] = frozenset()  # weekends (or holidays) worked by decision: working days
    statutory: bool = True
    _years: dict[int, frozenset[date]] = field(default_factory=dict, compare=False, repr=False)

    def _statutory(self, year: int) -> frozenset[date]:
        if year not in self._years:
            self._years[year] = frozenset(h.day for h in statutory_holidays(year)) if self.statutory else frozenset()
        return self._years[year]

    def __contains__(self, day: object) -> bool:
        """A day off other than an ordinary weekend (so ``day in calendar`` reads like a holiday list)."""
        if not isinstance(day, date) or day in self.makeup:
            return False
        return day in self.extra or day in self._statutory(day.year)

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup:
            return True
        return day.weekday() < SATURDAY and day not in self

    def holidays(self, year: int) -> list[Holiday]:
        """The days off of ``year`` with their names, for the calendar page and the guide."""
        named = [h for h in statutory_holidays(year) if h.day not in self.makeup] if self.statutory else []
        known = {h.day for h in named}
        named += [
            Holiday(day, "Ngày nghỉ theo quyết định") for day in self.extra if day.year == year and day not in known
        ]
        return sorted(named, key=lambda h: h.day)


def is_working_day(day: date, *, holidays: Container[date] = ()) -> bool:
    """Monday to Friday and not a public holiday (or a make-up day worked by decision)."""
    if isinstance(holidays, HolidayCalendar):
        return holidays.is_working_day(day)
    return day.weekday() < SATURDAY and day not in holidays


def add_working_days(start: date, days: int, *, holidays: Container[date] = ()) -> date:
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


def holidays_from_settings() -> HolidayCalendar:
    """This installation's calendar: statutory holidays (``KHOSO_STATUTORY_HOLIDAYS``), ``KHOSO_HOLIDAYS``
    added, ``KHOSO_MAKEUP_WORKDAYS`` worked."""
    from django.conf import settings

    return HolidayCalendar(
        extra=frozenset(parse_holidays(settings.KHOSO_HOLIDAYS or ())),
        makeup=frozenset(parse_holidays(settings.KHOSO_MAKEUP_WORKDAYS or ())),
        statutory=settings.KHOSO_STATUTORY_HOLIDAYS,
    )
