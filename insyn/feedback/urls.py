"""Public feedback pages under /synpunkter/."""

from django.urls import path

from insyn.feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.index, name="index"),
    path("felanmalan/", views.fault, name="fault"),
    path("felanmalan/skicka/", views.fault_submit, name="fault_submit"),
    path("lamna/", views.give, name="give"),
    path("kvitto/", views.receipt, name="receipt"),
    path("felanmalningar/", views.reports, name="reports"),
    path("felanmalningar/karta.json", views.reports_map_data, name="reports_map_data"),
    path("omraden.geojson", views.areas_geojson, name="areas_geojson"),
    path("platser.json", views.places_json, name="places_json"),
    path("felanmalningar/<str:number>/", views.report, name="report"),
    path("felanmalningar/<str:number>/folj/", views.follow, name="follow"),
    path("bevaka/", views.alert_subscribe, name="alert_subscribe"),
    path("bevaka/skickat/", views.alert_sent, name="alert_sent"),
    path("bevaka/<str:token>/", views.alert, name="alert"),
    path("bevaka/<str:token>/bekrafta/", views.alert_confirm, name="alert_confirm"),
    path("bevaka/<str:token>/avsluta/", views.alert_unsubscribe, name="alert_unsubscribe"),
    path("arende/<str:token>/", views.track, name="track"),
    path("arende/<str:token>/ateroppna/", views.reopen, name="reopen"),
    path("arende/<str:token>/atgardat/", views.fixed, name="fixed"),
    path("arende/<str:token>/avsluta-bevakning/", views.unfollow, name="unfollow"),
    path("bild/<uuid:uuid>/", views.photo, name="photo"),
]
