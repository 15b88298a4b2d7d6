"""Forms of product inspection (Vietnamese labels; the services check the rules)."""

from __future__ import annotations

from typing import Any

from django import forms

from khoso.archive.models import Document
from khoso.core.forms import form_field
from khoso.inspection.models import ErrorClass, SamplingPlan
from khoso.workflow.models import Contractor, ProjectFile


class PlanForm(forms.Form):
    contractor = forms.ModelChoiceField(
        label="Nhà thầu",
        queryset=Contractor.objects.all(),
        required=False,
        empty_label="Mọi nhà thầu của đề án",
    )
    passes = forms.CharField(
        label="Tỷ lệ lấy mẫu theo lượt (%)",
        initial="100, 10",
        help_text="Mỗi lượt một tỷ lệ, cách nhau bởi dấu phẩy hoặc dấu chấm phẩy; ví dụ «100, 10»: "
        "lượt 1 kiểm tra toàn bộ, lượt 2 trở đi lấy mẫu 10 %.",
    )
    max_error_rate = forms.DecimalField(
        label="Tỷ lệ hồ sơ lỗi tối đa (%)", initial=5, min_value=0, max_value=100, decimal_places=2
    )

    def __init__(self, *args: Any, plan: SamplingPlan | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.classes = list(ErrorClass.objects.filter(active=True))
        for error_class in self.classes:
            self.fields[f"nguong_{error_class.code}"] = forms.DecimalField(
                label=f"Ngưỡng lỗi «{error_class.label}» (%)",
                required=False,
                min_value=0,
                max_value=100,
                decimal_places=2,
                help_text="Để trống: chỉ áp dụng tỷ lệ hồ sơ lỗi chung.",
            )
        if plan is not None and not self.is_bound:
            self.initial.update(
                {
                    "contractor": plan.contractor_id,
                    "passes": ", ".join(str(rate) for rate in plan.passes),
                    "max_error_rate": plan.max_error_rate,
                    **{f"nguong_{code}": value for code, value in plan.class_thresholds.items()},
                }
            )

    def clean_passes(self) -> list[str]:
        text = self.cleaned_data["passes"].replace(";", ",")
        rates = [part.strip().rstrip("%").strip() for part in text.split(",") if part.strip()]
        if not rates:
            raise forms.ValidationError("Nhập ít nhất một tỷ lệ lấy mẫu.")
        return rates

    def thresholds(self) -> dict[str, Any]:
        return {
            error_class.code: self.cleaned_data.get(f"nguong_{error_class.code}")
            for error_class in self.classes
            if self.cleaned_data.get(f"nguong_{error_class.code}") is not None
        }


class StartForm(forms.Form):
    pass_number = forms.IntegerField(label="Lượt kiểm tra", min_value=1, max_value=99)


class FindingForm(forms.Form):
    # The form metaclass moves declared fields into base_fields: Form.error_class (the ErrorList class) is untouched.
    error_class = forms.ModelChoiceField(label="Loại lỗi", queryset=ErrorClass.objects.filter(active=True))  # type: ignore[assignment]
    page_number = forms.IntegerField(label="Trang số", required=False, min_value=1)
    document = forms.ModelChoiceField(label="Tài liệu", queryset=Document.objects.none(), required=False)
    note = forms.CharField(label="Mô tả lỗi", required=False, max_length=2000)

    def __init__(self, *args: Any, item: ProjectFile | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if item is not None:
            form_field(self, "document", forms.ModelChoiceField).queryset = Document.objects.filter(
                file_id=item.file_id
            ).order_by("ordinal")


class CloseForm(forms.Form):
    conclusion = forms.CharField(label="Nhận xét, kết luận", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class FixForm(forms.Form):
    note = forms.CharField(label="Ghi chú sửa lỗi", required=False, max_length=2000)
