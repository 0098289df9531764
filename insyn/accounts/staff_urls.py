"""Staff pages that belong to no single app: the home, moderation and the outbox, plus the
views the apps register under /personal/ (insyn.core.registry.register_staff_urls)."""

from django.urls import path

from insyn.accounts import staff_views as views
from insyn.core import registry

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("moderering/", views.moderation, name="moderation"),
    path("utgaende-epost/", views.outbox, name="outbox"),
    path("epost/", views.notice_settings, name="notice_settings"),
    # The apps' own staff actions here (the moderation of posts, proposals and fault reports).
    *registry.staff_urls(),
]
