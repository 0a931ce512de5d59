"""The two Secrets Manager secrets template.yaml names: the app secret (SECRET_KEY, FERNET_KEY, the database
URL with its password, any other setting) and the LLM secret (LLM_API_KEY). A deploy creates what is missing
and never replaces a key that is there: a new FERNET_KEY would leave every secret at rest unreadable."""

import secrets
from typing import Any

from cryptography.fernet import Fernet

from infra.deploy.aws import Aws, StoredSecret
from infra.deploy.errors import DeployError
from infra.deploy.runner import Progress


def generated_app_values() -> dict[str, str]:
    """A JWT signing key well over the 32 characters production requires, and a Fernet key."""
    return {"SECRET_KEY": secrets.token_urlsafe(48), "FERNET_KEY": Fernet.generate_key().decode()}


def ensure_app_secret(
    aws: Aws, secret_id: str, *, database_url: str | None, progress: Progress
) -> StoredSecret:
    """Create the app secret, or add what it lacks: generated keys when absent, the data tier's database
    URL when given (it follows the data tier: a new password or proxy replaces it)."""
    existing = aws.read_secret(secret_id)
    generated = generated_app_values()
    if existing is None:
        values: dict[str, Any] = {**generated, **({"DATABASE_URL": database_url} if database_url else {})}
        arn = aws.create_secret(
            secret_id, values, description="ainav settings: SECRET_KEY, FERNET_KEY, DATABASE_URL, ..."
        )
        progress.info(f"secret {secret_id}: new, with {', '.join(sorted(values))}")
        return StoredSecret(arn=arn, values=values)
    added = {name: value for name, value in generated.items() if not existing.values.get(name)}
    if database_url and existing.values.get("DATABASE_URL") != database_url:
        added["DATABASE_URL"] = database_url
    if not added:
        progress.info(f"secret {secret_id} holds what it needs; unchanged")
        return existing
    values = {**existing.values, **added}
    arn = aws.put_secret_values(secret_id, values)
    progress.info(f"secret {secret_id}: set {', '.join(sorted(added))}, kept its other keys")
    return StoredSecret(arn=arn, values=values)


def ensure_llm_secret(aws: Aws, secret_id: str, *, progress: Progress) -> StoredSecret:
    """Create the LLM secret empty if it is missing; the checklist says how to put the key in."""
    existing = aws.read_secret(secret_id)
    if existing is not None:
        return existing
    arn = aws.create_secret(secret_id, {}, description='ainav model keys: {"LLM_API_KEY": "..."}')
    progress.info(f"secret {secret_id}: new and empty (LLM features answer 503 until it holds LLM_API_KEY)")
    return StoredSecret(arn=arn, values={})


def database_password(aws: Aws, secret_arn: str) -> str:
    """The password of the data tier's secret (infra/aws/data.yaml generates it)."""
    secret = aws.read_secret(secret_arn)
    if secret is None or not secret.values.get("password"):
        raise DeployError(f"the database secret {secret_arn} is missing or holds no password")
    return str(secret.values["password"])
