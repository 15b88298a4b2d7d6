from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "khoso.workflow"
    verbose_name = "Quy trình số hóa"
