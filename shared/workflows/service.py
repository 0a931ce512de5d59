"""Workflows: authoring with validation and versions, ownership, sharing, forks, stars, runs."""

import secrets
import uuid
from typing import Any

from slugify import slugify
from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared import crypto
from shared.agents.models import Agent
from shared.api.pagination import PageParams, paginate
from shared.artifacts import service as artifact_service
from shared.catalog.models import Skill
from shared.config import get_utc_now
from shared.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from shared.interactions import service as interaction_service
from shared.json_schema import check_schema
from shared.llm import keys as llm_keys
from shared.llm import offers
from shared.mcp import service as mcp_service
from shared.profiles import service as profile_service
from shared.projects import service as project_service
from shared.scheduling import service as scheduling_service
from shared.search.substring import contains_any
from shared.users.models import User
from shared.workflows.graph import agent_ids, mcp_tools, skill_ids, validate_graph, workflow_ids
from shared.workflows.models import AgentWorkflow, WorkflowStar, WorkflowVersion
from shared.workflows.redaction import redact_graph
from shared.workflows.schemas import SortOrder, WorkflowCreate, WorkflowUpdate
from shared.workflows.validation import normalize_trigger

# A change to any of these is a new version; names, descriptions and sharing flags are not.
VERSIONED_FIELDS = (
    "graph_json",
    "system_prompt",
    "llm_model",
    "llm_provider",
    "temperature",
    "input_schema",
    "trigger_type",
    "trigger_config",
)
NULLABLE_FIELDS = {
    "project_id",
    "name_zh",
    "description",
    "description_zh",
    "icon",
    "system_prompt",
    "llm_provider",
}
SLUG_MAX_BASE = 200
SLUG_ATTEMPTS = 5
WEBHOOK_SECRET_PREFIX = "whsec_"
PUBLIC_SORTS: dict[str, list[ColumnElement[Any]]] = {
    "stars": [AgentWorkflow.star_count.desc()],
    "forks": [AgentWorkflow.fork_count.desc()],
    "runs": [AgentWorkflow.run_count.desc()],
    "newest": [],
}


def snapshot(workflow: AgentWorkflow) -> dict[str, Any]:
    """Everything a run needs to execute this version exactly as it was."""
    return {"name": workflow.name, **{field: getattr(workflow, field) for field in VERSIONED_FIELDS}}


def _record_version(session: Session, workflow: AgentWorkflow, changes: list[str]) -> None:
    entry = {"version": workflow.version, "changes": changes, "timestamp": get_utc_now().isoformat()}
    workflow.version_history = [*workflow.version_history, entry]
    session.add(
        WorkflowVersion(
            workflow_id=workflow.id, version=workflow.version, changes=changes, snapshot=snapshot(workflow)
        )
    )


def _add_with_unique_slug(session: Session, workflow: AgentWorkflow) -> None:
    """Insert with a URL slug from the name (Chinese is transliterated), unique even when two
    requests race for it: a taken slug gets a short random suffix and the insert is retried."""
    base = slugify(workflow.name, max_length=SLUG_MAX_BASE, word_boundary=True) or "workflow"
    candidate = base
    if session.scalar(select(AgentWorkflow.id).where(AgentWorkflow.slug == candidate)) is not None:
        candidate = f"{base}-{secrets.token_hex(3)}"
    for _ in range(SLUG_ATTEMPTS):
        workflow.slug = candidate
        try:
            with session.begin_nested():
                session.add(workflow)
            return
        except IntegrityError:
            candidate = f"{base}-{secrets.token_hex(3)}"
    raise ConflictError("Could not find a free slug for this name; try again")


