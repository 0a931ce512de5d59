"""Every table of ainav, imported in one place so relationships resolve and Alembic sees them all."""

from shared.admin.models import Notice, Role, SystemConfig, UserRole
from shared.agents.models import Agent, Conversation, Message
from shared.artifacts.models import Artifact
from shared.audit.models import OperationLog
from shared.auth.models import ApiKey, LoginLog, OAuthState, OneTimeToken, UserSession
from shared.catalog.models import Category, Scenario, Skill, Tool, tool_scenarios
from shared.connections.models import (
    ChatMessage,
    ChatSession,
    ColumnMetadata,
    ConnectionShare,
    DatabaseConnection,
    SqlExample,
    TableInsight,
)
from shared.email.models import EmailSuppression
from shared.executions.models import AgentExecution, ToolExecution
from shared.interactions.models import UserInteraction
from shared.llm.models import CreditHold, CreditTransaction, ProviderKey, UsageMetric
from shared.mcp.models import McpServer, McpToolSetting
from shared.memory.models import AgentMemory
from shared.orm import Base
from shared.profiles.models import UserProfile, UserSettings
from shared.projects.models import Project
from shared.queue.models import QueueJob
from shared.quotas import RateWindow
from shared.tasks.models import Task, TaskLog
from shared.users.models import User
from shared.vault.models import UserSecret
from shared.workflows.models import AgentWorkflow, WebhookDelivery, WorkflowStar, WorkflowVersion

__all__ = [
    "Agent",
    "AgentExecution",
    "AgentMemory",
    "AgentWorkflow",
    "ApiKey",
    "Artifact",
    "Base",
    "Category",
    "ChatMessage",
    "ChatSession",
    "ColumnMetadata",
    "ConnectionShare",
    "Conversation",
    "CreditHold",
    "CreditTransaction",
    "DatabaseConnection",
    "EmailSuppression",
    "LoginLog",
    "McpServer",
    "McpToolSetting",
    "Message",
    "Notice",
    "OAuthState",
    "OneTimeToken",
    "OperationLog",
    "Project",
    "ProviderKey",
    "QueueJob",
    "RateWindow",
    "Role",
    "Scenario",
    "Skill",
    "SqlExample",
    "SystemConfig",
    "TableInsight",
    "Task",
    "TaskLog",
    "Tool",
    "ToolExecution",
    "UsageMetric",
    "User",
    "UserInteraction",
    "UserProfile",
    "UserRole",
    "UserSecret",
    "UserSession",
    "UserSettings",
    "WebhookDelivery",
    "WorkflowStar",
    "WorkflowVersion",
    "tool_scenarios",
]
