"""`python -m shared.users create-superuser`: its main() run against the test database. The command
commits, so every test removes the accounts it made; none holds the `db` session (one pooled connection)."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select

from shared.users import cli
from shared.users.models import User
from shared.users.passwords import hash_password, verify_password

REPO_ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "a long operator passphrase"
EMAILS = ("root@example.com", "existing@example.com", "other@example.com")


@pytest.fixture(autouse=True)
def clean_accounts(engine, admin_engine):  # type: ignore[no-untyped-def]
    yield
    with admin_engine.begin() as connection:
        connection.execute(delete(User).where(User.email.in_(EMAILS)))


@pytest.fixture
def no_prompt(monkeypatch):  # type: ignore[no-untyped-def]
    def refuse(prompt: str = "") -> str:
        raise AssertionError("the password was asked for")

    monkeypatch.setattr(cli.getpass, "getpass", refuse)


def account(admin_engine, email: str):  # type: ignore[no-untyped-def]
    with admin_engine.connect() as connection:
        return connection.execute(select(User.__table__).where(User.email == email)).first()


def existing_account(admin_engine, **fields):  # type: ignore[no-untyped-def]
    values = {
        "email": "existing@example.com",
        "username": "existing",
        "hashed_password": hash_password(PASSWORD),
    }
    with admin_engine.begin() as connection:
        connection.execute(insert(User.__table__).values(**{**values, **fields}))


def run(monkeypatch, *argv: str, stdin: str = "") -> int:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return cli.main(["create-superuser", *argv])


def test_it_creates_a_verified_superuser_with_the_password_from_stdin(monkeypatch, capsys, admin_engine):
    # WHEN the operator names the account and pipes its password
    status = run(
        monkeypatch,
        "--email",
        "Root@Example.com",
        "--username",
        "root",
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    # THEN a superuser exists, its address counted as verified, its password hashed with argon2id
    assert status == 0
    created = account(admin_engine, "root@example.com")
    assert created.is_superuser and created.is_active and created.email_verified_at is not None
    assert created.hashed_password.startswith("$argon2id$") and verify_password(
        PASSWORD, created.hashed_password
    )
    assert capsys.readouterr().out == f"created superuser root <root@example.com> (id {created.id})\n"


def test_it_asks_for_the_password_twice(monkeypatch, capsys, admin_engine):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(answers))
    assert run(monkeypatch, "--email", "root@example.com", "--username", "root") == 0
    assert account(admin_engine, "root@example.com").is_superuser


def test_two_different_passwords_create_nothing(monkeypatch, capsys, admin_engine):
    answers = iter([PASSWORD, PASSWORD + " typo"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(answers))
    assert run(monkeypatch, "--email", "root@example.com", "--username", "root") == 1
    assert capsys.readouterr().err == "error: the two passwords differ\n"
    assert account(admin_engine, "root@example.com") is None


@pytest.mark.parametrize(
    ("password", "says"),
    [("qwerty123", "too common"), ("short", "at least 8 characters"), ("", "at least 8")],
)
def test_a_weak_password_is_refused_and_creates_nothing(monkeypatch, capsys, admin_engine, password, says):
    status = run(
        monkeypatch, "--email", "root@example.com", "--username", "root", "--password-stdin", stdin=password
    )
    assert status == 1
    error = capsys.readouterr().err
    assert error.startswith("error: password: ") and says in error
    assert account(admin_engine, "root@example.com") is None


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--email", "root@example.com"], "error: --username is required to create an account\n"),
        (["--email", "not-an-address", "--username", "root"], "error: email: "),
        (["--email", "root@example.com", "--username", "no spaces"], "error: username: "),
    ],
)
def test_bad_names_are_refused_before_the_password_is_asked(monkeypatch, capsys, no_prompt, argv, says):
    assert run(monkeypatch, *argv) == 1
    assert capsys.readouterr().err.startswith(says)


def test_a_taken_username_or_address_is_refused_before_the_password_is_asked(
    monkeypatch, capsys, no_prompt, admin_engine
):
    # GIVEN an account named "existing"
    existing_account(admin_engine)
    # THEN neither its username (in any case) nor its address makes a second account
    assert run(monkeypatch, "--email", "other@example.com", "--username", "EXISTING") == 1
    assert capsys.readouterr().err == "error: This username is taken\n"
    assert run(monkeypatch, "--email", "existing@example.com", "--username", "someone") == 1
    assert capsys.readouterr().err == "error: An account with this email already exists\n"
    assert account(admin_engine, "other@example.com") is None
    assert not account(admin_engine, "existing@example.com").is_superuser


def test_promote_makes_an_existing_account_a_superuser_and_keeps_its_password(
    monkeypatch, capsys, no_prompt, admin_engine
):
    existing_account(admin_engine)
    assert run(monkeypatch, "--email", "existing@example.com", "--promote") == 0
    promoted = account(admin_engine, "existing@example.com")
    assert promoted.is_superuser and verify_password(PASSWORD, promoted.hashed_password)
    assert promoted.email_verified_at is None  # promoting vouches for nothing
    assert capsys.readouterr().out == (
        f"promoted existing <existing@example.com> (id {promoted.id}) to superuser\n"
    )
    # ... and a second promotion changes nothing
    assert run(monkeypatch, "--email", "existing@example.com", "--username", "existing", "--promote") == 0
    assert capsys.readouterr().out.endswith("is already a superuser; nothing changed\n")


def test_promote_refuses_an_unknown_address_or_another_accounts_username(
    monkeypatch, capsys, no_prompt, admin_engine
):
    existing_account(admin_engine)
    assert run(monkeypatch, "--email", "other@example.com", "--promote") == 1
    assert capsys.readouterr().err == (
        "error: no account has the address other@example.com; leave out --promote to create one\n"
    )
    assert run(monkeypatch, "--email", "existing@example.com", "--username", "someone", "--promote") == 1
    assert (
        capsys.readouterr().err == "error: the account of existing@example.com is 'existing', not 'someone'\n"
    )
    assert not account(admin_engine, "existing@example.com").is_superuser


def test_the_command_runs_as_a_module():
    completed = subprocess.run(
        [sys.executable, "-m", "shared.users", "create-superuser", "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0
    assert "--password-stdin" in completed.stdout and "--promote" in completed.stdout
