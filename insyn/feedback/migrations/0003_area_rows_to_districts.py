"""Step 2 of 3: every feedback.Area becomes an organisations.District — the district of the same
name if dialogue already had one (it gains the area's shape), else a new one — and the area
ids in cases, routing rules and their history are rewritten to the districts' ids.

The old areas were bounding boxes refined by an optional [lat, long] polygon; they become
GeoJSON (longitude, latitude). A bare rectangle is marked approximate: it never was a real
border."""

from django.db import migrations
from django.db.models import Case, IntegerField, Value, When
from django.utils.text import slugify


def _geometry(area):
    if area.polygon:
        ring = [[float(p[1]), float(p[0])] for p in area.polygon if len(p) >= 2]
        if ring and ring[0] != ring[-1]:
            ring.append(ring[0])
        if len(ring) >= 4:
            return {"type": "Polygon", "coordinates": [ring]}, False
    ring = [
        [area.min_long, area.min_lat],
        [area.max_long, area.min_lat],
        [area.max_long, area.max_lat],
        [area.min_long, area.max_lat],
        [area.min_long, area.min_lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}, True


def _bbox(geometry):
    points = [p for ring in geometry["coordinates"] for p in ring]
    longs = [p[0] for p in points]
    lats = [p[1] for p in points]
    return {
        "min_lat": min(lats),
        "max_lat": max(lats),
        "min_long": min(longs),
        "max_long": max(longs),
    }


def areas_to_districts(apps, schema_editor):
    Area = apps.get_model("feedback", "Area")
    District = apps.get_model("organisations", "District")
    mapping = {}
    taken = set(District.objects.values_list("slug", flat=True))
    for area in Area.objects.order_by("pk"):
        geometry, approximate = _geometry(area)
        shape = {"geometry": geometry, "approximate": approximate, **_bbox(geometry)}
        district = District.objects.filter(name=area.name).first()
        if district is None:
            base = area.slug or slugify(area.name)[:190] or "omrade"
            slug, n = base, 2
            while slug in taken:
                slug, n = f"{base}-{n}", n + 1
            taken.add(slug)
            district = District.objects.create(
                name=area.name, slug=slug, order=area.order, **shape
            )
        elif not district.geometry:
            for key, value in shape.items():
                setattr(district, key, value)
            district.save()
        mapping[area.pk] = district.pk
    if not mapping:
        return
    new_id = Case(
        *[When(area_id=old, then=Value(new)) for old, new in mapping.items()],
        default=Value(None),
        output_field=IntegerField(),
    )
    for model in ("Case", "RoutingRule", "HistoricalCase", "HistoricalRoutingRule"):
        apps.get_model("feedback", model).objects.filter(area_id__isnull=False).update(
            area_id=new_id
        )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_area_links_unconstrained")]

    operations = [migrations.RunPython(areas_to_districts, migrations.RunPython.noop)]
