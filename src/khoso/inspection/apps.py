from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "khoso.inspection"
    verbose_name = "Kiểm tra sản phẩm"

    def ready(self) -> None:
        from khoso.inspection import guards
        from khoso.workflow.states import State, guard, step_page

        guard(State.KIEM_TRA_SAN_PHAM, State.SAO_CHEP)(guards.inspected_and_accepted)
        guard(State.KIEM_TRA_SAN_PHAM, State.SUA_LOI)(guards.has_a_finding)
        guard(State.SUA_LOI, State.KIEM_TRA_SAN_PHAM)(guards.corrections_done)
        step_page(State.KIEM_TRA_SAN_PHAM, "inspection_item", "Kiểm tra sản phẩm", "Product inspection")
        step_page(State.SUA_LOI, "inspection_item", "Sửa lỗi theo biên bản kiểm tra", "Corrections from the report")
