"""The public response cache: hits, compression, 304 answers, who is never served from it, and
that a change makes the next answer fresh (insyn.core.public_cache, insyn.core.publication)."""

from __future__ import annotations

import gzip

import brotli
import pytest
from django.db import transaction

from insyn.core import publication
from insyn.goals.models import Goal
from tests.factories import MembershipFactory, UserFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal():
    return build_world(goals=1, assignments=2).goals[0]


def test_the_second_visit_is_served_from_the_cache_with_the_same_page(client, goal):
    url = goal.get_absolute_url()
    first = client.get(url)
    assert first["X-Insyn-Cache"] == "miss"
    second = client.get(url)
    assert second["X-Insyn-Cache"] == "hit"
    assert second.content == first.content and goal.title in second.content.decode()
    assert "Content-Security-Policy" in second and second["Content-Type"].startswith("text/html")
    assert second["Cache-Control"].startswith("public, max-age=0, s-maxage=")
    assert "Accept-Language" in second["Vary"] and "Cookie" in second["Vary"]


def test_a_cache_hit_costs_no_database_query(client, goal, django_assert_num_queries, settings):
    url = goal.get_absolute_url()
    client.get(url)
    settings.INSYN_PUBLIC_CACHE = True  # the query-count fixtures turn it off to measure renders
    client.get(url)
    with django_assert_num_queries(0):
        assert client.get(url)["X-Insyn-Cache"] == "hit"


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [("gzip, deflate, br", "br", brotli.decompress), ("gzip", "gzip", gzip.decompress)],
)
def test_pages_are_sent_compressed(client, goal, accept, encoding, decode):
    url = goal.get_absolute_url()
    plain = client.get(url).content  # the test client accepts no encoding: identity
    response = client.get(url, HTTP_ACCEPT_ENCODING=accept)
    assert response["Content-Encoding"] == encoding
    assert len(response.content) < len(plain) / 3
    assert decode(response.content) == plain
    assert response["Content-Length"] == str(len(response.content))


def test_a_repeat_visit_gets_304_until_the_page_changes(client, goal):
    url = goal.get_absolute_url()
    first = client.get(url)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='W/"something-else"').status_code == 200

    Goal.objects.filter(pk=goal.pk).update(title="Ett nytt namn")
    publication.bump_publication_version()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and "Ett nytt namn" in changed.content.decode()
    assert changed["ETag"] != etag


def test_head_answers_without_a_body(client, goal):
    url = goal.get_absolute_url()
    client.get(url)
    response = client.head(url)
    assert response.status_code == 200 and response.content == b""


def test_a_saved_change_is_shown_at_once(client, goal):
    url = goal.get_absolute_url()
    client.get(url)
    goal.title = "Ändrad titel efter rättelse"
    goal.save()
    response = client.get(url)
    assert response["X-Insyn-Cache"] == "miss"
    assert "Ändrad titel efter rättelse" in response.content.decode()


def test_the_bump_waits_for_the_commit_and_a_rollback_bumps_nothing(transactional_db):
    before = publication.publication_version()
    with transaction.atomic():
        publication.bump_publication_version()
        publication.bump_publication_version()
        assert publication.publication_version() == before  # not before the commit
    after = publication.publication_version()
    assert after != before
    try:
        with transaction.atomic():
            publication.bump_publication_version()
            raise RuntimeError
    except RuntimeError:
        pass
    assert publication.publication_version() == after


def test_a_lost_version_comes_back_as_a_new_one_that_matches_no_page(client, goal):
    from django.core.cache import cache

    url = goal.get_absolute_url()
    client.get(url)
    cache.delete(publication.VERSION_KEY)
    assert client.get(url)["X-Insyn-Cache"] == "miss"


def test_private_rows_do_not_bump(db):
    before = publication.publication_version()
    UserFactory()  # django.contrib.auth: not an Insyn model
    assert publication.publication_version() == before


def test_languages_are_kept_apart_and_the_language_cookie_is_honoured(client, goal):
    url = goal.get_absolute_url()
    swedish = client.get(url).content.decode()
    # Swedish whatever the browser says (issue 11), and that Swedish page cached under an
    # English Accept-Language must never be served to a visitor who chose English.
    browser_en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="sv">' in swedish and '<html lang="sv">' in browser_en
    client.cookies["django_language"] = "en"
    assert '<html lang="en">' in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in client.get(url).content.decode()
    del client.cookies["django_language"]
    assert '<html lang="sv">' in client.get(url).content.decode()


def test_signed_in_staff_are_never_served_from_the_cache_nor_fill_it(client, goal):
    url = goal.get_absolute_url()
    user = UserFactory()
    MembershipFactory(user=user)
    client.force_login(user)
    response = client.get(url)
    assert "X-Insyn-Cache" not in response
    assert "staff-account" in response.content.decode()  # who is signed in, and "Logga ut"
    assert client.get(url).get("X-Insyn-Cache") is None
    client.logout()
    client.cookies.pop("sessionid", None)
    anonymous = client.get(url)
    assert anonymous["X-Insyn-Cache"] == "miss"  # the staff visit stored nothing
    assert "staff-account" not in anonymous.content.decode()
    assert "staff-account" not in client.get(url).content.decode()  # nor does the stored copy


def test_a_page_with_a_form_token_is_never_stored(client):
    from django.urls import reverse

    url = reverse("feedback:give")
    first = client.get(url)
    assert first.status_code == 200 and "csrfmiddlewaretoken" in first.content.decode()
    assert "X-Insyn-Cache" not in first
    client.cookies.clear()
    second = client.get(url)
    assert "X-Insyn-Cache" not in second
    assert _token(first) != _token(second)


