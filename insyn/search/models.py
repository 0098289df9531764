"""One searchable document per published thing (assignment, report, goal, later dialogues).

The index holds only published material: the services that publish write to it, and nothing
else does, so search can never show a draft.
"""

from __future__ import annotations

from django.db import models


class SearchDocument(models.Model):
    object_key = models.CharField(max_length=100, unique=True)  # "goals.assignment:12"
    kind = models.CharField(max_length=30)
    url = models.CharField(max_length=300)
    title = models.TextField()
    body = models.TextField(blank=True)
    # Title and body reduced to Swedish word stems (Snowball), for SQLite's FTS5 index.
    stemmed = models.TextField(blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "year"])]

    def __str__(self) -> str:
        return self.title[:80]
