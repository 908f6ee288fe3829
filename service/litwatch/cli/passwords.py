"""`litwatch hash-password`: the argon2 hash to set as LITWATCH_WEB_PASSWORD_HASH."""

from __future__ import annotations

import sys

import typer

from litwatch.errors import ConfigError

MIN_LENGTH = 10


def hash_password(
    stdin: bool = typer.Option(
        False, "--stdin", help="Read the password from standard input instead of asking."
    ),
) -> None:
    """Print an argon2 hash of a password, for LITWATCH_WEB_PASSWORD_HASH (the password itself
    is never stored)."""
    from litwatch.web.auth import hash_password as make_hash

    if stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_LENGTH:
        raise ConfigError(f"the password must be at least {MIN_LENGTH} characters long")
    typer.echo(make_hash(password))


def register(app: typer.Typer) -> None:
    app.command("hash-password")(hash_password)
