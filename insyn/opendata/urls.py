"""Open data under /api/: stable URLs, versioned under v1. Described by /api/openapi.json
(insyn.opendata.openapi); a test checks that every route here is in that document."""

from django.urls import path, re_path

from insyn.opendata import views

app_name = "api"

urlpatterns = [
    path("", views.index, name="index"),
    path("openapi.json", views.openapi_document, name="openapi"),
    path("v1/organisations", views.organisation_list, name="organisations"),
    path("v1/organisations/<str:slug>", views.organisation_detail, name="organisation"),
    path("v1/plans", views.plan_list, name="plans"),
    path("v1/plans/<str:year>", views.plan_detail, name="plan"),
    path("v1/plans/<str:year>/goals", views.goal_list, name="goals"),
    path("v1/plans/<str:year>/goals/<str:number>", views.goal_detail, name="goal"),
    path(
        "v1/plans/<str:year>/goals/<str:number>/follow-up.csv",
        views.goal_follow_up_csv,
        name="goal-follow-up-csv",
    ),
    path("v1/assignments/<str:pk>", views.assignment_detail, name="assignment"),
    path("v1/periods", views.period_list, name="periods"),
    path("v1/periods/<str:pk>", views.period_detail, name="period"),
    path("v1/periods/<str:pk>/reports", views.period_reports, name="period-reports"),
    path("v1/dialogues", views.dialogue_list, name="dialogues"),
    path("v1/dialogues.csv", views.dialogue_csv, name="dialogues-csv"),
    path("v1/dialogues/<str:pk>", views.dialogue_detail, name="dialogue"),
    path("v1/indicators", views.indicator_list, name="indicators"),
    path("v1/indicators/<str:pk>", views.indicator_detail, name="indicator"),
    path("v1/budget", views.budget, name="budget"),
    path("v1/budget.csv", views.budget_csv, name="budget-csv"),
    path("v1/participatory-budgets", views.participatory_budget_list, name="participatory-budgets"),
    path(
        "v1/participatory-budgets/<str:pk>",
        views.participatory_budget_detail,
        name="participatory-budget",
    ),
    path("v1/fault-statistics", views.fault_statistics, name="fault-statistics"),
    path("v1/fault-statistics.csv", views.fault_statistics_csv, name="fault-statistics-csv"),
    path("catalog", views.catalog, name="catalog"),
    path("catalog.<str:fmt>", views.catalog, name="catalog-format"),
    # Anything else under /api/ is a JSON 404, not the site's HTML error page.
    re_path(r"^(?P<path>.*)$", views.not_found, name="not-found"),
]
