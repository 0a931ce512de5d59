"""The data tier feeds the application: data.yaml's parameters from the options, its outputs into
template.yaml's parameters, and the `sam deploy` lines of both stacks."""

import pytest

from infra.deploy.errors import DeployError
from infra.deploy.options import DataTierOptions, DeployOptions, ExternalDataTier
from infra.deploy.parameters import (
    REQUIRED_DATA_OUTPUTS,
    app_parameters,
    data_stack_parameters,
    database_url,
    parameter_overrides,
    sam_deploy_command,
)
from tests.infra.deploy.conftest import DATA_OUTPUTS
from tests.infra.deploy.templates import load


def options(**overrides) -> DeployOptions:  # type: ignore[no-untyped-def]
    return DeployOptions(**{"stage": "prod", "region": "ap-southeast-1", "data_tier": "reuse", **overrides})


def test_data_stack_parameters_are_data_yaml_parameters_in_its_formats():
    # GIVEN the data tier's options of a small staging stage
    database = DataTierOptions(min_capacity=0.5, max_capacity=16, nat_gateways=1, reader_instance=True)
    # WHEN they become data.yaml's parameters
    parameters = data_stack_parameters("staging", database)
    # THEN each is a parameter of data.yaml, written as CloudFormation reads it
    assert set(parameters) <= set(load("infra/aws/data.yaml")["Parameters"])
    assert parameters["MinCapacity"] == "0.5"
    assert parameters["MaxCapacity"] == "16"
    assert parameters["NatGateways"] == "1"
    assert parameters["ReaderInstance"] == "true"
    assert parameters["DeletionProtection"] == "true"
    assert parameters["Stage"] == "staging"


def test_every_output_the_deploy_reads_is_an_output_of_data_yaml():
    outputs = load("infra/aws/data.yaml")["Outputs"]
    assert set(REQUIRED_DATA_OUTPUTS) | {"DatabaseClusterIdentifier"} <= set(outputs)


def test_the_data_tiers_outputs_become_template_yamls_parameters():
    # GIVEN the outputs of a deployed data stack
    # WHEN the application's parameters are made from them
    parameters = app_parameters(
        options(frontend_url="https://ainav.ai", cors_origins="https://ainav.ai,https://www.ainav.ai"),
        data_outputs=DATA_OUTPUTS,
        app_secret_arn="arn:app",
        llm_secret_arn="arn:llm",
    )
    # THEN the network and the proxy come from the outputs, and the URL there carries no password
    assert parameters["SubnetIds"] == "subnet-0a1,subnet-0b2"
    assert parameters["SecurityGroupIds"] == "sg-0f1"
    assert parameters["DatabaseUrl"] == (
        "postgresql+pg8000://ainav@ainav-prod.proxy-c1.ap-southeast-1.rds.amazonaws.com:5432/ainav"
    )
    assert parameters["AppSecretArn"] == "arn:app"
    assert parameters["LlmApiKeySecretArn"] == "arn:llm"
    assert parameters["CorsOrigins"] == "https://ainav.ai,https://www.ainav.ai"


def test_the_application_parameters_are_exactly_what_template_yaml_declares():
    declared = load("template.yaml")["Parameters"]
    parameters = app_parameters(options(), data_outputs=DATA_OUTPUTS, app_secret_arn="a", llm_secret_arn="b")
    without_default = {name for name, spec in declared.items() if "Default" not in spec}
    assert without_default <= set(parameters), "a parameter without a default is not passed"
    assert set(parameters) <= set(declared), "a parameter template.yaml does not declare is passed"


def test_an_external_data_tier_passes_its_own_database_and_network():
    external = ExternalDataTier(
        database_url="postgresql+pg8000://app:pw@db.internal:5432/ainav",
        subnet_ids="subnet-1,subnet-2",
        security_group_ids="sg-9",
    )
    parameters = app_parameters(
        options(data_tier="external", external=external),
        data_outputs=None,
        app_secret_arn="a",
        llm_secret_arn="b",
    )
    assert parameters["DatabaseUrl"] == external.database_url
    assert parameters["SubnetIds"] == "subnet-1,subnet-2"
    assert parameters["SecurityGroupIds"] == "sg-9"


def test_outputs_of_another_stack_are_refused_with_their_names():
    with pytest.raises(DeployError, match="ProxyEndpoint, DatabasePort"):
        app_parameters(
            options(),
            data_outputs={
                k: v for k, v in DATA_OUTPUTS.items() if k not in ("ProxyEndpoint", "DatabasePort")
            },
            app_secret_arn="a",
            llm_secret_arn="b",
        )


def test_the_password_is_escaped_inside_the_database_url():
    url = database_url(DATA_OUTPUTS, "p@ss/w:rd")
    assert url.startswith("postgresql+pg8000://ainav:p%40ss%2Fw%3Ard@ainav-prod.proxy-c1")


def test_parameter_values_with_white_space_are_refused():
    with pytest.raises(DeployError, match="MailFromEmail"):
        parameter_overrides({"Stage": "prod", "MailFromEmail": "no reply@ainav.ai"})


def test_sam_deploy_names_every_option_so_samconfig_placeholders_never_apply():
    command = sam_deploy_command(
        template="template.yaml",
        stack="ainav-prod",
        region="ap-southeast-1",
        stage="prod",
        parameters={"Stage": "prod", "SubnetIds": "subnet-1,subnet-2"},
        confirm_changeset=False,
    )
    assert command[:2] == ["sam", "deploy"]
    for flag, value in (
        ("--stack-name", "ainav-prod"),
        ("--region", "ap-southeast-1"),
        ("--capabilities", "CAPABILITY_IAM"),
    ):
        assert command[command.index(flag) + 1] == value
    assert "--no-confirm-changeset" in command
    assert "--resolve-s3" in command
    assert command[command.index("--parameter-overrides") + 1 :] == [
        "Stage=prod",
        "SubnetIds=subnet-1,subnet-2",
    ]


def test_the_worker_cap_defaults_to_template_yamls_default():
    declared = load("template.yaml")["Parameters"]["WorkerMaxConcurrency"]["Default"]
    assert options().worker_max_concurrency == declared
