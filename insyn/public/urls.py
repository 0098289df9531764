"""Public pages: Swedish paths, stable forever (they are cited in decisions and e-mails)."""

from django.urls import path

from insyn.public import views

app_name = "public"

urlpatterns = [
    path("", views.start, name="start"),
    path("plan/<int:year>/", views.plan, name="plan"),
    path("plan/<int:year>/mal/<str:number>/", views.goal, name="goal"),
    path(
        "plan/<int:year>/mal/<str:number>/uppdrag/<slug:slug>/",
        views.assignment,
        name="assignment",
    ),
    # The address before assignments had citable ones (the database id): moved for good.
    path("uppdrag/<int:pk>/", views.assignment_by_id, name="assignment_by_id"),
    path("organisationer/", views.organisation_list, name="organisations"),
    path("organisationer/grupper/<slug:slug>/<int:year>/", views.group, name="group"),
    path("organisationer/<slug:slug>/", views.organisation, name="organisation"),
    path("arkiv/", views.archive, name="archive"),
    path("uppfoljning/<int:pk>/", views.period, name="period"),
    path("sok/", views.search, name="search"),
    path("om/", views.about, name="about"),
    path("om/tillganglighet/", views.accessibility, name="accessibility"),
]
