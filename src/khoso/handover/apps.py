from django.apps import AppConfig


class HandoverConfig(AppConfig):
    name = "khoso.handover"
    verbose_name = "Lựa chọn, nghiệm thu và bàn giao"

    def ready(self) -> None:
        from khoso.handover import services
        from khoso.workflow.states import State, guard, step_page

        guard(State.SAO_CHEP, State.NGHIEM_THU)(services.two_independent_copies)
        step_page(State.SAO_CHEP, "copy_item_page", "Sao chép sản phẩm ra thiết bị lưu trữ", "Copy the product")
        step_page(State.NGHIEM_THU, "acceptance_item_page", "Nghiệm thu: bản sao và biên bản", "Acceptance")