def _check_graph(session: Session, graph: dict[str, Any], owner_id: uuid.UUID) -> dict[str, Any]:
    validate_graph(graph)
    agents = dict(agent_ids(graph))
    if agents:
        own = set(
            session.scalars(select(Agent.id).where(Agent.id.in_(agents.values()), Agent.user_id == owner_id))
        )
        for node_id, agent_id in agents.items():
            if agent_id not in own:
                raise InvalidInputError(f"node '{node_id}' (agent): no such agent of yours")
    for node_id, server_id, tool in mcp_tools(graph):
        server = mcp_service.owned_server(session, owner_id, server_id)
        problem = "no such MCP server of yours" if server is None else mcp_service.tool_problem(server, tool)
        if problem is not None:
            raise InvalidInputError(f"node '{node_id}' (mcp): {problem}")
    called = dict(workflow_ids(graph))
    if called:
        mine = set(
            session.scalars(
                select(AgentWorkflow.id).where(
                    AgentWorkflow.id.in_(called.values()), AgentWorkflow.user_id == owner_id
                )
            )
        )
        for node_id, workflow_id in called.items():
            if workflow_id not in mine:
                raise InvalidInputError(f"node '{node_id}' (workflow): no such workflow of yours")
    wanted = dict(skill_ids(graph))
    if wanted:
        active = set(session.scalars(select(Skill.id).where(Skill.id.in_(wanted.values()), Skill.is_active)))
        for node_id, skill_id in wanted.items():
            if skill_id not in active:
                raise InvalidInputError(
                    f"node '{node_id}' (skill): skill {skill_id} does not exist or is inactive"
                )
    return graph


def _check_model_choices(
    session: Session,
    *,
    user_id: uuid.UUID,
    graph: dict[str, Any],
    model: str,
    provider: str | None,
    named: bool,
) -> None:
    """Every model a run would call is offered, or runs on a provider the owner holds a key for (422
    naming the node otherwise); the workflow's own choice is checked when it is `named` in the request
    (a workflow without llm nodes never calls it)."""
    choices = [("llm_model", model, provider)] if named else []
    choices += [
        (
            f"node '{node['id']}' (llm)",
            node["data"].get("model") or model,
            node["data"].get("provider") or provider,
        )
        for node in graph["nodes"]
        if node["type"] == "llm"
    ]
    for where, chosen_model, chosen_provider in choices:
        try:
            offers.check_model_choice(chosen_model, chosen_provider)
            if chosen_provider is not None and not llm_keys.has_key(
                session, user_id=user_id, provider=chosen_provider
            ):
                raise InvalidInputError(
                    f"no key of yours for the provider {chosen_provider!r}; "
                    f"store one with PUT /v1/users/me/llm-keys/{chosen_provider}"
                )
        except InvalidInputError as exc:
            raise InvalidInputError(f"{where}: {exc.message}") from None


def _new_webhook_secret(workflow: AgentWorkflow) -> str:
    secret = WEBHOOK_SECRET_PREFIX + secrets.token_urlsafe(32)
    workflow.webhook_secret_encrypted = crypto.encrypt(secret)
    return secret


def _sync_schedule(workflow: AgentWorkflow) -> None:
    """Make the scheduler match the workflow: a schedule iff it is actively scheduled."""
    if workflow.active_schedule:
        config = workflow.trigger_config
        scheduling_service.put_schedule(workflow.id, config["cron"], config.get("timezone", "UTC"))
    else:
        scheduling_service.delete_schedule(workflow.id)


def _trigger_config(
    session: Session,
    *,
    user_id: uuid.UUID,
    trigger_type: str,
    config: dict[str, Any],
    input_schema: dict[str, Any],
) -> dict[str, Any]:
    """The trigger_config to store; a schedule that names no timezone runs in its owner's (their
    profile's, UTC until they set one)."""
    needs_default = trigger_type == "schedule" and "timezone" not in config
    default_timezone = profile_service.timezone_of(session, user_id) if needs_default else "UTC"
    return normalize_trigger(trigger_type, config, input_schema, default_timezone=default_timezone)


def create_workflow(
    *, session: Session, user: User, request: WorkflowCreate
) -> tuple[AgentWorkflow, str | None]:
    """Validate and save a new workflow at version 1; returns it and a new webhook secret, if any."""
    check_schema(request.input_schema)
    if request.project_id is not None:
        project_service.check_assignable(session=session, user_id=user.id, project_id=request.project_id)
    graph = _check_graph(session, request.graph_json, user.id)
    _check_model_choices(
        session,
        user_id=user.id,
        graph=graph,
        model=request.llm_model,
        provider=request.llm_provider,
        named=bool({"llm_model", "llm_provider"} & request.model_fields_set),
    )
    trigger_config = _trigger_config(
        session,
        user_id=user.id,
        trigger_type=request.trigger_type,
        config=request.trigger_config,
        input_schema=request.input_schema,
    )
    workflow = AgentWorkflow(
        id=uuid.uuid4(),
        user_id=user.id,
        **request.model_dump(exclude={"graph_json", "trigger_config"}),
        graph_json=graph,
        trigger_config=trigger_config,
        version=1,
        version_history=[],
    )
    secret = _new_webhook_secret(workflow) if workflow.trigger_type == "webhook" else None
    _add_with_unique_slug(session, workflow)
    _record_version(session, workflow, ["created"])
    session.flush()
    if workflow.trigger_type == "schedule":
        _sync_schedule(workflow)
    session.commit()
    return workflow, secret


