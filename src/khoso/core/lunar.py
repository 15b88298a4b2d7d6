"""The Vietnamese lunisolar calendar (âm lịch), computed for Vietnam's time zone (UTC+7).

Tết and the Hùng Kings' day are lunar dates, so the office's holidays move every year; deadlines in
working days (a reader's request within 6, transfers, the annual report) must skip them without an
operator typing them in each year. Vietnam's calendar differs from China's in some years because new
moons are reckoned at UTC+7 (Tết 1985 fell a month apart), so the computation is done here rather than
borrowed from a Chinese calendar library. The method is the classic one: mean new moons corrected by
the main periodic terms (Meeus), the sun's longitude to place the winter solstice in month 11, and the
first month without a major solar term as the leap month. Accurate to the day for 1900–2100.
"""

from __future__ import annotations

import math
from datetime import date

TIME_ZONE_HOURS = 7.0
_SYNODIC_MONTH = 29.530588853
_JDN_1900 = 2415021.076998695  # the new moon of 1900-01-01 (k = 0)
_JDN_OF_ORDINAL_1 = 1721425  # date.fromordinal(1) is JDN 1721426


def _jdn(day: date) -> int:
    return day.toordinal() + _JDN_OF_ORDINAL_1


def _date(jdn: int) -> date:
    return date.fromordinal(jdn - _JDN_OF_ORDINAL_1)


def _new_moon(k: int) -> float:
    """Julian day (UT) of the k-th new moon after 1900-01-01."""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    dr = math.pi / 180
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3  # sun's mean anomaly
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3  # moon's mean anomaly
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3  # moon's argument of latitude
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 -= 0.4068 * math.sin(mpr * dr) - 0.0161 * math.sin(dr * 2 * mpr)
    c1 -= 0.0004 * math.sin(dr * 3 * mpr)
    c1 += 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 -= 0.0074 * math.sin(dr * (m - mpr)) - 0.0004 * math.sin(dr * (2 * f + m))
    c1 -= 0.0004 * math.sin(dr * (2 * f - m)) + 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 += 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    if t < -11:
        delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd1 + c1 - delta_t


def _new_moon_day(k: int) -> int:
    """The day (JDN, local time) of the k-th new moon."""
    return math.floor(_new_moon(k) + 0.5 + TIME_ZONE_HOURS / 24)


def _sun_longitude_sector(jdn: int) -> int:
    """Which of the twelve 30° sectors the sun is in at local midnight starting day ``jdn`` (0 = spring equinox)."""
    t = (jdn - 0.5 - TIME_ZONE_HOURS / 24 - 2451545.0) / 36525
    t2 = t * t
    dr = math.pi / 180
    mean_anomaly = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    mean_longitude = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    centre = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * mean_anomaly)
    centre += (0.019993 - 0.000101 * t) * math.sin(dr * 2 * mean_anomaly) + 0.000290 * math.sin(dr * 3 * mean_anomaly)
    longitude = (mean_longitude + centre) * dr
    longitude -= 2 * math.pi * math.floor(longitude / (2 * math.pi))
    return math.floor(longitude / math.pi * 6)


def _month_11_start(year: int) -> int:
    """The first day (JDN) of lunar month 11 of ``year``: the month holding the winter solstice."""
    offset = _jdn(date(year, 12, 31)) - 2415021
    k = math.floor(offset / _SYNODIC_MONTH)
    start = _new_moon_day(k)
    if _sun_longitude_sector(start) >= 9:
        start = _new_moon_day(k - 1)
    return start


def _leap_month_offset(month_11_start: int) -> int:
    """Months after month 11 to the leap month: the first month in which the sun enters no new sector."""
    k = math.floor((month_11_start - _JDN_1900) / _SYNODIC_MONTH + 0.5)
    index = 1
    sector = _sun_longitude_sector(_new_moon_day(k + index))
    while True:
        previous = sector
        index += 1
        sector = _sun_longitude_sector(_new_moon_day(k + index))
        if sector == previous or index >= 14:
            return index - 1


def lunar_to_solar(day: int, month: int, year: int, *, leap: bool = False) -> date:
    """The solar date of lunar ``day``/``month``/``year`` (``leap``: the intercalary month of that number)."""
    if not (1 <= month <= 12 and 1 <= day <= 30):
        raise ValueError(f"ngày âm lịch {day}/{month}/{year} không hợp lệ / invalid lunar date")
    if month < 11:
        start_a, start_b = _month_11_start(year - 1), _month_11_start(year)
    else:
        start_a, start_b = _month_11_start(year), _month_11_start(year + 1)
    k = math.floor(0.5 + (start_a - _JDN_1900) / _SYNODIC_MONTH)
    offset = (month - 11) % 12
    if start_b - start_a > 365:  # a leap year: thirteen months between the two months 11
        leap_offset = _leap_month_offset(start_a)
        leap_month = (leap_offset - 2) % 12
        if leap and month != leap_month:
            raise ValueError(f"năm âm lịch {year} không có tháng {month} nhuận / no leap month {month} in {year}")
        if leap or offset >= leap_offset:
            offset += 1
    elif leap:
        raise ValueError(f"năm âm lịch {year} không có tháng nhuận / lunar year {year} has no leap month")
    return _date(_new_moon_day(k + offset) + day - 1)


def lunar_new_year(year: int) -> date:
    """Mùng 1 Tết of lunar year ``year`` (the lunar year that begins in solar ``year``)."""
    return lunar_to_solar(1, 1, year)
