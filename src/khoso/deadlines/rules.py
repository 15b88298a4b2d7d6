"""When each statutory deadline falls, from its facts: pure functions, no Django, table-tested.

Every function quotes the rule it computes. Two ways of counting meet here:

- **A period** ("trong thời hạn 03 năm kể từ…") runs by Bộ luật Dân sự 2015 Đ147–148: the day of the event
  does not count, a period of months or years ends on the corresponding day of the last month or year (the
  month's last day when it has no such day), and when that last day is a weekend or a holiday the period
  ends at the close of the next working day. So a transfer due on the first day of Tết is due after Tết.
- **A day to be "before"** ("trước ngày 15 tháng 12") is a limit, not a period: nothing moves it later, and
  the last day one can act is the last working day before it.

Working days follow :class:`khoso.core.workdays.HolidayCalendar` (Tết by the lunar calendar, the statutory
holidays, ``KHOSO_HOLIDAYS`` and the make-up Saturdays of ``KHOSO_MAKEUP_WORKDAYS``).
"""

from __future__ import annotations

import calendar
from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from khoso.core.workdays import add_working_days, is_working_day


class Kind(StrEnum):
    """The kinds of deadline the board follows."""

    HISTORICAL_TRANSFER = "chuyen_lich_su"
    AGENCY_TRANSFER = "nop_luu_co_quan"
    ANNUAL_REPORT = "bao_cao_nam"
    READER_REQUEST = "yeu_cau_doc_gia"
    REPLICAS = "ban_sao"
    FIXITY = "kiem_tra_toan_ven"
    MEDIA_MIGRATION = "chuyen_doi_vat_mang"
    BACKUP = "sao_luu"


class State(StrEnum):
    OK = "con_han"
    SOON = "sap_den_han"
    OVERDUE = "qua_han"


STATE_LABELS = {State.OK: "Còn hạn", State.SOON: "Sắp đến hạn", State.OVERDUE: "Quá hạn"}


@dataclass(frozen=True)
class KindSpec:
    kind: Kind
    label: str  # Vietnamese, as the board and the e-mail show it
    rule: str  # the rule quoted, short
    warning: int  # default warning window: the item is "sắp đến hạn" this many days before it is due
    working_days: bool = False  # the window counts working days (the deadline itself does)


KINDS: dict[Kind, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            Kind.HISTORICAL_TRANSFER,
            "Nộp lưu vào Lưu trữ lịch sử",
            "Hồ sơ bảo quản vĩnh viễn chuyển giao trong thời hạn 03 năm kể từ khi tài liệu được tạo lập "
            "(QĐ 458/QĐ-TTg, seed 004)",
            180,
        ),
        KindSpec(
            Kind.AGENCY_TRANSFER,
            "Nộp lưu vào Lưu trữ cơ quan",
            "Hồ sơ nộp lưu trong thời hạn 01 năm kể từ ngày công việc kết thúc; hồ sơ xây dựng cơ bản trong 03 "
            "tháng kể từ ngày công trình được quyết toán (NĐ 30/2020 Đ30 k2)",
            60,
        ),
        KindSpec(
            Kind.ANNUAL_REPORT,
            "Báo cáo năm gửi Bộ Nội vụ",
            "Định kỳ trước ngày 15 tháng 12 hằng năm báo cáo kết quả thực hiện (QĐ 71/QĐ-TTg, seed 001)",
            30,
        ),
        KindSpec(
            Kind.READER_REQUEST,
            "Trả lời yêu cầu khai thác",
            "Xem xét yêu cầu trong 06 ngày làm việc (TT 05/2025)",
            1,
            working_days=True,
        ),
        KindSpec(
            Kind.REPLICAS,
            "Bổ sung bản sao",
            "Ít nhất 02 bản, mỗi bản trên một phương tiện lưu trữ độc lập (TT 05/2025 Đ27)",
            0,
        ),
        KindSpec(
            Kind.FIXITY,
            "Kiểm tra toàn vẹn toàn bộ kho",
            "Kiểm tra toàn bộ tài liệu lưu trữ số trong 03 năm (TT 05/2025)",
            0,  # the daily slice keeps the oldest check just inside the window: only falling behind matters
        ),
        KindSpec(
            Kind.MEDIA_MIGRATION,
            "Di chuyển sang vật mang tin mới",
            "Di chuyển định kỳ 03 năm và ít nhất 01 năm trước khi hết tuổi thọ của vật mang tin (TT 05/2025)",
            180,
        ),
        KindSpec(
            Kind.BACKUP,
            "Sao lưu",
            "Sao lưu gia tăng hằng ngày, toàn bộ vào ngày đầu tiên của tháng (TT 05/2025, TT 02/2019 Đ10)",
            0,
        ),
    )
}

