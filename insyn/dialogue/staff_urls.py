from django.urls import path

from insyn.dialogue import staff_views as views

app_name = "dialogue_staff"

urlpatterns = [
    path("", views.index, name="index"),
    path("aterkoppling-sen/", views.overdue, name="overdue"),
    path("ny/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/andra/", views.edit, name="edit"),
    path("<int:pk>/forankring/", views.anchoring, name="anchoring"),
    path("<int:pk>/publicera/", views.publish, name="publish"),
    path("<int:pk>/aterkoppling/", views.feedback, name="feedback"),
    path("<int:pk>/avsluta/", views.close, name="close"),
    path("<int:pk>/samordning/", views.comment, name="comment"),
    path("<int:pk>/representativitet/", views.representation, name="representation"),
    path("<int:pk>/synpunkter-utanfor-webben/", views.offline, name="offline"),
    path("<int:pk>/enkater/ny/", views.survey_create, name="survey_create"),
    path("<int:pk>/diskussioner/ny/", views.discussion_create, name="discussion_create"),
    path("<int:pk>/budgetar/ny/", views.budget_create, name="budget_create"),
    path("<int:pk>/budgetar/las-in/", views.budget_import, name="budget_import"),
    path("<int:pk>/moten/ny/", views.meeting_create, name="meeting_create"),
    path("enkat/<int:pk>/", views.survey, name="survey"),
    path("enkat/<int:pk>/stang/", views.survey_close, name="survey_close"),
    path("enkat/<int:pk>/sammanfattning/", views.survey_summary, name="survey_summary"),
    path("enkat/<int:pk>/export.<str:fmt>", views.survey_export, name="survey_export"),
    path("enkat/<int:pk>/pappersvar/", views.survey_paper, name="survey_paper"),
    path("diskussion/<int:pk>/", views.discussion, name="discussion"),
    path("inlagg/<int:pk>/<str:action>/", views.post_moderate, name="post_moderate"),
    path("budget/<int:pk>/", views.budget, name="budget"),
    path("budget/<int:pk>/fas/", views.budget_phase, name="budget_phase"),
    path("budget/<int:pk>/regler/", views.budget_rules, name="budget_rules"),
    path("budget/<int:pk>/pabulib.pb", views.budget_pabulib, name="budget_pabulib"),
    path("forslag/<int:pk>/genomforande/", views.proposal_delivery, name="proposal_delivery"),
    path("forslag/<int:pk>/bedom/", views.proposal_assess, name="proposal_assess"),
    path("forslag/<int:pk>/uppdrag/", views.proposal_assignment, name="proposal_assignment"),
    path("mote/<int:pk>/", views.meeting, name="meeting"),
]
