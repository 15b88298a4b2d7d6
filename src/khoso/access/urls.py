"""Routes of access rights (issue 6), mounted at /quyen-truy-cap/. Every name is in the policy table of
``tests/access/test_permissions.py``."""

from django.urls import path

from khoso.access import views

urlpatterns = [
    path("", views.change_list, name="access_change_list"),
    path("de-nghi/<int:change_id>/", views.change_detail, name="access_change_detail"),
    path("de-nghi/<int:change_id>/xac-nhan/", views.change_confirm, name="access_change_confirm"),
    path("de-nghi/<int:change_id>/tu-choi/", views.change_reject, name="access_change_reject"),
    path("ho-so/<str:file_code>/", views.file_access, name="access_file"),
    path("tai-lieu/<int:document_id>/", views.document_access, name="access_document"),
    path("han-che/", views.restriction_list, name="access_restriction_list"),
    path("han-che/them/", views.restriction_add, name="access_restriction_add"),
    path("han-che/<int:restriction_id>/sua/", views.restriction_change, name="access_restriction_change"),
    path("han-che/<int:restriction_id>/ket-thuc/", views.restriction_end, name="access_restriction_end"),
    path("nguoi-dung/", views.people, name="access_people"),
    path("nguoi-dung/<int:user_id>/", views.person, name="access_person"),
    path("nguoi-dung/<int:user_id>/vai-tro/", views.role_propose, name="access_role_propose"),
    path("nguoi-dung/<int:user_id>/quyen-phong/", views.grant_propose, name="access_grant_propose"),
    path("khoa/", views.lock_list, name="access_lock_list"),
    path("khoa/tao/", views.lock_create, name="access_lock_create"),
    path("khoa/<int:lock_id>/mo-khoa/", views.unlock_propose, name="access_unlock_propose"),
]