def update_workflow(
    *, session: Session, workflow: AgentWorkflow, request: WorkflowUpdate
) -> tuple[AgentWorkflow, str | None]:
    """Apply a partial change; a versioned change bumps the version and keeps a snapshot."""
    session.refresh(workflow, with_for_update=True)  # two concurrent edits take turns, never a 500
    fields = request.model_dump(exclude_unset=True, exclude={"regenerate_webhook_secret"})
    not_nullable = sorted(
        name for name, value in fields.items() if value is None and name not in NULLABLE_FIELDS
    )
    if not_nullable:
        raise InvalidInputError(f"{', '.join(not_nullable)} cannot be null")
    input_schema = fields.get("input_schema", workflow.input_schema)
    if "input_schema" in fields:
        check_schema(input_schema)
    if fields.get("project_id") is not None and fields["project_id"] != workflow.project_id:
        project_service.check_assignable(
            session=session, user_id=workflow.user_id, project_id=fields["project_id"]
        )
    if "graph_json" in fields:
        _check_graph(session, fields["graph_json"], workflow.user_id)
    if {"graph_json", "llm_model", "llm_provider"} & fields.keys():
        _check_model_choices(
            session,
            user_id=workflow.user_id,
            graph=fields.get("graph_json", workflow.graph_json),
            model=fields.get("llm_model", workflow.llm_model),
            provider=fields.get("llm_provider", workflow.llm_provider),
            named=bool({"llm_model", "llm_provider"} & fields.keys()),
        )
    trigger_type = fields.get("trigger_type", workflow.trigger_type)
    if {"trigger_type", "trigger_config", "input_schema"} & fields.keys():
        config = fields.get(
            "trigger_config", workflow.trigger_config if trigger_type == workflow.trigger_type else {}
        )
        fields["trigger_config"] = _trigger_config(
            session,
            user_id=workflow.user_id,
            trigger_type=trigger_type,
            config=config,
            input_schema=input_schema,
        )

    changed = [
        name for name in VERSIONED_FIELDS if name in fields and fields[name] != getattr(workflow, name)
    ]
    was_scheduled = workflow.trigger_type == "schedule"
    was_webhook = workflow.trigger_type == "webhook"
    for name, value in fields.items():
        setattr(workflow, name, value)

    secret = None
    if workflow.trigger_type == "webhook" and (not was_webhook or request.regenerate_webhook_secret):
        secret = _new_webhook_secret(workflow)
    elif request.regenerate_webhook_secret:
        raise InvalidInputError("regenerate_webhook_secret needs the webhook trigger")
    if workflow.trigger_type != "webhook":
        workflow.webhook_secret_encrypted = None
    if changed:
        workflow.version += 1
        _record_version(session, workflow, changed)
    session.flush()
    trigger_changed = {"trigger_type", "trigger_config"} & set(changed)
    if trigger_changed and (was_scheduled or workflow.trigger_type == "schedule"):
        _sync_schedule(workflow)
    session.commit()
    return workflow, secret


def _delete(session: Session, workflow: AgentWorkflow) -> None:
    """Remove its runs' artifacts from the bucket and its schedule first: if S3 or the scheduler refuses
    (503), the workflow's rows stay."""
    artifact_service.delete_objects_of_workflow(session, workflow.id)
    if workflow.trigger_type == "schedule":
        scheduling_service.delete_schedule(workflow.id)
    session.delete(workflow)


def delete_workflow(*, session: Session, workflow: AgentWorkflow) -> None:
    """Delete a workflow with its runs (and their artifacts), memories and versions, and its schedule."""
    _delete(session, workflow)
    session.commit()


def delete_all_owned(*, session: Session, user_id: uuid.UUID) -> int:
    """Delete every workflow of a user as `delete_workflow` does (the caller commits); returns how many."""
    workflows = session.scalars(select(AgentWorkflow).where(AgentWorkflow.user_id == user_id)).all()
    for workflow in workflows:
        _delete(session, workflow)
    session.flush()
    return len(workflows)


