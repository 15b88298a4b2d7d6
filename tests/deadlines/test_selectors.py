"""Who sees which deadline, and when each falls: scope as the source apps scope it (deny by default)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from deadlines_kit import at, make_file, make_request  # tests/deadlines/conftest.py
from django.urls import reverse
from django.utils import timezone

from khoso.archive.models import ArchiveFile
from khoso.deadlines import selectors
from khoso.deadlines.models import ReportSubmission, StorageMedium
from khoso.deadlines.rules import Kind, State

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)


def _keys(items: list[selectors.DeadlineItem], kind: Kind) -> set[str]:
    return {item.key for item in items if item.kind == kind}


@pytest.fixture
def agency_archive(settings):  # type: ignore[no-untyped-def]
    settings.KHOSO_ARCHIVE_ROLE = "co_quan"


# -- nộp lưu vào lưu trữ cơ quan (NĐ 30/2020 Đ30) --------------------------------------------------------------


def test_files_not_yet_in_the_agency_archive_are_due_a_year_after_their_work_ended(place, agency_archive) -> None:  # type: ignore[no-untyped-def]
    waiting = make_file(place.fonds_a, "01.VP", date(2025, 12, 5))
    make_file(place.fonds_a, "02.VP", date(2025, 12, 5), archived_on=date(2026, 3, 2))  # arrived: nothing due
    building = make_file(place.fonds_a, "03.XD", date(2024, 6, 1), construction_settled_on=date(2026, 10, 3))
    other_fonds = make_file(place.fonds_b, "04.VP", date(2025, 12, 5))
    items = selectors.due_items(place.users["staff_a"], TODAY, kinds={Kind.AGENCY_TRANSFER})
    by_key = {item.key: item for item in items}
    assert set(by_key) == {str(waiting.pk), str(building.pk)}  # staff of A never see fonds B's files
    # 05/12/2026 is a Saturday: the year ends on the next working day (BLDS Đ148 k5)
    assert by_key[str(waiting.pk)].due == date(2026, 12, 7) and by_key[str(waiting.pk)].state == State.SOON
    # a construction file: 3 months after the settlement, 03/01/2027 a Sunday → Monday 04/01/2027
    assert by_key[str(building.pk)].due == date(2027, 1, 4) and by_key[str(building.pk)].detail.startswith("Quyết toán")
    assert str(other_fonds.pk) in _keys(selectors.due_items(place.users["admin"], TODAY), Kind.AGENCY_TRANSFER)


def test_the_agency_deadline_is_past_when_the_year_ran_out(place, agency_archive) -> None:  # type: ignore[no-untyped-def]
    late = make_file(place.fonds_a, "05.VP", date(2025, 3, 2))
    (item,) = selectors.due_items(place.users["staff_a"], TODAY, kinds={Kind.AGENCY_TRANSFER})
    assert item.key == str(late.pk) and item.due == date(2026, 3, 2) and item.state == State.OVERDUE
    later = selectors.due_items(place.users["staff_a"], TODAY, kinds={Kind.AGENCY_TRANSFER}, states={State.SOON})
    assert later == []  # the board's default filters keep the overdue ones; this asks only for coming ones


def test_a_historical_archive_follows_no_agency_deadline(place, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_ARCHIVE_ROLE = "lich_su"
    make_file(place.fonds_a, "06.VP", date(2025, 12, 5))
    assert Kind.AGENCY_TRANSFER not in selectors.visible_kinds(place.users["admin"])


def test_recording_the_arrival_ends_the_agency_deadline(place, agency_archive) -> None:  # type: ignore[no-untyped-def]
    from khoso.archive.services import file_update

    waiting = make_file(place.fonds_a, "07.VP", date(2025, 12, 5))
    assert _keys(selectors.due_items(place.users["staff_a"], TODAY), Kind.AGENCY_TRANSFER) == {str(waiting.pk)}
    file_update(archive_file=waiting, archived_on=date(2026, 11, 19))
    assert _keys(selectors.due_items(place.users["staff_a"], TODAY), Kind.AGENCY_TRANSFER) == set()


# -- nộp lưu vào lưu trữ lịch sử ----------------------------------------------------------------------------


def test_staff_see_the_transfers_of_their_own_fonds_only(place, agency_archive) -> None:  # type: ignore[no-untyped-def]
    in_a = make_file(place.fonds_a, "01.TH", date(2023, 11, 30))
    in_b = make_file(place.fonds_b, "02.TH", date(2023, 11, 30))
    users = place.users
    assert _keys(selectors.due_items(users["staff_a"], TODAY), Kind.HISTORICAL_TRANSFER) == {str(in_a.pk)}
    assert _keys(selectors.due_items(users["staff_b"], TODAY), Kind.HISTORICAL_TRANSFER) == {str(in_b.pk)}
    assert _keys(selectors.due_items(users["admin"], TODAY), Kind.HISTORICAL_TRANSFER) == {str(in_a.pk), str(in_b.pk)}
    assert selectors.due_items(users["plain"], TODAY) == []  # may read fonds A, does not keep it
    (item,) = selectors.due_items(users["staff_a"], TODAY, kinds={Kind.HISTORICAL_TRANSFER})
    assert item.due == date(2026, 11, 30) and item.state == State.SOON  # within the 180-day window
    assert item.url == reverse("file_detail", args=[in_a.file_code]) and item.fonds_id == place.fonds_a.pk


def test_only_permanent_files_not_yet_sent_are_due(place, agency_archive) -> None:  # type: ignore[no-untyped-def]
    from khoso.packages.models import PackageRecord

    due = make_file(place.fonds_a, "01.TH", date(2022, 3, 1))
    make_file(place.fonds_a, "02.TH", date(2022, 3, 1), maintenance="06")  # 10 years: stays in the agency
    sent = make_file(place.fonds_a, "03.TH", date(2022, 3, 1))
    PackageRecord.objects.create(
        direction=PackageRecord.Direction.EXPORT, package_type="SIP_hoso", objid="x-1", fonds=place.fonds_a,
        archive_file=sent,
    )  # fmt: skip
    dip_only = make_file(place.fonds_a, "04.TH", date(2022, 3, 1))
    PackageRecord.objects.create(
        direction=PackageRecord.Direction.EXPORT,
        package_type="DIP",
        objid="x-2",
        fonds=place.fonds_a,
        archive_file=dip_only,
    )  # fmt: skip  (a copy for a reader is no transfer)
    gone = make_file(place.fonds_a, "05.TH", date(2022, 3, 1))
    ArchiveFile.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    items = selectors.due_items(place.users["staff_a"], TODAY, kinds={Kind.HISTORICAL_TRANSFER})
    assert {item.key for item in items} == {str(due.pk), str(dip_only.pk)}
    assert all(item.state == State.OVERDUE and item.due == date(2025, 3, 3) for item in items)  # 01/03/2025: Sat


def test_secret_files_stay_hidden_from_staff_without_the_right(place, agency_archive) -> None:  # type: ignore[no-untyped-def]
    secret = make_file(place.fonds_a, "01.MAT", date(2022, 3, 1), mode="03")
    assert selectors.due_items(place.users["staff_a"], TODAY, kinds={Kind.HISTORICAL_TRANSFER}) == []
    assert _keys(selectors.due_items(place.users["admin"], TODAY), Kind.HISTORICAL_TRANSFER) == {str(secret.pk)}


def test_a_historical_archive_has_no_transfer_deadlines(place, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_ARCHIVE_ROLE = "lich_su"
    make_file(place.fonds_a, "01.TH", date(2020, 3, 1))
    assert Kind.HISTORICAL_TRANSFER not in selectors.visible_kinds(place.users["admin"])
    assert selectors.due_items(place.users["staff_a"], TODAY, kinds={Kind.HISTORICAL_TRANSFER}) == []


def test_the_ok_filter_reads_only_files_within_the_window(place, agency_archive) -> None:  # type: ignore[no-untyped-def]
    soon = make_file(place.fonds_a, "01.TH", date(2024, 2, 10))  # due 12/02/2027 (after Tết): 84 days ahead
    later = make_file(place.fonds_a, "02.TH", date(2025, 6, 1))  # due 01/06/2028
    near = selectors.due_items(place.users["staff_a"], TODAY, states={State.SOON, State.OVERDUE})
    everything = selectors.due_items(place.users["staff_a"], TODAY)
    assert _keys(near, Kind.HISTORICAL_TRANSFER) == {str(soon.pk)}
    assert _keys(everything, Kind.HISTORICAL_TRANSFER) == {str(soon.pk), str(later.pk)}


# -- readers never see staff items; reader requests follow the request's fonds ------------------------------


def test_a_reader_sees_nothing(place, agency_archive, settings) -> None:  # type: ignore[no-untyped-def]
    archive_file = make_file(place.fonds_a, "01.TH", date(2020, 3, 1))
    make_request(archive_file, TODAY - timedelta(days=1))
    StorageMedium.objects.create(name="Ổ NAS 1", in_service_since=date(2020, 1, 1))
    reader = place.users["reader"]
    assert selectors.visible_kinds(reader) == set()
    assert selectors.due_items(reader, TODAY) == []
    assert not selectors.may_see_board(reader) and not selectors.may_see_board(None)


def test_reader_requests_are_seen_by_the_reading_room_of_their_fonds(place) -> None:  # type: ignore[no-untyped-def]
    file_a = make_file(place.fonds_a, "01.TH", date(2020, 3, 1))
    file_b = make_file(place.fonds_b, "01.TH", date(2020, 3, 1))
    late = make_request(file_a, date(2026, 11, 19), number=1)
    tomorrow = make_request(file_a, date(2026, 11, 23), number=2)  # Friday 20/11 → Monday 23/11: 1 working day
    later = make_request(file_a, date(2026, 11, 25), number=3)
    make_request(file_a, date(2026, 11, 1), number=4, status="da_giao")  # answered: no deadline left
    other = make_request(file_b, date(2026, 11, 19), number=5)
    items = selectors.due_items(place.users["staff_a"], TODAY, kinds={Kind.READER_REQUEST})
    assert [(item.key, item.state) for item in items] == [
        (str(late.pk), State.OVERDUE),
        (str(tomorrow.pk), State.SOON),
        (str(later.pk), State.OK),
    ]
    assert items[0].url == reverse("reader_request_review", args=[late.pk])
    assert _keys(selectors.due_items(place.users["staff_b"], TODAY), Kind.READER_REQUEST) == {str(other.pk)}
    assert selectors.due_items(place.users["keeper"], TODAY, kinds={Kind.READER_REQUEST}) == []  # not the right


def test_staff_without_any_deadline_right_are_refused_the_board(place) -> None:  # type: ignore[no-untyped-def]
    assert selectors.visible_kinds(place.users["plain"]) == set()  # a fonds grant alone, in a historical archive
    assert selectors.visible_kinds(place.users["keeper"]) == {Kind.REPLICAS, Kind.FIXITY, Kind.MEDIA_MIGRATION}
    assert selectors.visible_kinds(place.users["viewer"]) == {Kind.ANNUAL_REPORT}
    assert selectors.visible_kinds(place.users["backup"]) == {Kind.BACKUP}


# -- the annual report ----------------------------------------------------------------------------------------


def test_the_annual_report_is_due_until_recorded_as_sent(place) -> None:  # type: ignore[no-untyped-def]
    viewer = place.users["viewer"]
    (item,) = selectors.due_items(viewer, TODAY)
    assert (item.kind, item.key, item.due, item.state) == (Kind.ANNUAL_REPORT, "2026", date(2026, 12, 14), State.SOON)
    assert selectors.due_items(viewer, date(2026, 10, 1))[0].state == State.OK
    assert selectors.due_items(viewer, date(2026, 12, 15))[0].state == State.OVERDUE
    ReportSubmission.objects.create(year=2026, submitted_on=date(2026, 12, 10), recorded_by=place.users["reporter"])
    assert selectors.due_items(viewer, TODAY) == []
    assert selectors.due_items(place.users["staff_a"], TODAY, kinds={Kind.ANNUAL_REPORT}) == []


def test_warning_windows_come_from_the_setting(place, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_DEADLINE_WARNING_DAYS = ["bao_cao_nam=10"]
    assert selectors.due_items(place.users["viewer"], TODAY)[0].state == State.OK  # 24 days ahead
    assert selectors.due_items(place.users["viewer"], date(2026, 12, 4))[0].state == State.SOON


# -- preservation ---------------------------------------------------------------------------------------------


def _object(name: str, stored: date):  # type: ignore[no-untyped-def]
    from khoso.storage.models import StoredObject

    digest = hashlib.sha256(name.encode()).hexdigest()
    stored_object = StoredObject.objects.create(sha256=digest, size=10, mime="image/jpeg")
    StoredObject.objects.filter(pk=digest).update(created_at=at(stored))
    return stored_object


def _locations():  # type: ignore[no-untyped-def]
    from khoso.preservation.models import StorageLocation

    return [StorageLocation.objects.create(name=name, path=f"/srv/{name}") for name in ("kho-1", "kho-2")]


def test_objects_short_of_copies_are_due_since_the_oldest_was_stored(place, settings) -> None:  # type: ignore[no-untyped-def]
    from khoso.preservation.models import Replica

    settings.KHOSO_MIN_COPIES = 2
    first, second = _locations()
    old = _object("cu", date(2026, 11, 2))
    _object("moi", date(2026, 11, 18))
    whole = _object("du", date(2026, 10, 1))
    for location in (first, second):
        Replica.objects.create(stored_object=whole, location=location, state=Replica.State.VERIFIED)
    Replica.objects.create(stored_object=old, location=first, state=Replica.State.VERIFIED)
    Replica.objects.create(stored_object=old, location=second, state=Replica.State.PENDING)  # not yet a copy
    (item,) = selectors.due_items(place.users["keeper"], TODAY, kinds={Kind.REPLICAS})
    assert item.title.startswith("2 đối tượng số chưa đủ 2 bản sao")
    assert item.due == date(2026, 11, 2) and item.state == State.OVERDUE
    assert item.url == reverse("preservation_dashboard")
    assert selectors.due_items(place.users["staff_a"], TODAY, kinds={Kind.REPLICAS}) == []


def test_an_object_stored_a_moment_ago_is_not_yet_a_shortfall(place) -> None:  # type: ignore[no-untyped-def]
    from khoso.storage.models import StoredObject

    StoredObject.objects.create(sha256="a" * 64, size=1, mime="image/jpeg")
    assert selectors.due_items(place.users["keeper"], timezone.localdate(), kinds={Kind.REPLICAS}) == []


def test_the_fixity_pass_is_due_when_the_least_recently_checked_object_reaches_the_window(place, settings) -> None:  # type: ignore[no-untyped-def]
    from khoso.preservation.models import Replica

    settings.KHOSO_FIXITY_FULL_PASS_DAYS = 1095
    first, second = _locations()
    checked = _object("da-kiem-tra", date(2023, 1, 1))
    Replica.objects.create(stored_object=checked, location=first, last_checked_at=at(date(2023, 12, 1)))
    Replica.objects.create(stored_object=checked, location=second, last_checked_at=at(date(2024, 2, 1)))
    never = _object("chua-kiem-tra", date(2024, 1, 15))  # never checked: counted from when it was stored
    (item,) = selectors.due_items(place.users["keeper"], TODAY, kinds={Kind.FIXITY})
    assert item.due == date(2027, 1, 14) and item.state == State.OK  # 15/01/2024 + 1095 days
    assert "15/01/2024" in item.detail
    Replica.objects.create(stored_object=never, location=first, last_checked_at=at(date(2026, 11, 1)))
    (item,) = selectors.due_items(place.users["keeper"], TODAY, kinds={Kind.FIXITY})
    assert item.due == date(2027, 1, 31)  # now the other object's newest check, 01/02/2024, is the oldest
    settings.KHOSO_FIXITY_FULL_PASS_DAYS = 30
    (item,) = selectors.due_items(place.users["keeper"], TODAY, kinds={Kind.FIXITY})
    assert item.state == State.OVERDUE


def test_media_in_service_are_due_for_migration(place) -> None:  # type: ignore[no-untyped-def]
    tape = StorageMedium.objects.create(
        name="Băng LTO-7 số 3", kind=StorageMedium.Kind.TAPE, in_service_since=date(2024, 1, 10), rated_life_years=3
    )
    StorageMedium.objects.create(name="Ổ cũ", in_service_since=date(2015, 1, 1), retired_on=date(2019, 1, 1))
    disk = StorageMedium.objects.create(
        name="Ổ NAS 2", in_service_since=date(2023, 12, 1), last_migrated_on=date(2026, 2, 1)
    )
    items = selectors.due_items(place.users["keeper"], TODAY, kinds={Kind.MEDIA_MIGRATION})
    assert [(item.key, item.due, item.state) for item in items] == [
        (str(tape.pk), date(2026, 1, 10), State.OVERDUE),  # a year before its 3-year life ends
        (str(disk.pk), date(2029, 2, 1), State.OK),
    ]
    assert items[0].url == reverse("admin:deadlines_storagemedium_change", args=[tape.pk])


def test_backups_fall_due_from_the_log(place) -> None:  # type: ignore[no-untyped-def]
    from khoso.backup.models import BackupLog, Outcome

    backup = place.users["backup"]
    from khoso.archive.models import Fonds

    Fonds.objects.update(created_at=at(date(2026, 11, 2)))
    never = {item.key: item for item in selectors.due_items(backup, TODAY)}
    assert never["hang_ngay"].due == date(2026, 11, 2) and never["hang_ngay"].state == State.OVERDUE
    assert never["toan_bo_hang_thang"].detail == "Chưa sao lưu toàn bộ"

    def log(kind: str, day: date, outcome: str = Outcome.OK) -> None:
        BackupLog.objects.create(
            kind=kind, trigger="lich", target="/mnt/sao-luu", outcome=outcome, finished_at=at(day, 1)
        )

    log(BackupLog.Kind.FULL, date(2026, 11, 1))
    log(BackupLog.Kind.INCREMENTAL, date(2026, 11, 20))
    log(BackupLog.Kind.INCREMENTAL, date(2026, 11, 21), Outcome.FAILED)
    items = {item.key: item for item in selectors.due_items(backup, TODAY)}
    assert (items["hang_ngay"].due, items["hang_ngay"].state) == (date(2026, 11, 21), State.OK)
    assert (items["toan_bo_hang_thang"].due, items["toan_bo_hang_thang"].state) == (date(2026, 12, 1), State.OK)
    assert selectors.due_items(backup, date(2026, 11, 22))[0].state == State.OVERDUE


# -- the list as a whole --------------------------------------------------------------------------------------


def test_items_come_soonest_first_and_filter_by_kind_and_state(place, agency_archive) -> None:  # type: ignore[no-untyped-def]
    archive_file = make_file(place.fonds_a, "01.TH", date(2023, 12, 1))  # due 01/12/2026
    make_request(archive_file, date(2026, 11, 19))
    admin = place.users["admin"]
    items = selectors.due_items(admin, TODAY)
    assert [item.due for item in items] == sorted(item.due for item in items)
    assert {item.kind for item in items} >= {Kind.HISTORICAL_TRANSFER, Kind.READER_REQUEST, Kind.ANNUAL_REPORT}
    overdue = selectors.due_items(admin, TODAY, states={State.OVERDUE})
    assert overdue and all(item.state == State.OVERDUE for item in overdue)
    only_reports = selectors.due_items(admin, TODAY, kinds={Kind.ANNUAL_REPORT})
    assert [item.kind for item in only_reports] == [Kind.ANNUAL_REPORT]
    summary = selectors.summary(admin, TODAY, limit=2)
    assert summary.overdue == len(overdue) and len(summary.first) == 2
