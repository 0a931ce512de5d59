"""`python -m infra.deploy`: argument handling, the guided questions, confirmations, the answers kept per
stage, and the dry run, which prints the whole plan and calls neither AWS nor any tool."""

import io
import json

import pytest

from infra.deploy import cli
from infra.deploy.aws import DryRunAws
from infra.deploy.runner import DryRunRunner
from tests.infra.deploy.conftest import APP_OUTPUTS, FakeAws, FakeRunner

ENVIRON = {"AWS_REGION": "ap-southeast-1"}


def run(argv, tmp_path, *, environ=ENVIRON, interactive=False, account=None):  # type: ignore[no-untyped-def]
    """Run the command line against a fake account; returns (exit code, output, account, runner)."""
    account = account or FakeAws()
    runner = FakeRunner(account)
    stream = io.StringIO()
    code = cli.main(
        argv,
        stream=stream,
        environ=environ,
        answers_dir=tmp_path,
        interactive=interactive,
        make_tools=lambda dry_run, region, progress: (account, runner),
    )
    return code, stream.getvalue(), account, runner


def test_a_dry_run_prints_the_plan_and_calls_nothing(tmp_path, monkeypatch):
    # GIVEN boto3 and subprocesses that must not be used
    import infra.deploy.runner as runner_module

    monkeypatch.setattr(cli, "Boto3Aws", None)
    monkeypatch.setattr(runner_module.subprocess, "run", None)
    stream = io.StringIO()
    # WHEN the deploy runs dry
    code = cli.main(
        ["deploy", "--dry-run", "--mail-from", "noreply@ainav.ai", "--frontend-url", "https://ainav.ai"],
        stream=stream,
        environ=ENVIRON,
        answers_dir=tmp_path,
        interactive=False,
    )
    # THEN it prints each step's command in order, with the data tier's outputs as placeholders
    printed = stream.getvalue()
    assert code == 0, printed
    commands = [line.split("$ ", 1)[1] for line in printed.splitlines() if "$ " in line]
    assert commands[0] == "make layers"
    assert commands[1].startswith(
        "sam deploy --template-file infra/aws/data.yaml --stack-name ainav-data-prod"
    )
    assert commands[2].startswith("sam deploy --template-file template.yaml --stack-name ainav-prod")
    assert "SubnetIds=<ainav-data-prod.PrivateSubnetIds>" in commands[2]
    assert "aws: invoke <ainav-prod.MigrateFunctionName>" in printed
    assert "| LLM_API_KEY |" in printed
    # AND it remembers nothing
    assert list(tmp_path.iterdir()) == []


def test_the_dry_run_uses_the_dry_tools():
    aws, runner = cli.tools(True, "ap-southeast-1", cli.Progress(io.StringIO()))
    assert isinstance(aws, DryRunAws) and isinstance(runner, DryRunRunner)


def test_without_a_terminal_the_data_tier_must_be_named(tmp_path):
    code, printed, _, runner = run(["deploy", "--yes"], tmp_path)
    assert code == 2
    assert "--data-tier deploy" in printed
    assert runner.commands == []


def test_without_a_terminal_a_deploy_needs_yes(tmp_path):
    code, printed, _, runner = run(["deploy", "--data-tier", "deploy"], tmp_path)
    assert code == 2 and "--yes" in printed
    assert runner.commands == []


def test_the_region_comes_from_the_flag_then_the_last_deploy_then_the_environment(tmp_path):
    code, printed, *_ = run(["deploy", "--yes", "--data-tier", "deploy"], tmp_path, environ={})
    assert code == 2 and "no region" in printed
    code, printed, *_ = run(["deploy", "--yes", "--data-tier", "deploy", "--region", "eu-west-1"], tmp_path)
    assert code == 0, printed
    assert json.loads((tmp_path / "prod.json").read_text())["region"] == "eu-west-1"
    code, printed, *_ = run(["deploy", "--yes"], tmp_path)  # AWS_REGION says ap-southeast-1
    assert "in eu-west-1" in printed


