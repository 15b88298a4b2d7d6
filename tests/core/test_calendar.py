"""The holiday calendar that working-day deadlines follow: the lunar calendar for Tết and the Hùng Kings'
day, the Labour Code's holidays with compensating days, and each year's decisions as settings."""

from __future__ import annotations

from datetime import date

import pytest

from khoso.core.lunar import lunar_new_year, lunar_to_solar
from khoso.core.workdays import HolidayCalendar, add_working_days, holidays_from_settings, statutory_holidays


@pytest.mark.parametrize(
    ("year", "tet"),
    [
        (1985, date(1985, 1, 21)),  # Vietnam (UTC+7) a month before China that year
        (2020, date(2020, 1, 25)),
        (2023, date(2023, 1, 22)),
        (2024, date(2024, 2, 10)),
        (2025, date(2025, 1, 29)),
        (2026, date(2026, 2, 17)),
        (2027, date(2027, 2, 6)),
        (2030, date(2030, 2, 2)),  # the new moon is before midnight at UTC+7, after it at UTC+8 (China: 3/2)
    ],
)
def test_tet_by_the_vietnamese_lunar_calendar(year: int, tet: date) -> None:
    assert lunar_new_year(year) == tet


@pytest.mark.parametrize(
    ("year", "hung_kings"),
    [(2020, date(2020, 4, 2)), (2023, date(2023, 4, 29)), (2024, date(2024, 4, 18)), (2026, date(2026, 4, 26))],
)
def test_hung_kings_day_is_10_3_lunar(year: int, hung_kings: date) -> None:
    assert lunar_to_solar(10, 3, year) == hung_kings


def test_leap_months_are_found_and_a_missing_one_refused() -> None:
    assert lunar_to_solar(1, 4, 2020, leap=True) == date(2020, 5, 23)  # 2020 had a leap 4th month
    assert lunar_to_solar(1, 5, 2020) == date(2020, 6, 21)
    with pytest.raises(ValueError, match="nhuận"):
        lunar_to_solar(1, 3, 2020, leap=True)


def test_statutory_holidays_of_2026_match_the_published_schedule() -> None:
    days = {h.day: h.name for h in statutory_holidays(2026)}
    tet = [d for d, name in days.items() if name == "Tết Nguyên đán"]
    assert tet == [date(2026, 2, d) for d in (16, 17, 18, 19, 20)]  # Mon–Fri; with the weekends 14–22/2
    assert days[date(2026, 4, 26)] == "Giỗ Tổ Hùng Vương"  # a Sunday …
    assert days[date(2026, 4, 27)] == "Nghỉ bù Giỗ Tổ Hùng Vương"  # … so Monday is off (BLLĐ Đ111)
    assert {date(2026, 4, 30), date(2026, 5, 1), date(2026, 9, 1), date(2026, 9, 2), date(2026, 1, 1)} <= set(days)
    assert len(days) == 12


def test_a_compensating_day_never_lands_on_another_holiday() -> None:
    holidays = statutory_holidays(2027)  # Tết 5–9/2 takes in Sat 6 and Sun 7; 1/5/2027 is a Saturday
    days = [h.day for h in holidays]
    assert len(days) == len(set(days))
    compensating = sorted(h.day for h in holidays if h.name.startswith("Nghỉ bù"))
    assert compensating == [date(2027, 2, 10), date(2027, 2, 11), date(2027, 5, 3)]
    assert all(day.weekday() < 5 for day in compensating)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 2, 12), 6, date(2026, 2, 27)),  # across Tết 2026: Fri 13, then 23–27
        (date(2026, 2, 13), 1, date(2026, 2, 23)),
        (date(2026, 4, 24), 1, date(2026, 4, 28)),  # Fri → over the weekend and the compensating Monday
        (date(2026, 4, 29), 2, date(2026, 5, 5)),  # 30/4, 1/5 and the weekend
        (date(2026, 8, 31), 1, date(2026, 9, 3)),
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # 1/1/2027 is a Friday
        (date(2025, 1, 24), 1, date(2025, 1, 27)),  # before Tết 2025 (28/1–1/2; Sat 1/2 → Mon 3/2 off)
        (date(2025, 1, 27), 1, date(2025, 2, 4)),
    ],
)
def test_six_working_days_over_tet_weekends_and_holidays(start: date, days: int, expected: date) -> None:
    assert add_working_days(start, days, holidays=HolidayCalendar()) == expected


def test_the_years_decision_adds_days_and_make_up_saturdays(settings) -> None:  # type: ignore[no-untyped-def]
    # Tết 2025 by the Prime Minister: 27/1 off too, worked back on Saturday 8/2
    settings.KHOSO_HOLIDAYS = ["27/01/2025"]
    settings.KHOSO_MAKEUP_WORKDAYS = ["08/02/2025"]
    calendar = holidays_from_settings()
    assert date(2025, 1, 27) in calendar and date(2025, 2, 8) not in calendar
    assert add_working_days(date(2025, 1, 24), 1, holidays=calendar) == date(2025, 2, 4)
    assert add_working_days(date(2025, 2, 7), 1, holidays=calendar) == date(2025, 2, 8)  # the make-up Saturday
    names = {h.day: h.name for h in calendar.holidays(2025)}
    assert names[date(2025, 1, 27)] == "Ngày nghỉ theo quyết định" and names[date(2025, 1, 29)] == "Tết Nguyên đán"
