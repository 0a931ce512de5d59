"""`deploy` and `destroy` step by step against an in-memory account: which commands run in which order, what
the secrets hold afterwards, and where a deploy stops before it can break a stage."""

from urllib.parse import urlparse

import pytest
from cryptography.fernet import Fernet

from infra.deploy import commands
from infra.deploy.errors import DeployError
from infra.deploy.options import DeployOptions, DestroyOptions, ExternalDataTier
from tests.infra.deploy.conftest import APP_OUTPUTS, DATA_OUTPUTS, DATABASE_PASSWORD


def deploy_options(**overrides) -> DeployOptions:  # type: ignore[no-untyped-def]
    return DeployOptions(
        **{
            "stage": "prod",
            "region": "ap-southeast-1",
            "data_tier": "deploy",
            "frontend_url": "https://ainav.ai",
            "cors_origins": "https://ainav.ai",
            "mail_from": "noreply@ainav.ai",
            **overrides,
        }
    )


def sam_stacks(runner) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(c[1], c[c.index("--stack-name") + 1]) for c in runner.commands if c[0] == "sam"]


def test_a_first_deploy_builds_brings_up_both_stacks_migrates_and_prints_the_api_url(
    fake_aws, fake_runner, progress, output
):
    # GIVEN an empty account
    # WHEN a stage is deployed with a new data tier
    outputs = commands.deploy(deploy_options(), aws=fake_aws, runner=fake_runner, progress=progress)
    # THEN the layers are built, the data tier and then the application deployed, and the database migrated
    assert fake_runner.commands[0] == ["make", "layers"]
    assert sam_stacks(fake_runner) == [("deploy", "ainav-data-prod"), ("deploy", "ainav-prod")]
    assert fake_aws.invoked == [(APP_OUTPUTS["MigrateFunctionName"], {})]
    assert outputs["ApiUrl"] == APP_OUTPUTS["ApiUrl"]
    printed = output.getvalue()
    assert f"API: {APP_OUTPUTS['ApiUrl']}" in printed
    assert "| setting | where | status | what to do |" in printed
    assert "still missing for production: LLM_API_KEY" in printed


def test_the_application_receives_the_data_tiers_network_and_a_url_without_the_password(
    fake_aws, fake_runner, progress
):
    commands.deploy(deploy_options(), aws=fake_aws, runner=fake_runner, progress=progress)
    parameters = fake_aws.parameters["ainav-prod"]
    assert parameters["SubnetIds"] == DATA_OUTPUTS["PrivateSubnetIds"]
    assert parameters["SecurityGroupIds"] == DATA_OUTPUTS["FunctionSecurityGroupId"]
    assert urlparse(parameters["DatabaseUrl"]).hostname == DATA_OUTPUTS["ProxyEndpoint"]
    assert DATABASE_PASSWORD not in " ".join(" ".join(c) for c in fake_runner.commands)


def test_the_app_secret_gets_generated_keys_and_the_database_url_with_its_password(
    fake_aws, fake_runner, progress
):
    commands.deploy(deploy_options(), aws=fake_aws, runner=fake_runner, progress=progress)
    app = fake_aws.secrets["ainav/prod/app"]
    assert len(app["SECRET_KEY"]) >= 32
    assert urlparse(app["DATABASE_URL"]).password == DATABASE_PASSWORD
    assert fake_aws.secrets["ainav/prod/llm"] == {}
    assert fake_aws.parameters["ainav-prod"]["AppSecretArn"].endswith("secret:ainav/prod/app")


def test_a_second_deploy_keeps_the_keys_and_everything_else_in_the_app_secret(
    fake_aws, fake_runner, progress
):
    # GIVEN a deployed data tier and an app secret with keys of its own and the URL of an older proxy
    fake_aws.stacks["ainav-data-prod"] = dict(DATA_OUTPUTS)
    fernet_key = Fernet.generate_key().decode()
    fake_aws.secrets["ainav/prod/app"] = {
        "SECRET_KEY": "kept-" * 10,
        "FERNET_KEY": fernet_key,
        "GITHUB_CLIENT_ID": "gh",
        "DATABASE_URL": "postgresql+pg8000://ainav:old@old-proxy:5432/ainav",
    }
    # WHEN the stage is deployed again, reusing the data tier
    commands.deploy(deploy_options(data_tier="reuse"), aws=fake_aws, runner=fake_runner, progress=progress)
    # THEN the data stack is left alone, and the secret keeps all it held but the URL, which follows the proxy
    assert sam_stacks(fake_runner) == [("deploy", "ainav-prod")]
    app = fake_aws.secrets["ainav/prod/app"]
    assert (app["SECRET_KEY"], app["FERNET_KEY"], app["GITHUB_CLIENT_ID"]) == ("kept-" * 10, fernet_key, "gh")
    assert urlparse(app["DATABASE_URL"]).hostname == DATA_OUTPUTS["ProxyEndpoint"]


