"""Public downloads of a published period's follow-up, mounted at /export/ (namespace
"goals_export"): /export/uppfoljning/<period id>.pdf | .xlsx | .csv. Unpublished → 404."""

from django.urls import path

from insyn.goals import views

app_name = "goals_export"

urlpatterns = [
    path("uppfoljning/<int:period_id>.<str:fmt>", views.public_export, name="period"),
]
