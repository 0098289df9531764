from django.urls import path

app_name = "feedback_staff"

urlpatterns: list[path] = []
