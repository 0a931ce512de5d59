"""The production settings checklist: what a deployment must set (secrets, parameters, the SES account,
account quotas), checked against what it holds, printed as a table of what is still missing.

The setting names are those of shared/config.py; a check whose setting a version does not have (a build
from before the artifacts bucket, without ARTIFACTS_BUCKET) reports n/a rather than inventing it."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from cryptography.fernet import Fernet

from infra.deploy.aws import SesAccount
from infra.deploy.options import EXAMPLE_FRONTEND_URL, EXAMPLE_MAIL_FROM
from shared.config import MIN_PRODUCTION_SECRET_KEY_LENGTH, PLACEHOLDER_SECRET_KEYS, Settings

OK, MISSING, NOT_SET, UNKNOWN, NOT_APPLICABLE = "ok", "MISSING", "not set", "unknown", "n/a"
MIN_LAMBDA_CONCURRENCY = 1000  # an account below it (new accounts may start at 10) cannot serve the plan
EXAMPLE_HOST = urlparse(EXAMPLE_FRONTEND_URL).hostname or ""
LOCAL_HOSTS = ("localhost", "127.0.0.1")
NO_ECHO = "****"  # how CloudFormation shows a NoEcho parameter
PLACEHOLDER_DATABASE_HOSTS = (
    "YOUR-RDS-PROXY-ENDPOINT",
    "proxy.example.internal",
)  # samconfig.toml, template.yaml


@dataclass(frozen=True)
class Facts:
    """What a deployment holds, gathered by the deploy (or the `checklist` command)."""

    app_secret: dict[str, Any]  # the app secret's settings
    llm_secret: dict[str, Any]  # the LLM secret's settings
    parameters: dict[str, str]  # template.yaml's parameters
    template_environment: frozenset[str]  # the variables template.yaml sets for every function
    app_secret_id: str = "ainav/prod/app"
    llm_secret_id: str = "ainav/prod/llm"
    ses: SesAccount | None = None  # None: not known (dry run, no permission)
    ses_identity_verified: bool | None = None
    lambda_concurrency: int | None = None
    setting_names: frozenset[str] = field(default_factory=lambda: frozenset(Settings.model_fields))

    def setting(self, name: str) -> Any:
        """A setting as the functions see it: the secrets win over the template's environment."""
        for source in (self.app_secret, self.llm_secret):
            if source.get(name) not in (None, "", [], {}):
                return source[name]
        return None


@dataclass(frozen=True)
class Row:
    setting: str  # a setting of shared/config.py, or an account property in words
    where: str
    status: str
    action: str = ""  # what to do when it is not ok
    required: bool = True  # production needs it (optional rows only say whether a feature is on)
    blocks_deploy: bool = False  # the functions refuse to start without it

    @property
    def missing(self) -> bool:
        return self.status == MISSING


def put_secret_hint(secret_id: str, key: str) -> str:
    """How to add a key without it landing in the shell's history: a file, merged into the secret's JSON."""
    return (
        f"put {key} into the JSON of secret {secret_id}, e.g. `aws secretsmanager put-secret-value "
        f"--secret-id {secret_id} --secret-string file://secret.json` (keep its other keys)"
    )


def check_secret_key(facts: Facts) -> Row:
    where = f"secret {facts.app_secret_id}"
    value = facts.setting("SECRET_KEY")
    if not value:
        status, action = MISSING, "make deploy generates it when the app secret has none"
    elif (
        str(value).strip().lower() in PLACEHOLDER_SECRET_KEYS
        or len(str(value)) < MIN_PRODUCTION_SECRET_KEY_LENGTH
    ):
        status = MISSING
        action = (
            f"a placeholder or under {MIN_PRODUCTION_SECRET_KEY_LENGTH} characters: remove it, "
            "make deploy generates one"
        )
    else:
        status, action = OK, ""
    return Row("SECRET_KEY", where, status, action, blocks_deploy=True)


def check_fernet_key(facts: Facts) -> Row:
    where = f"secret {facts.app_secret_id}"
    value = facts.setting("FERNET_KEY")
    if not value:
        return Row(
            "FERNET_KEY",
            where,
            MISSING,
            "make deploy generates it when the app secret has none",
            blocks_deploy=True,
        )
    try:
        Fernet(str(value))
    except ValueError:
        return Row(
            "FERNET_KEY", where, MISSING, "not a Fernet key (32 url-safe base64 bytes)", blocks_deploy=True
        )
    return Row("FERNET_KEY", where, OK, blocks_deploy=True)


