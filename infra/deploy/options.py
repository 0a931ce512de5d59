"""What one `make deploy` or `make destroy` acts on, and the answers a guided deploy remembers per stage."""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from infra.deploy.errors import DeployError
from infra.deploy.runner import REPO_ROOT

STAGES = ("dev", "staging", "prod")
# deploy: create or update infra/aws/data.yaml; reuse: read the outputs of the one deployed before;
# external: no data stack, the database URL, subnets and security groups come from the options
DATA_TIERS = ("deploy", "reuse", "external")
# template.yaml's defaults; the checklist reports them as not set
EXAMPLE_FRONTEND_URL = "https://ainav.example.com"
EXAMPLE_MAIL_FROM = "noreply@ainav.example.com"
ANSWERS_DIR = REPO_ROOT / ".local" / "deploy"


@dataclass(frozen=True)
class DataTierOptions:
    """Parameters of infra/aws/data.yaml (docs/scaling.md sizes the capacities)."""

    engine_version: str = "17.7"
    min_capacity: float = 0.5
    max_capacity: float = 8.0
    nat_gateways: int = 2
    reader_instance: bool = False
    deletion_protection: bool = True

    def __post_init__(self) -> None:
        if not 0.5 <= self.min_capacity <= self.max_capacity <= 256:
            raise DeployError(
                f"ACUs must satisfy 0.5 <= min ({self.min_capacity}) <= max ({self.max_capacity}) <= 256"
            )
        for value in (self.min_capacity, self.max_capacity):
            if value * 2 != int(value * 2):
                raise DeployError(f"ACUs go in steps of 0.5, got {value}")
        if self.nat_gateways not in (1, 2):
            raise DeployError(f"--nat-gateways is 1 or 2, got {self.nat_gateways}")


@dataclass(frozen=True)
class ExternalDataTier:
    """A database and network that exist already (`--data-tier external`)."""

    database_url: str
    subnet_ids: str
    security_group_ids: str


@dataclass(frozen=True)
class DeployOptions:
    stage: str
    region: str
    data_tier: str
    frontend_url: str = EXAMPLE_FRONTEND_URL
    cors_origins: str = EXAMPLE_FRONTEND_URL
    mail_from: str = EXAMPLE_MAIL_FROM
    worker_max_concurrency: int = 10  # template.yaml's default; docs/scaling.md sizes it
    database: DataTierOptions = field(default_factory=DataTierOptions)
    external: ExternalDataTier | None = None
    app_secret: str | None = None  # name or ARN; default ainav/<stage>/app
    llm_secret: str | None = None  # name or ARN; default ainav/<stage>/llm
    app_stack: str | None = None
    data_stack: str | None = None
    build_layers: bool = True
    run_migrations: bool = True
    confirm_changesets: bool = True
    dry_run: bool = False

    def __post_init__(self) -> None:
        if self.stage not in STAGES:
            raise DeployError(f"--stage is one of {', '.join(STAGES)}, got {self.stage!r}")
        if not self.region:
            raise DeployError("no region: pass --region or set AWS_REGION")
        if self.data_tier not in DATA_TIERS:
            raise DeployError(f"--data-tier is one of {', '.join(DATA_TIERS)}, got {self.data_tier!r}")
        if self.data_tier == "external" and self.external is None:
            raise DeployError(
                "--data-tier external needs --database-url, --subnet-ids and --security-group-ids"
            )
        if not 2 <= self.worker_max_concurrency <= 1000:
            raise DeployError(
                "--worker-max-concurrency is 2..1000 (SQS maximum concurrency), "
                f"got {self.worker_max_concurrency}"
            )

    @property
    def app_stack_name(self) -> str:
        return self.app_stack or f"ainav-{self.stage}"

    @property
    def data_stack_name(self) -> str:
        return self.data_stack or f"ainav-data-{self.stage}"

    @property
    def app_secret_id(self) -> str:
        return self.app_secret or f"ainav/{self.stage}/app"

    @property
    def llm_secret_id(self) -> str:
        return self.llm_secret or f"ainav/{self.stage}/llm"


@dataclass(frozen=True)
class DestroyOptions:
    stage: str
    region: str
    delete_data: bool = False
    app_stack: str | None = None
    data_stack: str | None = None
    dry_run: bool = False

    def __post_init__(self) -> None:
        if self.stage not in STAGES:
            raise DeployError(f"--stage is one of {', '.join(STAGES)}, got {self.stage!r}")
        if not self.region:
            raise DeployError("no region: pass --region or set AWS_REGION")

    @property
    def app_stack_name(self) -> str:
        return self.app_stack or f"ainav-{self.stage}"

    @property
    def data_stack_name(self) -> str:
        return self.data_stack or f"ainav-data-{self.stage}"


# --- the answers of the last deploy of a stage: the defaults of the next one ---------------------------


def answers_path(stage: str, directory: Path = ANSWERS_DIR) -> Path:
    return directory / f"{stage}.json"


def load_answers(stage: str, directory: Path = ANSWERS_DIR) -> dict[str, Any]:
    """What the last successful deploy of `stage` was given, or nothing."""
    path = answers_path(stage, directory)
    if not path.exists():
        return {}
    try:
        answers = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DeployError(f"{path} is not valid JSON ({exc}); fix or delete it") from exc
    return answers if isinstance(answers, dict) else {}


def save_answers(options: DeployOptions, directory: Path = ANSWERS_DIR) -> Path:
    """Remember the choices of a deploy (no secrets are among them) for the next one."""
    answers = {
        "region": options.region,
        "data_tier": "reuse" if options.data_tier == "deploy" else options.data_tier,
        "frontend_url": options.frontend_url,
        "cors_origins": options.cors_origins,
        "mail_from": options.mail_from,
        "worker_max_concurrency": options.worker_max_concurrency,
        **{f"database_{name}": value for name, value in asdict(options.database).items()},
    }
    if options.external is not None:
        # the URL may hold a password: only the network is remembered
        answers["subnet_ids"] = options.external.subnet_ids
        answers["security_group_ids"] = options.external.security_group_ids
    path = answers_path(options.stage, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(answers, indent=2) + "\n", encoding="utf-8")
    return path
