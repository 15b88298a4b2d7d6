"""Four-eyes changes of access rights (NĐ 30/2020/NĐ-CP, Phụ lục VI): a change takes effect only when a
second authorised person confirms it, against the state the proposer saw."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User
from django.utils import timezone

from khoso.access import services
from khoso.access.errors import AccessChangeError, DirectAccessChangeError
from khoso.access.models import AccessChange, FondsGrant, Restriction
from khoso.access.selectors import pending_changes, portal_files, portal_scope, visible_fonds_ids
from khoso.archive.models import ArchiveFile, Document
from khoso.archive.services import document_update, file_update
from khoso.core.errors import PermissionDeniedError
from khoso.search.models import IndexChange

pytestmark = pytest.mark.django_db


def test_a_mode_change_waits_for_a_second_person(world) -> None:  # type: ignore[no-untyped-def]
    proposer, confirmer = world.users["proposer"], world.users["confirmer"]
    change = services.propose_file_access(
        archive_file=world.file, mode="03", reason="Có thông tin quân sự", by=proposer
    )
    assert ArchiveFile.objects.get(pk=world.file.pk).mode == "01"  # nothing yet
    assert change.before == {"mode": "01"} and change.after == {"mode": "03"}
    assert list(pending_changes(confirmer)) == [change]

    with pytest.raises(AccessChangeError, match="người thứ hai, khác người đề nghị"):
        services.confirm(change=change, by=proposer)
    assert ArchiveFile.objects.get(pk=world.file.pk).mode == "01"

    IndexChange.objects.all().delete()
    confirmed = services.confirm(change=change, by=confirmer, note="Đồng ý")
    assert ArchiveFile.objects.get(pk=world.file.pk).mode == "03"
    assert (confirmed.status, confirmed.decided_by, confirmed.decision_note) == ("xac_nhan", confirmer, "Đồng ý")
    assert confirmed.applied_at is not None and confirmed.decided_at is not None
    # the file's documents and pages are searched under the file's mode: the index follows
    assert IndexChange.objects.filter(file_id=world.file.pk, cascade=True).exists()
    with pytest.raises(AccessChangeError, match="đã được quyết định"):
        services.confirm(change=change, by=world.users["admin"])


def test_the_database_refuses_one_person_deciding_their_own_proposal(world) -> None:  # type: ignore[no-untyped-def]
    from django.db import IntegrityError, transaction

    change = services.propose_file_access(
        archive_file=world.file, mode="02", reason="Cần điều kiện", by=world.users["proposer"]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessChange.objects.filter(pk=change.pk).update(decided_by=world.users["proposer"])


def test_rejection_needs_a_note_and_changes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    change = services.propose_document_access(
        document=world.document, secret_class="mat", reason="Đóng dấu Mật", by=world.users["proposer"]
    )
    with pytest.raises(AccessChangeError, match="Lý do từ chối: bắt buộc"):
        services.reject(change=change, by=world.users["confirmer"], note="  ")
    rejected = services.reject(change=change, by=world.users["confirmer"], note="Không có căn cứ xác định độ mật")
    assert rejected.status == "tu_choi"
    assert Document.objects.get(pk=world.document.pk).secret_class == ""


def test_direct_writes_of_mode_or_secret_class_are_refused(world, new_document) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DirectAccessChangeError, match="Chế độ sử dụng của hồ sơ .* chỉ thay đổi qua đề nghị"):
        file_update(archive_file=world.file, mode="03")
    with pytest.raises(DirectAccessChangeError, match="Độ mật của tài liệu"):
        document_update(document=world.document, secret_class="toi_mat")
    with pytest.raises(DirectAccessChangeError, match="Phụ lục VI"):
        document_update(document=world.document, mode="02")
    # other fields, and the same mode written again, are ordinary edits
    file_update(archive_file=world.file, title="Hồ sơ quy hoạch (sửa)", mode="01")
    # a stray change object (not the one being confirmed) opens nothing
    change = services.propose_file_access(archive_file=world.file, mode="03", reason="Mật", by=world.users["proposer"])
    with pytest.raises(DirectAccessChangeError):
        file_update(archive_file=world.file, mode="03", access_change=change)
    # creating a document with an initial mode and secret class is fine; the class is checked
    secret = new_document(world.file, "Công văn mật", mode="03", secret_class="tuyet_mat")
    assert (secret.mode, secret.secret_class) == ("03", "tuyet_mat")
    with pytest.raises(Exception, match="«tuyet-mat» không có trong danh mục secretClass"):
        new_document(world.file, "Công văn", secret_class="tuyet-mat")


def test_a_target_changed_since_the_proposal_is_not_confirmed(world) -> None:  # type: ignore[no-untyped-def]
    proposer, confirmer, admin, admin2 = (world.users[k] for k in ("proposer", "confirmer", "admin", "admin2"))
    first = services.propose_grant(
        user=world.users["cataloguer"], fonds=world.fonds, granted=False, can_edit=False, reason="Nghỉ việc", by=admin
    )
    FondsGrant.objects.filter(user=world.users["cataloguer"]).update(can_edit=False)  # changed meanwhile
    with pytest.raises(AccessChangeError, match="đối tượng đã thay đổi sau khi đề nghị"):
        services.confirm(change=first, by=admin2)
    assert AccessChange.objects.get(pk=first.pk).status == "cho"
    # one pending change per target: a second proposal waits for the first to be decided
    services.propose_file_access(archive_file=world.file, mode="02", reason="a", by=proposer)
    with pytest.raises(AccessChangeError, match="đã có một đề nghị đang chờ"):
        services.propose_file_access(archive_file=world.file, mode="03", reason="b", by=confirmer)
    with pytest.raises(AccessChangeError, match="không thay đổi gì"):
        services.propose_document_access(document=world.document, mode="01", reason="c", by=proposer)


def test_only_authorised_people_who_see_the_material_propose_and_decide(world) -> None:  # type: ignore[no-untyped-def]
    cataloguer, outsider = world.users["cataloguer"], world.users["outsider"]
    for nobody in (cataloguer, outsider, AnonymousUser()):
        with pytest.raises(PermissionDeniedError):
            services.propose_file_access(archive_file=world.file, mode="02", reason="x", by=nobody)
    change = services.propose_file_access(archive_file=world.file, mode="02", reason="x", by=world.users["proposer"])
    for nobody in (cataloguer, outsider):
        with pytest.raises(PermissionDeniedError):
            services.confirm(change=change, by=nobody)
    assert not pending_changes(outsider).exists()
    # secret material is decided only by people allowed to see it
    services.confirm(change=change, by=world.users["confirmer"])
    secret = services.propose_file_access(archive_file=world.file, mode="03", reason="y", by=world.users["proposer"])
    services.confirm(change=secret, by=world.users["confirmer"])
    with pytest.raises(PermissionDeniedError):
        services.propose_file_access(archive_file=world.file, mode="01", reason="z", by=world.users["proposer"])


def test_secret_class_change_applies_and_reindexes(world) -> None:  # type: ignore[no-untyped-def]
    change = services.propose_document_access(
        document=world.document, secret_class="toi_mat", reason="Tối mật theo QĐ", by=world.users["proposer"]
    )
    IndexChange.objects.all().delete()
    services.confirm(change=change, by=world.users["confirmer"])
    assert Document.objects.get(pk=world.document.pk).secret_class == "toi_mat"
    assert IndexChange.objects.filter(document_id=world.document.pk, cascade=True).exists()


def test_restricted_list_entries_are_four_eyes_and_ending_early_opens_today(world) -> None:  # type: ignore[no-untyped-def]
    proposer, confirmer = world.users["proposer"], world.users["confirmer"]
    today = timezone.localdate()
    add = services.propose_restriction_add(
        fonds=world.fonds,
        archive_file=world.file,
        reason="Liên quan đời tư cá nhân",
        start_date=today - timedelta(days=10),
        end_date=today + timedelta(days=365),
        by=proposer,
    )
    assert not Restriction.objects.exists()
    assert set(portal_files(portal_scope(None)).filter(fonds=world.fonds)) == {world.file}
    services.confirm(change=add, by=confirmer)
    restriction = Restriction.objects.get()
    assert (restriction.file, restriction.reason, restriction.created_by) == (
        world.file,
        "Liên quan đời tư cá nhân",
        proposer,
    )
    assert not portal_files(portal_scope(None)).filter(fonds=world.fonds).exists()

    with pytest.raises(AccessChangeError, match="phải sau hoặc bằng ngày bắt đầu"):
        services.propose_restriction_change(
            restriction=restriction, start_date=today, end_date=today - timedelta(days=1), reason="x", by=proposer
        )
    longer = services.propose_restriction_change(
        restriction=restriction,
        start_date=restriction.start_date,
        end_date=today + timedelta(days=700),
        reason="Gia hạn",
        by=proposer,
    )
    services.confirm(change=longer, by=confirmer)
    assert Restriction.objects.get().end_date == today + timedelta(days=700)

    end = services.propose_restriction_end(restriction=restriction, reason="Đương sự đồng ý công bố", by=proposer)
    assert not portal_files(portal_scope(None)).filter(fonds=world.fonds).exists()
    services.confirm(change=end, by=confirmer)
    assert Restriction.objects.get().end_date == today - timedelta(days=1)  # kept on record, no longer in force
    assert set(portal_files(portal_scope(None)).filter(fonds=world.fonds)) == {world.file}


def test_ending_an_entry_that_has_not_begun_removes_it(world) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    add = services.propose_restriction_add(
        fonds=world.fonds, reason="Chỉnh lý", start_date=today + timedelta(days=5), by=world.users["proposer"]
    )
    services.confirm(change=add, by=world.users["confirmer"])
    end = services.propose_restriction_end(
        restriction=Restriction.objects.get(), reason="Không cần", by=world.users["proposer"]
    )
    services.confirm(change=end, by=world.users["confirmer"])
    assert not Restriction.objects.exists()
    assert AccessChange.objects.get(pk=end.pk).status == "xac_nhan"


def test_grants_and_roles_change_through_two_administrators(world) -> None:  # type: ignore[no-untyped-def]
    admin, admin2 = world.users["admin"], world.users["admin2"]
    newcomer = User.objects.create_user("nguoi-moi", is_staff=True)
    approver = Group.objects.get(name="Lưu trữ viên phê duyệt")
    # an approving archivist may propose mode changes, not people's rights
    with pytest.raises(PermissionDeniedError):
        services.propose_role(user=newcomer, group=approver, member=True, reason="x", by=world.users["proposer"])
    role = services.propose_role(user=newcomer, group=approver, member=True, reason="Bổ nhiệm", by=admin)
    grant = services.propose_grant(
        user=newcomer, fonds=world.fonds, granted=True, can_edit=False, reason="Phân công", by=admin
    )
    assert visible_fonds_ids(newcomer) == set()
    with pytest.raises(PermissionDeniedError):  # confirming people's rights needs the right to manage them
        services.confirm(change=grant, by=world.users["confirmer"])
    services.confirm(change=role, by=admin2)
    services.confirm(change=grant, by=admin2)
    newcomer = User.objects.get(pk=newcomer.pk)
    assert newcomer.has_perm("access.confirm_access_change")
    assert visible_fonds_ids(newcomer) == {world.fonds.pk}
    # nobody decides a change of their own rights, even proposed by someone else
    own = services.propose_grant(user=admin2, fonds=world.fonds, granted=False, can_edit=False, reason="x", by=admin)
    with pytest.raises(AccessChangeError, match="chính mình"):
        services.confirm(change=own, by=admin2)


def test_the_entry_pass_proposes_a_different_mode_instead_of_writing_it(world) -> None:  # type: ignore[no-untyped-def]
    checker = User.objects.create_user("kiem-tra")
    change = services.propose_from_entry(target=world.document, mode="02", by=checker, reason="Theo phiếu tin")
    assert change is not None and change.after == {"mode": "02", "secret_class": ""}
    assert Document.objects.get(pk=world.document.pk).mode == "01"
    assert services.propose_from_entry(target=world.document, mode="03", by=checker, reason="lại") is None
    services.confirm(change=change, by=world.users["confirmer"])
    assert Document.objects.get(pk=world.document.pk).mode == "02"
