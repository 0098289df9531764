from django.urls import path

from insyn.indicators import staff_views as views

app_name = "indicators_staff"

urlpatterns = [
    path("", views.index, name="index"),
    path("ny/", views.indicator_create, name="create"),
    path("<int:pk>/", views.indicator_edit, name="edit"),
    path("<int:pk>/kopplingar/", views.link_add, name="link_add"),
    path("<int:pk>/kopplingar/<int:link_pk>/ta-bort/", views.link_remove, name="link_remove"),
    path("<int:pk>/malvarden/", views.target_set, name="target_set"),
    path("<int:pk>/malvarden/<int:target_pk>/ta-bort/", views.target_remove, name="target_remove"),
    path("<int:pk>/varden/", views.own_value_set, name="value_set"),
    path(
        "<int:pk>/varden/<int:year>/<str:gender>/ta-bort/",
        views.own_value_remove,
        name="value_remove",
    ),
    path("jamforelsegrupper/ny/", views.peer_group_edit, name="group_create"),
    path("jamforelsegrupper/<int:pk>/", views.peer_group_edit, name="group_edit"),
    path("jamforelsegrupper/<int:pk>/ta-bort/", views.peer_group_remove, name="group_remove"),
    path("budget/", views.budget_upload, name="budget_upload"),
    path("budget/<int:pk>/", views.budget_detail, name="budget_detail"),
    path("budget/<int:pk>/publicera/", views.budget_publish, name="budget_publish"),
    path("budget/<int:pk>/ta-bort/", views.budget_remove, name="budget_remove"),
    path("importer/", views.import_runs, name="import_runs"),
]