def test_what_the_functions_cannot_start_without_stops_the_deploy_before_the_application(
    fake_aws, fake_runner, progress, output
):
    # GIVEN an app secret whose FERNET_KEY is not a Fernet key
    fake_aws.stacks["ainav-data-prod"] = dict(DATA_OUTPUTS)
    fake_aws.secrets["ainav/prod/app"] = {"SECRET_KEY": "k" * 48, "FERNET_KEY": "not-a-fernet-key"}
    # WHEN the stage is deployed
    with pytest.raises(DeployError, match="FERNET_KEY"):
        commands.deploy(
            deploy_options(data_tier="reuse"), aws=fake_aws, runner=fake_runner, progress=progress
        )
    # THEN the application is not deployed, the key is not replaced, and the table says what to fix
    assert ("deploy", "ainav-prod") not in sam_stacks(fake_runner)
    assert fake_aws.secrets["ainav/prod/app"]["FERNET_KEY"] == "not-a-fernet-key"
    assert "| FERNET_KEY |" in output.getvalue()


def test_an_external_data_tier_without_a_password_anywhere_is_refused(fake_aws, fake_runner, progress):
    external = ExternalDataTier(
        database_url="postgresql+pg8000://ainav@db.internal:5432/ainav",
        subnet_ids="subnet-1",
        security_group_ids="sg-1",
    )
    with pytest.raises(DeployError, match="DATABASE_URL"):
        commands.deploy(
            deploy_options(data_tier="external", external=external),
            aws=fake_aws,
            runner=fake_runner,
            progress=progress,
        )
    assert sam_stacks(fake_runner) == []


def test_reusing_a_data_tier_that_does_not_exist_says_how_to_make_it(fake_aws, fake_runner, progress):
    with pytest.raises(DeployError, match="--data-tier deploy"):
        commands.deploy(
            deploy_options(data_tier="reuse"), aws=fake_aws, runner=fake_runner, progress=progress
        )


def test_layers_and_migrations_can_be_skipped(fake_aws, fake_runner, progress):
    commands.deploy(
        deploy_options(build_layers=False, run_migrations=False),
        aws=fake_aws,
        runner=fake_runner,
        progress=progress,
    )
    assert ["make", "layers"] not in fake_runner.commands
    assert fake_aws.invoked == []


def test_a_failed_migration_fails_the_deploy(fake_aws, fake_runner, progress):
    fake_aws.migrate_error = "relation already exists"
    with pytest.raises(DeployError, match="relation already exists"):
        commands.deploy(deploy_options(), aws=fake_aws, runner=fake_runner, progress=progress)


def test_destroy_keeps_the_data_tier_unless_told(fake_aws, fake_runner, progress):
    fake_aws.stacks.update({"ainav-prod": dict(APP_OUTPUTS), "ainav-data-prod": dict(DATA_OUTPUTS)})
    commands.destroy(
        DestroyOptions(stage="prod", region="ap-southeast-1"),
        aws=fake_aws,
        runner=fake_runner,
        progress=progress,
    )
    assert sam_stacks(fake_runner) == [("delete", "ainav-prod")]
    assert "ainav-data-prod" in fake_aws.stacks and fake_aws.unprotected == []


def test_destroy_with_delete_data_lifts_the_protection_then_deletes_the_data_tier(
    fake_aws, fake_runner, progress
):
    fake_aws.stacks.update({"ainav-prod": dict(APP_OUTPUTS), "ainav-data-prod": dict(DATA_OUTPUTS)})
    options = DestroyOptions(stage="prod", region="ap-southeast-1", delete_data=True)
    commands.destroy(options, aws=fake_aws, runner=fake_runner, progress=progress)
    assert sam_stacks(fake_runner) == [("delete", "ainav-prod"), ("delete", "ainav-data-prod")]
    assert fake_aws.unprotected == [DATA_OUTPUTS["DatabaseClusterIdentifier"]]


def test_destroy_says_what_it_deletes_and_what_it_keeps():
    kept_database = commands.describe_destroy(DestroyOptions(stage="prod", region="r"), ("app", "llm"))
    assert "Keeps:\n  - stack ainav-data-prod" in kept_database
    assert "secrets app and llm" in kept_database
    deleted_database = commands.describe_destroy(
        DestroyOptions(stage="prod", region="r", delete_data=True), ("app", "llm")
    )
    assert "final snapshot" in deleted_database.split("Keeps:")[0]


def test_the_checklist_command_reads_a_deployed_stage(fake_aws, progress, output):
    fake_aws.parameters["ainav-prod"] = {
        "AppSecretArn": "ainav/prod/app",
        "LlmApiKeySecretArn": "ainav/prod/llm",
        "MailFromEmail": "noreply@ainav.ai",
        "FrontendUrl": "https://ainav.ai",
        "CorsOrigins": "https://ainav.ai",
        "DatabaseUrl": "****",
    }
    fake_aws.secrets["ainav/prod/app"] = {
        "SECRET_KEY": "k" * 48,
        "FERNET_KEY": Fernet.generate_key().decode(),
        "DATABASE_URL": "postgresql+pg8000://ainav:pw@proxy:5432/ainav",
    }
    fake_aws.secrets["ainav/prod/llm"] = {"LLM_API_KEY": "sk"}
    rows = commands.show_checklist(stage="prod", app_stack="ainav-prod", aws=fake_aws, progress=progress)
    assert [row.setting for row in rows if row.missing] == []
    assert "Nothing missing for production." in output.getvalue()
