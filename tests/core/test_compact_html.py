"""Public HTML leaves without the templates' indentation (insyn.core.middleware.compact_html),
never touching what <pre> and <textarea> show as written, nor staff pages."""

from __future__ import annotations

import pytest

from insyn.core.middleware import compact_html


def test_indentation_and_blank_lines_go():
    page = b"<ul>\n    <li>Ett</li>\n\n\n    <li>Tv\xc3\xa5</li>\n  </ul>\n"
    assert compact_html(page) == b"<ul>\n<li>Ett</li>\n<li>Tv\xc3\xa5</li>\n</ul>\n"


def test_pre_and_textarea_keep_their_white_space():
    page = (
        b"<div>\n    <PRE>  a\n    b</PRE>\n    <textarea name=x>\n  rad ett\n\n  rad tv\xc3\xa5"
        b"</textarea>\n  </div>"
    )
    assert compact_html(page) == (
        b"<div>\n<PRE>  a\n    b</PRE>\n<textarea name=x>\n  rad ett\n\n  rad tv\xc3\xa5"
        b"</textarea>\n</div>"
    )


@pytest.mark.django_db
def test_public_pages_are_compact_and_personal_pages_untouched(client):
    from tests.factories import MunicipalityFactory

    MunicipalityFactory()
    html = client.get("/om/").content.decode()
    assert "\n " not in html and "\n\n" not in html
    login = client.get("/konto/logga-in/")
    assert login.status_code == 200
    assert "\n " in login.content.decode()  # /konto/ is left as the templates wrote it
