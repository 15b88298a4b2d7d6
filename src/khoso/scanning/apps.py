from django.apps import AppConfig


class ScanningConfig(AppConfig):
    name = "khoso.scanning"
    verbose_name = "Số hóa, kiểm tra chất lượng ảnh và liên kết"

    def ready(self) -> None:
        from khoso.scanning import guards
        from khoso.workflow.states import State, guard, step_page

        guard(State.SO_HOA, State.KIEM_TRA_CHAT_LUONG)(guards.counts_reconciled)
        guard(State.KIEM_TRA_CHAT_LUONG, State.SO_HOA_LAI)(guards.some_page_rejected)
        guard(State.KIEM_TRA_CHAT_LUONG, State.LIEN_KET)(guards.every_page_accepted)
        guard(State.SO_HOA_LAI, State.KIEM_TRA_CHAT_LUONG)(guards.rejected_pages_rescanned)
        guard(State.LIEN_KET, State.KIEM_TRA_LIEN_KET)(guards.links_complete)
        guard(State.KIEM_TRA_LIEN_KET, State.HOAN_KHO)(guards.links_complete)

        step_page(State.SO_HOA, "scan_delivery", "Nộp bản quét, đối chiếu số trang", "Deliver and reconcile")
        step_page(State.KIEM_TRA_CHAT_LUONG, "scan_qc", "Kiểm tra chất lượng từng trang", "Inspect each page")
        step_page(State.SO_HOA_LAI, "scan_rescan", "Quét lại các trang bị trả", "Rescan the rejected pages")
        step_page(State.SUA_LOI, "scan_rescan", "Quét lại trang theo biên bản kiểm tra", "Rescan pages to correct")
        step_page(State.LIEN_KET, "scan_link", "Gắn trang cho từng tài liệu", "Link pages to documents")
        step_page(State.KIEM_TRA_LIEN_KET, "scan_link", "Kiểm tra liên kết", "Check the links")
