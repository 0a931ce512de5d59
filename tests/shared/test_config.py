import json
from datetime import UTC

import boto3
import pytest
from moto import mock_aws
from pydantic import ValidationError

from shared.config import Settings, get_utc_now

STRONG_KEY = "k" * 48
FERNET_KEY = "J1x3nQ0h5f9mJ3l8kq3w4e5r6t7y8u9i0o1p2a3s4d4="


def test_defaults_follow_the_seed():
    config = Settings(_env_file=None, ENVIRONMENT="development")
    assert config.DEFAULT_PAGE_SIZE == 20
    assert config.MAX_PAGE_SIZE == 100
    assert config.ALGORITHM == "HS256"
    assert config.ACCESS_TOKEN_EXPIRE_MINUTES == 60
    assert config.REFRESH_TOKEN_EXPIRE_DAYS == 7
    assert config.MAIL_FROM_NAME == "AI导航"
    assert config.LLM_DEFAULT_MODEL == "deepseek-chat"


@pytest.mark.parametrize(
    "key", ["change-me-in-production", "secret", "CHANGEME", "short-but-not-placeholder"]
)
def test_production_refuses_a_weak_or_placeholder_secret_key(key):
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, ENVIRONMENT="production", SECRET_KEY=key)
    assert "SECRET_KEY" in str(refused.value)
    assert "secrets.token_urlsafe" in str(refused.value)  # the message says what to set


def test_production_refuses_debug():
    with pytest.raises(ValidationError, match="DEBUG"):
        Settings(
            _env_file=None, ENVIRONMENT="production", SECRET_KEY=STRONG_KEY, FERNET_KEY=FERNET_KEY, DEBUG=True
        )


def test_production_refuses_to_run_without_a_fernet_key():
    with pytest.raises(ValidationError, match="FERNET_KEY"):
        Settings(_env_file=None, ENVIRONMENT="production", SECRET_KEY=STRONG_KEY)


def test_production_accepts_a_strong_secret_key():
    config = Settings(_env_file=None, ENVIRONMENT="production", SECRET_KEY=STRONG_KEY, FERNET_KEY=FERNET_KEY)
    config.validate_security_settings()


def test_development_tolerates_the_placeholder():
    Settings(_env_file=None, ENVIRONMENT="development", SECRET_KEY="change-me-in-production")


def test_cors_origins_accept_a_comma_list_or_json(monkeypatch):
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example")
    assert Settings(_env_file=None).CORS_ORIGINS == ["https://a.example", "https://b.example"]
    monkeypatch.setenv("CORS_ORIGINS", '["https://c.example"]')
    assert Settings(_env_file=None).CORS_ORIGINS == ["https://c.example"]


def test_page_sizes_must_be_positive():
    with pytest.raises(ValidationError):
        Settings(_env_file=None, DEFAULT_PAGE_SIZE=0)


def test_get_utc_now_is_timezone_aware_utc():
    assert get_utc_now().tzinfo is UTC


@mock_aws
def test_secrets_from_secrets_manager_override_the_environment(monkeypatch):
    # GIVEN a secret holding the production secret key and the LLM key
    client = boto3.client("secretsmanager", region_name="us-east-1")
    arn = client.create_secret(
        Name="ainav/app",
        SecretString=json.dumps(
            {"SECRET_KEY": STRONG_KEY, "FERNET_KEY": FERNET_KEY, "DEEPSEEK_API_KEY": "sk-llm"}
        ),
    )["ARN"]
    monkeypatch.setenv("SECRET_KEY", "change-me-in-production")
    monkeypatch.setenv("SECRETS_MANAGER_ARNS", arn)
    # WHEN production settings load
    config = Settings(_env_file=None, ENVIRONMENT="production")
    # THEN the secret's values win and the security check passes
    assert config.SECRET_KEY == STRONG_KEY
    assert config.DEEPSEEK_API_KEY == "sk-llm"
