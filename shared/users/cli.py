"""`python -m shared.users create-superuser`: make the first superuser (or promote an account) in the
database of DATABASE_URL, without SQL. The password is asked twice, or read from stdin."""

import argparse
import getpass
import sys
from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import DBAPIError

from shared.db import session_scope
from shared.errors import DomainError
from shared.users import service as user_service
from shared.users.models import User
from shared.users.schemas import Email, NewPassword, Username


class Refused(Exception):
    """Bad input or a conflict: said on stderr, exit status 1."""


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m shared.users")
    commands = root.add_subparsers(dest="command", required=True)
    create = commands.add_parser(
        "create-superuser",
        help="create a superuser account, or promote an existing one (--promote)",
        description="Create a superuser (its address counts as verified: the operator vouches for it), "
        "or with --promote make the account of --email a superuser, keeping its password.",
    )
    create.add_argument("--email", required=True)
    create.add_argument("--username", help="required to create; with --promote, must be the account's")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin instead of asking"
    )
    create.add_argument("--promote", action="store_true", help="promote the existing account of --email")
    return root


def checked(kind: Any, value: str, field: str) -> Any:
    """`value` as the API would accept it in `field` (same rules as registration)."""
    try:
        return TypeAdapter(kind).validate_python(value)
    except ValidationError as exc:
        raise Refused(f"{field}: {exc.errors()[0]['msg']}") from exc


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password (again): ") != password:
            raise Refused("the two passwords differ")
    return checked(NewPassword, password, "password")


def create_superuser(email: str, username: str | None, password_from_stdin: bool) -> str:
    if not username:
        raise Refused("--username is required to create an account")
    email, username = checked(Email, email, "email"), checked(Username, username, "username")
    with session_scope() as session:  # refuse a taken name before asking for a password
        user_service.ensure_available(session=session, email=email, username=username)
    password = read_password(password_from_stdin)
    with session_scope() as session:
        user = user_service.create_user(
            session=session, email=email, username=username, password=password, email_verified=True
        )
        user.is_superuser = True
        session.flush()
        return f"created superuser {describe(user)}"


def promote(email: str, username: str | None) -> str:
    with session_scope() as session:
        user = user_service.get_by_email(session=session, email=email)
        if user is None:
            raise Refused(f"no account has the address {email.lower()}; leave out --promote to create one")
        if username is not None and username.lower() != user.username.lower():
            raise Refused(f"the account of {user.email} is {user.username!r}, not {username!r}")
        if user.is_superuser:
            return f"{describe(user)} is already a superuser; nothing changed"
        user.is_superuser = True
        disabled = "" if user.is_active else " (the account is disabled: it cannot sign in)"
        return f"promoted {describe(user)} to superuser{disabled}"


def describe(user: User) -> str:
    return f"{user.username} <{user.email}> (id {user.id})"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; 0 when done, 1 (and a line on stderr) when refused, 2 for bad usage."""
    args = parser().parse_args(argv)
    try:
        if args.promote:
            message = promote(args.email, args.username)
        else:
            message = create_superuser(args.email, args.username, args.password_stdin)
    except (Refused, DomainError) as exc:
        print(f"error: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 1
    except DBAPIError as exc:  # never the URL: it may carry a password
        print(
            f"error: the database of DATABASE_URL cannot be used ({type(exc.orig).__name__})", file=sys.stderr
        )
        return 1
    print(message)
    return 0
