"""The staff roles as data: one Django group per role, with the permissions the code checks for it.

A role says what kind of work a person does; which fonds they may see or edit stays in
``FondsGrant`` (deny by default), and who works on a digitization project stays in the project's
membership (``workflow.ProjectMember``). Who is in a role changes only through a four-eyes
``AccessChange`` (kind ``vai_tro``).

``ROLES`` is the minimum each role holds: ``sync_roles`` creates the missing groups and adds the
missing permissions (those whose app is installed), never removes one. It runs in a data migration
and after every ``migrate``, so a permission an app adds later reaches its roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Role:
    code: str
    name: str
    name_en: str
    permissions: tuple[str, ...]


ARCHIVE_VIEW = (
    "archive.view_fonds",
    "archive.view_inventory",
    "archive.view_box",
    "archive.view_archivefile",
    "archive.view_document",
    "archive.view_page",
)
ACCESS_DECISIONS = ("access.propose_access_change", "access.confirm_access_change", "access.view_accesschange")
READING_ROOM = (
    "readers.view_reader",
    "readers.change_reader",
    "readers.view_readerrequest",
    "readers.change_readerrequest",
)

ROLES: tuple[Role, ...] = (
    Role(
        "quan_tri_vien",
        "Quản trị viên",
        "Administrator",
        (
            *ARCHIVE_VIEW,
            *ACCESS_DECISIONS,
            "access.manage_grants",
            "access.add_filelock",
            "access.view_filelock",
            "access.view_fondsgrant",
            "access.view_restriction",
            "archive.add_fonds",
            "archive.change_fonds",
            "workflow.add_project",
            "preservation.manage_preservation",
            "backup.view_backuplog",
            "backup.add_insurancecopy",
            "reports.view_dashboard",
            "deadlines.add_reportsubmission",
        ),
    ),
    Role(
        "luu_tru_vien_phe_duyet",
        "Lưu trữ viên phê duyệt",
        "Approving archivist",
        (
            *ARCHIVE_VIEW,
            *ACCESS_DECISIONS,
            *READING_ROOM,
            "access.add_filelock",
            "access.view_filelock",
            "access.view_restriction",
            "workflow.add_project",
            "packages.receive_transfer",
            "reports.view_dashboard",
            "deadlines.add_reportsubmission",
        ),
    ),
    Role("bien_muc", "Biên mục", "Cataloguer", ARCHIVE_VIEW),
    Role("nhap_lieu", "Nhập liệu", "Data-entry operator", ARCHIVE_VIEW),
    Role("van_hanh_may_quet", "Vận hành máy quét", "Scanner operator", ARCHIVE_VIEW),
    Role("kiem_tra_chat_luong", "Kiểm tra chất lượng", "QC inspector", ARCHIVE_VIEW),
    Role("nha_thau", "Nhà thầu", "Contractor", ()),
    Role("doc_gia", "Độc giả", "Reader", ()),
    # the service account a provincial QLVB system pushes records with (NĐ 30/2020 PL VI); it still needs a
    # grant on the agency's fonds, and joining the role goes through four-eyes like every other role
    Role("he_thong_qlvb", "Hệ thống QLVB (tài khoản dịch vụ)", "QLVB system (service account)", ("qlvb.ingest",)),
)


def sync_roles(group_model: Any, permission_model: Any) -> None:
    """Create the role groups that are missing and add the permissions each lacks (never remove)."""
    for role in ROLES:
        group, _ = group_model.objects.get_or_create(name=role.name)
        wanted = [tuple(name.split(".", 1)) for name in role.permissions]
        have = set(group.permissions.values_list("content_type__app_label", "codename"))
        missing = [pair for pair in wanted if pair not in have]
        if not missing:
            continue
        found = [
            permission
            for permission in permission_model.objects.filter(
                codename__in={codename for _, codename in missing}
            ).select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in missing
        ]
        group.permissions.add(*found)


def role_names() -> list[str]:
    return [role.name for role in ROLES]
