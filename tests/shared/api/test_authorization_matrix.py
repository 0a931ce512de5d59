"""Who may call what: every route of the app, for each caller, has the status it must answer.

The callers are `anonymous` (no credentials), `other` (a signed-in user who is not the owner), `owner`
(the user who owns the private objects below) and `superuser` (signed in, is_superuser, not the owner).
Admin routes need one permission each (ADMIN_PERMISSIONS), which superusers hold; a user holding a role
with exactly that permission gets what the superuser gets, and a user holding every other one a 403.
The owner holds a private object set: a webhook-triggered workflow (version 1), a pending and a failed
execution of it, a memory, an API key, a secret, a project; path parameters name these. The catalog holds
a category, scenario, tool and skill.

The rule (OWASP API1 object-level and API5 function-level authorization):
- every read and write of a user's object checks ownership, and another user's private object is a 404
  (a superuser is just another user there: being an admin opens no one's private data);
- admin routes are 401 anonymous and 403 for every signed-in user without their permission;
- public routes answer everyone alike.

Each request carries a valid body, so a 422 cannot hide a missing check. A route the app serves without an
entry in MATRIX fails `test_every_route_has_an_entry`, naming it. The same holds for the owner's workflow once
public (PUBLIC_WORKFLOW), for callers who sign in with an API key instead of a bearer token, and for lists.
"""

import itertools
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import update

from shared.admin.models import Notice, Role, UserRole
from shared.admin.permissions import PERMISSIONS
from shared.agents import service as agent_service
from shared.agents.models import Conversation
from shared.agents.schemas import AgentCreate
from shared.api.app import create_app
from shared.api.routers import API_ROUTERS
from shared.artifacts.models import Artifact
from shared.auth import api_keys, one_time_tokens
from shared.auth import sessions as session_service
from shared.auth.schemas import ApiKeyCreate
from shared.auth.sessions import ClientInfo
from shared.catalog.models import Scenario
from shared.config import settings
from shared.connections import sessions as connection_sessions
from shared.connections.models import (
    ChatSession,
    ConnectionShare,
    DatabaseConnection,
    SqlExample,
    TableInsight,
)
from shared.llm import keys as llm_keys
from shared.mcp import tool_settings as mcp_settings
from shared.mcp.models import McpServer
from shared.mcp.schemas import McpSettingWrite
from shared.memory.models import EMBEDDING_DIMENSIONS, AgentMemory
from shared.projects import service as project_service
from shared.projects.schemas import ProjectCreate
from shared.queue import jobs, messages
from shared.queue.models import QueueName
from shared.tasks.models import Task
from shared.users import service as user_service
from shared.users.models import User
from shared.vault import service as vault_service
from shared.webhooks.service import sign
from shared.workflows import service as workflow_service
from shared.workflows.models import AgentWorkflow
from shared.workflows.schemas import WorkflowCreate
from tests.accounts import PASSWORD, bearer
from tests.factories import make_category, make_execution, make_skill, make_tool
from tests.fakes.oauth_provider import FakeOAuthProvider, ProviderAccount
from tests.graphs import greeting_graph

CALLERS = ("anonymous", "other", "owner", "superuser")
NEW_PASSWORD = "a brand new passphrase 42"
_sequence = itertools.count(1)


# --- what each caller gets -----------------------------------------------------------------------


def public(ok: int) -> dict[str, int]:
    """Anyone, signed in or not."""
    return dict(anonymous=ok, other=ok, owner=ok, superuser=ok)


def signed_in(ok: int) -> dict[str, int]:
    """Any account, acting on its own things (its profile, its keys, its lists)."""
    return dict(anonymous=401, other=ok, owner=ok, superuser=ok)


def owner_only(ok: int) -> dict[str, int]:
    """The owner's private object: an account is needed, and anyone else's account does not see it."""
    return dict(anonymous=401, other=404, owner=ok, superuser=404)


def visible_to_owner(ok: int) -> dict[str, int]:
    """The owner's private object on a route that also serves public objects without an account."""
    return dict(anonymous=404, other=404, owner=ok, superuser=404)


def admin_only(ok: int) -> dict[str, int]:
    """Superusers (and holders of the route's permission: ADMIN_PERMISSIONS)."""
    return dict(anonymous=401, other=403, owner=403, superuser=ok)


# --- the owner's objects -------------------------------------------------------------------------


@dataclass
class World:
    tokens: dict[str, dict[str, Any]]  # by caller; the anonymous caller has none
    api_keys: dict[str, str]  # the clear X-API-Key of the owner and of the other user
    owner_email: str
    workflow_id: str
    webhook_secret: str
    execution_id: str  # pending
    failed_execution_id: str
    memory_id: str
    key_id: str
    category_slug: str
    scenario_slug: str
    tool_slug: str
    skill_id: str
    password_reset_token: str
    magic_link_token: str
    email_verify_token: str
    secret_name: str
    owner_id: str
    llm_key_provider: str  # a provider the owner stored a key for
    agent_id: str  # the owner's private agent
    conversation_id: str  # the owner's conversation with it
    project_id: str
    mcp_server_id: str  # the owner's MCP server
    mcp_tool_type: str  # a client tool the owner stored an MCP setting for
    connection_id: str  # the owner's ready database connection (to the tests' shop database)
    connection_body: dict[str, Any]  # a valid POST /v1/connections body
    insight_id: str  # a table insight of it
    example_id: str  # an approved example of it
    chat_session_id: str  # the owner's chat session on it, shared publicly
    share_token: str  # that session's public token
    sharee_id: str  # a fourth user holding a chat share of the connection
    owner_session_id: str  # the owner's sign-in (its family of refresh tokens)
    role_id: str  # a role nobody holds, granting roles:manage
    notice_id: str
    task_id: str  # the owner's running task (its run still queued)
    pending_task_id: str  # not planned yet
    paused_task_id: str
    failed_task_id: str  # failed while planning
    artifact_id: str  # of the pending execution
    job_id: str  # a dead job (anyone's: jobs are the operators')
    config_key: str = "MAX_RUNS_PER_DAY"
    provider: str = "github"
    oauth: dict[str, str] = field(default_factory=dict)  # code and state, for the callback route only


