"""Web forms: they only parse input; every archival rule is checked by the services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from khoso.archive import profiles
from khoso.archive.models import Fonds, Institution, VocabularyKind
from khoso.archive.selectors import vocabulary_choices
from khoso.core.forms import date_field, form_field

if TYPE_CHECKING:
    pass

BLANK = [("", "—")]


class FondsForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Cơ quan lưu trữ"),
        queryset=Institution.objects.all(),
        required=False,
        empty_label=_("(cơ quan lưu trữ mặc định)"),
    )
    code = forms.CharField(label=_("Mã phông"), max_length=13)
    name = forms.CharField(label=_("Tên phông"), max_length=200)
    status = forms.ChoiceField(label=_("Trạng thái"), choices=Fonds.Status.choices, initial=Fonds.Status.OPEN)
    organ_id = forms.CharField(
        label=_("Mã định danh cơ quan hình thành phông"),
        max_length=35,
        required=False,
        help_text=_("Dạng DDD.DD.DD.Xnn (QĐ 20/2020), dùng để lập mã hồ sơ."),
    )
    history = forms.CharField(label=_("Lịch sử đơn vị hình thành phông"), widget=forms.Textarea(attrs={"rows": 3}))
    archives_time = forms.CharField(label=_("Thời gian tài liệu"), max_length=30, help_text=_("Ví dụ: 1976-2000"))
    paper_total = forms.DecimalField(
        label=_("Tổng số tài liệu (mét giá)"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        localize=True,
    )
    key_groups = forms.CharField(label=_("Nhóm tài liệu chủ yếu"), max_length=300)
    language = forms.ChoiceField(label=_("Ngôn ngữ"))
    risk_recovery = forms.BooleanField(label=_("Chế độ dự phòng"), required=False)
    description = forms.CharField(
        label=_("Ghi chú"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    party_group = forms.ChoiceField(
        label=_("Nhóm phông Lưu trữ Đảng"),
        required=False,
        help_text=_("Bắt buộc với phông của cơ quan Lưu trữ Đảng (QĐ 270-QĐ/TW)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "language", forms.ChoiceField).choices = vocabulary_choices(VocabularyKind.LANGUAGE)
        self.fields["language"].initial = "01"
        groups = vocabulary_choices(VocabularyKind.PARTY_FONDS)
        form_field(self, "party_group", forms.ChoiceField).choices = BLANK + groups


class FileForm(forms.Form):
    file_catalog = forms.IntegerField(label=_("Năm hình thành hồ sơ"), min_value=1800, max_value=9999)
    file_notation = forms.CharField(
        label=_("Số và ký hiệu hồ sơ"),
        max_length=20,
        help_text=_("Ví dụ: 01.TCCB"),
    )
    title = forms.CharField(label=_("Tiêu đề hồ sơ"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    maintenance = forms.ChoiceField(label=_("Thời hạn lưu trữ"))
    mode = forms.ChoiceField(label=_("Chế độ sử dụng"))
    language = forms.ChoiceField(label=_("Ngôn ngữ"))
    start_date = date_field(_("Thời gian bắt đầu"))
    end_date = date_field(_("Thời gian kết thúc"))
    keyword = forms.CharField(label=_("Từ khóa"), max_length=100, required=False)
    number_of_paper = forms.IntegerField(label=_("Số lượng tờ"), min_value=0, required=False)
    number_of_page = forms.IntegerField(label=_("Số lượng trang"), min_value=0, required=False, initial=0)
    format = forms.ChoiceField(label=_("Tình trạng vật lý"), required=False)
    confidence_level = forms.ChoiceField(label=_("Mức độ tin cậy"), required=False)
    paper_file_code = forms.CharField(
        label=_("Mã hồ sơ gốc giấy"),
        max_length=100,
        required=False,
        help_text=_("Bắt buộc với hồ sơ số hóa (mức độ tin cậy 02)."),
    )
    risk_recovery = forms.BooleanField(label=_("Chế độ dự phòng"), required=False)
    risk_recovery_status = forms.ChoiceField(label=_("Tình trạng dự phòng"), required=False)
    description = forms.CharField(label=_("Ghi chú"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    archived_on = date_field(_("Ngày nộp lưu vào Lưu trữ cơ quan"), required=False)
    construction_settled_on = date_field(_("Ngày quyết toán công trình (hồ sơ XDCB)"), required=False)

    VOCABULARIES = {
        "maintenance": (VocabularyKind.MAINTENANCE, True),
        "mode": (VocabularyKind.MODE, True),
        "language": (VocabularyKind.LANGUAGE, True),
        "format": (VocabularyKind.FORMAT, False),
        "confidence_level": (VocabularyKind.CONFIDENCE_LEVEL, False),
        "risk_recovery_status": (VocabularyKind.RISK_RECOVERY_STATUS, False),
    }

    def __init__(self, *args: Any, fixed_code: bool = False, fixed_mode: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_code:  # the year and notation are part of the file code: shown, not editable
            for name in ("file_catalog", "file_notation"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Là một phần của mã hồ sơ, không sửa được.")
        if fixed_mode:  # an access-rights change: four-eyes, on the access pages (NĐ 30/2020 PL VI)
            self.fields["mode"].disabled = True
            self.fields["mode"].help_text = _(
                "Đổi chế độ sử dụng bằng đề nghị tại trang Quyền truy cập; có hiệu lực khi người thứ hai xác nhận."
            )
        for name, (kind, required) in self.VOCABULARIES.items():
            choices = vocabulary_choices(kind)
            form_field(self, name, forms.ChoiceField).choices = choices if required else BLANK + choices
        self.fields["maintenance"].initial = "01"
        self.fields["mode"].initial = "01"
        self.fields["language"].initial = "01"

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["number_of_page"] = data.get("number_of_page") or 0
        return data


#: the id of the <datalist> the Chuyên đề field suggests from
TOPIC_SUGGESTIONS = "topic-suggestions"


class DocumentForm(forms.Form):
    """A document's fields; a Party archive's (``khoso.archive.profiles``) also has người ký, độ mật (only for
    people who may see secret material), loại bản, số lượng tệp and chuyên đề, in the Party list's order."""

    type_name = forms.ChoiceField(label=_("Tên loại tài liệu"))
    code_number = forms.CharField(label=_("Số của tài liệu"), max_length=11, required=False)
    code_notation = forms.CharField(label=_("Ký hiệu của tài liệu"), max_length=30, required=False)
    issued_date = date_field(_("Ngày tháng năm tài liệu"))
    organ_name = forms.CharField(label=_("Cơ quan ban hành"), max_length=200)
    subject = forms.CharField(label=_("Trích yếu nội dung"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    number_of_page = forms.IntegerField(label=_("Số lượng trang"), min_value=1, max_value=9999)
    first_page = forms.IntegerField(label=_("Từ trang"), min_value=1, required=False)
    description = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)

    def __init__(self, *args: Any, profile: str = profiles.STATE, secret: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "type_name", forms.ChoiceField).choices = vocabulary_choices(VocabularyKind.TYPE_NAME)
        if profiles.is_party(profile):
            self._add_party_fields(secret=secret)

    def _add_party_fields(self, *, secret: bool) -> None:
        party: dict[str, forms.Field] = {
            "signer": forms.CharField(label=_("Người ký"), max_length=100, required=False),
            "secret_class": forms.ChoiceField(
                label=_("Độ mật"), required=False, choices=BLANK + vocabulary_choices(VocabularyKind.SECRET_CLASS)
            ),
            "original_status": forms.ChoiceField(
                label=_("Loại bản"), choices=BLANK + vocabulary_choices(VocabularyKind.ORIGINAL_STATUS)
            ),
            "number_of_files": forms.IntegerField(label=_("Số lượng tệp"), min_value=0, max_value=9999, required=False),
            "topic": forms.CharField(
                label=_("Chuyên đề"),
                max_length=200,
                required=False,
                widget=forms.TextInput(attrs={"list": TOPIC_SUGGESTIONS, "autocomplete": "off"}),
                help_text=_("Chọn chuyên đề đã dùng hoặc ghi chuyên đề mới."),
            ),
        }
        if not secret:
            del party["secret_class"]
        fields = dict(self.fields)
        self.fields.clear()
        for name, field in fields.items():
            self.fields[name] = field
            if name == "subject":
                self.fields.update(party)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Từ khóa tìm kiếm"), max_length=500, required=False)
