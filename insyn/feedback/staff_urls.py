"""Contact-centre pages under /personal/arenden/ (every view is wrapped in role_required)."""

from django.urls import path

from insyn.feedback import staff_views as views

app_name = "feedback_staff"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("karta.json", views.inbox_map_data, name="inbox_map_data"),
    path("nytt/", views.new_case, name="new"),
    path("statistik/", views.statistics, name="statistics"),
    path("statistik.csv", views.statistics_csv, name="statistics_csv"),
    path("fordelning/", views.routing, name="routing"),
    path("teman/", views.themes, name="themes"),
    path("teman/dialoger/", views.dialogue_links, name="dialogue_links"),
    path(
        "teman/dialoger/<int:pk>/ta-bort/", views.dialogue_link_remove, name="dialogue_link_remove"
    ),
    path("api-nycklar/", views.api_keys, name="api_keys"),
    path("api-nycklar/<int:pk>/sparra/", views.api_key_revoke, name="api_key_revoke"),
    path("bild/<uuid:uuid>/", views.photo, name="photo"),
    path("bild/<uuid:uuid>/publik/", views.photo_public, name="photo_public"),
    path("bild/<uuid:uuid>/sudda/", views.photo_blur, name="photo_blur"),
    path("bild/<uuid:uuid>/dolj/", views.photo_hide, name="photo_hide"),
    path("<str:number>/", views.case_detail, name="case"),
    path("<str:number>/status/", views.case_status, name="status"),
    path("<str:number>/svar/", views.case_answer, name="answer"),
    path("<str:number>/anteckning/", views.case_note, name="note"),
    path("<str:number>/fordela/", views.case_reassign, name="reassign"),
    path("<str:number>/sortera/", views.case_triage, name="triage"),
    path("<str:number>/sammanfoga/", views.case_merge, name="merge"),
    path("<str:number>/publicering/", views.case_moderate, name="moderate"),
    path("<str:number>/koppla/", views.case_link, name="link"),
]
