"""INSYN_ENV_FILE: the production environment file, read by `insyn` itself."""

from __future__ import annotations

import pytest

from insyn.cli import read_env_file


def test_reads_quoted_values_comments_and_urls(tmp_path):
    env = tmp_path / "insyn.env"
    env.write_text(
        "# a comment\n\n"
        "DATABASE_URL=postgres://insyn:p%40ss@db.internal:5432/insyn\n"
        'DEFAULT_FROM_EMAIL="Insyn Uppsala <insyn@uppsala.se>"\n'
        "SECRET_KEY='a$b`c'\n"
        "EMPTY=\n"
    )
    assert read_env_file(str(env)) == {
        "DATABASE_URL": "postgres://insyn:p%40ss@db.internal:5432/insyn",
        "DEFAULT_FROM_EMAIL": "Insyn Uppsala <insyn@uppsala.se>",
        "SECRET_KEY": "a$b`c",
        "EMPTY": "",
    }


def test_an_unquoted_value_with_spaces_is_refused_with_the_line(tmp_path):
    env = tmp_path / "insyn.env"
    env.write_text("DEFAULT_FROM_EMAIL=Insyn Uppsala <insyn@uppsala.se>\n")
    with pytest.raises(SystemExit, match=r"insyn\.env:1: .*citattecken"):
        read_env_file(str(env))


def test_the_callers_environment_wins_over_the_file(tmp_path, monkeypatch):
    import os

    from insyn import cli

    env = tmp_path / "insyn.env"
    env.write_text("INSYN_TEST_A=from-file\nINSYN_TEST_B=from-file\n")
    monkeypatch.setenv("INSYN_ENV_FILE", str(env))
    monkeypatch.setenv("INSYN_TEST_A", "from-caller")
    monkeypatch.delenv("INSYN_TEST_B", raising=False)
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line", lambda argv: None, raising=True
    )
    cli.main(["insyn", "version"])
    assert os.environ["INSYN_TEST_A"] == "from-caller"
    assert os.environ["INSYN_TEST_B"] == "from-file"
    monkeypatch.delenv("INSYN_TEST_B")
