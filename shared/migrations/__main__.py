"""`python -m shared.migrations upgrade|downgrade|revision -m "message"` against DATABASE_URL."""

import argparse

from alembic import command

from shared.migrations.runner import alembic_config


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.migrations")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("upgrade", help="apply every migration (alembic upgrade head)")
    sub.add_parser("downgrade", help="revert every migration (alembic downgrade base)")
    sub.add_parser("current", help="print the applied revision")
    revision = sub.add_parser("revision", help="autogenerate a new migration from the models")
    revision.add_argument("-m", "--message", required=True)
    args = parser.parse_args()

    config = alembic_config()
    if args.action == "upgrade":
        command.upgrade(config, "head")
    elif args.action == "downgrade":
        command.downgrade(config, "base")
    elif args.action == "current":
        command.current(config)
    else:
        command.revision(config, message=args.message, autogenerate=True)


if __name__ == "__main__":
    main()
