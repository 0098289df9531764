"""Staff pages that belong to no single app: the home, moderation and the outbox."""

from django.urls import path

from insyn.accounts import staff_views as views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("moderering/", views.moderation, name="moderation"),
    path("moderering/inlagg/<int:pk>/<str:action>/", views.moderate_post, name="moderate_post"),
    path(
        "moderering/forslag/<int:pk>/<str:action>/",
        views.moderate_proposal,
        name="moderate_proposal",
    ),
    path("moderering/arende/<str:number>/", views.moderate_case, name="moderate_case"),
    path("utgaende-epost/", views.outbox, name="outbox"),
    path("epost/", views.notice_settings, name="notice_settings"),
]
