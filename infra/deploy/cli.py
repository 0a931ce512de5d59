"""The command line of `python -m infra.deploy` (`make deploy`, `make destroy`): arguments, the guided
questions for what they leave open (defaults: the last deploy of the stage), confirmation, the command."""

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from infra.deploy import commands
from infra.deploy.aws import Aws, Boto3Aws, DryRunAws
from infra.deploy.errors import DeployError
from infra.deploy.options import (
    ANSWERS_DIR,
    DATA_TIERS,
    EXAMPLE_FRONTEND_URL,
    EXAMPLE_MAIL_FROM,
    STAGES,
    DataTierOptions,
    DeployOptions,
    DestroyOptions,
    ExternalDataTier,
    load_answers,
    save_answers,
)
from infra.deploy.runner import CommandRunner, DryRunRunner, Progress, Runner

Ask = Callable[[str, str], str]  # (question, default) -> answer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m infra.deploy",
        description="Deploy ainav to AWS from an empty account (docs/deploy.md), or take it down.",
    )
    commands_ = parser.add_subparsers(dest="command", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--stage", choices=STAGES, default="prod")
        sub.add_argument("--region", help="AWS region (default: the last deploy's, then AWS_REGION)")
        sub.add_argument("--stack-name", help="application stack (default ainav-<stage>)")
        sub.add_argument("--data-stack-name", help="data tier stack (default ainav-data-<stage>)")
        sub.add_argument("--dry-run", action="store_true", help="print the plan; run and call nothing")
        sub.add_argument("--yes", "-y", action="store_true", help="ask nothing (CI, scripts)")

    deploy = commands_.add_parser("deploy", help="layers, data tier, application, migrations, API URL")
    common(deploy)
    deploy.add_argument(
        "--data-tier",
        choices=DATA_TIERS,
        help="deploy: create or update infra/aws/data.yaml; reuse: use the one deployed before; "
        "external: your own database and network (--database-url, --subnet-ids, --security-group-ids)",
    )
    deploy.add_argument(
        "--frontend-url", help=f"FRONTEND_URL, the base of mailed links ({EXAMPLE_FRONTEND_URL})"
    )
    deploy.add_argument("--cors-origins", help="CORS_ORIGINS, comma-separated https origins")
    deploy.add_argument(
        "--mail-from", help=f"MAIL_FROM_EMAIL, an SES verified identity ({EXAMPLE_MAIL_FROM})"
    )
    deploy.add_argument(
        "--worker-max-concurrency", type=int, help="SQS maximum concurrency of the worker (10)"
    )
    deploy.add_argument("--engine-version", help="Aurora PostgreSQL version (17.7)")
    deploy.add_argument("--min-acu", type=float, help="Aurora Serverless v2 minimum capacity (0.5)")
    deploy.add_argument("--max-acu", type=float, help="Aurora Serverless v2 maximum capacity (8)")
    deploy.add_argument(
        "--nat-gateways", type=int, choices=(1, 2), help="1 (cheaper) or 2 (one per AZ, default)"
    )
    deploy.add_argument("--reader", action="store_true", default=None, help="add a reader for fast failover")
    deploy.add_argument(
        "--no-deletion-protection", action="store_true", help="let the Aurora cluster be deleted (dev stages)"
    )
    deploy.add_argument("--database-url", help="external data tier: a pg8000 URL with its password")
    deploy.add_argument("--subnet-ids", help="external data tier: comma-separated private subnets")
    deploy.add_argument("--security-group-ids", help="external data tier: comma-separated security groups")
    deploy.add_argument("--app-secret", help="name or ARN of the app secret (default ainav/<stage>/app)")
    deploy.add_argument("--llm-secret", help="name or ARN of the LLM secret (default ainav/<stage>/llm)")
    deploy.add_argument("--skip-layers", action="store_true", help="deploy the layers built before")
    deploy.add_argument("--skip-migrations", action="store_true", help="do not invoke MigrateFunction")

    destroy = commands_.add_parser(
        "destroy", help="delete the application; the data tier only with --delete-data"
    )
    common(destroy)
    destroy.add_argument(
        "--delete-data", action="store_true", help="also delete the data tier (a final snapshot is kept)"
    )

    check = commands_.add_parser(
        "checklist", help="the production settings still missing in a deployed stage"
    )
    common(check)
    return parser


def resolve_region(args: argparse.Namespace, answers: dict[str, Any], environ: dict[str, str]) -> str:
    return str(
        args.region
        or answers.get("region")
        or environ.get("AWS_REGION")
        or environ.get("AWS_DEFAULT_REGION")
        or ""
    )


def deploy_options(
    args: argparse.Namespace, *, answers: dict[str, Any], environ: dict[str, str], ask: Ask | None
) -> DeployOptions:
    """The options of a deploy: the arguments, else the guided answer (when `ask` is given), else the
    last deploy's answer, else the default. Only --data-tier has no default for a first deploy."""

    def choose(name: str, question: str, default: Any) -> Any:
        given = getattr(args, name, None)
        if given is not None:
            return given
        fallback = answers.get(name, default)
        if ask is None:
            return fallback
        return ask(question, "" if fallback is None else str(fallback)) or fallback

    region = resolve_region(args, answers, environ)
    if not region and ask is not None:
        region = ask("AWS region", "ap-southeast-1")
    data_tier = choose("data_tier", f"data tier: {' | '.join(DATA_TIERS)}", None)
    if not data_tier:
        if args.dry_run:
            data_tier = "deploy"
        else:
            raise DeployError(
                "say where the database comes from: --data-tier deploy (a new VPC, Aurora and RDS Proxy), "
                "reuse (the data stack deployed before) or external (--database-url ...)"
            )
    external = None
    if data_tier == "external" and args.database_url:
        external = ExternalDataTier(
            database_url=args.database_url,
            subnet_ids=args.subnet_ids or answers.get("subnet_ids", ""),
            security_group_ids=args.security_group_ids or answers.get("security_group_ids", ""),
        )
    remembered = {k.removeprefix("database_"): v for k, v in answers.items() if k.startswith("database_")}
    defaults = DataTierOptions()

    def database_option(given: Any, name: str) -> Any:
        return given if given is not None else remembered.get(name, getattr(defaults, name))

    database = DataTierOptions(
        engine_version=database_option(args.engine_version, "engine_version"),
        min_capacity=database_option(args.min_acu, "min_capacity"),
        max_capacity=database_option(args.max_acu, "max_capacity"),
        nat_gateways=database_option(args.nat_gateways, "nat_gateways"),
        reader_instance=database_option(args.reader, "reader_instance"),
        deletion_protection=not args.no_deletion_protection,
    )
    frontend_url = choose("frontend_url", "frontend URL (FRONTEND_URL)", EXAMPLE_FRONTEND_URL)
    return DeployOptions(
        stage=args.stage,
        region=region,
        data_tier=str(data_tier),
        frontend_url=frontend_url,
        cors_origins=choose("cors_origins", "CORS origins (comma-separated)", frontend_url),
        mail_from=choose("mail_from", "sender address, an SES identity (MAIL_FROM_EMAIL)", EXAMPLE_MAIL_FROM),
        worker_max_concurrency=int(
            args.worker_max_concurrency
            if args.worker_max_concurrency is not None
            else answers.get("worker_max_concurrency", DeployOptions.worker_max_concurrency)
        ),
        database=database,
        external=external,
        app_secret=args.app_secret,
        llm_secret=args.llm_secret,
        app_stack=args.stack_name,
        data_stack=args.data_stack_name,
        build_layers=not args.skip_layers,
        run_migrations=not args.skip_migrations,
        confirm_changesets=not args.yes,
        dry_run=args.dry_run,
    )


def console_ask(stream: TextIO) -> Ask:
    def ask(question: str, default: str) -> str:
        print(f"[deploy] {question} [{default}]: ", end="", file=stream, flush=True)
        return input().strip()

    return ask


def confirm(question: str, expected: str, stream: TextIO) -> bool:
    print(f"[deploy] {question} ", end="", file=stream, flush=True)
    return input().strip() == expected


def tools(dry_run: bool, region: str, progress: Progress) -> tuple[Aws, Runner]:
    if dry_run:
        return DryRunAws(progress, region), DryRunRunner(progress)
    return Boto3Aws(region), CommandRunner(progress)


def main(
    argv: Sequence[str] | None = None,
    *,
    stream: TextIO = sys.stdout,
    environ: dict[str, str] | None = None,
    answers_dir: Path = ANSWERS_DIR,
    interactive: bool | None = None,
    make_tools: Callable[[bool, str, Progress], tuple[Aws, Runner]] = tools,
) -> int:
    args = build_parser().parse_args(argv)
    environ = dict(os.environ) if environ is None else environ
    if interactive is None:
        interactive = sys.stdin.isatty() and not args.yes and not args.dry_run
    progress = Progress(stream)
    try:
        return run(
            args,
            environ=environ,
            answers_dir=answers_dir,
            interactive=interactive,
            progress=progress,
            make_tools=make_tools,
        )
    except DeployError as exc:
        print(f"[deploy] error: {exc}", file=stream, flush=True)
        return 2
    except KeyboardInterrupt:
        print("\n[deploy] interrupted; a stack being deployed goes on in CloudFormation", file=stream)
        return 130


def run(
    args: argparse.Namespace,
    *,
    environ: dict[str, str],
    answers_dir: Path,
    interactive: bool,
    progress: Progress,
    make_tools: Callable[[bool, str, Progress], tuple[Aws, Runner]],
) -> int:
    answers = load_answers(args.stage, answers_dir)
    if args.command == "deploy":
        options = deploy_options(
            args, answers=answers, environ=environ, ask=console_ask(progress.stream) if interactive else None
        )
        aws, runner = make_tools(options.dry_run, options.region, progress)
        heading = (
            "dry run (nothing runs, AWS is not called; secrets read as absent)"
            if options.dry_run
            else "deploy"
        )
        progress.block(
            f"[deploy] {heading}: stage {options.stage} in {options.region}, data tier: {options.data_tier}, "
            f"stacks {options.data_stack_name} and {options.app_stack_name}"
        )
        if interactive and not confirm("go on? [y/N]", "y", progress.stream):
            progress.block("[deploy] nothing done")
            return 1
        if not interactive and not args.yes and not options.dry_run:
            raise DeployError("without a terminal nothing can be confirmed: pass --yes (or --dry-run)")
        commands.deploy(options, aws=aws, runner=runner, progress=progress)
        if not options.dry_run:
            progress.info(f"answers kept in {save_answers(options, answers_dir)} for the next deploy")
        return 0
    region = resolve_region(args, answers, environ)
    if args.command == "destroy":
        destroy = DestroyOptions(
            stage=args.stage,
            region=region,
            delete_data=args.delete_data,
            app_stack=args.stack_name,
            data_stack=args.data_stack_name,
            dry_run=args.dry_run,
        )
        progress.block(
            commands.describe_destroy(destroy, (f"ainav/{args.stage}/app", f"ainav/{args.stage}/llm"))
        )
        if interactive and not confirm(
            f"type the stack name ({destroy.app_stack_name}) to delete it:",
            destroy.app_stack_name,
            progress.stream,
        ):
            progress.block("[deploy] nothing deleted")
            return 1
        if not interactive and not args.yes and not args.dry_run:
            raise DeployError("destroy deletes stacks: pass --yes to confirm without a terminal")
        aws, runner = make_tools(destroy.dry_run, destroy.region, progress)
        commands.destroy(destroy, aws=aws, runner=runner, progress=progress)
        return 0
    if not region:
        raise DeployError("no region: pass --region or set AWS_REGION")
    aws, _ = make_tools(args.dry_run, region, progress)
    rows = commands.show_checklist(
        stage=args.stage, app_stack=args.stack_name or f"ainav-{args.stage}", aws=aws, progress=progress
    )
    return 1 if any(row.missing for row in rows) else 0