def test_unknown_choices_are_refused_by_the_parser(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["deploy", "--stage", "qa"], stream=io.StringIO(), environ=ENVIRON, answers_dir=tmp_path)
    assert exited.value.code == 2
    assert "invalid choice: 'qa'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--min-acu", "4", "--max-acu", "2"], "min (4.0) <= max (2.0)"),
        (["--max-acu", "3.3"], "steps of 0.5"),
        (["--worker-max-concurrency", "1"], "2..1000"),
        (["--data-tier", "external"], "--database-url"),
    ],
)
def test_bad_options_are_refused_before_anything_runs(tmp_path, arguments, message):
    code, printed, _, runner = run(["deploy", "--yes", "--data-tier", "deploy", *arguments], tmp_path)
    assert code == 2
    assert message in printed
    assert runner.commands == []


def test_a_deploy_keeps_its_answers_and_the_next_one_reuses_the_data_tier(tmp_path):
    # GIVEN a first deploy that brought up the data tier
    account = FakeAws()
    first = ["deploy", "--yes", "--data-tier", "deploy", "--mail-from", "noreply@ainav.ai", "--max-acu", "16"]
    code, printed, account, runner = run(first, tmp_path, account=account)
    assert code == 0, printed
    # WHEN the stage is deployed again with no options
    code, printed, _, runner = run(["deploy", "--yes", "--skip-layers"], tmp_path, account=account)
    # THEN the remembered answers apply and the data tier is reused, not redeployed
    assert code == 0, printed
    stacks = [c[c.index("--stack-name") + 1] for c in runner.commands if c[:2] == ["sam", "deploy"]]
    assert stacks == ["ainav-prod"]
    assert account.parameters["ainav-prod"]["MailFromEmail"] == "noreply@ainav.ai"
    answers = json.loads((tmp_path / "prod.json").read_text())
    assert answers["data_tier"] == "reuse" and answers["database_max_capacity"] == 16


def test_the_guided_deploy_asks_what_the_arguments_leave_open(tmp_path, monkeypatch):
    # GIVEN a terminal where the operator answers each question, then confirms
    answers = iter(["deploy", "https://ainav.ai", "", "noreply@ainav.ai", "y"])
    monkeypatch.setattr("builtins.input", lambda: next(answers))
    # WHEN the deploy runs without options
    code, printed, account, _ = run(["deploy"], tmp_path, interactive=True)
    # THEN the answers (and the defaults taken with an empty answer) reach the application's parameters
    assert code == 0, printed
    parameters = account.parameters["ainav-prod"]
    assert parameters["FrontendUrl"] == "https://ainav.ai"
    assert parameters["CorsOrigins"] == "https://ainav.ai"  # defaults to the frontend URL
    assert parameters["MailFromEmail"] == "noreply@ainav.ai"


def test_the_guided_deploy_does_nothing_unless_confirmed(tmp_path, monkeypatch):
    answers = iter(["n"])
    monkeypatch.setattr("builtins.input", lambda: next(answers))
    argv = [
        "deploy",
        "--data-tier",
        "deploy",
        "--frontend-url",
        "https://a.ai",
        "--cors-origins",
        "https://a.ai",
    ]
    code, printed, _, runner = run([*argv, "--mail-from", "n@a.ai"], tmp_path, interactive=True)
    assert code == 1 and "nothing done" in printed
    assert runner.commands == []


def test_destroy_says_what_it_deletes_and_needs_the_stack_name_typed(tmp_path, monkeypatch):
    account = FakeAws()
    account.stacks["ainav-prod"] = dict(APP_OUTPUTS)
    monkeypatch.setattr("builtins.input", lambda: "prod")
    code, printed, _, runner = run(["destroy"], tmp_path, interactive=True, account=account)
    assert code == 1 and "nothing deleted" in printed
    assert printed.index("Deletes:") < printed.index("Keeps:")
    monkeypatch.setattr("builtins.input", lambda: "ainav-prod")
    code, printed, _, runner = run(["destroy"], tmp_path, interactive=True, account=account)
    assert code == 0
    assert runner.commands == [
        ["sam", "delete", "--stack-name", "ainav-prod", "--region", "ap-southeast-1", "--no-prompts"]
    ]


def test_destroy_without_a_terminal_needs_yes(tmp_path):
    code, printed, _, runner = run(["destroy"], tmp_path)
    assert code == 2 and "--yes" in printed and runner.commands == []


def test_the_checklist_command_fails_while_something_is_missing(tmp_path):
    account = FakeAws()
    account.parameters["ainav-prod"] = {
        "AppSecretArn": "ainav/prod/app",
        "LlmApiKeySecretArn": "ainav/prod/llm",
    }
    code, printed, *_ = run(["checklist"], tmp_path, account=account)
    assert code == 1
    assert "still missing for production" in printed
