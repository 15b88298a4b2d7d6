"""Routes of the OAI-PMH endpoint (issue 7): one URL, the verb is an argument."""

from django.urls import path

from khoso.oai import views

urlpatterns = [
    path("", views.oai_endpoint, name="oai"),
]
