from django.urls import path

from insyn.dialogue import views

app_name = "dialogue"

urlpatterns = [
    path("", views.index, name="index"),
    path("riktlinjen/", views.guideline, name="guideline"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/prenumerera/", views.subscribe, name="subscribe"),
    path(
        "prenumeration/bekrafta/<str:token>/",
        views.subscription_confirm,
        name="subscription_confirm",
    ),
    path("prenumeration/avsluta/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<int:pk>/enkat/<int:survey_pk>/", views.survey, name="survey"),
    path("<int:pk>/enkat/<int:survey_pk>/tack/", views.survey_thanks, name="survey_thanks"),
    path("<int:pk>/diskussion/<int:discussion_pk>/", views.discussion, name="discussion"),
    path(
        "<int:pk>/diskussion/<int:discussion_pk>/inlagg/<int:post_pk>/anmal/",
        views.post_report,
        name="post_report",
    ),
    path("<int:pk>/budget/<int:budget_pk>/", views.budget, name="budget"),
    path("<int:pk>/budget/<int:budget_pk>/rosta/", views.vote, name="vote"),
    path("<int:pk>/budget/<int:budget_pk>/pabulib.pb", views.budget_pabulib, name="budget_pabulib"),
    path(
        "<int:pk>/budget/<int:budget_pk>/forslag/<int:proposal_pk>/",
        views.proposal,
        name="proposal",
    ),
    path("genomforande/bild/<uuid:uuid>/", views.delivery_photo, name="delivery_photo"),
    path(
        "<int:pk>/budget/<int:budget_pk>/forslag/<int:proposal_pk>/anmal/",
        views.proposal_report,
        name="proposal_report",
    ),
    path("<int:pk>/mote/<int:meeting_pk>/", views.meeting, name="meeting"),
    path("logga-in/", views.login, name="login"),
    path("logga-in/<str:token>/", views.login_confirm, name="login_confirm"),
    path("logga-ut/", views.logout, name="logout"),
    path("mina-uppgifter/", views.me, name="me"),
    path("mina-uppgifter/export/", views.me_export, name="me_export"),
    path("mina-uppgifter/ta-bort/", views.me_delete, name="me_delete"),
    path("e-legitimation/", views.eid_start, name="eid_start"),
    path("e-legitimation/svar/", views.eid_callback, name="eid_callback"),
]
