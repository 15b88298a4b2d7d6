"""Forms of the readers app (Vietnamese labels; dates dd/mm/yyyy; the services re-check every rule)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator

from khoso.archive.models import VocabularyKind
from khoso.archive.selectors import vocabulary_choices
from khoso.core.forms import form_field
from khoso.readers.models import ReaderRequest


class RegistrationForm(forms.Form):
    username = forms.CharField(
        label="Tên đăng nhập",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="Chữ, số và các ký tự @ . + - _",
    )
    password1 = forms.CharField(
        label="Mật khẩu",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Ít nhất 8 ký tự, không quá phổ biến, không toàn chữ số.",
    )
    password2 = forms.CharField(
        label="Nhập lại mật khẩu", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    full_name = forms.CharField(label="Họ và tên", max_length=200)
    citizen_id = forms.CharField(
        label="Số CCCD / giấy tờ tùy thân",
        max_length=20,
        help_text="Căn cước công dân: 12 chữ số; chứng minh nhân dân cũ: 9 chữ số.",
    )
    birth_date = forms.DateField(
        label="Ngày sinh",
        required=False,
        input_formats=["%d/%m/%Y"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )
    email = forms.EmailField(label="Thư điện tử", help_text="Kết quả duyệt và bản giao được gửi tới địa chỉ này.")
    phone = forms.CharField(label="Điện thoại", max_length=20, required=False)
    address = forms.CharField(label="Địa chỉ", max_length=300, required=False)
    organisation = forms.CharField(label="Cơ quan, đơn vị công tác", max_length=300, required=False)
    consent = forms.BooleanField(
        label=(
            "Tôi cam kết thông tin trên là đúng, tuân thủ nội quy khai thác tài liệu lưu trữ và đồng ý để "
            "cơ quan lưu trữ xử lý dữ liệu cá nhân này cho việc cấp tài khoản và giải quyết yêu cầu."
        ),
        error_messages={"required": "Cần đồng ý để đăng ký tài khoản."},
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("Tên đăng nhập này đã có người dùng; hãy chọn tên khác.")
        return username

    def clean_citizen_id(self) -> str:
        value = re.sub(r"\s", "", self.cleaned_data["citizen_id"])
        if not re.fullmatch(r"\d{9}|\d{12}", value):
            raise forms.ValidationError("Số CCCD gồm 12 chữ số (số CMND cũ: 9 chữ số).")
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Hai mật khẩu không khớp.")
        elif first:
            user = get_user_model()(username=data.get("username", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(first, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label="Hình thức khai thác", choices=ReaderRequest.Kind.choices)
    purpose = forms.ChoiceField(label="Mục đích khai thác")
    purpose_content = forms.CharField(
        label="Nội dung mục đích", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    fee_object_type = forms.ChoiceField(label="Đối tượng thu phí")
    research_topic = forms.CharField(label="Đề tài nghiên cứu", max_length=250, required=False)
    copies = forms.IntegerField(label="Số bản", min_value=1, max_value=99, initial=1)
    description = forms.CharField(
        label="Ghi chú", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "purpose", forms.ChoiceField).choices = vocabulary_choices(VocabularyKind.PURPOSE)
        form_field(self, "fee_object_type", forms.ChoiceField).choices = vocabulary_choices(
            VocabularyKind.FEE_OBJECT_TYPE
        )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label="Lý do / ghi chú",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Bắt buộc khi từ chối.",
    )
