"""Settings of every function and of the embedded default, read from the environment (and `.env`)."""

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

PLACEHOLDER_SECRET_KEYS = frozenset(
    {
        "",
        "changeme",
        "change-me",
        "change-me-in-production",
        "secret",
        "secret-key",
        "your-secret-key",
        "your-secret-key-here",
        "dev-secret-key-change-me-in-production",
    }
)
MIN_PRODUCTION_SECRET_KEY_LENGTH = 32
SECRET_CACHE_SECONDS = 300
FERNET_KEY_HINT = (
    "Set FERNET_KEY to the output of "
    '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`'
)


class SecretsManagerSource(PydanticBaseSettingsSource):
    """Settings stored as JSON objects in Secrets Manager, named by SECRETS_MANAGER_ARNS (comma-separated).

    Each secret's keys are setting names (`{"SECRET_KEY": "...", "DEEPSEEK_API_KEY": "..."}`); they
    win over plain environment variables, so no secret has to sit in a Lambda's configuration."""

    def __init__(self, settings_cls: type[BaseSettings], *lookups: PydanticBaseSettingsSource) -> None:
        super().__init__(settings_cls)
        self._lookups = lookups

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything is loaded at once in __call__

    def _secret_arns(self) -> list[str]:
        for lookup in self._lookups:
            value = lookup().get("SECRETS_MANAGER_ARNS")
            if value:
                return [arn.strip() for arn in str(value).split(",") if arn.strip()]
        return []

    def __call__(self) -> dict[str, Any]:
        arns = self._secret_arns()
        if not arns:
            return {}
        # Powertools Parameters: a cached SecretsManagerProvider (only Lambdas with secrets pay the import)
        import boto3
        from aws_lambda_powertools.utilities.parameters import SecretsProvider

        environment = {}
        for lookup in self._lookups:
            environment = {**lookup(), **environment}
        client = boto3.client(
            "secretsmanager",
            region_name=environment.get("AWS_REGION", "us-east-1"),
            endpoint_url=environment.get("AWS_ENDPOINT_URL"),
        )
        provider = SecretsProvider(boto3_client=client)
        values: dict[str, Any] = {}
        for arn in arns:
            secret = provider.get(arn, transform="json", max_age=SECRET_CACHE_SECONDS)
            known = self.settings_cls.model_fields
            values.update({key: value for key, value in secret.items() if key in known})
        return values


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # --- runtime -------------------------------------------------------------------------------
    ENVIRONMENT: Literal["development", "test", "staging", "production"] = "development"
    DEBUG: bool = False
    LOG_LEVEL: str = "INFO"

    # --- database ------------------------------------------------------------------------------
    # Any SQLAlchemy or libpq URL; it is normalised to the pg8000 driver (see shared.db).
    DATABASE_URL: str = "postgresql+pg8000://postgres@127.0.0.1:5432/ainav"
    # One connection per Lambda container; the embedded default raises it for uvicorn's threads.
    DB_POOL_SIZE: int = 1
    DB_MAX_OVERFLOW: int = 0
    DB_POOL_TIMEOUT_SECONDS: float = 10.0
    DB_CONNECT_TIMEOUT_SECONDS: int = 5

    # --- HTTP API ------------------------------------------------------------------------------
    FRONTEND_URL: str = "http://localhost:3000"
    CORS_ORIGINS: Annotated[list[str], NoDecode] = ["http://localhost:3000"]
    DEFAULT_PAGE_SIZE: int = 20
    MAX_PAGE_SIZE: int = 100
    # Any request body above this is a 413 before a route reads it (Lambda's own payload cap is 6 MB).
    MAX_REQUEST_BODY_BYTES: int = 3_000_000
    # Operation-log rows older than this are purged by maintenance.
    AUDIT_LOG_RETENTION_DAYS: int = 365

    # --- abuse quotas per user (OWASP API4); a 429 names the limit -------------------------------
    MAX_RUNS_PER_DAY: int = 1000  # every trigger counts: manual, API, webhook, schedule
    MAX_MEMORIES_PER_WORKFLOW: int = 10_000
    MAX_WEBHOOK_CALLS_PER_MINUTE: int = 60  # per workflow owner, over all their webhooks

    # --- tokens --------------------------------------------------------------------------------
    SECRET_KEY: str = "change-me-in-production"  # refused in production
    ALGORITHM: str = "HS256"
    ACCESS_TOKEN_EXPIRE_MINUTES: int = 60
    REFRESH_TOKEN_EXPIRE_DAYS: int = 7

    # --- accounts ------------------------------------------------------------------------------
    # argon2id cost (the argon2-cffi defaults); hashes made with other costs are upgraded on login
    PASSWORD_HASH_TIME_COST: int = 3
    PASSWORD_HASH_MEMORY_KIB: int = 65536
    # Magic links to unknown addresses create an account only when this is on.
    AUTH_OPEN_SIGNUP: bool = False
    PASSWORD_RESET_EXPIRE_MINUTES: int = 60
    MAGIC_LINK_EXPIRE_MINUTES: int = 15
    EMAIL_VERIFY_EXPIRE_HOURS: int = 48
    OAUTH_STATE_EXPIRE_MINUTES: int = 10
    # Brute-force limits, counted in PostgreSQL over a sliding window.
    LOGIN_MAX_FAILURES_PER_ACCOUNT: int = 5
    LOGIN_MAX_FAILURES_PER_IP: int = 20
    LOGIN_FAILURE_WINDOW_MINUTES: int = 15
    # forgot-password and magic-link answer no sooner than this, known address or not
    AUTH_MIN_RESPONSE_MS: int = 400
    # how stale `api_keys.last_used_at` may get before a request writes it again
    API_KEY_LAST_USED_RESOLUTION_SECONDS: int = 60
    MAX_API_KEYS_PER_USER: int = 20
    MAX_SECRETS_PER_USER: int = 50

    # --- secrets at rest ---------------------------------------------------------------------------
    # A Fernet key, see FERNET_KEY_HINT. Outside production a fixed development key is used when unset.
    FERNET_KEY: str | None = None

    # --- workflows ------------------------------------------------------------------------------
    MAX_GRAPH_NODES: int = 500
    MAX_GRAPH_EDGES: int = 2000
    MAX_GRAPH_BYTES: int = 1_000_000
    WEBHOOK_TOLERANCE_SECONDS: int = 300
    MAX_WEBHOOK_BODY_BYTES: int = 262_144
    SCHEDULE_PREVIEW_COUNT: int = 5

    # --- execution engine --------------------------------------------------------------------------
    EXECUTION_TIMEOUT_SECONDS: float = 240.0  # below the worker Lambda's 300 s
    NODE_DEFAULT_TIMEOUT_SECONDS: float = 60.0
    # How often in-process nodes look for a cancel request (I/O nodes always look first).
    CANCEL_CHECK_INTERVAL_SECONDS: float = 0.25
    NODE_MAX_RESPONSE_BYTES: int = 2_000_000
    HTTP_MAX_REDIRECTS: int = 5
    # Hosts or CIDRs outbound workflow calls may reach although private/loopback (tests: 127.0.0.1).
    OUTBOUND_ALLOWED_HOSTS: Annotated[list[str], NoDecode] = []
    # Credentials for skills, by the `env_var` their auth_config names: {"GITHUB_TOKEN": "ghp_..."}.
    SKILL_CREDENTIALS: dict[str, str] = {}
    # A pending execution older than this is re-enqueued by maintenance (its message was lost).
    PENDING_REQUEUE_AFTER_SECONDS: int = 300
    # A running execution older than the execution timeout plus this grace is failed by maintenance.
    STUCK_RUNNING_GRACE_SECONDS: int = 120
    # Receives after which the queue moves a message to the DLQ (template.yaml maxReceiveCount).
    QUEUE_MAX_RECEIVES: int = 5

    # --- embeddings ------------------------------------------------------------------------------
    # The exported model's folder; unset: /opt/model (the Lambda layer), then layers/embedding/model.
    EMBEDDING_MODEL_DIR: str | None = None
    # onnxruntime intra-op threads; 0 picks min(2, CPUs).
    EMBEDDING_THREADS: int = 0
    MEMORY_MAX_ITEMS: int = 100
    MEMORY_MAX_CHARS: int = 8000
    MEMORY_DOCUMENT_MAX_CHARS: int = 200_000
    MEMORY_CHUNK_CHARS: int = 1000
    MEMORY_CHUNK_OVERLAP: int = 200
    # HNSW search breadth; iterative scans keep filtered searches at k results (see docs/benchmarks.md).
    MEMORY_SEARCH_EF: int = 200

    # --- interactions and recommendations --------------------------------------------------------
    INTERACTION_RATE_LIMIT_PER_MINUTE: int = 60
    INTERACTION_HALF_LIFE_DAYS: float = 14.0  # a user's interest halves every two weeks
    TRENDING_WINDOW_DAYS: int = 7
    TRENDING_HALF_LIFE_HOURS: float = 48.0
    RECOMMENDATION_SIMILARITY_WEIGHT: float = 0.8  # the rest is popularity

    # --- LLM (OpenAI-compatible chat completions; DeepSeek by default) ---------------------------
    DEEPSEEK_API_KEY: str | None = None
    LLM_BASE_URL: str = "https://api.deepseek.com"
    LLM_DEFAULT_MODEL: str = "deepseek-chat"

    # --- OAuth ---------------------------------------------------------------------------------
    GITHUB_CLIENT_ID: str | None = None
    GITHUB_CLIENT_SECRET: str | None = None
    GITHUB_REDIRECT_URI: str = "http://localhost:8000/v1/auth/oauth/github/callback"
    GITHUB_AUTHORIZE_URL: str = "https://github.com/login/oauth/authorize"
    GITHUB_TOKEN_URL: str = "https://github.com/login/oauth/access_token"
    GITHUB_API_URL: str = "https://api.github.com"
    WECHAT_APP_ID: str | None = None
    WECHAT_APP_SECRET: str | None = None
    WECHAT_REDIRECT_URI: str = "http://localhost:8000/v1/auth/oauth/wechat/callback"
    WECHAT_AUTHORIZE_URL: str = "https://open.weixin.qq.com/connect/qrconnect"
    WECHAT_API_URL: str = "https://api.weixin.qq.com"
    OAUTH_HTTP_TIMEOUT_SECONDS: float = 10.0

    # --- mail (SES v2 replaces the seed's SMTP) --------------------------------------------------
    MAIL_FROM_EMAIL: str | None = None
    MAIL_FROM_NAME: str = "AI导航"
    SES_CONFIGURATION_SET: str | None = None
    # Throttled sends are retried with exponential backoff and full jitter (base * 2^attempt).
    MAIL_SEND_MAX_ATTEMPTS: int = 4
    MAIL_RETRY_BASE_SECONDS: float = 0.5

    # --- AWS -----------------------------------------------------------------------------------
    AWS_REGION: str = "us-east-1"
    # Set only for emulators (moto in `make dev` and tests); unset in AWS.
    AWS_ENDPOINT_URL: str | None = None
    EXECUTIONS_QUEUE_URL: str | None = None
    # EventBridge Scheduler targets the queue by ARN, with a role it assumes and a dead-letter queue.
    EXECUTIONS_QUEUE_ARN: str | None = None
    SCHEDULE_GROUP_NAME: str = "ainav"
    SCHEDULER_ROLE_ARN: str | None = None
    SCHEDULER_DLQ_ARN: str | None = None
    SCHEDULE_MAX_RETRY_ATTEMPTS: int = 3
    SCHEDULE_MAX_EVENT_AGE_SECONDS: int = 3600

    # --- secrets held in AWS Secrets Manager (see SecretsManagerSource) ---------------------------
    SECRETS_MANAGER_ARNS: str | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        secrets = SecretsManagerSource(settings_cls, init_settings, env_settings, dotenv_settings)
        return init_settings, secrets, env_settings, dotenv_settings, file_secret_settings

    @field_validator("CORS_ORIGINS", "OUTBOUND_ALLOWED_HOSTS", mode="before")
    @classmethod
    def split_cors_origins(cls, value: object) -> object:
        """Accept a JSON list or a comma-separated string."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [origin.strip() for origin in text.split(",") if origin.strip()]
        return value

    @field_validator("DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "DB_POOL_SIZE")
    @classmethod
    def must_be_positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1")
        return value

    @model_validator(mode="after")
    def refuse_insecure_production(self) -> "Settings":
        self.validate_security_settings()
        return self

    def validate_security_settings(self) -> None:
        """Refuse to run in production with a weak or placeholder SECRET_KEY, or with DEBUG on."""
        if self.ENVIRONMENT != "production":
            return
        if self.SECRET_KEY.strip().lower() in PLACEHOLDER_SECRET_KEYS:
            raise ValueError(
                "SECRET_KEY is a placeholder; set SECRET_KEY to a random string of at least "
                f"{MIN_PRODUCTION_SECRET_KEY_LENGTH} characters, for example the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
        if len(self.SECRET_KEY) < MIN_PRODUCTION_SECRET_KEY_LENGTH:
            raise ValueError(
                f"SECRET_KEY is {len(self.SECRET_KEY)} characters long; production needs at least "
                f"{MIN_PRODUCTION_SECRET_KEY_LENGTH}. Set SECRET_KEY to the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
        if self.DEBUG:
            raise ValueError("DEBUG must be false in production; unset DEBUG or set DEBUG=false")
        if not self.FERNET_KEY:
            raise ValueError(
                f"FERNET_KEY is not set; production encrypts secrets at rest with it. {FERNET_KEY_HINT}"
            )


def get_utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


settings = Settings()
