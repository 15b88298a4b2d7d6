"""Locked sets of files (NĐ 30/2020/NĐ-CP, Phụ lục VI): no edit, move or delete until a second person
confirms the unlock."""

from __future__ import annotations

import pytest

from khoso.access import services
from khoso.access.errors import LockedError
from khoso.access.models import FileLock
from khoso.archive.models import ArchiveFile, Box
from khoso.archive.services import document_delete, document_update, file_delete, file_update
from khoso.core.errors import PermissionDeniedError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("scope", ["phong", "muc_luc", "hop", "ho_so"])
def test_every_kind_of_set_holds_its_files_still(world, new_document, scope: str) -> None:  # type: ignore[no-untyped-def]
    lock = services.lock_files(
        fonds=world.fonds,
        scope=scope,
        inventory=world.inventory,
        box=world.box,
        files=[world.file],
        reason="Đang thanh tra",
        by=world.users["proposer"],
    )
    refusals = [
        lambda: file_update(archive_file=world.file, title="Tiêu đề khác"),
        lambda: document_update(document=world.document, subject="Trích yếu khác"),
        lambda: new_document(world.file, "Tài liệu bổ sung"),
        lambda: document_delete(document=world.document, reason="Nhập trùng"),
        lambda: file_delete(archive_file=world.file, reason="Nhập trùng"),
        lambda: file_update(archive_file=world.file, box=None),  # a move out of its box
    ]
    for refused in refusals:
        with pytest.raises(LockedError) as caught:
            refused()
        assert f"Hồ sơ {world.file.file_code} đang bị khóa (khóa số {lock.pk}" in caught.value.message
        assert "Đang thanh tra" in caught.value.message and "không được sửa, di chuyển hoặc xóa" in caught.value.message
    fresh = ArchiveFile.objects.get(pk=world.file.pk)
    assert (fresh.title, fresh.deleted_at, fresh.box_id) == (world.file.title, None, world.box.pk)
    file_update(archive_file=world.other_file, title="Hồ sơ y tế (sửa)")  # other fonds: free


def test_a_file_may_not_move_into_a_locked_box(world, new_file) -> None:  # type: ignore[no-untyped-def]
    services.lock_files(fonds=world.fonds, scope="hop", box=world.box, reason="Kiểm kê", by=world.users["proposer"])
    loose = new_file(world.fonds, "02.TH")
    with pytest.raises(LockedError):
        file_update(archive_file=loose, box=world.box)
    other_box = Box.objects.create(fonds=world.fonds, stack="K1", shelf="G2", number="16")
    assert file_update(archive_file=loose, box=other_box).box == other_box


def test_unlocking_is_four_eyes(world) -> None:  # type: ignore[no-untyped-def]
    proposer, confirmer = world.users["proposer"], world.users["confirmer"]
    lock = services.lock_files(fonds=world.fonds, scope="ho_so", files=[world.file], reason="Thu hồi", by=proposer)
    change = services.propose_unlock(lock=lock, reason="Đã xong thanh tra", by=proposer)
    with pytest.raises(LockedError):
        file_update(archive_file=world.file, title="Chưa được")
    with pytest.raises(Exception, match="người thứ hai"):
        services.confirm(change=change, by=proposer)
    services.confirm(change=change, by=confirmer)
    assert FileLock.objects.get(pk=lock.pk).released_at is not None
    assert file_update(archive_file=world.file, title="Đã mở khóa").title == "Đã mở khóa"


def test_an_access_change_still_reaches_a_locked_file(world) -> None:  # type: ignore[no-untyped-def]
    """A lock holds content and arrangement still; the access regime has its own four-eyes rule."""
    services.lock_files(fonds=world.fonds, scope="phong", reason="Đóng băng", by=world.users["proposer"])
    change = services.propose_file_access(
        archive_file=world.file, mode="02", reason="Hạn chế", by=world.users["proposer"]
    )
    services.confirm(change=change, by=world.users["confirmer"])
    assert ArchiveFile.objects.get(pk=world.file.pk).mode == "02"


def test_locking_needs_the_right_and_the_fonds(world) -> None:  # type: ignore[no-untyped-def]
    for nobody in (world.users["cataloguer"], world.users["outsider"]):
        with pytest.raises(PermissionDeniedError):
            services.lock_files(fonds=world.fonds, scope="phong", reason="x", by=nobody)
    with pytest.raises(Exception, match="không thuộc phông"):
        services.lock_files(
            fonds=world.fonds, scope="ho_so", files=[world.other_file], reason="x", by=world.users["admin"]
        )