def check_database_url(facts: Facts) -> Row:
    where = f"secret {facts.app_secret_id} (with its password) or parameter DatabaseUrl"
    url = str(facts.setting("DATABASE_URL") or facts.parameters.get("DatabaseUrl", ""))
    if url == NO_ECHO:
        return Row("DATABASE_URL", where, UNKNOWN, "the DatabaseUrl parameter is NoEcho: not readable back")
    if not url or any(host in url for host in PLACEHOLDER_DATABASE_HOSTS):
        action = "deploy the data tier (--data-tier deploy) or pass --database-url"
        return Row("DATABASE_URL", where, MISSING, action, blocks_deploy=True)
    if not urlparse(url).password:
        action = "no password in it: use --data-tier deploy|reuse, or put DATABASE_URL in the app secret"
        return Row("DATABASE_URL", where, MISSING, action, blocks_deploy=True)
    return Row("DATABASE_URL", where, OK, blocks_deploy=True)


def check_llm_key(facts: Facts) -> Row:
    if facts.setting("LLM_API_KEY") or facts.setting("DEEPSEEK_API_KEY"):
        return Row("LLM_API_KEY", f"secret {facts.llm_secret_id}", OK)
    return Row(
        "LLM_API_KEY",
        f"secret {facts.llm_secret_id}",
        MISSING,
        "LLM features answer 503 until then: " + put_secret_hint(facts.llm_secret_id, "LLM_API_KEY"),
    )


def check_mail_from(facts: Facts) -> Row:
    sender = facts.parameters.get("MailFromEmail", "")
    if not sender or sender == EXAMPLE_MAIL_FROM or sender.endswith("example.com"):
        return Row(
            "MAIL_FROM_EMAIL",
            "parameter MailFromEmail (--mail-from)",
            MISSING,
            "pass --mail-from with an address of your domain",
        )
    return Row("MAIL_FROM_EMAIL", "parameter MailFromEmail (--mail-from)", OK)


def check_ses_identity(facts: Facts) -> Row:
    sender = facts.parameters.get("MailFromEmail", "")
    where = f"SES identity of {sender or 'the sender'}"
    if facts.ses_identity_verified is None:
        return Row(
            "SES sender identity verified",
            where,
            UNKNOWN,
            "aws sesv2 get-email-identity --email-identity <domain>",
        )
    if not facts.ses_identity_verified:
        return Row(
            "SES sender identity verified",
            where,
            MISSING,
            "verify the domain in SES (DKIM records) or the address",
        )
    return Row("SES sender identity verified", where, OK)


def check_ses_sandbox(facts: Facts) -> Row:
    where = "SES account"
    if facts.ses is None:
        return Row("SES out of the sandbox", where, UNKNOWN, "aws sesv2 get-account: ProductionAccessEnabled")
    if not facts.ses.production_access:
        return Row(
            "SES out of the sandbox",
            where,
            MISSING,
            "in the sandbox mail reaches verified addresses only (200 a day, 1/s): request production access",
        )
    rate = f"{facts.ses.max_send_rate:g}/s, {facts.ses.max_24_hour_send:,.0f} a day"
    return Row(f"SES out of the sandbox ({rate})", where, OK)


def check_public_url(name: str, parameter: str, flag: str) -> Callable[[Facts], Row]:
    def check(facts: Facts) -> Row:
        values = [v.strip() for v in facts.parameters.get(parameter, "").split(",") if v.strip()]
        where = f"parameter {parameter} ({flag})"
        if not values or any(urlparse(v).hostname in (EXAMPLE_HOST, *LOCAL_HOSTS) for v in values):
            return Row(name, where, MISSING, f"pass {flag} with the frontend's https origin")
        if any(v == "*" or urlparse(v).scheme != "https" for v in values):
            return Row(
                name, where, MISSING, "https origins only, no `*`: credentials travel with these requests"
            )
        return Row(name, where, OK)

    return check