@dataclass(frozen=True)
class Route:
    expect: dict[str, int]
    body: Any = None  # a JSON body, or a function of the World that returns one
    query: Any = None  # query parameters, or a function of the World
    path: dict[str, str] = field(default_factory=dict)  # path parameter -> World attribute, if named apart
    signed_by_webhook_secret: bool = False  # a raw JSON body with the owner's X-Ainav-Signature
    oauth_provider: bool = False  # a fake OAuth provider with one account
    queue: bool = False  # sends to a queue or reaches S3 (signs a URL, deletes objects), so needs moto
    mail: bool = False  # sends mail, so needs moto's SES
    llm: bool = False  # calls a model, so needs the fake provider


def slug(name: str) -> dict[str, str]:
    return {"slug": name}


MATRIX: dict[tuple[str, str], Route] = {
    # health
    ("GET", "/v1/health"): Route(public(200)),
    # auth: public routes proven by what they carry (credentials, tokens), not by the caller's bearer
    ("POST", "/v1/auth/register"): Route(
        public(201),
        body={"email": "newcomer@example.com", "username": "newcomer", "password": PASSWORD},
        mail=True,
    ),
    ("POST", "/v1/auth/login"): Route(
        public(200), body=lambda w: {"email": w.owner_email, "password": PASSWORD}
    ),
    ("POST", "/v1/auth/refresh"): Route(
        public(200), body=lambda w: {"refresh_token": w.tokens["owner"]["refresh_token"]}
    ),
    # others may end their own sign-in; the owner's refresh token in their body is ignored (see below)
    ("POST", "/v1/auth/logout"): Route(
        signed_in(204), body=lambda w: {"refresh_token": w.tokens["owner"]["refresh_token"]}
    ),
    ("GET", "/v1/auth/me"): Route(signed_in(200)),
    ("POST", "/v1/auth/password/forgot"): Route(
        public(202), body=lambda w: {"email": w.owner_email}, mail=True
    ),
    # proving the mailbox of an unverified account deletes what its creator left, artifacts in S3 included
    ("POST", "/v1/auth/password/reset"): Route(
        public(204),
        body=lambda w: {"token": w.password_reset_token, "new_password": NEW_PASSWORD},
        queue=True,
    ),
    ("POST", "/v1/auth/magic-link"): Route(public(202), body=lambda w: {"email": w.owner_email}, mail=True),
    ("POST", "/v1/auth/magic-link/verify"): Route(
        public(200), body=lambda w: {"token": w.magic_link_token}, queue=True
    ),
    ("POST", "/v1/auth/email/verify"): Route(public(200), body=lambda w: {"token": w.email_verify_token}),
    # every account in the matrix is freshly registered, so each has an address left to verify
    ("POST", "/v1/auth/email/verify/resend"): Route(signed_in(202), mail=True),
    ("GET", "/v1/auth/oauth/{provider}/authorize"): Route(public(200)),
    ("GET", "/v1/auth/oauth/{provider}/callback"): Route(
        public(200), query=lambda w: w.oauth, oauth_provider=True, mail=True
    ),
    # users: /users/me is always the caller's own account
    ("GET", "/v1/users/me"): Route(signed_in(200)),
    ("PATCH", "/v1/users/me"): Route(signed_in(200), body={"username": "renamed_member"}),
    ("POST", "/v1/users/me/password"): Route(
        signed_in(204), body={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    ),
    # sign-ins, their history, linked providers (the owner's GitHub), export and deletion: the caller's own
    ("GET", "/v1/users/me/sessions"): Route(signed_in(200)),
    ("DELETE", "/v1/users/me/sessions/{session_id}"): Route(
        owner_only(204), path={"session_id": "owner_session_id"}
    ),
    ("GET", "/v1/users/me/login-history"): Route(signed_in(200)),
    ("GET", "/v1/users/me/connections"): Route(signed_in(200)),
    ("DELETE", "/v1/users/me/connections/{provider}"): Route(owner_only(204)),
    ("GET", "/v1/users/me/export"): Route(signed_in(200)),
    # the superuser of the world is its last one: that account cannot go (409)
    ("DELETE", "/v1/users/me"): Route(
        dict(anonymous=401, other=204, owner=204, superuser=409), body={"password": PASSWORD}
    ),
    ("GET", "/v1/users/search"): Route(signed_in(200), query={"q": "matrix"}),
    ("GET", "/v1/users/me/api-keys"): Route(signed_in(200)),
    ("POST", "/v1/users/me/api-keys"): Route(signed_in(201), body={"name": "ci"}),
    ("DELETE", "/v1/users/me/api-keys/{key_id}"): Route(owner_only(204)),
    # secrets: a name is looked up in the caller's own vault, so another caller's PUT creates their own
    ("GET", "/v1/users/me/secrets"): Route(signed_in(200)),
    ("PUT", "/v1/users/me/secrets/{name}"): Route(
        dict(anonymous=401, other=201, owner=200, superuser=201),
        body={"value": "replaced"},
        path={"name": "secret_name"},
    ),
    ("DELETE", "/v1/users/me/secrets/{name}"): Route(owner_only(204), path={"name": "secret_name"}),
    # profile and settings: always the caller's own (made on first read)
    ("GET", "/v1/users/me/profile"): Route(signed_in(200)),
    ("PATCH", "/v1/users/me/profile"): Route(signed_in(200), body={"timezone": "Asia/Shanghai"}),
    ("GET", "/v1/users/me/settings"): Route(signed_in(200)),
    ("PATCH", "/v1/users/me/settings"): Route(signed_in(200), body={"theme": "dark"}),
    # projects: the owner's project (not the default one, which cannot be deleted)
    ("GET", "/v1/projects"): Route(signed_in(200)),
    ("POST", "/v1/projects"): Route(signed_in(201), body={"name": "Mine"}),
    ("GET", "/v1/projects/{project_id}"): Route(owner_only(200)),
    ("PATCH", "/v1/projects/{project_id}"): Route(owner_only(200), body={"name": "Renamed"}),
    ("DELETE", "/v1/projects/{project_id}"): Route(owner_only(204)),
    ("POST", "/v1/projects/{project_id}/restore"): Route(owner_only(200)),
    # workflows
    ("POST", "/v1/workflows"): Route(signed_in(201), body={"name": "Mine"}),
    ("GET", "/v1/workflows"): Route(signed_in(200)),
    ("GET", "/v1/workflows/public"): Route(public(200)),
    ("GET", "/v1/workflows/templates"): Route(public(200)),
    ("GET", "/v1/workflows/{workflow_id}"): Route(visible_to_owner(200)),
    ("PATCH", "/v1/workflows/{workflow_id}"): Route(owner_only(200), body={"description": "changed"}),
    ("DELETE", "/v1/workflows/{workflow_id}"): Route(owner_only(204), queue=True),  # its runs' artifacts
    ("GET", "/v1/workflows/{workflow_id}/versions"): Route(visible_to_owner(200)),
    ("POST", "/v1/workflows/{workflow_id}/fork"): Route(owner_only(201)),
    ("PUT", "/v1/workflows/{workflow_id}/star"): Route(owner_only(200)),
    ("DELETE", "/v1/workflows/{workflow_id}/star"): Route(owner_only(200)),
    ("POST", "/v1/workflows/{workflow_id}/runs"): Route(
        owner_only(202), body={"input": {"name": "Ada"}}, queue=True
    ),
    # webhooks: the signature is the credential; a bearer neither opens nor closes the route
    ("POST", "/v1/hooks/{workflow_id}"): Route(public(202), signed_by_webhook_secret=True, queue=True),
    # executions
    ("GET", "/v1/executions"): Route(signed_in(200)),
    ("GET", "/v1/executions/{execution_id}"): Route(owner_only(200)),
    ("POST", "/v1/executions/{execution_id}/cancel"): Route(owner_only(200)),
    ("POST", "/v1/executions/{execution_id}/retry"): Route(
        owner_only(202), path={"execution_id": "failed_execution_id"}, queue=True
    ),
    # memories: private to the workflow's owner
    ("POST", "/v1/workflows/{workflow_id}/memories"): Route(
        owner_only(201), body={"content": "The stand-up is at 9:30."}
    ),
    ("GET", "/v1/workflows/{workflow_id}/memories"): Route(owner_only(200)),
    ("GET", "/v1/workflows/{workflow_id}/memories/search"): Route(owner_only(200), query={"q": "stand-up"}),
    ("DELETE", "/v1/workflows/{workflow_id}/memories/{memory_id}"): Route(owner_only(204)),
    # catalog: public reads
    ("GET", "/v1/catalog/categories"): Route(public(200)),
    ("GET", "/v1/catalog/scenarios"): Route(public(200)),
    ("GET", "/v1/catalog/tools"): Route(public(200)),
    ("GET", "/v1/catalog/tools/{slug}"): Route(public(200), path=slug("tool_slug")),
    ("GET", "/v1/catalog/tools/{slug}/similar"): Route(public(200), path=slug("tool_slug")),
    ("GET", "/v1/catalog/search"): Route(public(200), query={"q": "translate"}),
    ("GET", "/v1/catalog/skills"): Route(public(200)),
    ("GET", "/v1/catalog/skills/{skill_id}"): Route(public(200)),
    # catalog: superuser writes
    ("POST", "/v1/catalog/categories"): Route(
        admin_only(201), body={"slug": "matrix-category", "name": "Matrix category"}
    ),
    ("PATCH", "/v1/catalog/categories/{slug}"): Route(
        admin_only(200), body={"name": "Renamed"}, path=slug("category_slug")
    ),
    ("DELETE", "/v1/catalog/categories/{slug}"): Route(admin_only(204), path=slug("category_slug")),
    ("POST", "/v1/catalog/scenarios"): Route(
        admin_only(201), body={"slug": "matrix-scenario", "name": "Matrix scenario"}
    ),
    ("PATCH", "/v1/catalog/scenarios/{slug}"): Route(
        admin_only(200), body={"name": "Renamed"}, path=slug("scenario_slug")
    ),
    ("DELETE", "/v1/catalog/scenarios/{slug}"): Route(admin_only(204), path=slug("scenario_slug")),
    ("POST", "/v1/catalog/tools"): Route(
        admin_only(201),
        body={"slug": "matrix-tool", "name": "Matrix tool", "url": "https://matrix-tool.example"},
    ),
    ("PATCH", "/v1/catalog/tools/{slug}"): Route(
        admin_only(200), body={"name": "Renamed"}, path=slug("tool_slug")
    ),
    ("DELETE", "/v1/catalog/tools/{slug}"): Route(admin_only(204), path=slug("tool_slug")),
    ("POST", "/v1/catalog/skills"): Route(
        admin_only(201),
        body=lambda w: {"tool": w.tool_slug, "slug": "matrix-skill", "name": "Matrix skill"},
    ),
    ("PATCH", "/v1/catalog/skills/{skill_id}"): Route(admin_only(200), body={"name": "Renamed"}),
    ("DELETE", "/v1/catalog/skills/{skill_id}"): Route(admin_only(204)),
    # interactions: tracking the owner's private workflow is as good as reading it
    ("POST", "/v1/interactions"): Route(
        owner_only(201), body=lambda w: {"item_type": "workflow", "item_id": w.workflow_id, "action": "view"}
    ),
    ("GET", "/v1/interactions/recommendations"): Route(signed_in(200)),
    ("GET", "/v1/interactions/trending"): Route(public(200)),
    # the LLM gateway: balances, ledger, usage and keys are always the caller's own
    ("GET", "/v1/llm/models"): Route(public(200)),
    ("GET", "/v1/users/me/credits"): Route(signed_in(200)),
    ("GET", "/v1/users/me/credits/transactions"): Route(signed_in(200)),
    ("GET", "/v1/users/me/usage"): Route(signed_in(200)),
    ("GET", "/v1/users/me/llm-keys"): Route(signed_in(200)),
    ("PUT", "/v1/users/me/llm-keys/{provider}"): Route(
        dict(anonymous=401, other=201, owner=200, superuser=201),
        body={"api_key": "sk-replaced"},
        path={"provider": "llm_key_provider"},
    ),
    ("DELETE", "/v1/users/me/llm-keys/{provider}"): Route(
        owner_only(204), path={"provider": "llm_key_provider"}
    ),
    # agents, conversations and chat: an agent is its owner's until published (see below)
    ("POST", "/v1/agents"): Route(
        signed_in(201), body={"name": "Mine", "qa_who": "A helper.", "qa_rules": "Be kind."}
    ),
    ("GET", "/v1/agents"): Route(signed_in(200)),
    ("GET", "/v1/agents/{agent_id}"): Route(visible_to_owner(200)),
    ("PATCH", "/v1/agents/{agent_id}"): Route(owner_only(200), body={"description": "changed"}),
    ("DELETE", "/v1/agents/{agent_id}"): Route(owner_only(204)),
    ("POST", "/v1/agents/{agent_id}/workflow"): Route(owner_only(201)),
    ("POST", "/v1/agents/{agent_id}/chat"): Route(owner_only(200), body={"message": "hi"}, llm=True),
    ("POST", "/v1/workflows/{workflow_id}/chat"): Route(owner_only(200), body={"message": "hi"}, queue=True),
    ("GET", "/v1/conversations"): Route(signed_in(200)),
    ("GET", "/v1/conversations/{conversation_id}"): Route(owner_only(200)),
    ("PATCH", "/v1/conversations/{conversation_id}"): Route(owner_only(200), body={"title": "Renamed"}),
    ("DELETE", "/v1/conversations/{conversation_id}"): Route(owner_only(204)),
    ("GET", "/v1/conversations/{conversation_id}/messages"): Route(owner_only(200)),
    # MCP: servers and settings are always the caller's own; /v1/mcp answers the caller's tools
    ("GET", "/v1/mcp-servers"): Route(signed_in(200)),
    ("POST", "/v1/mcp-servers"): Route(
        signed_in(201), body={"name": "mine", "transport": "stdio", "command": "npx"}, queue=True
    ),
    ("GET", "/v1/mcp-servers/{server_id}"): Route(owner_only(200), path={"server_id": "mcp_server_id"}),
    ("PATCH", "/v1/mcp-servers/{server_id}"): Route(
        owner_only(200), body={"description": "changed"}, path={"server_id": "mcp_server_id"}
    ),
    ("DELETE", "/v1/mcp-servers/{server_id}"): Route(owner_only(204), path={"server_id": "mcp_server_id"}),
    ("POST", "/v1/mcp-servers/{server_id}/check"): Route(
        owner_only(202), path={"server_id": "mcp_server_id"}, queue=True
    ),
    ("GET", "/v1/mcp-servers/{server_id}/tools"): Route(owner_only(200), path={"server_id": "mcp_server_id"}),
    ("POST", "/v1/mcp"): Route(signed_in(200), body={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
    ("GET", "/v1/users/me/mcp-settings"): Route(signed_in(200)),
    ("PUT", "/v1/users/me/mcp-settings/{tool_type}"): Route(
        dict(anonymous=401, other=201, owner=200, superuser=201),
        body={"mcp_config": {"mcpServers": {}}},
        path={"tool_type": "mcp_tool_type"},
    ),
    ("DELETE", "/v1/users/me/mcp-settings/{tool_type}"): Route(
        owner_only(204), path={"tool_type": "mcp_tool_type"}
    ),
    ("GET", "/v1/users/me/mcp-settings/{tool_type}/export"): Route(
        signed_in(200), path={"tool_type": "mcp_tool_type"}
    ),
    # database connections: the owner's (shares are tested in tests/shared/connections/test_sharing.py)
    ("GET", "/v1/connections"): Route(signed_in(200)),
    ("POST", "/v1/connections"): Route(signed_in(201), body=lambda w: w.connection_body, queue=True),
    ("GET", "/v1/connections/{connection_id}"): Route(owner_only(200)),
    ("PATCH", "/v1/connections/{connection_id}"): Route(owner_only(200), body={"description": "changed"}),
    ("DELETE", "/v1/connections/{connection_id}"): Route(owner_only(204)),
    ("POST", "/v1/connections/{connection_id}/test"): Route(owner_only(200)),
    ("POST", "/v1/connections/{connection_id}/reanalyze"): Route(owner_only(202), queue=True),
    ("GET", "/v1/connections/{connection_id}/shares"): Route(owner_only(200)),
    ("POST", "/v1/connections/{connection_id}/shares"): Route(
        owner_only(200), body=lambda w: {"user_id": w.sharee_id, "permission": "view"}
    ),
    ("DELETE", "/v1/connections/{connection_id}/shares/{user_id}"): Route(
        owner_only(204), path={"user_id": "sharee_id"}
    ),
    ("GET", "/v1/connections/{connection_id}/insights"): Route(owner_only(200)),
    ("PATCH", "/v1/connections/{connection_id}/insights/{insight_id}"): Route(
        owner_only(200), body={"description": "Orders of the shop"}
    ),
    ("GET", "/v1/connections/{connection_id}/stats"): Route(owner_only(200)),
    ("GET", "/v1/connections/{connection_id}/schema-search"): Route(owner_only(200), query={"q": "orders"}),
    ("GET", "/v1/connections/{connection_id}/examples"): Route(owner_only(200)),
    ("POST", "/v1/connections/{connection_id}/examples"): Route(
        owner_only(201), body={"question": "How many orders?", "sql": "SELECT count(*) FROM orders"}
    ),
    ("DELETE", "/v1/connections/{connection_id}/examples/{example_id}"): Route(owner_only(204)),
    ("POST", "/v1/connections/{connection_id}/chat"): Route(
        owner_only(200), body={"question": "How many orders?"}, llm=True
    ),
    ("GET", "/v1/connections/{connection_id}/chat-sessions"): Route(owner_only(200)),
    ("GET", "/v1/connections/{connection_id}/chat-sessions/{session_id}"): Route(
        owner_only(200), path={"session_id": "chat_session_id"}
    ),
    ("DELETE", "/v1/connections/{connection_id}/chat-sessions/{session_id}"): Route(
        owner_only(204), path={"session_id": "chat_session_id"}
    ),
    ("POST", "/v1/connections/{connection_id}/chat-sessions/{session_id}/share"): Route(
        owner_only(200), body={"is_public": True}, path={"session_id": "chat_session_id"}
    ),
    ("GET", "/v1/connections/{connection_id}/sql-history"): Route(owner_only(200)),
    # a publicly shared chat session: its token is the credential
    ("GET", "/v1/shared-chats/{share_token}"): Route(public(200)),
    # notices: anyone reads the current ones
    ("GET", "/v1/notices"): Route(public(200)),
    # admin: each route needs one permission (ADMIN_PERMISSIONS); superusers hold every one
    ("GET", "/v1/admin/audit-log"): Route(admin_only(200)),
    ("GET", "/v1/admin/permissions"): Route(admin_only(200)),
    ("GET", "/v1/admin/roles"): Route(admin_only(200)),
    ("POST", "/v1/admin/roles"): Route(
        admin_only(201), body={"name": "Matrix role managers", "permissions": ["roles:manage"]}
    ),
    ("PATCH", "/v1/admin/roles/{role_id}"): Route(admin_only(200), body={"remark": "changed"}),
    ("DELETE", "/v1/admin/roles/{role_id}"): Route(admin_only(204)),
    ("GET", "/v1/admin/users"): Route(admin_only(200)),
    ("GET", "/v1/admin/users/{user_id}"): Route(admin_only(200), path={"user_id": "owner_id"}),
    ("PATCH", "/v1/admin/users/{user_id}"): Route(
        admin_only(200), body={"nickname": "Matrix"}, path={"user_id": "owner_id"}
    ),
    ("GET", "/v1/admin/login-logs"): Route(admin_only(200)),
    ("GET", "/v1/admin/notices"): Route(admin_only(200)),
    ("POST", "/v1/admin/notices"): Route(admin_only(201), body={"title": "Hello", "content": "World"}),
    ("GET", "/v1/admin/notices/{notice_id}"): Route(admin_only(200)),
    ("PATCH", "/v1/admin/notices/{notice_id}"): Route(admin_only(200), body={"status": "published"}),
    ("DELETE", "/v1/admin/notices/{notice_id}"): Route(admin_only(204)),
    ("GET", "/v1/admin/config"): Route(admin_only(200)),
    ("GET", "/v1/admin/config/{key}"): Route(admin_only(200), path={"key": "config_key"}),
    ("PUT", "/v1/admin/config/{key}"): Route(
        admin_only(200), body={"value": 500}, path={"key": "config_key"}
    ),
    ("DELETE", "/v1/admin/config/{key}"): Route(admin_only(204), path={"key": "config_key"}),
    ("GET", "/v1/admin/stats"): Route(admin_only(200)),
    ("GET", "/v1/admin/usage"): Route(admin_only(200)),
    ("POST", "/v1/admin/users/{user_id}/credits"): Route(
        admin_only(201), body={"amount": 1, "note": "matrix"}, path={"user_id": "owner_id"}
    ),
    ("GET", "/v1/admin/jobs"): Route(admin_only(200)),
    ("GET", "/v1/admin/jobs/{job_id}"): Route(admin_only(200)),
    ("POST", "/v1/admin/jobs/{job_id}/redrive"): Route(admin_only(202), queue=True),
    # tasks, their runs' artifacts and tool calls: private to their owner
    ("POST", "/v1/tasks"): Route(signed_in(202), body={"intent": "Tidy my notes"}, queue=True),
    ("GET", "/v1/tasks"): Route(signed_in(200)),
    ("GET", "/v1/tasks/{task_id}"): Route(owner_only(200)),
    ("PATCH", "/v1/tasks/{task_id}"): Route(owner_only(200), body={"title": "Renamed"}),
    ("DELETE", "/v1/tasks/{task_id}"): Route(owner_only(204), path={"task_id": "pending_task_id"}),
    ("POST", "/v1/tasks/{task_id}/start"): Route(owner_only(200), path={"task_id": "pending_task_id"}),
    ("POST", "/v1/tasks/{task_id}/pause"): Route(owner_only(200)),
    ("POST", "/v1/tasks/{task_id}/resume"): Route(
        owner_only(200), path={"task_id": "paused_task_id"}, queue=True
    ),
    ("POST", "/v1/tasks/{task_id}/cancel"): Route(owner_only(200)),
    ("POST", "/v1/tasks/{task_id}/retry"): Route(
        owner_only(200), path={"task_id": "failed_task_id"}, queue=True
    ),
    ("GET", "/v1/tasks/{task_id}/logs"): Route(owner_only(200)),
    ("GET", "/v1/tasks/{task_id}/artifacts"): Route(owner_only(200)),
    ("GET", "/v1/executions/{execution_id}/artifacts"): Route(owner_only(200), queue=True),
    ("GET", "/v1/executions/{execution_id}/artifacts/{artifact_id}"): Route(owner_only(200), queue=True),
    ("GET", "/v1/executions/{execution_id}/tool-calls"): Route(owner_only(200)),
}

# The permission each admin route needs.
ADMIN_PERMISSIONS: dict[tuple[str, str], str] = {
    ("GET", "/v1/admin/audit-log"): "audit:read",
    ("GET", "/v1/admin/login-logs"): "audit:read",
    ("GET", "/v1/admin/usage"): "usage:read",
    ("POST", "/v1/admin/users/{user_id}/credits"): "credits:grant",
    ("GET", "/v1/admin/permissions"): "roles:manage",
    ("GET", "/v1/admin/roles"): "roles:manage",
    ("POST", "/v1/admin/roles"): "roles:manage",
    ("PATCH", "/v1/admin/roles/{role_id}"): "roles:manage",
    ("DELETE", "/v1/admin/roles/{role_id}"): "roles:manage",
    ("GET", "/v1/admin/users"): "users:read",
    ("GET", "/v1/admin/users/{user_id}"): "users:read",
    ("PATCH", "/v1/admin/users/{user_id}"): "users:manage",
    ("GET", "/v1/admin/notices"): "notices:manage",
    ("POST", "/v1/admin/notices"): "notices:manage",
    ("GET", "/v1/admin/notices/{notice_id}"): "notices:manage",
    ("PATCH", "/v1/admin/notices/{notice_id}"): "notices:manage",
    ("DELETE", "/v1/admin/notices/{notice_id}"): "notices:manage",
    ("GET", "/v1/admin/config"): "config:manage",
    ("GET", "/v1/admin/config/{key}"): "config:manage",
    ("PUT", "/v1/admin/config/{key}"): "config:manage",
    ("DELETE", "/v1/admin/config/{key}"): "config:manage",
    ("GET", "/v1/admin/stats"): "system:read",
    ("GET", "/v1/admin/jobs"): "jobs:manage",
    ("GET", "/v1/admin/jobs/{job_id}"): "jobs:manage",
    ("POST", "/v1/admin/jobs/{job_id}/redrive"): "jobs:manage",
    **{
        (method, path): "catalog:write"
        for method in ("POST", "PATCH", "DELETE")
        for path in (
            "/v1/catalog/categories",
            "/v1/catalog/categories/{slug}",
            "/v1/catalog/scenarios",
            "/v1/catalog/scenarios/{slug}",
            "/v1/catalog/tools",
            "/v1/catalog/tools/{slug}",
            "/v1/catalog/skills",
            "/v1/catalog/skills/{skill_id}",
        )
        if (method == "POST") != ("{" in path)
    },
}

# The same workflow once its owner made it public: anyone may read, star and fork it, only the owner may
# change or run it (403 for others: they can see it exists), and its memories stay private (404).
PUBLIC_WORKFLOW: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/v1/workflows/{workflow_id}"): public(200),
    ("PATCH", "/v1/workflows/{workflow_id}"): dict(anonymous=401, other=403, owner=200, superuser=403),
    ("DELETE", "/v1/workflows/{workflow_id}"): dict(anonymous=401, other=403, owner=204, superuser=403),
    ("GET", "/v1/workflows/{workflow_id}/versions"): public(200),
    ("POST", "/v1/workflows/{workflow_id}/fork"): signed_in(201),
    ("PUT", "/v1/workflows/{workflow_id}/star"): signed_in(200),
    ("DELETE", "/v1/workflows/{workflow_id}/star"): signed_in(200),
    ("POST", "/v1/workflows/{workflow_id}/runs"): dict(anonymous=401, other=403, owner=202, superuser=403),
    ("POST", "/v1/hooks/{workflow_id}"): public(202),
    ("POST", "/v1/workflows/{workflow_id}/memories"): owner_only(201),
    ("GET", "/v1/workflows/{workflow_id}/memories"): owner_only(200),
    ("GET", "/v1/workflows/{workflow_id}/memories/search"): owner_only(200),
    ("DELETE", "/v1/workflows/{workflow_id}/memories/{memory_id}"): owner_only(204),
    ("POST", "/v1/interactions"): signed_in(201),
    ("POST", "/v1/workflows/{workflow_id}/chat"): dict(anonymous=401, other=403, owner=200, superuser=403),
}


def app_routes() -> set[tuple[str, str]]:
    """(method, path) of every APIRoute the app serves. FastAPI >= 0.165 nests included routers in
    `app.routes`; `iter_route_contexts` flattens them, each with its full path."""
    app = create_app(*API_ROUTERS)
    return {
        (method, context.path)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        for method in context.methods
    }


ROUTES = app_routes()


def test_every_route_has_an_entry():
    missing = sorted(ROUTES - set(MATRIX))
    assert not missing, f"routes without an entry in MATRIX: {missing}"


def test_every_route_of_a_workflow_has_a_public_workflow_entry():
    workflow_routes = {(method, path) for method, path in ROUTES if "{workflow_id}" in path}
    missing = sorted(workflow_routes - set(PUBLIC_WORKFLOW))
    assert not missing, f"routes without an entry in PUBLIC_WORKFLOW: {missing}"
    assert set(PUBLIC_WORKFLOW) <= ROUTES


def test_every_admin_route_names_its_permission():
    admin_routes = {
        key for key, route in MATRIX.items() if route.expect == admin_only(route.expect["superuser"])
    }
    assert admin_routes == set(ADMIN_PERMISSIONS)
    assert set(ADMIN_PERMISSIONS.values()) <= set(PERMISSIONS)


def test_every_entry_is_a_route():
    stale = sorted(set(MATRIX) - ROUTES)
    assert not stale, f"entries in MATRIX that the app does not serve: {stale}"


# --- the requests --------------------------------------------------------------------------------


@pytest.fixture
def oauth_settings(monkeypatch):  # type: ignore[no-untyped-def]
    """GitHub configured (so authorize answers), at a fake provider only the callback route starts."""
    for name, value in {"GITHUB_CLIENT_ID": "github-client", "GITHUB_CLIENT_SECRET": "github-secret"}.items():
        monkeypatch.setattr(settings, name, value)


def account(db, roles: tuple[Role, ...] = (), **fields: Any) -> tuple[User, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """A signed-in account and its tokens, made by the services (`signup` would mail, and mocking SES for
    every case costs more than the rest of its setup)."""
    n = next(_sequence)
    user = user_service.create_user(
        session=db, email=f"matrix{n}@example.com", username=f"matrix_{n}", password=PASSWORD
    )
    for name, value in fields.items():
        setattr(user, name, value)
    db.add_all(UserRole(user_id=user.id, role_id=role.id) for role in roles)
    tokens = session_service.issue_tokens(session=db, user=user, client=ClientInfo())
    db.flush()
    return user, tokens.model_dump()


def database_connection_of(db, owner: User, shop, sharee: User) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The owner's ready connection to the shop with a table insight, an example, a publicly shared
    chat session, and a chat share of `sharee`'s."""
    unit = [1.0] + [0.0] * (EMBEDDING_DIMENSIONS - 1)
    connection = DatabaseConnection(
        user_id=owner.id,
        name="Private",
        host=shop.host,
        port=shop.port,
        database=shop.database,
        username=shop.username,
        status="ready",
    )
    db.add(connection)
    db.flush()
    insight = TableInsight(
        connection_id=connection.id, schema_name="public", table_name="orders", embedding=unit
    )
    example = SqlExample(connection_id=connection.id, question="Orders?", sql="SELECT 1", embedding=unit)
    chat_session = ChatSession(connection_id=connection.id, user_id=owner.id, title="Ours")
    db.add_all([insight, example, chat_session])
    db.add(ConnectionShare(connection_id=connection.id, user_id=sharee.id, permission="chat"))
    db.flush()
    return {
        "connection_id": str(connection.id),
        "connection_body": shop.fields(name="Mine"),
        "insight_id": str(insight.id),
        "example_id": str(example.id),
        "chat_session_id": str(chat_session.id),
        "share_token": connection_sessions.set_public(db, chat_session, True),
        "sharee_id": str(sharee.id),
    }


def role_of(db, *permissions: str) -> Role:  # type: ignore[no-untyped-def]
    role = Role(name=f"matrix role {next(_sequence)}", permissions=list(permissions))
    db.add(role)
    db.flush()
    return role


@pytest.fixture
def world(client, db, oauth_settings, shop) -> World:  # type: ignore[no-untyped-def]
    """The owner's private objects, made by the services the routes call."""
    owner_user, owner = account(db, github_id=f"matrix-{next(_sequence)}")
    other_user, other = account(db)
    _, superuser = account(db, is_superuser=True)
    sharee, _ = account(db)
    workflow, webhook_secret = workflow_service.create_workflow(
        session=db,
        user=owner_user,
        request=WorkflowCreate(
            name="Private", graph_json=greeting_graph(), trigger_type="webhook", is_template=True
        ),
    )
    # any unit vector will do: the matrix is about who may search, not what is found
    memory = AgentMemory(
        workflow_id=workflow.id,
        content="Ada likes tea.",
        embedding=[1.0] + [0.0] * (EMBEDDING_DIMENSIONS - 1),
    )
    db.add(memory)
    key, owner_key = api_keys.create(session=db, user=owner_user, request=ApiKeyCreate(name="laptop"))
    _, other_key = api_keys.create(session=db, user=other_user, request=ApiKeyCreate(name="laptop"))
    secret, _ = vault_service.put(session=db, user=owner_user, name="OWNER_TOKEN", value="owner-secret-value")
    llm_keys.put_key(session=db, user_id=owner_user.id, provider="openai", api_key="sk-owner", base_url=None)
    agent = agent_service.create_agent(
        session=db,
        user=owner_user,
        request=AgentCreate(name="Private", qa_who="A helper.", qa_rules="Be kind."),
    )
    conversation = Conversation(user_id=owner_user.id, agent_id=agent.id, title="Ours")
    db.add(conversation)
    project = project_service.create(session=db, user_id=owner_user.id, request=ProjectCreate(name="Private"))
    # an http server made as the service would once it was checked (no DNS here)
    mcp_server = McpServer(
        user_id=owner_user.id,
        name="weather",
        url="https://mcp.example.com/mcp",
        health_status="healthy",
        tools=[],
    )
    db.add(mcp_server)
    mcp_settings.put_setting(
        db, user_id=owner_user.id, tool_type="cursor", request=McpSettingWrite(auth_json={"token": "owner"})
    )
    notice = Notice(title="Maintenance", content="Tonight.")
    db.add(notice)
    pending = make_execution(db, workflow)
    failed = make_execution(db, workflow, status="failed", error_message="boom")
    tasks = owners_tasks(db, owner_user, workflow)
    artifact = Artifact(
        execution_id=pending.id,
        user_id=owner_user.id,
        node_id="file",
        type="text",
        name="notes.txt",
        s3_key=f"runs/{pending.id}/{uuid.uuid4()}",
        size=5,
        mime_type="text/plain",
        checksum="0" * 64,
    )
    db.add(artifact)
    job = jobs.new_job(
        messages.ExecutionRun(execution_id=failed.id), queue=QueueName.EXECUTIONS, task_id=None
    )
    job.status = "dead"
    db.add(job)
    scenario = Scenario(name="Matrix", slug="matrix")
    db.add(scenario)
    db.flush()
    tool = make_tool(db)
    skill = make_skill(db, tool)
    email = owner_user.email

    def one_time_token(purpose: str) -> str:
        return one_time_tokens.issue(
            session=db, purpose=purpose, email=email, user_id=owner_user.id, lifetime=timedelta(hours=1)
        )

    return World(
        tokens={"other": other, "owner": owner, "superuser": superuser},
        api_keys={"other": other_key, "owner": owner_key},
        owner_email=email,
        workflow_id=str(workflow.id),
        webhook_secret=webhook_secret,
        execution_id=str(pending.id),
        failed_execution_id=str(failed.id),
        memory_id=str(memory.id),
        key_id=str(key.id),
        category_slug=make_category(db).slug,
        scenario_slug=scenario.slug,
        tool_slug=tool.slug,
        skill_id=str(skill.id),
        password_reset_token=one_time_token(one_time_tokens.PASSWORD_RESET),
        magic_link_token=one_time_token(one_time_tokens.MAGIC_LINK),
        email_verify_token=one_time_token(one_time_tokens.VERIFY_EMAIL),
        secret_name=secret.name,
        owner_id=str(owner_user.id),
        llm_key_provider="openai",
        agent_id=str(agent.id),
        conversation_id=str(conversation.id),
        project_id=str(project.id),
        mcp_server_id=str(mcp_server.id),
        mcp_tool_type="cursor",
        **database_connection_of(db, owner_user, shop, sharee),
        owner_session_id=str(
            session_service.find_family_of(session=db, refresh_token=owner["refresh_token"]).family_id
        ),  # type: ignore[union-attr]
        role_id=str(role_of(db, "roles:manage").id),
        notice_id=str(notice.id),
        artifact_id=str(artifact.id),
        job_id=str(job.id),
        **tasks,
    )


def owners_tasks(db, owner, workflow) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A running task (its run queued), a paused one, one not planned yet and one that failed planning."""
    plan = {"steps": [{"title": "Greet", "type": "template", "data": {"template": "hi"}}]}

    def task(status: str, run_status: str | None = None) -> str:
        row = Task(user_id=owner.id, title="Mine", intent="Greet", status=status)
        if run_status is not None:
            row.plan, row.total_steps, row.workflow_id = plan, 1, workflow.id
            db.add(row)
            db.flush()
            run = make_execution(db, workflow, status=run_status, trigger_type="task")
            run.trigger_metadata = {"task_id": str(row.id), "priority": "medium"}
            row.execution_id = run.id
        db.add(row)
        db.flush()
        return str(row.id)

    return {
        "task_id": task("running", "pending"),
        "paused_task_id": task("paused", "paused"),
        "pending_task_id": task("pending"),
        "failed_task_id": task("failed"),
    }


@pytest.fixture
def oauth_provider(monkeypatch, client, world):  # type: ignore[no-untyped-def]
    """A fake GitHub with one new account, and a state from /authorize; the callback's query in the World."""
    with FakeOAuthProvider() as fake:
        monkeypatch.setattr(settings, "GITHUB_TOKEN_URL", f"{fake.url}/login/oauth/access_token")
        monkeypatch.setattr(settings, "GITHUB_API_URL", fake.url)
        fake.add(
            ProviderAccount(
                code="matrix",
                github_id=4242,
                login="matrix",
                emails=[{"email": "octo@github.example", "primary": True, "verified": True}],
            )
        )
        state = client.get("/v1/auth/oauth/github/authorize").json()["state"]
        world.oauth.update(code="matrix", state=state)
        yield fake


def value(spec: Any, world: World) -> Any:
    return spec(world) if callable(spec) else spec


def request_of(
    method: str, path: str, route: Route, caller: str, world: World, api_key: bool = False
) -> dict[str, Any]:
    """The keyword arguments of `client.request` for one caller of one route, who signs in with a
    bearer token, or with an API key if `api_key`."""
    params = {name: getattr(world, route.path.get(name, name)) for name in re.findall(r"{(\w+)}", path)}
    if api_key:
        headers = {"X-API-Key": world.api_keys[caller]}
    elif caller in world.tokens:
        headers = bearer(world.tokens[caller])
    else:
        headers = {}
    request: dict[str, Any] = {
        "method": method,
        "url": path.format(**params),
        "headers": headers,
        "params": value(route.query, world),
    }
    if route.signed_by_webhook_secret:
        content = b'{"name": "Ada"}'
        headers["Content-Type"] = "application/json"
        headers["X-Ainav-Signature"] = sign(world.webhook_secret, int(time.time()), content)
        request["content"] = content
    elif route.body is not None:
        request["json"] = value(route.body, world)
    return request


CASES = [
    pytest.param(method, path, caller, id=f"{method} {path} as {caller}")
    for (method, path) in MATRIX
    for caller in CALLERS
]


def send(
    request: pytest.FixtureRequest,
    client: TestClient,
    world: World,
    method: str,
    path: str,
    caller: str,
    api_key: bool = False,
) -> Response:
    route = provision(request, MATRIX[(method, path)])
    return client.request(**request_of(method, path, route, caller, world, api_key))


def provision(request: pytest.FixtureRequest, route: Route) -> Route:
    """The peers the route needs: AWS (queues, S3), the mailbox, the OAuth provider, the model."""
    if route.queue:
        request.getfixturevalue("aws")
    if route.mail:
        request.getfixturevalue("mailbox")
    if route.oauth_provider:
        request.getfixturevalue("oauth_provider")
    if route.llm:
        request.getfixturevalue("llm")
    return route


@pytest.mark.parametrize(("method", "path", "caller"), CASES)
def test_each_caller_gets_the_status_of_the_matrix(request, client, world, method, path, caller):
    response = send(request, client, world, method, path, caller)
    assert response.status_code == MATRIX[(method, path)].expect[caller], response.text


@pytest.mark.parametrize(
    ("method", "path", "caller"),
    [
        pytest.param(method, path, caller, id=f"{method} {path} as {caller}")
        for (method, path) in PUBLIC_WORKFLOW
        for caller in CALLERS
    ],
)
def test_a_public_workflow_is_read_by_all_and_changed_by_its_owner(
    request, client, db, world, method, path, caller
):
    db.execute(update(AgentWorkflow).where(AgentWorkflow.id == world.workflow_id).values(is_public=True))
    response = send(request, client, world, method, path, caller)
    assert response.status_code == PUBLIC_WORKFLOW[(method, path)][caller], response.text


@pytest.mark.parametrize(
    ("method", "path", "caller"),
    [
        pytest.param(method, path, caller, id=f"{method} {path} with the API key of {caller}")
        for (method, path), route in MATRIX.items()
        if route.expect["other"] != route.expect["owner"]  # the routes that check ownership
        for caller in ("other", "owner")
    ],
)
def test_an_api_key_meets_the_same_ownership_checks_as_a_bearer_token(
    request, client, world, method, path, caller
):
    response = send(request, client, world, method, path, caller, api_key=True)
    assert response.status_code == MATRIX[(method, path)].expect[caller], response.text


# --- lists show the caller's own objects only ----------------------------------------------------

# A list URL, and the World attribute of the owner's object it must not show anyone else (nor, for the
# public lists, anyone at all while the object is private).
LISTS = {
    "/v1/workflows": ("workflow_id", "owner"),
    "/v1/workflows/public": ("workflow_id", None),
    "/v1/workflows/templates": ("workflow_id", None),
    "/v1/executions": ("execution_id", "owner"),
    "/v1/users/me/api-keys": ("key_id", "owner"),
    "/v1/agents": ("agent_id", "owner"),
    "/v1/conversations": ("conversation_id", "owner"),
    "/v1/projects": ("project_id", "owner"),
    "/v1/mcp-servers": ("mcp_server_id", "owner"),
    "/v1/connections": ("connection_id", "owner"),
    "/v1/tasks": ("task_id", "owner"),
}


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("caller", ["other", "owner", "superuser"])
def test_lists_show_the_owners_private_objects_to_the_owner_only(client, world, url, caller):
    attribute, shown_to = LISTS[url]
    response = client.get(url, headers=bearer(world.tokens[caller]), params={"page_size": 100})
    assert response.status_code == 200, response.text
    ids = {item["id"] for item in response.json()["items"]}
    assert (getattr(world, attribute) in ids) == (caller == shown_to)


# --- what a 2xx for someone else must not do -----------------------------------------------------


def test_another_users_logout_with_the_owners_refresh_token_leaves_the_owner_signed_in(client, world):
    owner = world.tokens["owner"]
    response = client.post(
        "/v1/auth/logout",
        headers=bearer(world.tokens["other"]),
        json={"refresh_token": owner["refresh_token"]},
    )
    assert response.status_code == 204
    assert client.get("/v1/auth/me", headers=bearer(owner)).status_code == 200


# --- a role opens exactly the admin routes of its permissions --------------------------------------


@pytest.mark.parametrize(
    ("method", "path"), [pytest.param(*key, id=f"{key[0]} {key[1]}") for key in sorted(ADMIN_PERMISSIONS)]
)
def test_a_role_opens_exactly_the_admin_routes_of_its_permissions(request, client, db, world, method, path):
    # GIVEN a user whose role grants just the route's permission, and one whose role grants all the others
    needed = ADMIN_PERMISSIONS[(method, path)]
    _, holder = account(db, roles=(role_of(db, needed),))
    _, others = account(db, roles=(role_of(db, *(p for p in PERMISSIONS if p != needed)),))
    # WHEN each calls the route
    world.tokens.update(holder=holder, others=others)
    route = provision(request, MATRIX[(method, path)])
    allowed = client.request(**request_of(method, path, route, "holder", world))
    refused = client.request(**request_of(method, path, route, "others", world))
    # THEN the holder gets what a superuser gets, the others a 403
    assert allowed.status_code == route.expect["superuser"], allowed.text
    assert refused.status_code == 403, refused.text


def test_a_disabled_role_grants_nothing(client, db, world):
    role = role_of(db, "audit:read")
    _, auditor = account(db, roles=(role,))
    assert client.get("/v1/admin/audit-log", headers=bearer(auditor)).status_code == 200
    role.status = "disabled"
    db.flush()
    assert client.get("/v1/admin/audit-log", headers=bearer(auditor)).status_code == 403
