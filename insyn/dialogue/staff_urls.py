from django.urls import path

app_name = "dialogue_staff"

urlpatterns: list[path] = []
