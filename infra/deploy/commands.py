"""The three commands, step by step: `deploy` (layers, data tier, secrets, application, migrations, API URL,
checklist), `destroy` (the application; the data tier only when asked) and `checklist`. They talk to AWS
only through `aws` and run tools only through `runner`: a dry run prints the plan a real run follows."""

from pathlib import Path
from typing import Any

import yaml

from infra.deploy import app_secrets, checklist
from infra.deploy.aws import Aws
from infra.deploy.errors import DeployError
from infra.deploy.options import DeployOptions, DestroyOptions
from infra.deploy.parameters import (
    APP_TEMPLATE,
    DATA_TEMPLATE,
    app_parameters,
    check_data_outputs,
    data_stack_parameters,
    database_url,
    sam_delete_command,
    sam_deploy_command,
)
from infra.deploy.runner import REPO_ROOT, Progress, Runner


def read_template_environment(template: Path = REPO_ROOT / APP_TEMPLATE) -> frozenset[str]:
    """The environment variables template.yaml gives every function (its Globals)."""

    class Loader(yaml.SafeLoader):
        """CloudFormation's short tags (!Ref, !Sub, ...) read as nothing."""

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    document = yaml.load(template.read_text(encoding="utf-8"), Loader=Loader)  # noqa: S506
    variables = document.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    return frozenset(variables)


def gather_facts(
    aws: Aws,
    *,
    app_secret: dict[str, Any],
    llm_secret: dict[str, Any],
    parameters: dict[str, str],
    app_secret_id: str,
    llm_secret_id: str,
) -> checklist.Facts:
    """What the checklist needs beyond the secrets and parameters: the SES account and the Lambda quota
    (unknown when the caller may not read them)."""
    from botocore.exceptions import BotoCoreError, ClientError

    def known(read: Any, *args: Any) -> Any:
        try:
            return read(*args)
        except (BotoCoreError, ClientError):
            return None

    sender = parameters.get("MailFromEmail", "")
    return checklist.Facts(
        app_secret=app_secret,
        llm_secret=llm_secret,
        parameters=parameters,
        template_environment=read_template_environment(),
        app_secret_id=app_secret_id,
        llm_secret_id=llm_secret_id,
        ses=known(aws.ses_account),
        ses_identity_verified=known(aws.ses_identity_verified, sender) if sender else None,
        lambda_concurrency=known(aws.lambda_concurrency_limit),
    )


def deploy(options: DeployOptions, *, aws: Aws, runner: Runner, progress: Progress) -> dict[str, str]:
    """Bring up (or update) a stage; returns the application stack's outputs."""
    runner.require("sam")
    if options.build_layers:
        progress.step("build the Lambda layers (python3.12 arm64, no Docker; fails past 250 MB)")
        runner.require("make")
        runner.run(["make", "layers"])

    data_outputs, private_database_url = None, None
    if options.data_tier == "deploy":
        database = options.database
        progress.step(
            f"deploy the data tier {options.data_stack_name}: VPC, NAT x{database.nat_gateways}, Aurora "
            f"PostgreSQL {database.engine_version} Serverless v2 {database.min_capacity:g}-"
            f"{database.max_capacity:g} ACU, RDS Proxy (the first time takes 15-25 minutes)"
        )
        runner.run(
            sam_deploy_command(
                template=DATA_TEMPLATE,
                stack=options.data_stack_name,
                region=options.region,
                stage=options.stage,
                parameters=data_stack_parameters(options.stage, database),
                confirm_changeset=options.confirm_changesets,
            )
        )
    if options.data_tier in ("deploy", "reuse"):
        progress.step(f"read the outputs of {options.data_stack_name}")
        data_outputs = aws.stack_outputs(options.data_stack_name)
        if data_outputs is None:
            raise DeployError(
                f"stack {options.data_stack_name} does not exist in {options.region}: "
                "run with --data-tier deploy"
            )
        check_data_outputs(options.data_stack_name, data_outputs)
        password = app_secrets.database_password(aws, data_outputs["DatabaseSecretArn"])
        private_database_url = database_url(data_outputs, password)
        progress.info(f"proxy {data_outputs['ProxyEndpoint']}, subnets {data_outputs['PrivateSubnetIds']}")

    progress.step("secrets: the app secret (SECRET_KEY, FERNET_KEY, DATABASE_URL) and the LLM secret")
    app_secret = app_secrets.ensure_app_secret(
        aws, options.app_secret_id, database_url=private_database_url, progress=progress
    )
    llm_secret = app_secrets.ensure_llm_secret(aws, options.llm_secret_id, progress=progress)
    parameters = app_parameters(
        options, data_outputs=data_outputs, app_secret_arn=app_secret.arn, llm_secret_arn=llm_secret.arn
    )
    rows = checklist.evaluate(
        gather_facts(
            aws,
            app_secret=app_secret.values,
            llm_secret=llm_secret.values,
            parameters=parameters,
            app_secret_id=options.app_secret_id,
            llm_secret_id=options.llm_secret_id,
        )
    )
    blocking = [row for row in rows if row.blocks_deploy and row.missing]
    if blocking:
        progress.block(checklist.render(rows))
        raise DeployError(
            f"the functions would refuse to start without {', '.join(r.setting for r in blocking)}; "
            "fix them first (the table above says how)"
        )

    progress.step(f"deploy the application {options.app_stack_name} ({APP_TEMPLATE})")
    runner.run(
        sam_deploy_command(
            template=APP_TEMPLATE,
            stack=options.app_stack_name,
            region=options.region,
            stage=options.stage,
            parameters=parameters,
            confirm_changeset=options.confirm_changesets,
        )
    )
    app_outputs = aws.stack_outputs(options.app_stack_name)
    if app_outputs is None:
        raise DeployError(
            f"stack {options.app_stack_name} is not there after its deploy (was the change set declined?)"
        )

    if options.run_migrations:
        progress.step("migrate the database (MigrateFunction: alembic upgrade head under an advisory lock)")
        result = aws.invoke(app_outputs["MigrateFunctionName"], {})
        progress.info(f"database at revision {result.get('revision')}")

    progress.step("production settings")
    progress.block(checklist.render(rows))
    progress.block(f"\nAPI: {app_outputs['ApiUrl']}   (health: {app_outputs['ApiUrl']}/v1/health)")
    return dict(app_outputs)


