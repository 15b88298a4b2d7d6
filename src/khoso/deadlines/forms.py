"""The form recording that the annual report was sent (dates dd/mm/yyyy)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khoso.core.forms import date_field


class ReportSubmissionForm(forms.Form):
    year = forms.IntegerField(label=_("Năm báo cáo"), min_value=1900, max_value=2100)
    submitted_on = date_field(_("Ngày gửi"))
    reference = forms.CharField(label=_("Số, ký hiệu văn bản gửi"), max_length=100, required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)
