"""Open311 GeoReport v2: /open311/discovery.{xml,json} and /open311/v2/… (see views)."""

from django.urls import path

from insyn.feedback.open311 import views

app_name = "open311"

urlpatterns = [
    path("discovery.<str:fmt>", views.discovery, name="discovery"),
    path("v2/discovery.<str:fmt>", views.discovery, name="discovery_v2"),
    path("v2/services.<str:fmt>", views.service_list, name="services"),
    path("v2/services/<str:code>.<str:fmt>", views.service_definition, name="service"),
    path("v2/requests.<str:fmt>", views.requests, name="requests"),
    path("v2/requests/<str:request_id>.<str:fmt>", views.request_detail, name="request"),
    path("v2/tokens/<str:token>.<str:fmt>", views.token, name="token"),
    path("v2/servicerequestupdates.<str:fmt>", views.updates, name="updates"),
]