def describe_destroy(options: DestroyOptions, app_secret_ids: tuple[str, str]) -> str:
    """What `destroy` deletes and what it keeps, said before anything is deleted."""
    deleted = [
        f"stack {options.app_stack_name}: every function, the HTTP API, the layers, the executions queue "
        "and its dead-letter queue (messages in them are lost), the schedule group with every workflow's "
        "schedule, the SES configuration set, the mail events topic, the alarms"
    ]
    kept = [
        f"secrets {app_secret_ids[0]} and {app_secret_ids[1]} (FERNET_KEY decrypts the secrets stored in the "
        "database; delete them by hand: aws secretsmanager delete-secret --secret-id ...)",
        "the SAM artifacts bucket (aws-sam-cli-managed-default), shared by every SAM stack of the account",
    ]
    if options.delete_data:
        deleted.append(
            f"stack {options.data_stack_name}: the VPC, NAT gateways, RDS Proxy, the database secret and the "
            "Aurora cluster (deletion protection is turned off first; CloudFormation keeps a final snapshot)"
        )
    else:
        kept.insert(
            0,
            f"stack {options.data_stack_name}: the network and the database (--delete-data deletes it)",
        )
    lines = ["Deletes:", *(f"  - {line}" for line in deleted), "Keeps:", *(f"  - {line}" for line in kept)]
    return "\n".join(lines)


def destroy(options: DestroyOptions, *, aws: Aws, runner: Runner, progress: Progress) -> None:
    runner.require("sam")
    progress.step(f"delete the application {options.app_stack_name}")
    runner.run(sam_delete_command(stack=options.app_stack_name, region=options.region))
    if not options.delete_data:
        progress.info(f"kept the data tier {options.data_stack_name}")
        return
    progress.step(f"delete the data tier {options.data_stack_name}")
    outputs = aws.stack_outputs(options.data_stack_name)
    if outputs is None:
        progress.info(f"stack {options.data_stack_name} does not exist; nothing to delete")
        return
    aws.disable_deletion_protection(outputs["DatabaseClusterIdentifier"])
    progress.info(
        "Lambda releases the functions' network interfaces up to ~20 minutes after they are deleted; if the "
        "subnets are still in use, wait and run the same command again"
    )
    runner.run(sam_delete_command(stack=options.data_stack_name, region=options.region))


def show_checklist(*, stage: str, app_stack: str, aws: Aws, progress: Progress) -> list[checklist.Row]:
    """The checklist of a deployed stage, from its stack's parameters and its secrets."""
    parameters = aws.stack_parameters(app_stack)
    if parameters is None:
        raise DeployError(f"stack {app_stack} does not exist: deploy it first (make deploy)")
    app_secret_id, llm_secret_id = (
        parameters.get("AppSecretArn", ""),
        parameters.get("LlmApiKeySecretArn", ""),
    )
    app_secret = aws.read_secret(app_secret_id) if app_secret_id else None
    llm_secret = aws.read_secret(llm_secret_id) if llm_secret_id else None
    rows = checklist.evaluate(
        gather_facts(
            aws,
            app_secret=app_secret.values if app_secret else {},
            llm_secret=llm_secret.values if llm_secret else {},
            parameters=parameters,
            app_secret_id=app_secret_id or f"ainav/{stage}/app",
            llm_secret_id=llm_secret_id or f"ainav/{stage}/llm",
        )
    )
    progress.block(checklist.render(rows))
    return rows
