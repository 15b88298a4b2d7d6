"""Legal deadlines count working days: weekends and public holidays (Tết above all) do not count."""

from __future__ import annotations

from datetime import date

import pytest

from khoso.core.workdays import add_working_days, holidays_from_settings, is_working_day, parse_holidays

# Tết Bính Ngọ 2026: 14/02 (Sat) to 22/02 (Sun); the weekdays in between are holidays.
TET_2026 = parse_holidays(["16/02/2026", "17/02/2026", "18/02/2026", "19/02/2026", "20/02/2026"])
NATIONAL_DAY_2026 = parse_holidays(["01/09/2026", "02/09/2026"])


@pytest.mark.parametrize(
    ("start", "days", "holidays", "expected"),
    [
        (date(2026, 3, 2), 0, set(), date(2026, 3, 2)),  # Monday, no days: the same day
        (date(2026, 3, 2), 1, set(), date(2026, 3, 3)),  # Monday + 1 → Tuesday
        (date(2026, 3, 2), 6, set(), date(2026, 3, 10)),  # Monday + 6 → next Tuesday (skips Sat, Sun)
        (date(2026, 3, 6), 1, set(), date(2026, 3, 9)),  # Friday + 1 → Monday
        (date(2026, 3, 7), 1, set(), date(2026, 3, 9)),  # Saturday + 1 → Monday
        (date(2026, 3, 8), 6, set(), date(2026, 3, 16)),  # Sunday + 6 → Monday week after
        (date(2026, 2, 12), 6, TET_2026, date(2026, 2, 27)),  # Thursday before Tết: Fri 13, then 23–27
        (date(2026, 2, 13), 1, TET_2026, date(2026, 2, 23)),  # Friday before Tết + 1 → Monday after Tết
        (date(2026, 8, 31), 1, NATIONAL_DAY_2026, date(2026, 9, 3)),  # 2/9 holidays skipped
        (date(2026, 12, 31), 2, parse_holidays(["01/01/2027"]), date(2027, 1, 5)),  # over the new year
    ],
)
def test_add_working_days(start: date, days: int, holidays: set[date], expected: date) -> None:
    assert add_working_days(start, days, holidays=holidays) == expected
    assert is_working_day(expected, holidays=holidays) or days == 0


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 2), -1)


def test_holidays_come_from_settings_in_vietnamese_date_order(settings) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_STATUTORY_HOLIDAYS = False
    settings.KHOSO_HOLIDAYS = ["27/01/2025", " 03/03/2026 ", ""]
    calendar = holidays_from_settings()
    assert date(2025, 1, 27) in calendar and date(2026, 3, 3) in calendar
    assert date(2026, 4, 30) not in calendar  # statutory holidays switched off
    assert [h.day for h in calendar.holidays(2026)] == [date(2026, 3, 3)]


def test_a_malformed_holiday_is_an_error_not_a_silently_moved_deadline(settings) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_HOLIDAYS = ["2026-04-30"]
    with pytest.raises(ValueError, match="dd/mm/yyyy"):
        holidays_from_settings()
