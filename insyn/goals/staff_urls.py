"""Staff pages of the reporting workflow, mounted at /personal/uppfoljning/."""

from django.urls import path

from insyn.goals import staff_views as views

app_name = "goals"

urlpatterns = [
    path("", views.index, name="index"),
    path("mina-rapporter/", views.my_reports, name="my_reports"),
    path("perioder/ny/", views.period_create, name="period_create"),
    path("perioder/<int:period_id>/", views.period_detail, name="period"),
    path("perioder/<int:period_id>/oppna/", views.period_open, name="period_open"),
    path("perioder/<int:period_id>/publicera/", views.period_publish, name="period_publish"),
    path("perioder/<int:period_id>/sammanstall/", views.compile_overview, name="compile_overview"),
    path(
        "perioder/<int:period_id>/uppdrag/<int:assignment_id>/",
        views.compile_assignment,
        name="compile_assignment",
    ),
    path("perioder/<int:period_id>/mal/<int:goal_id>/", views.compile_goal, name="compile_goal"),
    path("perioder/<int:period_id>/export.<str:fmt>", views.period_export, name="period_export"),
    path("perioder/<int:period_id>/rapportmall.xlsx", views.bulk_template, name="bulk_template"),
    path("perioder/<int:period_id>/ladda-upp/", views.bulk_upload, name="bulk_upload"),
    path("rapporter/<int:report_id>/", views.report_edit, name="report"),
    path("rapporter/<int:report_id>/autospara/", views.report_autosave, name="report_autosave"),
    path("rapporter/<int:report_id>/granska/", views.report_review, name="report_review"),
    path("rapporter/<int:report_id>/historik/", views.report_history, name="report_history"),
    path("uppdrag/nytt/", views.assignment_additional, name="assignment_additional"),
    path(
        "uppdrag/<int:assignment_id>/historik/", views.assignment_history, name="assignment_history"
    ),
    path("overforing/", views.carry_over, name="carry_over"),
]
