"""Every staff form, sent wrong input: the answer is a page (a Swedish error summary, a
refusal, or a redirect), never a server error. The forms are found on the pages themselves: each
staff URL from the URL configuration (goals objects from the authorization matrix, dialogue and
case pages with an object of their own) is opened as the administrator, and every POST form on
it is sent each kind of junk in every field it has."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

from insyn.accounts.testing import login_verified
from tests.test_authz_matrix import OBJECT_URLS, ObjectKwargs, routes, url_for

pytestmark = pytest.mark.django_db

JUNK = [
    "",
    " ",
    "x" * 30_001,
    "-1",
    "abc",
    "2024-02-30",
    "1e309",
    "99999999999999999999",
    "<script>alert(1)</script>",
    "ä\x00ö",
]


class _Forms(HTMLParser):
    """The POST forms of a page: (action, field names)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, set[str]]] = []
        self._current: tuple[str, set[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._current = (a.get("action") or "", set())
            self.forms.append(self._current)
        elif tag in ("input", "select", "textarea", "button") and self._current is not None:
            name = a.get("name")
            if name and name != "csrfmiddlewaretoken" and a.get("type") != "file":
                self._current[1].add(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def _objects(world: Any) -> dict[str, Any]:
    from insyn.feedback import services as feedback
    from insyn.feedback.models import Kind
    from tests.dialogue.factories import PublishedDialogueFactory
    from tests.feedback.factories import CategoryFactory

    case = feedback.create_case(
        kind=Kind.FAULT,
        category=CategoryFactory(code="potthal", name="Hål i vägen"),
        description="Hål",
        address_text="Torget",
    ).case
    return {"dialogue": PublishedDialogueFactory(), "case": case}


def _url(route: Any, world: Any, objects: dict[str, Any]) -> str | None:
    builder = OBJECT_URLS.get(route.name)
    if builder is not None:
        return url_for(route, builder(world).own)
    if not route.params:
        return url_for(route, ObjectKwargs(own={}).own)
    if route.params == {"number": "str"} and route.name.startswith("feedback_staff:"):
        return url_for(route, {"number": objects["case"].number})
    if route.params == {"pk": "int"} and route.route.startswith("personal/dialog/<int:pk>/"):
        return url_for(route, {"pk": objects["dialogue"].pk})
    return None


def test_every_staff_form_answers_wrong_input_with_a_page_never_a_server_error(client):
    from tests.test_authz_matrix import make_world, open_period

    world = make_world()
    open_period(world)
    objects = _objects(world)
    login_verified(client, world.users["admin"])
    sent, failures = 0, []
    for route in routes("personal/"):
        url = _url(route, world, objects)
        if url is None:
            continue
        page = client.get(url)
        if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
            continue
        parser = _Forms()
        parser.feed(page.content.decode())
        for action, names in parser.forms:
            target = action or url
            if not target.startswith("/personal/") or re.search(r"logga-ut|/sprak", target):
                continue
            for junk in JUNK:
                response = client.post(target, dict.fromkeys(sorted(names), junk))
                sent += 1
                if response.status_code >= 500:
                    failures.append(f"{target} {junk[:20]!r}: {response.status_code}")
    assert sent > 200, "the walk found the staff forms"
    assert not failures, "\n".join(failures)
