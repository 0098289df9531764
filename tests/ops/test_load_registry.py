"""`insyn load-registry FILE` and the organisations' admin pages."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from insyn.organisations.models import Organisation, OrganisationAlias, OrganisationGroup
from insyn.organisations.services import DATA_DIR

pytestmark = pytest.mark.django_db


def test_loads_uppsalas_registry_idempotently(capsys):
    call_command("load_registry", str(DATA_DIR / "uppsala.json"))
    first = capsys.readouterr().out
    counts = (
        Organisation.objects.count(),
        OrganisationAlias.objects.count(),
        OrganisationGroup.objects.count(),
    )
    assert counts[0] > 10 and counts[1] > 5 and counts[2] >= 1
    assert Organisation.objects.get(name="Kommunstyrelsen").short_name == "KS"
    assert " 0 uppdaterade" in first
    call_command("load_registry", str(DATA_DIR / "uppsala.json"))
    assert (
        Organisation.objects.count(),
        OrganisationAlias.objects.count(),
        OrganisationGroup.objects.count(),
    ) == counts
    assert " 0 nya" in capsys.readouterr().out


def test_a_broken_file_is_refused_in_swedish_and_changes_nothing(tmp_path):
    broken = tmp_path / "register.json"
    broken.write_text('{"organisations": [')
    with pytest.raises(CommandError, match="inte giltig JSON"):
        call_command("load_registry", str(broken))
    broken.write_text(json.dumps({"nämnder": []}))
    with pytest.raises(CommandError, match="organisations"):
        call_command("load_registry", str(broken))
    with pytest.raises(CommandError, match="Kan inte läsa"):
        call_command("load_registry", str(tmp_path / "saknas.json"))
    assert not Organisation.objects.exists()


def test_organisations_have_admin_pages(client, django_user_model):
    from insyn.accounts.testing import login_verified

    admin = django_user_model.objects.create_superuser("admin-org", "a@example.org", "x" * 12)
    login_verified(client, admin)
    admin_client = client
    call_command("load_registry", str(DATA_DIR / "uppsala.json"))
    org = Organisation.objects.get(name="Kommunstyrelsen")
    for url in (
        "/admin/organisations/organisation/",
        f"/admin/organisations/organisation/{org.pk}/change/",
        "/admin/organisations/organisationgroup/",
        "/admin/organisations/municipality/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
    assert "Kommunstyrelsen" in admin_client.get("/admin/organisations/organisation/").text
