"""Public pages: Swedish paths, stable forever (they are cited in decisions and e-mails)."""

from django.urls import path

from insyn.public import views

app_name = "public"

urlpatterns = [
    path("", views.start, name="start"),
    path("plan/<int:year>/", views.plan, name="plan"),
    path("plan/<int:year>/mal/<str:number>/", views.goal, name="goal"),
    # Following a goal by e-mail: pages of their own (the goal page is cached and carries no form).
    path("plan/<int:year>/mal/<str:number>/folj/", views.goal_follow, name="goal_follow"),
    path(
        "plan/<int:year>/mal/<str:number>/folj/skickat/",
        views.goal_follow_sent,
        name="goal_follow_sent",
    ),
    path("folj-mal/<str:token>/", views.goal_follow_confirm, name="goal_follow_confirm"),
    path("folj-mal/<str:token>/avsluta/", views.goal_unfollow, name="goal_unfollow"),
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
