"""The deadline rules, table by table: weekends, Tết by the lunar calendar (2026: 16–20/02; 2027: 05–11/02 with
the two compensating days), Giỗ Tổ, the 30/4–1/5 and 2/9 breaks, make-up Saturdays and extra days off."""

from __future__ import annotations

from datetime import date

import pytest

from khoso.core.workdays import HolidayCalendar
from khoso.deadlines import rules
from khoso.deadlines.rules import Kind, State

STATUTORY = HolidayCalendar()


def d(text: str) -> date:
    day, month, year = (int(part) for part in text.split("/"))
    return date(year, month, day)


# -- nộp lưu vào lưu trữ lịch sử: 03 năm (seed 004), the period's last day moved past days off ---------------


@pytest.mark.parametrize(
    ("ended", "calendar", "due"),
    [
        ("10/03/2020", STATUTORY, "10/03/2023"),  # a Friday: stays
        ("14/02/2023", STATUTORY, "23/02/2026"),  # Saturday 14/02/2026, then Tết 16–20/02/2026
        ("17/02/2023", STATUTORY, "23/02/2026"),  # lands on the first day of Tết 2026
        ("06/02/2024", STATUTORY, "12/02/2027"),  # Tết 2027 on a Saturday: 05–11/02 off with the compensating days
        ("29/02/2024", STATUTORY, "01/03/2027"),  # no 29/02/2027: 28/02, a Sunday, then Monday
        ("30/04/2023", STATUTORY, "04/05/2026"),  # 30/4 and 1/5/2026 (Thu, Fri), then the weekend
        ("02/09/2023", STATUTORY, "03/09/2026"),  # National Day 2026 on a Wednesday
        ("14/02/2023", HolidayCalendar(makeup=frozenset({d("14/02/2026")})), "14/02/2026"),  # a Saturday worked
        ("17/02/2023", HolidayCalendar(extra=frozenset({d("23/02/2026")})), "24/02/2026"),  # a day added by decision
    ],
)
def test_historical_transfer_is_due_three_years_after_the_file_closes(ended: str, calendar, due: str) -> None:  # type: ignore[no-untyped-def]
    assert rules.historical_transfer_due(d(ended), holidays=calendar) == d(due)


# -- NĐ 30/2020 Đ30 k2: 01 năm after the work ends; 03 tháng after a construction project's settlement ------


@pytest.mark.parametrize(
    ("ended", "settled", "due"),
    [
        ("15/03/2025", None, "16/03/2026"),  # 15/03/2026 is a Sunday
        ("05/10/2025", None, "05/10/2026"),  # a Monday
        ("29/02/2024", None, "28/02/2025"),  # no 29/02/2025: the month's last day (a Friday)
        ("01/06/2025", "30/11/2025", "02/03/2026"),  # three months end on 28/02/2026, a Saturday
        ("01/06/2025", "17/11/2025", "23/02/2026"),  # 17/02/2026 is Tết
    ],
)
def test_agency_transfer_deadlines_of_nd30(ended: str, settled: str | None, due: str) -> None:
    construction = d(settled) if settled else None
    assert rules.agency_transfer_due(d(ended), construction_settled=construction, holidays=STATUTORY) == d(due)


def test_a_unit_keeps_a_file_at_most_two_years_past_its_deadline() -> None:
    assert rules.retention_by_unit_ends(d("16/03/2026"), holidays=STATUTORY) == d("16/03/2028")
    assert rules.retention_by_unit_ends(d("05/02/2025"), holidays=STATUTORY) == d("12/02/2027")  # Tết 2027


# -- the annual report: "trước ngày 15 tháng 12" moves earlier, never later -------------------------------------


@pytest.mark.parametrize(
    ("year", "calendar", "due"),
    [
        (2025, STATUTORY, "12/12/2025"),  # 14/12/2025 is a Sunday
        (2024, STATUTORY, "13/12/2024"),  # 14/12/2024 is a Saturday
        (2026, STATUTORY, "14/12/2026"),  # a Monday
        (2027, STATUTORY, "14/12/2027"),  # a Tuesday
        (2026, HolidayCalendar(extra=frozenset({d("14/12/2026")})), "11/12/2026"),  # a day off by decision
        (2025, HolidayCalendar(makeup=frozenset({d("13/12/2025")})), "13/12/2025"),  # a Saturday worked
    ],
)
def test_annual_report_is_due_the_last_working_day_before_15_december(year: int, calendar, due: str) -> None:  # type: ignore[no-untyped-def]
    assert rules.annual_report_due(year, holidays=calendar) == d(due)


# -- reader requests: 06 working days (TT 05/2025) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "calendar", "due"),
    [
        ("05/10/2026", STATUTORY, "13/10/2026"),  # an ordinary fortnight: one weekend
        ("13/02/2026", STATUTORY, "02/03/2026"),  # Tết 2026 (16–20/02) does not count
        ("03/02/2027", STATUTORY, "18/02/2027"),  # Tết 2027 and its compensating days 10–11/02
        ("24/04/2026", STATUTORY, "07/05/2026"),  # Giỗ Tổ on a Sunday (off on Monday 27/04), then 30/4–1/5
        ("31/08/2026", STATUTORY, "10/09/2026"),  # 1–2/9
        ("31/12/2026", STATUTORY, "11/01/2027"),  # New Year
        ("13/02/2026", HolidayCalendar(makeup=frozenset({d("28/02/2026")})), "28/02/2026"),  # a Saturday worked
    ],
)
def test_reader_requests_are_due_in_six_working_days(submitted: str, calendar, due: str) -> None:  # type: ignore[no-untyped-def]
    assert rules.reader_review_due(d(submitted), holidays=calendar) == d(due)


