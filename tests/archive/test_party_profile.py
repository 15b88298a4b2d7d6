"""The Party-archive profile (HD 40-HD/VPTW, fonds per QĐ 270-QĐ/TW): chosen per institution, its fonds
tied to the Party fonds list, its documents' extra fields validated by the archive services and searched."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User

from khoso.access.selectors import PortalScope, RestrictedSet, effective_mode
from khoso.archive import selectors as archive_selectors
from khoso.archive.admin import FondsForm, InstitutionForm
from khoso.archive.models import Fonds, Institution, Vocabulary
from khoso.archive.profiles import PARTY, STATE, ProfileRuleError
from khoso.archive.services import (
    document_create,
    document_update,
    file_create,
    fonds_create,
    fonds_set_party_group,
    institution_set_profile,
)
from khoso.core.errors import ValidationError
from khoso.search.selectors import CatalogueQuery, catalogue_search

pytestmark = pytest.mark.django_db

FONDS: dict[str, Any] = dict(
    history="Thành lập năm 1997 khi tái lập tỉnh.",
    archives_time="1997-2015",
    paper_total=40,
    key_groups="Tài liệu tổng hợp; tài liệu tổ chức đảng",
    language="01",
)
ANYONE = PortalScope(frozenset({"01"}), frozenset({"01"}), RestrictedSet())


def party_institution() -> Institution:
    return Institution.objects.create(code="H23.LTTU", name="Lưu trữ lịch sử Tỉnh ủy Hải Dương", profile=PARTY)


def party_fonds(institution: Institution, code: str = "TU-HD", group: str = "02") -> Fonds:
    return fonds_create(
        institution=institution,
        code=code,
        name="Phông Tỉnh ủy Hải Dương (1997 - nay)",
        organ_id="000.00.00.A23",
        party_group=group,
        **FONDS,
    )


def party_file(fonds: Fonds) -> Any:
    return file_create(
        fonds=fonds,
        file_catalog=2021,
        file_notation="01.KH",
        title="Hồ sơ kế hoạch số hóa tài liệu năm 2021",
        mode="01",
        language="01",
        start_date=date(2021, 3, 26),
        end_date=date(2021, 12, 30),
        description="Người lập hồ sơ: Văn phòng Tỉnh ủy",
    )


def document_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = dict(
        type_name="10",
        code_number="02",
        code_notation="KH/TU",
        issued_date=date(2021, 3, 26),
        organ_name="Ban Thường vụ Tỉnh ủy Hải Dương",
        subject="Kế hoạch số hóa tài liệu tại Lưu trữ lịch sử Tỉnh ủy",
        number_of_page=6,
        mode="01",
        signer="Lê Văn Hiệu",
        original_status="chinh",
        number_of_files=2,
        topic="Công tác văn thư, lưu trữ",
    )
    fields.update(overrides)
    return fields


def test_the_party_fonds_list_and_copy_types_are_data() -> None:
    groups = dict(Vocabulary.objects.filter(kind="partyFonds").values_list("code", "label_vi"))
    assert len(groups) == 9
    assert "huyện ủy" in groups["06"] and "Mặt trận Tổ quốc" in groups["08"]
    assert Vocabulary.objects.get(kind="originalStatus", code="sao").label_vi.startswith("Bản sao")


def test_a_party_fonds_belongs_to_a_group_of_the_list(institution) -> None:  # type: ignore[no-untyped-def]
    party = party_institution()
    with pytest.raises(ProfileRuleError) as missing:
        party_fonds(party, group="")
    assert "Nhóm phông Lưu trữ Đảng: bắt buộc" in missing.value.message
    assert "QĐ 270-QĐ/TW" in missing.value.message and "Party fonds list" in missing.value.message_english
    with pytest.raises(ProfileRuleError, match="mã «99» không có trong danh mục"):
        party_fonds(party, group="99")
    assert not Fonds.objects.filter(institution=party).exists()
    assert party_fonds(party).party_group == "02"
    # a State archive's fonds needs no group, as before
    state = fonds_create(institution=institution, code="UBND-DL", name="Phông UBND tỉnh", **FONDS)
    assert state.party_group == ""


def test_an_institution_becomes_a_party_archive_once_its_fonds_are_grouped(institution) -> None:  # type: ignore[no-untyped-def]
    assert institution.profile == STATE
    first = fonds_create(institution=institution, code="HU-GL", name="Phông Huyện ủy Gia Lộc", **FONDS)
    second = fonds_create(institution=institution, code="DU-KCN", name="Phông Đảng ủy Khối", **FONDS)
    fonds_set_party_group(fonds=first, party_group="06")

    with pytest.raises(ProfileRuleError) as refused:
        institution_set_profile(institution=institution, profile=PARTY)
    assert "DU-KCN" in refused.value.message and "HU-GL" not in refused.value.message
    institution.refresh_from_db()
    assert institution.profile == STATE

    fonds_set_party_group(fonds=second, party_group="06")
    institution_set_profile(institution=institution, profile=PARTY)
    institution.refresh_from_db()
    assert institution.profile == PARTY
    with pytest.raises(ProfileRuleError):
        fonds_set_party_group(fonds=second, party_group="")  # a Party archive's fonds keeps its group
    with pytest.raises(ValidationError, match="không hợp lệ"):
        institution_set_profile(institution=institution, profile="khac")


def test_the_admin_applies_the_same_rules(institution) -> None:  # type: ignore[no-untyped-def]
    fonds_create(institution=institution, code="HU-GL", name="Phông Huyện ủy Gia Lộc", **FONDS)
    form = InstitutionForm(
        data={"code": institution.code, "name": institution.name, "profile": PARTY}, instance=institution
    )
    assert not form.is_valid()
    assert "HU-GL" in str(form.errors)

    party = party_institution()
    data = {"institution": party.pk, "code": "BTG", "name": "Phông Ban Tuyên giáo", "status": "mo", **FONDS}
    assert "party_group" in FondsForm(data=data).errors
    assert FondsForm(data={**data, "party_group": "04"}).is_valid()


def test_party_document_fields_are_stored_and_checked() -> None:
    archive_file = party_file(party_fonds(party_institution()))
    document = document_create(archive_file=archive_file, **document_fields())
    document.refresh_from_db()
    assert (document.signer, document.original_status, document.number_of_files, document.topic) == (
        "Lê Văn Hiệu",
        "chinh",
        2,
        "Công tác văn thư, lưu trữ",
    )

    with pytest.raises(ProfileRuleError) as missing:
        document_create(archive_file=archive_file, **document_fields(original_status=""))
    assert "Loại bản: bắt buộc với tài liệu Lưu trữ Đảng (HD 40-HD/VPTW)" in missing.value.message
    assert "Copy type is required" in missing.value.message_english
    with pytest.raises(ValidationError, match="Độ gốc"):
        document_create(archive_file=archive_file, **document_fields(original_status="photo"))
    with pytest.raises(ValidationError, match="Độ mật"):
        document_create(archive_file=archive_file, **document_fields(secret_class="rat_mat"))
    with pytest.raises(ValidationError, match="Người ký"):
        document_create(archive_file=archive_file, **document_fields(signer="x" * 101))
    with pytest.raises(ValidationError, match="Chuyên đề"):
        document_create(archive_file=archive_file, **document_fields(topic="x" * 201))
    with pytest.raises(ValidationError, match="Số lượng tệp"):
        document_create(archive_file=archive_file, **document_fields(number_of_files=10_000))
    assert archive_file.documents.count() == 1


def test_a_state_document_needs_none_of_the_party_fields(archive_file) -> None:  # type: ignore[no-untyped-def]
    party_only = {"signer": "", "original_status": "", "number_of_files": None, "topic": ""}
    document = document_create(archive_file=archive_file, **document_fields(**party_only))
    assert document.original_status == "" and document.signer == ""
    document_update(document=document, subject="Kế hoạch đã sửa")


def test_a_required_party_field_is_not_emptied_but_old_records_stay_editable(institution) -> None:  # type: ignore[no-untyped-def]
    fonds = fonds_create(institution=institution, code="TU-HD", name="Phông Tỉnh ủy", party_group="02", **FONDS)
    archive_file = party_file(fonds)
    old = document_create(archive_file=archive_file, **document_fields(original_status=""))  # State rules then
    institution_set_profile(institution=institution, profile=PARTY)
    old.refresh_from_db()

    document_update(document=old, signer="Nguyễn Văn A")  # Loại bản not touched: still editable
    with pytest.raises(ProfileRuleError, match="Loại bản"):
        document_update(document=old, signer="Nguyễn Văn B", original_status="")
    document_update(document=old, original_status="sao_y")
    old.refresh_from_db()
    assert (old.signer, old.original_status) == ("Nguyễn Văn A", "sao_y")


def test_a_secret_class_still_makes_a_party_document_mode_03() -> None:
    archive_file = party_file(party_fonds(party_institution()))
    secret = document_create(archive_file=archive_file, **document_fields(secret_class="mat", signer="Trần Văn Mật"))
    assert effective_mode(archive_file.mode, secret.mode, secret.secret_class) == "03"
    assert catalogue_search(scope=ANYONE, query=CatalogueQuery(text="tran van mat")).total == 0


def test_signer_and_topic_are_searched_with_and_without_diacritics() -> None:
    archive_file = party_file(party_fonds(party_institution()))
    document = document_create(archive_file=archive_file, **document_fields())
    document_create(
        archive_file=archive_file,
        **document_fields(signer="Phạm Xuân Thăng", topic="Kinh tế", subject="Báo cáo kinh tế", type_name="14"),
    )

    for text in ("Lê Văn Hiệu", "le van hieu", "cong tac van thu luu tru"):
        hits = catalogue_search(scope=ANYONE, query=CatalogueQuery(text=text, kinds=frozenset({"document"}))).hits
        assert [hit.document_id for hit in hits] == [document.pk], text

    document_update(document=document, topic="Tổ chức xây dựng Đảng")
    hits = catalogue_search(scope=ANYONE, query=CatalogueQuery(text="to chuc xay dung dang")).hits
    assert [hit.document_id for hit in hits if hit.kind == "document"] == [document.pk]


def test_topic_suggestions_come_from_what_the_user_may_see() -> None:
    institution = party_institution()
    archive_file = party_file(party_fonds(institution))
    for topic in ("Kinh tế", "Công tác văn thư, lưu trữ", "Kinh tế"):
        document_create(archive_file=archive_file, **document_fields(topic=topic))
    document_create(archive_file=archive_file, **document_fields(topic="Quốc phòng, an ninh", secret_class="mat"))
    admin = User.objects.create_superuser("quantri", "qt@example.vn", "mat-khau-dai-12345")
    staff = User.objects.create_user("can-bo", password="mat-khau-dai-12345", is_staff=True)
    from khoso.access.models import FondsGrant

    FondsGrant.objects.create(user=staff, fonds=archive_file.fonds, can_edit=True)

    assert archive_selectors.topic_suggestions(user=admin, institution_id=institution.pk) == [
        "Kinh tế",
        "Công tác văn thư, lưu trữ",
        "Quốc phòng, an ninh",
    ]
    assert "Quốc phòng, an ninh" not in archive_selectors.topic_suggestions(user=staff, institution_id=institution.pk)
    assert archive_selectors.topic_suggestions(user=AnonymousUser(), institution_id=institution.pk) == []


def _editor(fonds: Fonds, name: str, *, secret: bool = False) -> User:
    from django.contrib.auth.models import Permission

    from khoso.access.models import FondsGrant

    user = User.objects.create_user(name, password="mat-khau-dai-12345", is_staff=True)
    FondsGrant.objects.create(user=user, fonds=fonds, can_edit=True)
    if secret:
        user.user_permissions.add(Permission.objects.get(codename="view_secret"))
    return User.objects.get(pk=user.pk)


def test_the_web_document_form_of_a_party_archive(client) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    archive_file = party_file(party_fonds(party_institution()))
    document_create(archive_file=archive_file, **document_fields(topic="Chuyển đổi số"))
    url = reverse("document_create", args=[archive_file.file_code])
    client.force_login(_editor(archive_file.fonds, "bien-tap"))

    page = client.get(reverse("file_detail", args=[archive_file.file_code])).content.decode()
    for label in ("Người ký", "Loại bản", "Số lượng tệp", "Chuyên đề"):
        assert f">{label}<" in page or f">{label}:<" in page, label
    assert 'list="topic-suggestions"' in page and '<option value="Chuyển đổi số">' in page
    assert 'name="secret_class"' not in page  # only people who may see secret material set a secret class
    # the list shows the signer, the copy type by its name and the topic
    assert "<td>Lê Văn Hiệu</td><td>Bản chính</td><td>Chuyển đổi số</td>" in page

    post = {
        "type_name": "07",
        "issued_date": "05/04/2021",
        "organ_name": "Văn phòng Tỉnh ủy",
        "subject": "Thông báo lịch tiếp nhận tài liệu số hóa",
        "number_of_page": "1",
        "signer": "Phạm Văn B",
        "number_of_files": "1",
        "topic": "Chuyển đổi số",
    }
    refused = client.post(url, post)
    assert refused.status_code == 400 and "Trường này là bắt buộc." in refused.content.decode()
    assert client.post(url, {**post, "original_status": "sao"}).status_code == 302
    added = archive_file.documents.get(ordinal=2)
    assert (added.signer, added.original_status, added.topic, added.number_of_files) == (
        "Phạm Văn B",
        "sao",
        "Chuyển đổi số",
        1,
    )

    client.force_login(_editor(archive_file.fonds, "luu-tru-mat", secret=True))
    page = client.get(reverse("file_detail", args=[archive_file.file_code])).content.decode()
    assert 'name="secret_class"' in page


def test_the_web_document_form_of_a_state_archive_is_unchanged(client, archive_file) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    client.force_login(_editor(archive_file.fonds, "bien-tap", secret=True))
    page = client.get(reverse("file_detail", args=[archive_file.file_code])).content.decode()
    for name in ("signer", "original_status", "number_of_files", "topic", "secret_class"):
        assert f'name="{name}"' not in page
    assert "topic-suggestions" not in page
