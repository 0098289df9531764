"""The `insyn` console command: Django's manage.py with Insyn's settings preset.

Commands may be written with hyphens (`insyn import-followup`), as the documentation does;
they map to Django management commands with underscores (`import_followup`).

INSYN_ENV_FILE names an environment file (KEY=VALUE lines, `#` comments, values optionally in
quotes: the format systemd's EnvironmentFile= and a POSIX shell both read). Its variables apply
only where the caller has not set them, so `DATABASE_URL=… insyn restore …` means that database
even when the file names another.
"""

from __future__ import annotations

import os
import sys


def read_env_file(path: str) -> dict[str, str]:
    """KEY=VALUE lines of an environment file; a value may be quoted with ' or "."""
    import shlex

    values: dict[str, str] = {}
    with open(path, encoding="utf-8") as handle:
        for number, raw in enumerate(handle, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            key = key.strip().removeprefix("export ").strip()
            if not sep or not key.isidentifier():
                raise SystemExit(f"{path}:{number}: förväntade NAMN=värde, fick {line!r}")
            try:
                parts = shlex.split(value, comments=False, posix=True)
            except ValueError as exc:
                raise SystemExit(f"{path}:{number}: {exc} i {line!r}") from exc
            if len(parts) > 1:
                raise SystemExit(
                    f"{path}:{number}: värdet för {key} har mellanslag; sätt det inom citattecken"
                )
            values[key] = parts[0] if parts else ""
    return values


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if env_file := os.environ.get("INSYN_ENV_FILE"):
        for key, value in read_env_file(env_file).items():
            os.environ.setdefault(key, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insyn.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