#: TT 05/2025 (standards.md §6.2 item 7): "review a request within 06 working days"
READER_REVIEW_WORKING_DAYS = 6
#: Seed 004 (QĐ 1077/QĐ-UBND Quảng Ngãi, after QĐ 458/QĐ-TTg §3.4)
HISTORICAL_TRANSFER_YEARS = 3
#: TT 05/2025 (standards.md §5.1): "a full backup and storage-media migration every 3 years"
MEDIA_MIGRATION_YEARS = 3
#: TT 05/2025 (standards.md §5.1): "migrate media at least 1 year before the medium's rated durability expires"
MEDIA_MIGRATION_MARGIN_YEARS = 1


# -- counting --------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The corresponding day ``months`` later; the month's last day when it has no such day (BLDS 2015 Đ148)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def working_day_on_or_after(day: date, holidays: Container[date]) -> date:
    while not is_working_day(day, holidays=holidays):
        day += timedelta(days=1)
    return day


def working_day_before(day: date, holidays: Container[date]) -> date:
    """The last working day strictly before ``day``."""
    day -= timedelta(days=1)
    while not is_working_day(day, holidays=holidays):
        day -= timedelta(days=1)
    return day


def period_end(event: date, *, years: int = 0, months: int = 0, holidays: Container[date] = ()) -> date:
    """The last day of a period of ``years`` and ``months`` counted from ``event``.

    BLDS 2015 Đ148 k1: "Khi thời hạn được xác định bằng … tháng, năm thì thời hạn kết thúc tại thời điểm kết
    thúc ngày tương ứng của … tháng, năm cuối cùng của thời hạn"; k5: "Khi ngày cuối cùng của thời hạn là ngày
    nghỉ cuối tuần hoặc ngày nghỉ lễ thì thời hạn kết thúc tại thời điểm kết thúc ngày làm việc tiếp theo ngày
    nghỉ đó".
    """
    return working_day_on_or_after(add_months(event, 12 * years + months), holidays)


# -- the deadlines ---------------------------------------------------------------------------------


def historical_transfer_due(created: date, *, holidays: Container[date] = ()) -> date:
    """When a permanent file of an agency archive is due in the historical archive.

    Seed 004 (QĐ 1077/QĐ-UBND, Quảng Ngãi, 2021): "Đối với tài liệu lưu trữ điện tử hình thành tại cơ quan có
    thời hạn bảo quản vĩnh viễn thuộc nguồn nộp lưu vào Trung tâm Lưu trữ lịch sử tỉnh, thì cơ quan phải trích
    xuất chuyển giao … trong thời hạn 03 năm kể từ khi tài liệu được tạo lập". A hồ sơ travels whole and only
    once it is closed (NĐ 30/2020 Đ29 k4: "Hồ sơ được kết thúc khi công việc đã giải quyết xong"), so for a
    file ``created`` is the date its last document was made: its end date (Thời gian kết thúc).
    """
    return period_end(created, years=HISTORICAL_TRANSFER_YEARS, holidays=holidays)


def agency_transfer_due(
    work_ended: date, *, construction_settled: date | None = None, holidays: Container[date] = ()
) -> date:
    """When a file is due in the agency archive (Lưu trữ cơ quan), NĐ 30/2020 Đ30 k2.

    "a) Đối với hồ sơ, tài liệu xây dựng cơ bản: Trong thời hạn 03 tháng kể từ ngày công trình được quyết toán.
    b) Đối với hồ sơ, tài liệu khác: Trong thời hạn 01 năm kể từ ngày công việc kết thúc."
    """
    if construction_settled is not None:
        return period_end(construction_settled, months=3, holidays=holidays)
    return period_end(work_ended, years=1, holidays=holidays)


def retention_by_unit_ends(transfer_due: date, *, holidays: Container[date] = ()) -> date:
    """The latest a unit may keep a file past its transfer deadline, NĐ 30/2020 Đ31 k3 d: "Thời hạn giữ lại hồ
    sơ, tài liệu của đơn vị, cá nhân không quá 02 năm kể từ ngày đến hạn nộp lưu"."""
    return period_end(transfer_due, years=2, holidays=holidays)


