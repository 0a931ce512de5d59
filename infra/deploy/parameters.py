"""How the data tier feeds the application: infra/aws/data.yaml's parameters from the options, its outputs
into template.yaml's parameters, and the `sam deploy` command lines of both stacks."""

from urllib.parse import quote

from infra.deploy.errors import DeployError
from infra.deploy.options import DataTierOptions, DeployOptions

DATA_TEMPLATE = "infra/aws/data.yaml"
APP_TEMPLATE = "template.yaml"
# the outputs of infra/aws/data.yaml that template.yaml's parameters are made of
REQUIRED_DATA_OUTPUTS = (
    "PrivateSubnetIds",
    "FunctionSecurityGroupId",
    "ProxyEndpoint",
    "DatabasePort",
    "DatabaseName",
    "DatabaseUsername",
    "DatabaseSecretArn",
)


def data_stack_parameters(stage: str, database: DataTierOptions) -> dict[str, str]:
    """infra/aws/data.yaml's parameters."""
    return {
        "Stage": stage,
        "EngineVersion": database.engine_version,
        "MinCapacity": f"{database.min_capacity:g}",
        "MaxCapacity": f"{database.max_capacity:g}",
        "NatGateways": str(database.nat_gateways),
        "ReaderInstance": str(database.reader_instance).lower(),
        "DeletionProtection": str(database.deletion_protection).lower(),
    }


def check_data_outputs(stack: str, outputs: dict[str, str]) -> None:
    missing = [name for name in REQUIRED_DATA_OUTPUTS if not outputs.get(name)]
    if missing:
        raise DeployError(
            f"stack {stack} lacks the outputs {', '.join(missing)}: is it a stack of {DATA_TEMPLATE}? "
            "Deploy it with --data-tier deploy"
        )


def database_url(outputs: dict[str, str], password: str | None = None) -> str:
    """The pg8000 URL of the RDS Proxy; with the password only where it stays secret (the app secret)."""
    user = quote(outputs["DatabaseUsername"], safe="")
    credentials = f"{user}:{quote(password, safe='')}" if password else user
    return (
        f"postgresql+pg8000://{credentials}@{outputs['ProxyEndpoint']}:{outputs['DatabasePort']}/"
        f"{outputs['DatabaseName']}"
    )


def app_parameters(
    options: DeployOptions,
    *,
    data_outputs: dict[str, str] | None,
    app_secret_arn: str,
    llm_secret_arn: str,
) -> dict[str, str]:
    """template.yaml's parameters: the network and database from the data tier's outputs (or the
    options, for an external one), the secrets' ARNs, and the public settings of the options."""
    if options.external is not None:
        network = {
            "DatabaseUrl": options.external.database_url,
            "SubnetIds": options.external.subnet_ids,
            "SecurityGroupIds": options.external.security_group_ids,
        }
    elif data_outputs is not None:
        check_data_outputs(options.data_stack_name, data_outputs)
        network = {
            # no password here: the app secret's DATABASE_URL (which wins over this one) carries it
            "DatabaseUrl": database_url(data_outputs),
            "SubnetIds": data_outputs["PrivateSubnetIds"],
            "SecurityGroupIds": data_outputs["FunctionSecurityGroupId"],
        }
    else:
        raise DeployError(f"no data tier: --data-tier {options.data_tier} needs the outputs of a data stack")
    return {
        "Stage": options.stage,
        **network,
        "AppSecretArn": app_secret_arn,
        "LlmApiKeySecretArn": llm_secret_arn,
        "FrontendUrl": options.frontend_url,
        "CorsOrigins": options.cors_origins,
        "MailFromEmail": options.mail_from,
        "WorkerMaxConcurrency": str(options.worker_max_concurrency),
    }


def parameter_overrides(parameters: dict[str, str]) -> list[str]:
    """`Key=Value` arguments of `sam deploy --parameter-overrides`; SAM splits them on white space."""
    blank = [name for name, value in parameters.items() if not value or any(c.isspace() for c in value)]
    if blank:
        raise DeployError(f"parameters must be non-empty and without spaces: {', '.join(blank)}")
    return [f"{name}={value}" for name, value in parameters.items()]


def sam_deploy_command(
    *,
    template: str,
    stack: str,
    region: str,
    stage: str,
    parameters: dict[str, str],
    confirm_changeset: bool,
) -> list[str]:
    """`sam deploy` of one stack. No `sam build`: the functions' folders hold only app.py and the layers
    are prebuilt by layers/build.py, so `sam deploy` zips and uploads the folders as they are (and no local
    python3.12 is needed). Every option is explicit, so samconfig.toml's placeholders never apply."""
    return [
        "sam",
        "deploy",
        "--template-file",
        template,
        "--stack-name",
        stack,
        "--region",
        region,
        "--capabilities",
        "CAPABILITY_IAM",
        "--resolve-s3",
        "--s3-prefix",
        stack,
        "--no-fail-on-empty-changeset",
        "--confirm-changeset" if confirm_changeset else "--no-confirm-changeset",
        "--tags",
        "project=ainav",
        f"stage={stage}",
        "--parameter-overrides",
        *parameter_overrides(parameters),
    ]


def sam_delete_command(*, stack: str, region: str) -> list[str]:
    return ["sam", "delete", "--stack-name", stack, "--region", region, "--no-prompts"]