def _actively_scheduled(session: Session, user_id: uuid.UUID) -> list[AgentWorkflow]:
    owned = session.scalars(
        select(AgentWorkflow).where(
            AgentWorkflow.user_id == user_id, AgentWorkflow.trigger_type == "schedule"
        )
    )
    return [workflow for workflow in owned if workflow.active_schedule]


def pause_schedules(*, session: Session, user_id: uuid.UUID) -> int:
    """Remove the EventBridge schedules of a user's scheduled workflows, which stay scheduled in the
    database (a disabled account's); 503 if the scheduler refuses. Returns how many."""
    workflows = _actively_scheduled(session, user_id)
    for workflow in workflows:
        scheduling_service.delete_schedule(workflow.id)
    return len(workflows)


def resume_schedules(*, session: Session, user_id: uuid.UUID) -> int:
    """Give a user's scheduled workflows their EventBridge schedules again (a re-enabled account's)."""
    workflows = _actively_scheduled(session, user_id)
    for workflow in workflows:
        _sync_schedule(workflow)
    return len(workflows)


def remove_all_schedules(*, session: Session, user_id: uuid.UUID) -> int:
    """Remove the EventBridge schedule of every workflow of a user that has the schedule trigger (before
    the account is deleted); 503 if the scheduler refuses."""
    workflows = session.scalars(
        select(AgentWorkflow.id).where(
            AgentWorkflow.user_id == user_id, AgentWorkflow.trigger_type == "schedule"
        )
    ).all()
    for workflow_id in workflows:
        scheduling_service.delete_schedule(workflow_id)
    return len(workflows)


def _visible_to(user: User | None) -> ColumnElement[bool]:
    if user is None:
        return AgentWorkflow.is_public
    return or_(AgentWorkflow.is_public, AgentWorkflow.user_id == user.id)


def get_visible(*, session: Session, workflow_id: uuid.UUID, user: User | None) -> AgentWorkflow:
    """A workflow the caller may read: their own, or a public one. Anything else is a 404."""
    workflow = session.scalar(select(AgentWorkflow).where(AgentWorkflow.id == workflow_id, _visible_to(user)))
    if workflow is None:
        raise NotFoundError("Workflow not found")
    return workflow


def get_owned(
    *, session: Session, workflow_id: uuid.UUID, user: User, for_update: bool = False
) -> AgentWorkflow:
    """A workflow the caller may change: 404 if they cannot see it, 403 if it is someone else's public one."""
    workflow = get_visible(session=session, workflow_id=workflow_id, user=user)
    if workflow.user_id != user.id:
        raise PermissionDeniedError("Only the owner can do this; fork the workflow to make it yours")
    if for_update:
        session.refresh(workflow, with_for_update=True)
    return workflow


def get_mine(*, session: Session, workflow_id: uuid.UUID, user: User) -> AgentWorkflow:
    """One of the caller's own workflows for what only its owner ever sees (memories): anyone else
    gets a 404, public workflow or not."""
    workflow = session.scalar(
        select(AgentWorkflow).where(AgentWorkflow.id == workflow_id, AgentWorkflow.user_id == user.id)
    )
    if workflow is None:
        raise NotFoundError("Workflow not found")
    return workflow


def _page(session: Session, condition: ColumnElement[bool], page: PageParams, order: list[Any]):  # type: ignore[no-untyped-def]
    query = (
        select(AgentWorkflow)
        .where(condition)
        .order_by(*order, AgentWorkflow.created_at.desc(), AgentWorkflow.id)
    )
    return paginate(session, query, page)


def list_mine(
    *, session: Session, user: User, page: PageParams, project_id: uuid.UUID | None = None
) -> tuple[list[AgentWorkflow], int]:
    """The caller's workflows, newest first; with `project_id`, those in that project only."""
    condition = AgentWorkflow.user_id == user.id
    if project_id is not None:
        condition = condition & (AgentWorkflow.project_id == project_id)
    return _page(session, condition, page, [])


def _name_matches(query: str | None) -> ColumnElement[bool]:
    if not query:
        return AgentWorkflow.is_public  # a no-op beside the public filter
    return contains_any(query, AgentWorkflow.name, AgentWorkflow.name_zh)


