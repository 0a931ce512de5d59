"""The production settings checklist reports what a deployment lacks, by the names of shared/config.py."""

import dataclasses

import pytest
from cryptography.fernet import Fernet

from infra.deploy import checklist, commands
from infra.deploy.aws import SesAccount
from shared.config import Settings

COMPLETE = checklist.Facts(
    app_secret={
        "SECRET_KEY": "k" * 64,
        "FERNET_KEY": Fernet.generate_key().decode(),
        "DATABASE_URL": "postgresql+pg8000://ainav:pw@proxy.internal:5432/ainav",
    },
    llm_secret={"LLM_API_KEY": "sk-live"},
    parameters={
        "MailFromEmail": "noreply@ainav.ai",
        "FrontendUrl": "https://ainav.ai",
        "CorsOrigins": "https://ainav.ai,https://www.ainav.ai",
        "DatabaseUrl": "postgresql+pg8000://ainav@proxy.internal:5432/ainav",
    },
    template_environment=frozenset({"DATABASE_URL", "CORS_ORIGINS", "ARTIFACTS_BUCKET"}),
    ses=SesAccount(production_access=True, max_send_rate=14, max_24_hour_send=50_000),
    ses_identity_verified=True,
    lambda_concurrency=1000,
)
ACCOUNT_ROWS = ("SES", "Lambda", "OUTBOUND_ALLOWED_HOSTS empty")


def with_(facts: checklist.Facts = COMPLETE, *, app=None, llm=None, **changes) -> checklist.Facts:  # type: ignore[no-untyped-def]
    if app is not None:
        changes["app_secret"] = {**facts.app_secret, **app}
    if llm is not None:
        changes["llm_secret"] = llm
    if "parameters" in changes:
        changes["parameters"] = {**facts.parameters, **changes["parameters"]}
    return dataclasses.replace(facts, **changes)


def missing(facts: checklist.Facts) -> list[str]:
    return [row.setting for row in checklist.evaluate(facts) if row.missing]


def test_a_complete_deployment_misses_nothing():
    assert missing(COMPLETE) == []
    assert "Nothing missing for production." in checklist.render(checklist.evaluate(COMPLETE))


def test_every_row_names_a_real_setting_or_an_account_property():
    names = set(Settings.model_fields) | {"ARTIFACTS_BUCKET"}  # the artifacts bucket's setting comes with it
    for row in checklist.evaluate(COMPLETE):
        if row.setting.startswith(ACCOUNT_ROWS):
            continue
        for setting in row.setting.split(", "):
            assert setting in names, setting


@pytest.mark.parametrize(
    ("secret_key", "why"),
    [
        (None, "absent"),
        ("change-me-in-production", "placeholder"),
        ("short-but-random", "under 32 characters"),
    ],
)
def test_a_weak_secret_key_is_missing_and_blocks_the_deploy(secret_key, why):
    facts = with_(app_secret={k: v for k, v in COMPLETE.app_secret.items() if k != "SECRET_KEY"})
    if secret_key:
        facts = with_(facts, app={"SECRET_KEY": secret_key})
    (row,) = [r for r in checklist.evaluate(facts) if r.setting == "SECRET_KEY"]
    assert row.missing and row.blocks_deploy, why


def test_a_fernet_key_must_be_one():
    assert missing(with_(app={"FERNET_KEY": "not-a-key"})) == ["FERNET_KEY"]


def test_a_database_url_without_its_password_is_missing():
    facts = with_(app_secret={k: v for k, v in COMPLETE.app_secret.items() if k != "DATABASE_URL"})
    assert missing(facts) == ["DATABASE_URL"]
    samconfig_placeholder = "postgresql+pg8000://ainav:x@YOUR-RDS-PROXY-ENDPOINT:5432/ainav"
    assert missing(with_(app={"DATABASE_URL": samconfig_placeholder})) == ["DATABASE_URL"]