def annual_report_due(year: int, *, holidays: Container[date] = ()) -> date:
    """The last day the year's report can go to the Ministry.

    Seed 001 (Bình Phước, after QĐ 71/QĐ-TTg): "Định kỳ trước ngày 15 tháng 12 hàng năm, tham mưu Ủy ban nhân
    dân tỉnh báo cáo kết quả triển khai thực hiện về Bộ Nội vụ". "Before the 15th" is a limit, not a period
    (BLDS Đ148 k5 moves only the end of a period): the report must leave on a working day before 15/12, so a
    14 December that falls on a weekend or a holiday moves the deadline *earlier*, to the Friday before.
    """
    return working_day_before(date(year, 12, 15), holidays)


def reader_review_due(submitted: date, *, holidays: Container[date] = (), working_days: int | None = None) -> date:
    """TT 05/2025 (standards.md §6.2): "review a request within 06 working days" from the day it arrives.

    The readers app stores this on each request (``ReaderRequest.due_date``); this is the same count through
    the same calendar, for the rule's tests and for the board's explanation.
    """
    days = READER_REVIEW_WORKING_DAYS if working_days is None else working_days
    return add_working_days(submitted, days, holidays=holidays)


def fixity_pass_due(oldest_check: date, *, full_pass_days: int) -> date:
    """TT 05/2025 (standards.md §5.1): "check the whole holding within 3 years" (``KHOSO_FIXITY_FULL_PASS_DAYS``).

    ``oldest_check`` is the day the least recently checked object was last checked (or stored, if it never
    was): the pass is due when that object's window closes. Machines work on Sundays: calendar days.
    """
    return oldest_check + timedelta(days=full_pass_days)


def replica_due(short_since: date) -> date:
    """TT 05/2025 Đ27: "≥ 2 backup sets, each on an independent storage medium" (``KHOSO_MIN_COPIES``): a
    missing copy is owed from the day its object was stored; there is no period to wait out."""
    return short_since


def media_migration_due(
    in_service_since: date,
    *,
    last_migrated: date | None = None,
    interval_years: int = MEDIA_MIGRATION_YEARS,
    rated_life_years: int | None = None,
) -> date:
    """When the data on a storage medium must move to a new one: whichever comes first of

    - TT 05/2025 (standards.md §5.1): "a full backup and storage-media migration every 3 years", counted from
      the last migration (or from when the medium came into service), and
    - "migrate media at least 1 year before the medium's rated durability expires", counted from when the
      medium came into service (its physical age).
    """
    due = add_years(last_migrated or in_service_since, interval_years)
    if rated_life_years is not None:
        due = min(due, add_years(in_service_since, rated_life_years - MEDIA_MIGRATION_MARGIN_YEARS))
    return due


def daily_backup_due(last_backup: date) -> date:
    """TT 05/2025 and TT 02/2019 Đ10: an incremental backup every day, so the next one is due the day after."""
    return last_backup + timedelta(days=1)


def monthly_full_backup_due(last_full: date) -> date:
    """TT 02/2019 Đ10: "full backup on the first day of each month": the first day of the month after."""
    return add_months(last_full.replace(day=1), 1)


# -- the state of a deadline -----------------------------------------------------------------------


def state(due: date, today: date, *, warning: int, holidays: Container[date] | None = None) -> State:
    """Overdue after the due day; "sắp đến hạn" from ``warning`` days before it (working days when
    ``holidays`` is given, calendar days otherwise) up to and including the due day; otherwise OK."""
    if today > due:
        return State.OVERDUE
    if holidays is not None:
        starts = add_working_days(today, warning, holidays=holidays)
        return State.SOON if due <= starts else State.OK
    return State.SOON if (due - today).days <= warning else State.OK


def parse_warning_days(entries: Iterable[str]) -> dict[Kind, int]:
    """``kind=days`` entries (``KHOSO_DEADLINE_WARNING_DAYS``) over the defaults; a bad entry is an error,
    since a silently ignored window hides a deadline."""
    windows = {kind: spec.warning for kind, spec in KINDS.items()}
    for entry in entries:
        name, sep, days = entry.partition("=")
        name, days = name.strip(), days.strip()
        if not sep or name not in {kind.value for kind in Kind} or not days.isdigit():
            known = ", ".join(kind.value for kind in Kind)
            raise ValueError(
                f"«{entry}»: cần dạng loại=số_ngày, loại là một trong {known} / expected kind=days, kind one of {known}"
            )
        windows[Kind(name)] = int(days)
    return windows
