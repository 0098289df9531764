from django.urls import path

from insyn.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.index, name="index"),
    path("budget/", views.budget, name="budget"),
    path("<int:pk>/", views.detail, name="detail"),
]
