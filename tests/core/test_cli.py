"""The `insyn` console command: Django's manage.py with the settings preset, hyphenated names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from insyn.cli import main
from tests.ops.instance import Instance


# A management command run in-process closes every database connection when it ends
# (BaseCommand.run_from_argv); only a transactional test survives that on PostgreSQL.
@pytest.mark.django_db(transaction=True)
def test_hyphenated_command_runs_the_underscored_management_command(capsys):
    main(["insyn", "send-queued-mail"])
    assert "Skickade 0, misslyckades 0." in capsys.readouterr().out


def test_options_before_the_command_are_left_alone(capsys):
    main(["insyn", "--version"])
    assert capsys.readouterr().out.strip()[0].isdigit()


def test_the_console_script_is_installed_and_maps_hyphens(tmp_path: Path):
    script = Path(sys.executable).parent / "insyn"
    assert script.exists(), "pip install -e . installs the insyn command into the venv"
    site = Instance(tmp_path)
    result = subprocess.run(
        [str(script), "send-queued-mail", "--help"],
        env=site.env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--loop" in result.stdout
