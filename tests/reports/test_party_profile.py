"""Fonds statistics of a Party archive (seed 003, Hải Dương): its fonds by group of the Party fonds list
(QĐ 270-QĐ/TW), its documents by độ mật and by loại bản; a State archive's statistics are unchanged."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from khoso.access.models import FondsGrant
from khoso.archive.models import Fonds, Institution
from khoso.archive.profiles import PARTY
from khoso.archive.services import document_create, file_create, fonds_create
from khoso.core.printing import pdf_plain_text
from khoso.reports import selectors

pytestmark = pytest.mark.django_db

#: seed 003: the fonds of Lưu trữ lịch sử Tỉnh ủy Hải Dương → (name, group of the Party fonds list, metres)
HAI_DUONG = {
    "TU-HD-1": ("Phông Tỉnh ủy Hải Dương (1948 - 1967)", "02", "12.5"),
    "TU-HH": ("Phông Tỉnh ủy Hải Hưng (1968 - 1996)", "02", "30"),
    "TU-HD-2": ("Phông Tỉnh ủy Hải Dương (1997 - nay)", "02", "18"),
    "VP-TU": ("Phông Văn phòng Tỉnh ủy (2005 - nay)", "03", "6"),
    "HU-GL": ("Phông Huyện ủy Gia Lộc", "06", "4.5"),
    "MTTQ": ("Phông Ủy ban Mặt trận Tổ quốc tỉnh", "08", "3"),
}
#: fonds code → (secret class, copy type) of each of its documents
DOCUMENTS = {
    "TU-HD-1": [("", "goc"), ("mat", "chinh"), ("", "sao")],
    "TU-HH": [("toi_mat", "chinh"), ("", "chinh")],
    "TU-HD-2": [("", "thao")],
    "HU-GL": [("", "chinh"), ("", "sao_y")],
}


@pytest.fixture
def hai_duong(admin_user) -> dict[str, Fonds]:  # type: ignore[no-untyped-def]
    institution = Institution.objects.create(code="H23.LTTU", name="Lưu trữ lịch sử Tỉnh ủy Hải Dương", profile=PARTY)
    fonds = {
        code: fonds_create(
            institution=institution,
            code=code,
            name=name,
            party_group=group,
            paper_total=Decimal(metres),
            history="Theo Kế hoạch số hóa của Ban Thường vụ Tỉnh ủy.",
            archives_time="1948-2015",
            key_groups="Tài liệu tổ chức đảng",
            language="01",
        )
        for code, (name, group, metres) in HAI_DUONG.items()
    }
    for code, documents in DOCUMENTS.items():
        archive_file = file_create(
            fonds=fonds[code],
            file_catalog=1960,
            file_notation="01.VP",
            organ_id=f"A23.{code.replace('-', '')}",
            title=f"Hồ sơ nghị quyết của {fonds[code].name}",
            mode="01",
            language="01",
            start_date=date(1960, 1, 5),
            end_date=date(1960, 12, 20),
            description="Người lập hồ sơ: Văn phòng",
        )
        for secret_class, copy_type in documents:
            document_create(
                archive_file=archive_file,
                type_name="01",
                issued_date=date(1960, 6, 1),
                organ_name="Tỉnh ủy Hải Dương",
                subject="Nghị quyết về công tác xây dựng Đảng",
                number_of_page=3,
                mode="01",
                secret_class=secret_class,
                original_status=copy_type,
            )
    return fonds


@pytest.fixture
def state_fonds(admin_user) -> Fonds:  # type: ignore[no-untyped-def]
    institution = Institution.objects.create(code="H23.TTLT", name="Trung tâm Lưu trữ lịch sử tỉnh Hải Dương")
    return fonds_create(
        institution=institution,
        code="UBND-HD",
        name="Phông UBND tỉnh Hải Dương",
        paper_total=Decimal(50),
        history="x",
        archives_time="1997-2020",
        key_groups="Tổng hợp",
        language="01",
    )


def reporter(*fonds: Fonds) -> User:
    user = User.objects.create_user("bao-cao-dang", password="mat-khau-dai-12", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_dashboard"))
    for item in fonds:
        FondsGrant.objects.create(user=user, fonds=item)
    return User.objects.get(pk=user.pk)


def test_party_fonds_are_grouped_by_the_party_fonds_list(hai_duong, state_fonds, admin_user) -> None:  # type: ignore[no-untyped-def]
    statistics = selectors.fonds_statistics(user=admin_user)
    party = statistics.party
    assert party is not None
    assert [group.code for group in party.groups] == ["02", "03", "06", "08"]  # the list's order, empty groups left out
    provincial = party.groups[0]
    assert "cấp ủy cấp tỉnh" in provincial.label
    assert [f.code for f in provincial.fonds] == ["TU-HD-1", "TU-HD-2", "TU-HH"]
    assert provincial.totals.fonds == 3 and provincial.totals.metres == Decimal("60.5")
    assert provincial.totals.documents == 6
    assert state_fonds.code not in {f.code for group in party.groups for f in group.fonds}
    assert len(statistics.fonds) == 7  # the State fonds stays in the general list


def test_documents_are_counted_by_secret_class_and_copy_type(hai_duong, admin_user) -> None:  # type: ignore[no-untyped-def]
    party = selectors.fonds_statistics(user=admin_user).party
    assert party is not None
    provincial, office, district, front = party.groups
    assert provincial.by_secret_class == {"": 4, "mat": 1, "toi_mat": 1}
    assert provincial.by_copy_type == {"goc": 1, "chinh": 3, "sao": 1, "thao": 1}
    assert district.by_copy_type == {"chinh": 1, "sao_y": 1}
    assert office.by_secret_class == {} and front.by_copy_type == {}
    assert party.secret_by_fonds[hai_duong["TU-HH"].pk] == {"toi_mat": 1, "": 1}
    assert [code for code, _ in party.secret_classes] == ["tuyet_mat", "toi_mat", "mat", ""]
    assert party.copy_types[-1] == ("", "Chưa ghi loại bản")


def test_a_reporter_sees_only_the_groups_of_the_fonds_granted(hai_duong) -> None:  # type: ignore[no-untyped-def]
    party = selectors.fonds_statistics(user=reporter(hai_duong["HU-GL"])).party
    assert party is not None
    assert [(group.code, [f.code for f in group.fonds]) for group in party.groups] == [("06", ["HU-GL"])]


def test_a_state_archive_has_no_party_part(state_fonds, admin_user) -> None:  # type: ignore[no-untyped-def]
    statistics = selectors.fonds_statistics(user=admin_user)
    assert statistics.party is None
    client = Client()
    client.force_login(admin_user)
    book = load_workbook(io.BytesIO(client.get(reverse("reports_fonds_xlsx")).content))
    assert book.sheetnames == ["Thống kê phông", "Tổng hợp"]


def test_xlsx_and_pdf_hold_the_party_tables(hai_duong, admin_user) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(admin_user)
    book = load_workbook(io.BytesIO(client.get(reverse("reports_fonds_xlsx")).content))
    assert book.sheetnames == ["Thống kê phông", "Tổng hợp", "Theo nhóm phông", "Theo độ mật", "Theo loại bản"]

    groups = list(book["Theo nhóm phông"].iter_rows(min_row=4, values_only=True))
    assert groups[0][:3] == (
        "02 – Đại hội đảng bộ và cấp ủy cấp tỉnh (tỉnh ủy, thành ủy)",
        "TU-HD-1",
        "Phông Tỉnh ủy Hải Dương (1948 - 1967)",
    )
    subtotal = groups[3]
    assert subtotal[0].startswith("Cộng nhóm: 02") and subtotal[2] == "3 phông" and subtotal[3:6] == (60.5, 3, 6)

    secret = list(book["Theo độ mật"].iter_rows(min_row=3, values_only=True))
    assert secret[0] == ("Phông / nhóm phông", "Tuyệt mật", "Tối mật", "Mật", "Không mật", "Tổng")
    subtotal = next(row for row in secret if str(row[0]).startswith("Cộng nhóm: 02"))
    assert subtotal[1:] == (0, 1, 1, 4, 6)

    copies = list(book["Theo loại bản"].iter_rows(min_row=3, values_only=True))
    heading = copies[0]
    district = dict(zip(heading, next(row for row in copies if str(row[0]).startswith("Cộng nhóm: 06")), strict=True))
    assert (district["Bản chính"], district["Bản sao y"], district["Tổng"]) == (1, 1, 2)

    pdf = pdf_plain_text(client.get(reverse("reports_fonds_pdf")).content)
    for text in ("Phông Lưu trữ Đảng theo nhóm phông (QĐ 270-QĐ/TW)", "Tài liệu Lưu trữ Đảng theo độ mật"):
        assert text in pdf
    assert "Tài liệu Lưu trữ Đảng theo loại bản" in pdf and "Phông Huyện ủy Gia Lộc" in pdf
