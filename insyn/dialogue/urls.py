from django.urls import path

app_name = "dialogue"

urlpatterns: list[path] = []