@pytest.mark.django_db
@pytest.mark.parametrize("submitted", ["13/02/2026", "24/04/2026", "03/02/2027"])
def test_the_readers_app_stores_the_same_due_date(submitted: str) -> None:
    from datetime import datetime, time

    from django.utils import timezone

    from khoso.readers.services import review_due_date

    moment = timezone.make_aware(datetime.combine(d(submitted), time(10, 30)))
    assert review_due_date(moment) == rules.reader_review_due(d(submitted), holidays=STATUTORY)


# -- preservation: fixity pass, copies, media, backups (TT 05/2025) -------------------------------------------


def test_the_full_fixity_pass_is_due_when_the_oldest_check_reaches_the_window() -> None:
    assert rules.fixity_pass_due(d("01/06/2023"), full_pass_days=1095) == d("31/05/2026")  # 2024 has 29/02
    assert rules.fixity_pass_due(d("01/06/2023"), full_pass_days=30) == d("01/07/2023")


def test_a_missing_copy_is_due_from_the_day_its_object_was_stored() -> None:
    assert rules.replica_due(d("17/02/2026")) == d("17/02/2026")  # Tết or not: machines copy every day


@pytest.mark.parametrize(
    ("in_service", "migrated", "interval", "rated_life", "due"),
    [
        ("10/01/2024", None, 3, None, "10/01/2027"),  # every 3 years
        ("10/01/2024", "01/06/2025", 3, None, "01/06/2028"),  # counted from the last migration
        ("10/01/2024", None, 3, 3, "10/01/2026"),  # 1 year before a 3-year rated life ends
        ("10/01/2024", "01/03/2030", 3, 10, "10/01/2033"),  # the medium's age wins over the cycle
        ("29/02/2024", None, 5, None, "28/02/2029"),  # an installation-chosen cycle
    ],
)
def test_media_migration_is_due_at_the_cycle_or_a_year_before_the_rated_life(
    in_service: str, migrated: str | None, interval: int, rated_life: int | None, due: str
) -> None:
    assert rules.media_migration_due(
        d(in_service),
        last_migrated=d(migrated) if migrated else None,
        interval_years=interval,
        rated_life_years=rated_life,
    ) == d(due)


@pytest.mark.parametrize(
    ("last", "daily", "full"),
    [
        ("16/02/2026", "17/02/2026", "01/03/2026"),  # Tết does not stop backups
        ("01/01/2026", "02/01/2026", "01/02/2026"),
        ("15/12/2026", "16/12/2026", "01/01/2027"),
    ],
)
def test_backups_are_due_daily_and_in_full_on_the_first_of_the_month(last: str, daily: str, full: str) -> None:
    assert rules.daily_backup_due(d(last)) == d(daily)
    assert rules.monthly_full_backup_due(d(last)) == d(full)


# -- states -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "today", "warning", "calendar", "state"),
    [
        ("10/03/2026", "11/03/2026", 30, None, State.OVERDUE),
        ("10/03/2026", "10/03/2026", 0, None, State.SOON),  # due today
        ("10/03/2026", "09/03/2026", 0, None, State.OK),
        ("10/03/2026", "09/03/2026", 1, None, State.SOON),
        ("10/03/2026", "08/02/2026", 30, None, State.SOON),  # 30 days ahead (February 2026 has 28)
        ("10/03/2026", "07/02/2026", 30, None, State.OK),
        ("10/03/2026", "07/02/2026", 31, None, State.SOON),
        ("23/02/2026", "13/02/2026", 1, STATUTORY, State.SOON),  # one working day away, across Tết
        ("23/02/2026", "13/02/2026", 1, None, State.OK),  # ten calendar days away
        ("24/02/2026", "13/02/2026", 1, STATUTORY, State.OK),
    ],
)
def test_the_state_follows_the_warning_window(due: str, today: str, warning: int, calendar, state: State) -> None:  # type: ignore[no-untyped-def]
    assert rules.state(d(due), d(today), warning=warning, holidays=calendar) == state


def test_warning_windows_are_configured_per_kind() -> None:
    windows = rules.parse_warning_days(["bao_cao_nam=45", " chuyen_lich_su = 365 "])
    assert windows[Kind.ANNUAL_REPORT] == 45 and windows[Kind.HISTORICAL_TRANSFER] == 365
    assert windows[Kind.READER_REQUEST] == rules.KINDS[Kind.READER_REQUEST].warning


@pytest.mark.parametrize("entry", ["bao_cao_nam", "bao_cao=5", "bao_cao_nam=-1", "bao_cao_nam=mot"])
def test_a_malformed_warning_window_is_refused(entry: str) -> None:
    with pytest.raises(ValueError, match="loại=số_ngày"):
        rules.parse_warning_days([entry])
