"""Cataloguing and data entry: registers the step conditions and working pages with the workflow."""

from django.apps import AppConfig


class CataloguingConfig(AppConfig):
    name = "khoso.cataloguing"
    verbose_name = "Biên mục và nhập phiếu tin"

    def ready(self) -> None:
        from khoso.cataloguing import guards
        from khoso.workflow.states import State, guard, step_page

        guard(State.BIEN_MUC, State.KIEM_TRA_BIEN_MUC)(guards.catalogue_submit)
        guard(State.SUA_LOI_BIEN_MUC, State.KIEM_TRA_BIEN_MUC)(guards.catalogue_resubmit)
        guard(State.KIEM_TRA_BIEN_MUC, State.SUA_LOI_BIEN_MUC)(guards.catalogue_return)
        guard(State.KIEM_TRA_BIEN_MUC, State.NHAP_LIEU)(guards.catalogue_pass)
        guard(State.NHAP_LIEU, State.KIEM_TRA_NHAP)(guards.entry_submit)
        guard(State.SUA_LOI_NHAP, State.KIEM_TRA_NHAP)(guards.entry_resubmit)
        guard(State.KIEM_TRA_NHAP, State.SUA_LOI_NHAP)(guards.entry_return)
        guard(State.KIEM_TRA_NHAP, State.SO_HOA)(guards.entry_pass)

        step_page(State.BIEN_MUC, "worksheet_edit", "Biên mục phiếu tin", "Write the worksheets")
        step_page(State.KIEM_TRA_BIEN_MUC, "catalogue_check", "Kiểm tra phiếu tin", "Check the worksheets")
        step_page(State.SUA_LOI_BIEN_MUC, "worksheet_edit", "Sửa lỗi phiếu tin", "Correct the worksheets")
        step_page(State.NHAP_LIEU, "keying_list", "Nhập phiếu tin", "Key the worksheets")
        step_page(State.KIEM_TRA_NHAP, "entry_check", "Đối chiếu dữ liệu nhập", "Compare the keying")
        step_page(State.SUA_LOI_NHAP, "keying_list", "Sửa lỗi nhập phiếu tin", "Correct the keying")
