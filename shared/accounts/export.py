"""`GET /v1/users/me/export`: one JSON document of everything an account owns. Never a secret, a hash
or an encrypted value: API keys by name and prefix, secrets and provider keys by name, memories without
their embeddings, graphs with literal credentials redacted as anyone but their owner sees them, runs
without their per-node logs (each run's log is at GET /v1/executions/{id}). Each kind holds at most
ACCOUNT_EXPORT_MAX_ROWS rows, newest first; `truncated` names the kinds that had more, with their total."""

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, func, inspect, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from shared.admin import roles as role_service
from shared.agents.models import Agent, Conversation, Message
from shared.auth.models import ApiKey, LoginLog, UserSession
from shared.config import get_utc_now, settings
from shared.executions.models import AgentExecution
from shared.interactions.models import UserInteraction
from shared.llm.models import CreditTransaction, ProviderKey, UsageMetric
from shared.memory.models import AgentMemory
from shared.projects.models import Project
from shared.users.models import User
from shared.vault.models import UserSecret
from shared.workflows.models import AgentWorkflow, WorkflowStar, WorkflowVersion
from shared.workflows.redaction import redact_graph

FORMAT_VERSION = 1
# Columns that are secret, a hash, ciphertext, or too big to be of use (embeddings, per-node logs).
NEVER_EXPORTED = frozenset(
    {
        "hashed_password",
        "key_hash",
        "token_hash",
        "value_encrypted",
        "api_key_encrypted",
        "webhook_secret_encrypted",
        "embedding",
        "execution_log",
        "snapshot",
    }
)
Rows = list[dict[str, Any]]


class AccountExport(BaseModel):
    format_version: int
    exported_at: Any
    profile: dict[str, Any]
    roles: list[str]
    projects: Rows
    workflows: Rows
    workflow_versions: Rows
    stars: Rows
    executions: Rows
    memories: Rows
    agents: Rows
    conversations: Rows
    messages: Rows
    api_keys: Rows
    secrets: Rows = Field(description="names and times only")
    llm_keys: Rows = Field(description="providers and base URLs only")
    interactions: Rows
    usage: Rows
    credit_transactions: Rows
    sessions: Rows
    login_history: Rows
    truncated: dict[str, int] = Field(description="kinds cut at ACCOUNT_EXPORT_MAX_ROWS, with their total")


def as_dict(row: Any) -> dict[str, Any]:
    """A row's columns, less what is never exported."""
    return {
        column.key: getattr(row, column.key)
        for column in inspect(row).mapper.column_attrs
        if column.key not in NEVER_EXPORTED
    }


class Exporter:
    def __init__(self, session: Session, user: User) -> None:
        self.session, self.user = session, user
        self.truncated: dict[str, int] = {}

    def rows(
        self, name: str, model: type, condition: ColumnElement[bool], newest: InstrumentedAttribute[Any]
    ) -> list[Any]:
        cap = settings.ACCOUNT_EXPORT_MAX_ROWS
        found = list(
            self.session.scalars(select(model).where(condition).order_by(newest.desc()).limit(cap + 1))
        )
        if len(found) > cap:
            self.truncated[name] = self.session.scalar(
                select(func.count()).select_from(model).where(condition)
            )
        return found[:cap]

    def dicts(self, name: str, model: type, condition: ColumnElement[bool], newest: Any) -> Rows:
        return [as_dict(row) for row in self.rows(name, model, condition, newest)]


def export_account(session: Session, user: User) -> AccountExport:
    exporter = Exporter(session, user)
    mine = AgentWorkflow.user_id == user.id
    my_workflows = select(AgentWorkflow.id).where(mine).scalar_subquery()
    my_conversations = select(Conversation.id).where(Conversation.user_id == user.id).scalar_subquery()
    workflows = []
    for workflow in exporter.rows("workflows", AgentWorkflow, mine, AgentWorkflow.created_at):
        fields = as_dict(workflow)
        fields["graph_json"] = redact_graph(workflow.graph_json)
        fields["has_webhook_secret"] = workflow.webhook_secret_encrypted is not None
        workflows.append(fields)
    profile = as_dict(user) | {"email_verified": user.email_verified, "has_password": user.has_password}
    return AccountExport(
        format_version=FORMAT_VERSION,
        exported_at=get_utc_now(),
        profile=profile,
        roles=[role.name for role in role_service.roles_of(session, [user.id]).get(user.id, [])],
        projects=exporter.dicts("projects", Project, Project.user_id == user.id, Project.created_at),
        workflows=workflows,
        workflow_versions=exporter.dicts(
            "workflow_versions",
            WorkflowVersion,
            WorkflowVersion.workflow_id.in_(my_workflows),
            WorkflowVersion.created_at,
        ),
        stars=exporter.dicts("stars", WorkflowStar, WorkflowStar.user_id == user.id, WorkflowStar.created_at),
        executions=exporter.dicts(
            "executions", AgentExecution, AgentExecution.user_id == user.id, AgentExecution.created_at
        ),
        memories=exporter.dicts(
            "memories", AgentMemory, AgentMemory.workflow_id.in_(my_workflows), AgentMemory.created_at
        ),
        agents=exporter.dicts("agents", Agent, Agent.user_id == user.id, Agent.created_at),
        conversations=exporter.dicts(
            "conversations", Conversation, Conversation.user_id == user.id, Conversation.created_at
        ),
        messages=exporter.dicts(
            "messages", Message, Message.conversation_id.in_(my_conversations), Message.created_at
        ),
        api_keys=exporter.dicts("api_keys", ApiKey, ApiKey.user_id == user.id, ApiKey.created_at),
        secrets=exporter.dicts("secrets", UserSecret, UserSecret.user_id == user.id, UserSecret.created_at),
        llm_keys=exporter.dicts(
            "llm_keys", ProviderKey, ProviderKey.user_id == user.id, ProviderKey.created_at
        ),
        interactions=exporter.dicts(
            "interactions", UserInteraction, UserInteraction.user_id == user.id, UserInteraction.created_at
        ),
        usage=exporter.dicts("usage", UsageMetric, UsageMetric.user_id == user.id, UsageMetric.created_at),
        credit_transactions=exporter.dicts(
            "credit_transactions",
            CreditTransaction,
            CreditTransaction.user_id == user.id,
            CreditTransaction.created_at,
        ),
        sessions=exporter.dicts(
            "sessions", UserSession, UserSession.user_id == user.id, UserSession.created_at
        ),
        login_history=exporter.dicts(
            "login_history", LoginLog, LoginLog.user_id == user.id, LoginLog.created_at
        ),
        truncated=exporter.truncated,
    )
