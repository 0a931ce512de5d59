"""Settings of every function and of the embedded default, read from the environment (and `.env`)."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator
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


class LLMModel(BaseModel):
    """A model the platform offers, with its price in credits per 1,000 tokens."""

    name: str = Field(min_length=1, max_length=100)
    prompt_price: Decimal = Field(ge=0, decimal_places=4)
    completion_price: Decimal = Field(ge=0, decimal_places=4)
    base_url: str | None = None
    api_key_env: str | None = None
    supports_tools: bool = True
    context_window: int = Field(64_000, ge=1)


class Settings(BaseSettings):
    """Every setting is an environment variable (or a line of `.env`); `docs/settings.md` is generated
    from the descriptions below and the section comments (`python -m infra.docs.settings --write`)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # --- runtime -------------------------------------------------------------------------------
    ENVIRONMENT: Literal["development", "test", "staging", "production"] = Field(
        "development", description="`development`, `test`, `staging` or `production`"
    )
    DEBUG: bool = Field(False, description="SQL echo; refused in production")
    LOG_LEVEL: str = Field(
        "INFO",
        description="log level; Powertools' Logger reads `LOG_LEVEL` from the environment itself "
        "(`POWERTOOLS_LOG_LEVEL` wins)",
    )

    # --- database ------------------------------------------------------------------------------
    DATABASE_URL: str = Field(
        "postgresql+pg8000://postgres@127.0.0.1:5432/ainav",
        description="any PostgreSQL URL (libpq style, other drivers and `?host=/socket/dir` are converted "
        "to pg8000, see `shared/database_url.py`); `make dev` sets it to the embedded server unless you "
        "set it",
    )
    DB_POOL_SIZE: int = Field(
        1,
        description="one connection per Lambda container, and in the tests; `make dev` (one process "
        "serving every function, uvicorn's threads) uses 5 unless it is set",
    )
    DB_MAX_OVERFLOW: int = Field(
        0, description="connections beyond the pool; `make dev` uses 10 unless it is set"
    )
    DB_POOL_TIMEOUT_SECONDS: float = Field(10.0, description="wait for a pooled connection")
    DB_CONNECT_TIMEOUT_SECONDS: int = Field(5, description="TCP connect timeout")
    DB_PING_AFTER_IDLE_SECONDS: float = Field(
        5.0,
        ge=0,
        description="a pooled connection idle this long is pinged before use (RDS Proxy closes idle "
        "ones; behind the proxy a database failover keeps them); 0 pings before every use",
    )

    # --- HTTP API ------------------------------------------------------------------------------
    FRONTEND_URL: str = Field("http://localhost:3000", description="base of the links in mails")
    CORS_ORIGINS: Annotated[list[str], NoDecode] = Field(
        ["http://localhost:3000"], description="allowed origins, comma-separated or a JSON list"
    )
    DEFAULT_PAGE_SIZE: int = Field(20, description="`page_size` of a list when the caller names none")
    MAX_PAGE_SIZE: int = Field(100, description="the largest `page_size` a list accepts")
    MAX_REQUEST_BODY_BYTES: int = Field(
        3_000_000,
        description="any request body above it is 413 before a route reads it (Lambda's own payload cap "
        "is 6 MB)",
    )
    AUDIT_LOG_RETENTION_DAYS: int = Field(
        365, description="operation-log rows older than this are purged by maintenance"
    )

    # --- abuse quotas per user (OWASP API4); a 429 names the limit -------------------------------
    MAX_RUNS_PER_DAY: int = Field(
        1000,
        description="runs per user over a sliding 24 h, every trigger counted: manual, API, webhook, "
        "schedule (429 with `Retry-After`; a scheduled fire past it is recorded as failed)",
    )
    MAX_MEMORIES_PER_WORKFLOW: int = Field(
        10_000, description="stored memories per workflow (429; delete some first)"
    )
    MAX_WEBHOOK_CALLS_PER_MINUTE: int = Field(
        60,
        description="accepted webhook calls per workflow owner and minute, over all their webhooks "
        "(429 with `Retry-After`)",
    )
    MAX_PROJECTS_PER_USER: int = Field(
        100,
        description="projects per user, archived ones included (429 naming the limit; archiving keeps the "
        "project restorable, so it frees no room)",
    )
    USER_SEARCH_RATE_LIMIT_PER_MINUTE: int = Field(
        30, description="`GET /v1/users/search` calls per user and clock minute (429 with `Retry-After`)"
    )
    MAX_ACCOUNT_EXPORTS_PER_HOUR: int = Field(
        10, description="`GET /v1/users/me/export` calls per user and clock hour (429 with `Retry-After`)"
    )

    # --- tokens --------------------------------------------------------------------------------
    SECRET_KEY: str = Field(
        "change-me-in-production",
        description="JWT signing key; in production at least 32 characters and not a placeholder, or the "
        "app refuses to start and says what to set",
    )
    ALGORITHM: str = Field("HS256", description="JWT algorithm")
    ACCESS_TOKEN_EXPIRE_MINUTES: int = Field(60, description="lifetime of an access token")
    REFRESH_TOKEN_EXPIRE_DAYS: int = Field(7, description="lifetime of a refresh token")

    # --- accounts ------------------------------------------------------------------------------
    PASSWORD_HASH_TIME_COST: int = Field(
        3,
        description="argon2id time cost (the argon2-cffi default); hashes of other costs are upgraded "
        "at the next login",
    )
    PASSWORD_HASH_MEMORY_KIB: int = Field(
        65536, description="argon2id memory cost (the argon2-cffi default), upgraded the same way"
    )
    AUTH_OPEN_SIGNUP: bool = Field(
        False, description="a magic link to an unknown address creates an account only when this is on"
    )
    PASSWORD_RESET_EXPIRE_MINUTES: int = Field(60, description="lifetime of a password reset link")
    MAGIC_LINK_EXPIRE_MINUTES: int = Field(15, description="lifetime of a magic link")
    EMAIL_VERIFY_EXPIRE_HOURS: int = Field(48, description="lifetime of the address verification link")
    OAUTH_STATE_EXPIRE_MINUTES: int = Field(10, description="lifetime of an OAuth state")
    LOGIN_MAX_FAILURES_PER_ACCOUNT: int = Field(
        5,
        description="failed sign-ins of an account within the window before 429 with `Retry-After` "
        "(counted in PostgreSQL)",
    )
    LOGIN_MAX_FAILURES_PER_IP: int = Field(
        20, description="failed sign-ins from an IP within the window before 429 with `Retry-After`"
    )
    LOGIN_FAILURE_WINDOW_MINUTES: int = Field(15, description="the sliding window of the brute-force limits")
    AUTH_MIN_RESPONSE_MS: int = Field(
        400,
        description="the minimum duration of forgot-password and magic-link answers, known address or not",
    )
    API_KEY_LAST_USED_RESOLUTION_SECONDS: int = Field(
        60, description="how stale `api_keys.last_used_at` may get before a request rewrites it"
    )
    MAX_API_KEYS_PER_USER: int = Field(20, description="active API keys per user")
    LOGIN_LOG_RETENTION_DAYS: int = Field(
        180, ge=1, description="login-log rows older than this are purged by maintenance"
    )
    LOGIN_CITY_HEADER: str | None = Field(
        None,
        description="a request header carrying the caller's city, set by a CDN in front of the API (e.g. "
        "`CloudFront-Viewer-City`); unset, a login log's city stays null (a client could send any header)",
    )
    SESSION_LAST_USED_RESOLUTION_SECONDS: int = Field(
        60, description="how stale a sign-in's `last_used_at` may get before an access token rewrites it"
    )
    ACCOUNT_EXPORT_MAX_ROWS: int = Field(
        5000,
        description="rows of each kind (executions, messages, ledger entries, ...) in an account export, "
        "newest first; the export says which kinds were cut",
    )
    ACCOUNT_DELETION_FRESH_SIGNIN_MINUTES: int = Field(
        10,
        description="an account with neither a password nor a mailbox (WeChat only) confirms its deletion "
        "with a sign-in this recent",
    )
    MAX_SECRETS_PER_USER: int = Field(50, description="secrets per user (`/v1/users/me/secrets`)")

    # --- secrets at rest ---------------------------------------------------------------------------
    FERNET_KEY: str | None = Field(
        None,
        description="encrypts secrets at rest; unset, a fixed development key is used outside production, "
        f"and production refuses to start. {FERNET_KEY_HINT}",
    )

    # --- workflows ------------------------------------------------------------------------------
    MAX_GRAPH_NODES: int = Field(500, description="nodes in a graph (413 above it)")
    MAX_GRAPH_EDGES: int = Field(2000, description="edges in a graph (413 above it)")
    MAX_GRAPH_BYTES: int = Field(1_000_000, description="size of a graph in bytes (413 above it)")
    WEBHOOK_TOLERANCE_SECONDS: int = Field(
        300, description="how far a webhook signature's timestamp may be from now (401 beyond)"
    )
    MAX_WEBHOOK_BODY_BYTES: int = Field(262_144, description="webhook body cap (413 above it)")
    SCHEDULE_PREVIEW_COUNT: int = Field(
        5, description="how many `next_fire_times` a scheduled workflow shows"
    )

    # --- execution engine --------------------------------------------------------------------------
    EXECUTION_TIMEOUT_SECONDS: float = Field(
        240.0, description="time limit of a run, below the worker Lambda's 300 s"
    )
    NODE_DEFAULT_TIMEOUT_SECONDS: float = Field(
        60.0, description="time limit of a node without `data.timeout_seconds`"
    )
    CANCEL_CHECK_INTERVAL_SECONDS: float = Field(
        0.25, description="how often in-process nodes look for a cancel request (I/O nodes always look first)"
    )
    NODE_MAX_RESPONSE_BYTES: int = Field(
        2_000_000, description="outbound response cap of http and skill nodes"
    )
    HTTP_MAX_REDIRECTS: int = Field(5, description="redirects an outbound call follows, each one checked")
    OUTBOUND_ALLOWED_HOSTS: Annotated[list[str], NoDecode] = Field(
        [],
        description="hosts or CIDRs workflows may reach although private or loopback, comma-separated or "
        "a JSON list (tests open 127.0.0.1)",
    )
    SKILL_CREDENTIALS: dict[str, str] = Field(
        {},
        description="JSON object: skill credential values by the `env_var` their `auth_config` names, e.g. "
        '`{"GITHUB_TOKEN": "ghp_..."}`',
    )
    PENDING_REQUEUE_AFTER_SECONDS: int = Field(
        300,
        description="a pending execution older than this is enqueued again by maintenance (its message "
        "was lost)",
    )
    STUCK_RUNNING_GRACE_SECONDS: int = Field(
        120,
        description="a running execution older than the execution timeout plus this grace is failed (and "
        "resumed once) by maintenance",
    )
    QUEUE_MAX_RECEIVES: int = Field(
        5,
        description="deliveries after which the queue dead-letters a message (template.yaml's "
        "`maxReceiveCount`); the last one fails the execution first",
    )

    # --- tasks, artifacts, queue jobs and tool calls ----------------------------------------------
    TASK_INTENT_MAX_CHARS: int = Field(4000, description="characters of a task's intent (422 above it)")
    TASK_PLAN_MAX_STEPS: int = Field(
        20, description="steps a task's plan may have (a longer plan is re-asked)"
    )
    TASK_PLAN_MAX_SKILLS: int = Field(
        40, description="active catalog skills offered to the planner, the most used first"
    )
    TASK_PLAN_MODEL: str | None = Field(
        None, description="the model that plans tasks; unset, LLM_DEFAULT_MODEL"
    )
    TASK_PLAN_MAX_TOKENS: int = Field(2048, description="completion tokens a plan may take")
    ARTIFACTS_BUCKET: str | None = Field(
        None,
        description="the S3 bucket of artifacts (private, encrypted; template.yaml's ArtifactsBucket, "
        "`ainav-artifacts` in `make dev`); unset, artifact nodes fail saying so",
    )
    MAX_ARTIFACT_BYTES: int = Field(
        5_000_000, description="size of one artifact (an artifact node fails naming it above it)"
    )
    ARTIFACT_URL_TTL_SECONDS: int = Field(
        300, description="lifetime of an artifact's presigned download URL (S3 refuses it afterwards)"
    )
    ARTIFACT_RETENTION_DAYS: int = Field(
        90,
        description="artifacts older than this are expired by the bucket's lifecycle rule and their rows "
        "purged by maintenance",
    )
    TOOL_CALL_OUTPUT_MAX_CHARS: int = Field(
        4000, description="what a tool call record keeps of a call's output (longer is cut, saying so)"
    )
    QUEUE_JOB_RETENTION_DAYS: int = Field(
        30, description="finished queue job rows older than this are purged by maintenance (dead ones too)"
    )
    TOOL_CALL_RETENTION_DAYS: int = Field(
        90, description="tool call records older than this are purged by maintenance"
    )

    # --- embeddings ------------------------------------------------------------------------------
    EMBEDDING_MODEL_DIR: str | None = Field(
        None,
        description="the exported model's folder; unset: `/opt/model` (the Lambda layer), then "
        "`layers/embedding/model` (read from the environment only, not `.env`: the embedding path "
        "does not load the settings)",
    )
    EMBEDDING_THREADS: int = Field(
        0, description="onnxruntime intra-op threads; 0 picks min(2, CPUs) (environment only, as above)"
    )
    MEMORY_MAX_ITEMS: int = Field(100, description="memories per request")
    MEMORY_MAX_CHARS: int = Field(8000, description="characters per memory, `document`s excepted")
    MEMORY_DOCUMENT_MAX_CHARS: int = Field(200_000, description="characters per `document` memory")
    MEMORY_CHUNK_CHARS: int = Field(1000, description="chunk size of a `document`")
    MEMORY_CHUNK_OVERLAP: int = Field(200, description="overlap between a document's chunks")
    MEMORY_SEARCH_EF: int = Field(
        200,
        description="HNSW `ef_search` of memory searches; iterative scans keep filtered searches at k "
        "results (see docs/benchmarks.md)",
    )

    # --- interactions and recommendations --------------------------------------------------------
    INTERACTION_RATE_LIMIT_PER_MINUTE: int = Field(
        60, description="interactions a user may post per minute (429 with `Retry-After`)"
    )
    INTERACTION_HALF_LIFE_DAYS: float = Field(
        14.0, description="profile decay: a user's interest halves every two weeks"
    )
    TRENDING_WINDOW_DAYS: int = Field(7, description="trending window")
    TRENDING_HALF_LIFE_HOURS: float = Field(48.0, description="trending decay")
    RECOMMENDATION_SIMILARITY_WEIGHT: float = Field(
        0.8, description="share of similarity in a recommendation's score; the rest is popularity"
    )

    # --- LLM gateway (OpenAI-compatible chat completions; DeepSeek by default) ---------------------
    LLM_BASE_URL: str = Field(
        "https://api.deepseek.com",
        description="the platform's model endpoint (operator configuration, not SSRF-checked), e.g. "
        "`http://127.0.0.1:11434/v1` for a local Ollama",
    )
    LLM_API_KEY: str | None = Field(
        None,
        description="the platform's key for LLM_BASE_URL; without it (and without a model of its own key) "
        "LLM features answer 503 naming these settings. Any value works for Ollama",
    )
    DEEPSEEK_API_KEY: str | None = Field(
        None, description="still accepted: used as LLM_API_KEY when that is unset"
    )
    LLM_DEFAULT_MODEL: str = Field(
        "deepseek-chat", description="the model of workflows and nodes that name none"
    )
    LLM_MODELS: list[LLMModel] = Field(
        default_factory=lambda: [
            LLMModel(name="deepseek-chat", prompt_price=Decimal("0.002"), completion_price=Decimal("0.008")),
            LLMModel(
                name="deepseek-reasoner",
                prompt_price=Decimal("0.004"),
                completion_price=Decimal("0.016"),
                supports_tools=False,
            ),
        ],
        description="the models offered, a JSON list of `{name, prompt_price, completion_price, base_url?, "
        "api_key_env?, supports_tools?, context_window?}`; prices are credits per 1,000 tokens; a model "
        "without base_url uses LLM_BASE_URL and LLM_API_KEY, one with api_key_env reads its key from "
        "LLM_PROVIDER_KEYS or that environment variable",
    )
    LLM_PROVIDER_KEYS: dict[str, str] = Field(
        default_factory=dict,
        description="keys of the models' `api_key_env` names, a JSON object (best kept in Secrets Manager)",
    )
    LLM_TIMEOUT_SECONDS: float = Field(60.0, description="one model call in all, retries included")
    LLM_MAX_RETRIES: int = Field(
        2, description="retries of a call on 429, 5xx, timeouts and lost connections"
    )
    LLM_RETRY_BASE_SECONDS: float = Field(
        0.5,
        description="backoff base: up to base·2^(n−1) with full jitter, unless the provider sends "
        "Retry-After",
    )
    LLM_DEFAULT_MAX_TOKENS: int = Field(
        1024,
        description="completion tokens a call may produce when its caller does not say (it bounds the hold)",
    )
    SIGNUP_BONUS_CREDITS: Decimal = Field(
        Decimal("100"), description="bonus credits of a new account (spent before credits)"
    )

    # --- agents and chat -----------------------------------------------------------------------------
    AGENT_MAX_STEPS: int = Field(
        8, description="model calls one agent turn may make (each may request tools) before it must answer"
    )
    AGENT_TOOL_TIMEOUT_SECONDS: float = Field(30.0, description="one tool call of an agent")
    AGENT_TOOL_RESULT_MAX_CHARS: int = Field(
        8000, description="what a tool's result may put back into the conversation (longer is cut, saying so)"
    )
    MAX_AGENTS_PER_USER: int = Field(100, description="agents one user may keep")
    CHAT_SYNC_TIMEOUT_SECONDS: float = Field(
        25.0,
        description="a chat answer not ready within this (below API Gateway's 30 s) is finished by the "
        "worker: the request answers 202 with the pending message",
    )
    MAX_CHAT_MESSAGE_CHARS: int = Field(8000, description="one chat message")
    MAX_CHAT_MESSAGES_PER_MINUTE: int = Field(
        20, description="chat messages one user may send a minute (429)"
    )

    # --- MCP: remote servers, per-user settings, ainav's own MCP endpoint ----------------------------
    MCP_CALL_TIMEOUT_SECONDS: float = Field(
        30.0,
        description="one exchange with a remote MCP server (connect, handshake, the request) for a health "
        "check or an agent's tool; an `mcp` node takes its own `timeout_seconds`",
    )
    MCP_MAX_RESULT_BYTES: int = Field(
        1_000_000,
        description="bytes one exchange with a remote MCP server may receive in all; beyond, the call fails",
    )
    MCP_MAX_TOOLS_PER_SERVER: int = Field(
        200, description="tools of a server's `tools/list` kept by a health check (the rest are dropped)"
    )
    MCP_CHECK_STALE_HOURS: float = Field(
        24.0, description="maintenance checks an enabled http server again once its last check is this old"
    )
    MAX_MCP_SERVERS_PER_USER: int = Field(50, description="MCP servers one user may register (429)")
    MAX_MCP_CONFIG_BYTES: int = Field(
        65_536, description="size of one MCP setting's `mcp_config`, `auth_json` or `metadata_json` (413)"
    )
    MCP_TOOL_TIMEOUT_SECONDS: float = Field(
        25.0,
        description="how long a workflow tool of ainav's MCP endpoint runs in the request (below API "
        "Gateway's 30 s); a longer run goes on in the worker and the call returns its execution id",
    )
    API_BASE_URL: str | None = Field(
        None,
        description="the API's public base URL, e.g. `https://api.ainav.example.com/prod`, that exported "
        "MCP configs point at (`{API_BASE_URL}/v1/mcp`); unset: the base URL of the export request",
    )
    # --- database connections: analysis and NL→SQL chat ---------------------------------------------
    MAX_CONNECTIONS_PER_USER: int = Field(20, description="database connections one user may own (429)")
    TARGET_CONNECT_TIMEOUT_SECONDS: float = Field(
        5.0, description="connecting to a user's database (TCP, TLS and sign-in), each attempt"
    )
    ANALYSIS_SAMPLE_SIZE: int = Field(
        50, description="rows read from each table for its sample values (seed 002's `sample_size`)"
    )
    ANALYSIS_CATEGORY_THRESHOLD: int = Field(
        100,
        description="a text column with at most this many distinct values is categorical: every value is "
        "kept (seed 002's `category_threshold`)",
    )
    ANALYSIS_STATS_ROW_LIMIT: int = Field(
        100_000,
        description="rows of a table read to count distinct values and nulls; on larger tables the counts "
        "are estimates from that many rows",
    )
    ANALYSIS_MAX_TABLES: int = Field(
        500, description="tables and views analysed per connection (the largest schemas are cut, saying so)"
    )
    ANALYSIS_STATEMENT_TIMEOUT_MS: int = Field(
        15_000, description="`statement_timeout` of each catalog and statistics query of an analysis"
    )
    ANALYSIS_TIMEOUT_SECONDS: float = Field(
        240.0,
        description="an analysis still running after this (below the worker's 300 s) stops with `error`; "
        "maintenance fails one stuck past it plus STUCK_RUNNING_GRACE_SECONDS",
    )
    REANALYSIS_INTERVAL_HOURS: int = Field(
        168,
        description="maintenance queues a new analysis of a connection analysed longer ago than this "
        "(seed 002's `reanalysis_interval_hours`)",
    )
    SQL_STATEMENT_TIMEOUT_MS: int = Field(
        10_000, description="`statement_timeout` of a generated or example query on the user's database"
    )
    MAX_RESULT_ROWS: int = Field(100, description="rows of a query's result kept and returned")
    MAX_QUESTION_CHARS: int = Field(2000, description="one question to a database chat (422 above it)")
    NL2SQL_CONTEXT_TABLES: int = Field(
        5, description="tables the schema search hands the model with their columns, keys and values"
    )
    NL2SQL_EXAMPLES: int = Field(3, description="approved question→SQL examples offered to the model")
    NL2SQL_HISTORY_TURNS: int = Field(
        3, description="earlier questions of the chat session (with their SQL) the model sees"
    )
    # --- administration ------------------------------------------------------------------------
    RUNTIME_CONFIG_CACHE_SECONDS: float = Field(
        30.0,
        description="how long a container keeps the runtime settings' overrides (`/v1/admin/config`) before "
        "reading them again",
    )

    # --- OAuth ---------------------------------------------------------------------------------
    GITHUB_CLIENT_ID: str | None = Field(None, description="GitHub OAuth app client id")
    GITHUB_CLIENT_SECRET: str | None = Field(None, description="GitHub OAuth app client secret")
    GITHUB_REDIRECT_URI: str = Field(
        "http://localhost:8000/v1/auth/oauth/github/callback", description="GitHub OAuth callback"
    )
    GITHUB_AUTHORIZE_URL: str = Field(
        "https://github.com/login/oauth/authorize",
        description="provider endpoint (tests point the provider endpoints at a fake provider on loopback)",
    )
    GITHUB_TOKEN_URL: str = Field(
        "https://github.com/login/oauth/access_token", description="provider endpoint"
    )
    GITHUB_API_URL: str = Field("https://api.github.com", description="provider endpoint")
    WECHAT_APP_ID: str | None = Field(None, description="WeChat OAuth app id")
    WECHAT_APP_SECRET: str | None = Field(None, description="WeChat OAuth app secret")
    WECHAT_REDIRECT_URI: str = Field(
        "http://localhost:8000/v1/auth/oauth/wechat/callback", description="WeChat OAuth callback"
    )
    WECHAT_AUTHORIZE_URL: str = Field(
        "https://open.weixin.qq.com/connect/qrconnect", description="provider endpoint"
    )
    WECHAT_API_URL: str = Field("https://api.weixin.qq.com", description="provider endpoint")
    OAUTH_HTTP_TIMEOUT_SECONDS: float = Field(10.0, description="timeout of calls to OAuth providers")

    # --- mail (SES v2 replaces the seed's SMTP) --------------------------------------------------
    MAIL_FROM_EMAIL: str | None = Field(
        None,
        description="sender, an SES verified identity (`noreply@ainav.local` in `make dev`); without it "
        "no mail is sent (`is_configured()` is false)",
    )
    MAIL_FROM_NAME: str = Field("AI导航", description="sender display name")
    SES_CONFIGURATION_SET: str | None = Field(
        None,
        description="SES configuration set named on every send, for bounce and complaint events "
        "(`ainav-local` in `make dev`)",
    )
    MAIL_SEND_MAX_ATTEMPTS: int = Field(
        4, description="attempts of a throttled send, retried with exponential backoff and full jitter"
    )
    MAIL_RETRY_BASE_SECONDS: float = Field(
        0.5, description="backoff base: retry n waits a random time up to base · 2^(n-1)"
    )
    NOTIFY_FAILURE_COOLDOWN_MINUTES: int = Field(
        60,
        ge=0,
        description="a workflow's failures are mailed to its owner at most once per this many minutes; the "
        "next failure mail says how many runs failed in between (0: every failure is mailed)",
    )

    # --- AWS -----------------------------------------------------------------------------------
    AWS_REGION: str = Field("us-east-1", description="region of every AWS client")
    AWS_ENDPOINT_URL: str | None = Field(
        None, description="emulator endpoint (moto in `make dev` and the tests); unset in AWS"
    )
    EXECUTIONS_QUEUE_URL: str | None = Field(None, description="the SQS executions queue")
    EXECUTIONS_DLQ_URL: str | None = Field(
        None,
        description="the dead-letter queue of the executions and priority queues: its depth is in the "
        "detailed health, and maintenance drains it into `dead` queue jobs",
    )
    EXECUTIONS_QUEUE_ARN: str | None = Field(
        None, description="the executions queue's ARN, the target of EventBridge Scheduler's schedules"
    )
    PRIORITY_QUEUE_URL: str | None = Field(
        None,
        description="the SQS queue of urgent and high-priority tasks, which the worker drains first; unset, "
        "they share the executions queue",
    )
    MAIL_QUEUE_URL: str | None = Field(
        None,
        description="the SQS queue of `mail.send` jobs (retries and a DLQ); unset, mail is sent in the "
        "request",
    )
    MAIL_DLQ_URL: str | None = Field(
        None, description="the mail queue's dead-letter queue, drained the same way"
    )
    SCHEDULE_GROUP_NAME: str = Field(
        "ainav", description="EventBridge Scheduler group of the workflows' schedules"
    )
    SCHEDULER_ROLE_ARN: str | None = Field(
        None, description="the role the schedules assume to send to the queue"
    )
    SCHEDULER_DLQ_ARN: str | None = Field(None, description="the schedules' dead-letter queue")
    SCHEDULE_MAX_RETRY_ATTEMPTS: int = Field(3, description="the schedules' retry policy: attempts")
    SCHEDULE_MAX_EVENT_AGE_SECONDS: int = Field(
        3600, description="the schedules' retry policy: maximum event age"
    )

    # --- secrets held in AWS Secrets Manager (see SecretsManagerSource) ---------------------------
    SECRETS_MANAGER_ARNS: str | None = Field(
        None,
        description="comma-separated Secrets Manager ARNs, each a JSON object of settings (e.g. "
        '`{"SECRET_KEY": ..., "DEEPSEEK_API_KEY": ...}`); their values win over plain environment variables',
    )

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

    @model_validator(mode="after")
    def accept_the_former_llm_key_name(self) -> "Settings":
        if not self.LLM_API_KEY and self.DEEPSEEK_API_KEY:
            self.LLM_API_KEY = self.DEEPSEEK_API_KEY
        return self

    @field_validator("LLM_MODELS")
    @classmethod
    def model_names_are_unique(cls, models: list[LLMModel]) -> list[LLMModel]:
        names = [model.name for model in models]
        if len(names) != len(set(names)):
            raise ValueError("LLM_MODELS names a model twice")
        return models

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