def list_public(
    *, session: Session, page: PageParams, sort: SortOrder, query: str | None, templates_only: bool = False
) -> tuple[list[AgentWorkflow], int]:
    condition = AgentWorkflow.is_public & _name_matches(query)
    if templates_only:
        condition = condition & AgentWorkflow.is_template
    return _page(session, condition, page, PUBLIC_SORTS[sort])


def list_versions(
    *, session: Session, workflow: AgentWorkflow, page: PageParams
) -> tuple[list[WorkflowVersion], int]:
    query = (
        select(WorkflowVersion)
        .where(WorkflowVersion.workflow_id == workflow.id)
        .order_by(WorkflowVersion.version.desc())
    )
    return paginate(session, query, page)


def get_version_snapshot(*, session: Session, workflow_id: uuid.UUID, version: int) -> dict[str, Any]:
    """A version's snapshot, cached per container: versions never change once written."""
    key = (workflow_id, version)
    if key not in _snapshots:
        snapshot_row = session.scalar(
            select(WorkflowVersion.snapshot).where(
                WorkflowVersion.workflow_id == workflow_id, WorkflowVersion.version == version
            )
        )
        if snapshot_row is None:
            raise NotFoundError(f"Version {version} of this workflow does not exist")
        if len(_snapshots) >= SNAPSHOT_CACHE_SIZE:
            _snapshots.pop(next(iter(_snapshots)))
        _snapshots[key] = snapshot_row
    return _snapshots[key]


_snapshots: dict[tuple[uuid.UUID, int], dict[str, Any]] = {}
SNAPSHOT_CACHE_SIZE = 256


def fork(*, session: Session, source: AgentWorkflow, user: User) -> AgentWorkflow:
    """Copy a visible workflow to the caller (private, manual trigger, version 1)."""
    own = source.user_id == user.id
    copy = AgentWorkflow(
        id=uuid.uuid4(),
        user_id=user.id,
        # a copy of one's own workflow stays in its project; someone else's project is not the forker's
        project_id=source.project_id if own else None,
        name=source.name,
        name_zh=source.name_zh,
        description=source.description,
        description_zh=source.description_zh,
        icon=source.icon,
        # another user's fork starts without the source's literal credentials (see redaction.py)
        graph_json=source.graph_json if own else redact_graph(source.graph_json),
        input_schema=source.input_schema,
        llm_model=source.llm_model,
        llm_provider=source.llm_provider,
        system_prompt=source.system_prompt,
        temperature=source.temperature,
        trigger_type="manual",
        trigger_config={},
        forked_from_id=source.id,
        version=1,
        version_history=[],
    )
    _add_with_unique_slug(session, copy)
    _record_version(session, copy, ["forked"])
    interaction_service.record(
        session=session, user_id=user.id, item_type="workflow", item_id=source.id, action="fork"
    )
    # one atomic increment in the database: concurrent forks never lose a count
    session.execute(
        update(AgentWorkflow)
        .where(AgentWorkflow.id == source.id)
        .values(fork_count=AgentWorkflow.fork_count + 1)
    )
    session.commit()
    session.refresh(source)
    return copy


def set_star(*, session: Session, workflow: AgentWorkflow, user: User, starred: bool) -> int:
    """Star or unstar, idempotently; the count moves only when a row really appeared or vanished."""
    if starred:
        changed = session.execute(
            pg_insert(WorkflowStar)
            .values(user_id=user.id, workflow_id=workflow.id)
            .on_conflict_do_nothing()
            .returning(WorkflowStar.user_id)
        ).first()
        delta = 1 if changed else 0
    else:
        changed = session.execute(
            delete(WorkflowStar)
            .where(WorkflowStar.user_id == user.id, WorkflowStar.workflow_id == workflow.id)
            .returning(WorkflowStar.user_id)
        ).first()
        delta = -1 if changed else 0
    if delta:
        session.execute(
            update(AgentWorkflow)
            .where(AgentWorkflow.id == workflow.id)
            .values(star_count=AgentWorkflow.star_count + delta)
        )
    session.commit()
    session.refresh(workflow)
    return workflow.star_count


def webhook_secret(workflow: AgentWorkflow) -> str | None:
    if workflow.trigger_type != "webhook" or not workflow.webhook_secret_encrypted:
        return None
    return crypto.decrypt(workflow.webhook_secret_encrypted)