def test_the_llm_key_is_missing_unless_a_secret_holds_it_under_either_name():
    assert missing(with_(llm={})) == ["LLM_API_KEY"]
    assert missing(with_(llm={"DEEPSEEK_API_KEY": "sk-old-name"})) == []


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"MailFromEmail": "noreply@ainav.example.com"}, ["MAIL_FROM_EMAIL"]),
        ({"FrontendUrl": "https://ainav.example.com"}, ["FRONTEND_URL"]),
        ({"CorsOrigins": "*"}, ["CORS_ORIGINS"]),
        ({"CorsOrigins": "https://ainav.ai,http://ainav.ai"}, ["CORS_ORIGINS"]),
        ({"CorsOrigins": "http://localhost:3000"}, ["CORS_ORIGINS"]),
    ],
)
def test_public_settings_left_at_the_examples_or_unsafe_are_missing(parameters, expected):
    assert missing(with_(parameters=parameters)) == expected


def test_ses_in_the_sandbox_or_an_unverified_sender_is_missing():
    sandbox = SesAccount(production_access=False, max_send_rate=1, max_24_hour_send=200)
    assert missing(with_(ses=sandbox)) == ["SES out of the sandbox"]
    assert missing(with_(ses_identity_verified=False)) == ["SES sender identity verified"]


def test_what_this_run_could_not_read_is_unknown_not_missing():
    rows = checklist.evaluate(with_(ses=None, ses_identity_verified=None, lambda_concurrency=None))
    assert [r.setting for r in rows if r.status == checklist.UNKNOWN] == [
        "SES sender identity verified",
        "SES out of the sandbox",
        "Lambda concurrent executions",
    ]
    assert "Not checked (no account access in this run)" in checklist.render(rows)


def test_a_low_lambda_concurrency_quota_is_missing():
    assert missing(with_(lambda_concurrency=10)) == ["Lambda concurrent executions (10)"]


def test_outbound_allowed_hosts_must_stay_empty_in_production():
    assert missing(with_(app={"OUTBOUND_ALLOWED_HOSTS": "10.0.0.0/8"})) == ["OUTBOUND_ALLOWED_HOSTS empty"]


def test_oauth_is_optional_but_half_or_local_configurations_are_missing():
    rows = {r.setting: r for r in checklist.evaluate(COMPLETE)}
    assert rows["GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET"].status == checklist.NOT_SET
    assert missing(with_(app={"GITHUB_CLIENT_ID": "gh-id"})) == ["GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET"]
    configured = {"GITHUB_CLIENT_ID": "gh-id", "GITHUB_CLIENT_SECRET": "gh-secret"}
    assert missing(with_(app=configured)) == ["GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET"]  # localhost callback
    callback = {"GITHUB_REDIRECT_URI": "https://api.ainav.ai/prod/v1/auth/oauth/github/callback"}
    assert missing(with_(app={**configured, **callback})) == []


def test_artifacts_bucket_is_checked_once_the_setting_exists():
    def status(facts: checklist.Facts) -> str:
        return next(r.status for r in checklist.evaluate(facts) if r.setting == "ARTIFACTS_BUCKET")

    without = frozenset(COMPLETE.setting_names - {"ARTIFACTS_BUCKET"})
    assert status(with_(setting_names=without)) == checklist.NOT_APPLICABLE
    with_setting = frozenset(without | {"ARTIFACTS_BUCKET"})
    template_without = frozenset(COMPLETE.template_environment - {"ARTIFACTS_BUCKET"})
    assert (
        status(with_(setting_names=with_setting, template_environment=template_without)) == checklist.MISSING
    )
    assert status(with_(setting_names=with_setting)) == checklist.OK
    # and the real template passes it
    assert "ARTIFACTS_BUCKET" in commands.read_template_environment()


def test_the_table_lists_every_row_and_names_what_is_missing():
    rows = checklist.evaluate(with_(llm={}, ses_identity_verified=False))
    text = checklist.render(rows)
    assert text.splitlines()[0] == "| setting | where | status | what to do |"
    assert len([line for line in text.splitlines() if line.startswith("| ")]) == len(rows) + 1
    assert "2 still missing for production: LLM_API_KEY, SES sender identity verified" in text
