from django.apps import AppConfig


class CustodyConfig(AppConfig):
    name = "khoso.custody"
    verbose_name = "Giao nhận, vận chuyển tài liệu (quản lý bảo quản)"

    def ready(self) -> None:
        from khoso.custody import guards
        from khoso.workflow.states import State, step_page

        guards.register()
        for state in (State.DA_DUYET, State.XUAT_KHO, State.KIEM_TRA_NHAP, State.SO_HOA, State.HOAN_KHO):
            step_page(state, "custody_item", "Giao nhận, vận chuyển tài liệu", "Custody of the paper")