def check_artifacts_bucket(facts: Facts) -> Row:
    if "ARTIFACTS_BUCKET" not in facts.setting_names:
        return Row(
            "ARTIFACTS_BUCKET",
            "template.yaml",
            NOT_APPLICABLE,
            "this version stores no artifacts",
            required=False,
        )
    if "ARTIFACTS_BUCKET" in facts.template_environment or facts.setting("ARTIFACTS_BUCKET"):
        return Row("ARTIFACTS_BUCKET", "template.yaml (the artifacts bucket)", OK)
    return Row(
        "ARTIFACTS_BUCKET",
        "template.yaml",
        MISSING,
        "template.yaml must pass the artifacts bucket's name to the functions",
    )


def check_oauth(provider: str, id_name: str, secret_name: str, redirect_name: str) -> Callable[[Facts], Row]:
    def check(facts: Facts) -> Row:
        where = f"secret {facts.app_secret_id}"
        label = f"{id_name}, {secret_name}"
        if not facts.setting(id_name) and not facts.setting(secret_name):
            return Row(label, where, NOT_SET, f"{provider} sign-in stays off", required=False)
        if not (facts.setting(id_name) and facts.setting(secret_name)):
            return Row(label, where, MISSING, f"{provider} sign-in needs both")
        redirect = str(facts.setting(redirect_name) or "")
        if not redirect or urlparse(redirect).hostname in LOCAL_HOSTS:
            return Row(
                label,
                where,
                MISSING,
                f"set {redirect_name} to <API URL>/v1/auth/oauth/{provider.lower()}/callback",
            )
        return Row(label, where, OK, required=False)

    return check


def check_outbound_allowed_hosts(facts: Facts) -> Row:
    where = f"secret {facts.app_secret_id}"
    if facts.setting("OUTBOUND_ALLOWED_HOSTS"):
        return Row(
            "OUTBOUND_ALLOWED_HOSTS empty",
            where,
            MISSING,
            "it opens private addresses to workflows: remove it",
        )
    return Row("OUTBOUND_ALLOWED_HOSTS empty", where, OK)


def check_lambda_concurrency(facts: Facts) -> Row:
    where = "Lambda account quota"
    if facts.lambda_concurrency is None:
        return Row("Lambda concurrent executions", where, UNKNOWN, "aws lambda get-account-settings")
    if facts.lambda_concurrency < MIN_LAMBDA_CONCURRENCY:
        return Row(
            f"Lambda concurrent executions ({facts.lambda_concurrency})",
            where,
            MISSING,
            f"request {MIN_LAMBDA_CONCURRENCY}+ in Service Quotas (docs/scaling.md)",
        )
    return Row(f"Lambda concurrent executions ({facts.lambda_concurrency})", where, OK)


CHECKS: tuple[Callable[[Facts], Row], ...] = (
    check_secret_key,
    check_fernet_key,
    check_database_url,
    check_llm_key,
    check_mail_from,
    check_ses_identity,
    check_ses_sandbox,
    check_public_url("FRONTEND_URL", "FrontendUrl", "--frontend-url"),
    check_public_url("CORS_ORIGINS", "CorsOrigins", "--cors-origins"),
    check_artifacts_bucket,
    check_oauth("GitHub", "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "GITHUB_REDIRECT_URI"),
    check_oauth("WeChat", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_REDIRECT_URI"),
    check_outbound_allowed_hosts,
    check_lambda_concurrency,
)


def evaluate(facts: Facts) -> list[Row]:
    return [check(facts) for check in CHECKS]


def render(rows: list[Row]) -> str:
    """A Markdown table of every row, then one line naming what is still missing."""
    lines = ["| setting | where | status | what to do |", "|---|---|---|---|"]
    lines += [
        f"| {r.setting} | {r.where} | {r.status} | {r.action if r.status != OK else ''} |" for r in rows
    ]
    missing = [r.setting for r in rows if r.missing]
    unknown = [r.setting for r in rows if r.status == UNKNOWN]
    if missing:
        lines.append(f"\n{len(missing)} still missing for production: {', '.join(missing)}")
    else:
        lines.append("\nNothing missing for production.")
    if unknown:
        lines.append(f"Not checked (no account access in this run): {', '.join(unknown)}")
    return "\n".join(lines)