def _token(response) -> str:
    html = response.content.decode()
    return html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]


def test_staff_and_account_paths_are_never_cached(client):
    for url in ("/konto/logga-in/", "/personal/uppfoljning/", "/health/"):
        assert "X-Insyn-Cache" not in client.get(url), url


def test_pages_carry_no_cookie_and_no_token(client, goal):
    response = client.get(goal.get_absolute_url())
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_a_hit_from_the_shared_cache_alone_costs_no_query_and_fills_this_process(
    client, goal, django_assert_num_queries, settings
):
    from insyn.core.public_cache import local_pages

    settings.INSYN_PUBLIC_CACHE = True  # the query-count fixtures turn it off to measure renders
    url = goal.get_absolute_url()
    first = client.get(url)
    local_pages.clear()  # as in another server process: only the shared cache has the page
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second["X-Insyn-Cache"] == "hit" and second.content == first.content
    with django_assert_num_queries(0):
        assert client.get(url).content == first.content


def test_this_process_keeps_a_page_only_while_its_version_is_current(client, goal):
    from django.core.cache import cache

    from insyn.core.public_cache import local_pages, page_key

    url = goal.get_absolute_url()
    client.get(url)
    cache.clear()  # shared cache emptied (and with it the version): the local copy is stale too
    Goal.objects.filter(pk=goal.pk).update(title="Ny titel")
    response = client.get(url)
    assert response["X-Insyn-Cache"] == "miss" and "Ny titel" in response.content.decode()
    assert local_pages._bytes > 0 and page_key  # the fresh page is kept again


def test_the_process_copies_stay_within_their_byte_budget(settings):
    from insyn.core.public_cache import LocalPages

    settings.INSYN_PUBLIC_CACHE_LOCAL_BYTES = 3 * (2048 + 1000)
    pages = LocalPages()
    for n in range(10):
        pages.put(("k", n), {"version": "v", "identity": b"x" * 1000})
    assert pages._bytes <= settings.INSYN_PUBLIC_CACHE_LOCAL_BYTES
    assert pages.get(("k", 9), "v") is not None and pages.get(("k", 0), "v") is None
    assert pages.get(("k", 9), "another version") is None  # stale: dropped
    assert pages.get(("k", 9), "v") is None


def test_a_client_without_compression_gets_the_plain_page(client, goal):
    url = goal.get_absolute_url()
    plain = client.get(url).content
    hit = client.get(url, HTTP_ACCEPT_ENCODING="identity")
    assert hit["X-Insyn-Cache"] == "hit" and "Content-Encoding" not in hit
    assert hit.content == plain and hit["Content-Length"] == str(len(plain))


def test_a_host_that_is_not_allowed_is_refused_not_cached(client, goal):
    response = client.get(goal.get_absolute_url(), HTTP_HOST="elak.example")
    assert response.status_code == 400 and "X-Insyn-Cache" not in response


def test_the_version_file_is_shared_by_every_process(client, goal, settings, tmp_path):
    """The embedded default (no Redis): the versions live in files of the data directory, and a
    bump made by another process (a management command, another `insyn serve` worker) makes
    this process's pages (and stored renderings, by their area's file) stale at its next
    request."""
    import subprocess
    import sys

    from django.conf import settings as django_settings

    settings.INSYN_PUBLICATION_VERSION_FILE = tmp_path / "publication-version"
    url = goal.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Insyn-Cache"] == "hit"
    version = publication.publication_version()
    assert (tmp_path / "publication-version").read_text() == version

    Goal.objects.filter(pk=goal.pk).update(title="Ändrad i en annan process")
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from insyn.core.publication import write_version_file; "
            "[write_version_file(path) for path in sys.argv[1:]]",
            str(tmp_path / "publication-version"),
            str(tmp_path / "follow-up-version"),
        ],
        check=True,
        cwd=django_settings.BASE_DIR,
    )
    assert publication.publication_version() != version
    response = client.get(url)
    assert response["X-Insyn-Cache"] == "miss"
    assert "Ändrad i en annan process" in response.content.decode()

    goal.title = "Sparad här"
    goal.save()  # an ordinary save bumps the file too
    assert (tmp_path / "publication-version").read_text() == publication.publication_version()
    assert "Sparad här" in client.get(url).content.decode()


def test_a_host_no_longer_allowed_is_refused_even_with_the_page_cached(client, goal, settings):
    url = goal.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Insyn-Cache"] == "hit"
    settings.ALLOWED_HOSTS = ["insyn.example"]
    assert client.get(url).status_code == 400


def test_a_bump_writes_the_version_file_in_place(tmp_path):
    """A bump overwrites the version where it is (no new file renamed over it, which ext4
    writes to disk first); a missing file, or one of another length, is made afresh."""
    path = tmp_path / "publication-version"
    first = publication.write_version_file(path)  # no file yet: made atomically
    assert publication.read_version_file(path) == first
    inode = path.stat().st_ino
    second = publication.write_version_file(path)
    assert second != first and publication.read_version_file(path) == second
    assert path.stat().st_ino == inode  # written in place
    path.write_text("an older, longer version string of another format")
    third = publication.write_version_file(path)
    assert publication.read_version_file(path) == third
    assert sorted(p.name for p in tmp_path.iterdir()) == ["publication-version"]
