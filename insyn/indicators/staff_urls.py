from django.urls import path

app_name = "indicators_staff"

urlpatterns: list[path] = []
