from django.urls import path

app_name = "open311"

urlpatterns: list[path] = []
