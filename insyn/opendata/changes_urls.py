"""The public change log, mounted at /andringar/ (namespace "changes")."""

from django.urls import path

from insyn.opendata import changes_views

app_name = "changes"

urlpatterns = [
    path("", changes_views.page, name="page"),
    path("atom.xml", changes_views.ChangesFeed(), name="feed"),
]
