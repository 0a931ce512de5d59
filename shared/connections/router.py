"""/v1/connections: database connections, their shares, analysis, insights, statistics, schema search
and approved examples. Served by ConnectionsFunction (with chat_router)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from shared.api.pagination import Page, PageDep
from shared.api.responses import JSON_BODY, error_responses
from shared.auth.dependencies import CurrentUser
from shared.connections import analysis, examples, insights, schema_search, sharing
from shared.connections import service as connection_service
from shared.connections.dependencies import ChatAccess, EditAccess, OwnerAccess, ViewAccess
from shared.connections.models import ColumnMetadata, DatabaseConnection, TableInsight
from shared.connections.schemas import (
    ColumnPublic,
    ConnectionCreate,
    ConnectionFromUrl,
    ConnectionPublic,
    ConnectionStats,
    ConnectionTestResult,
    ConnectionUpdate,
    ExampleCreate,
    ExampleFromAnswer,
    ExamplePublic,
    InsightPublic,
    InsightUpdate,
    SchemaHit,
    SchemaSearchResults,
    ShareCreate,
    SharePublic,
)
from shared.db import SessionDep

router = APIRouter(prefix="/connections", tags=["connections"])


def to_public(connection: DatabaseConnection, permission: str = "owner") -> ConnectionPublic:
    public = ConnectionPublic.model_validate(connection)
    return public.model_copy(
        update={"permission": permission, "has_password": connection.encrypted_password is not None}
    )


def insight_public(insight: TableInsight, columns: list[ColumnMetadata]) -> InsightPublic:
    public = InsightPublic.model_validate(insight)
    return public.model_copy(update={"columns": [ColumnPublic.model_validate(column) for column in columns]})


@router.get("", response_model=Page[ConnectionPublic], responses=error_responses(401, 422))
def list_connections(user: CurrentUser, session: SessionDep, page: PageDep) -> Page[ConnectionPublic]:
    """Your connections and those shared with you, newest first, each with your `permission`."""
    items, total = connection_service.list_visible(session, user=user, page=page)
    return Page.of([to_public(item, permission) for item, permission in items], total, page)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ConnectionPublic,
    responses=error_responses(401, 429, *JSON_BODY),
)
def create_connection(
    body: Annotated[ConnectionCreate | ConnectionFromUrl, Body(description="the fields, or {url, name?}")],
    user: CurrentUser,
    session: SessionDep,
) -> ConnectionPublic:
    """Save a PostgreSQL connection (its host through the SSRF guard) and queue its analysis."""
    fields = (body.to_create() if isinstance(body, ConnectionFromUrl) else body).model_dump()
    return to_public(connection_service.create(session, user=user, fields=fields))


@router.get("/{connection_id}", response_model=ConnectionPublic, responses=error_responses(401, 404, 422))
def read_connection(access: ChatAccess) -> ConnectionPublic:
    return to_public(access.connection, access.permission)


@router.patch(
    "/{connection_id}",
    response_model=ConnectionPublic,
    responses=error_responses(401, 403, 404, 409, *JSON_BODY),
)
def update_connection(body: ConnectionUpdate, access: EditAccess, session: SessionDep) -> ConnectionPublic:
    """Change it; a new host, port, database, user, password or ssl_mode is analysed again."""
    changes = body.model_dump(exclude_unset=True)
    return to_public(connection_service.update(session, access, changes), access.permission)


@router.delete(
    "/{connection_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 403, 404, 422)
)
def delete_connection(access: OwnerAccess, session: SessionDep) -> None:
    connection_service.delete(session, access.connection)


@router.post(
    "/{connection_id}/test",
    response_model=ConnectionTestResult,
    responses=error_responses(401, 403, 404, 422),
)
def test_connection(access: EditAccess, session: SessionDep) -> ConnectionTestResult:
    """Sign in and read the server's version: `success: false` with the reason when it cannot."""
    result = connection_service.try_connection(session, access.connection)
    return ConnectionTestResult(
        success=result.success, message=result.message, server_version=result.server_version
    )


@router.post(
    "/{connection_id}/reanalyze",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ConnectionPublic,
    responses=error_responses(401, 403, 404, 409, 422),
)
def reanalyze(access: EditAccess, session: SessionDep) -> ConnectionPublic:
    """Queue a new analysis (409 while one is pending or running)."""
    analysis.reanalyze(session, access.connection)
    return to_public(access.connection, access.permission)


@router.get(
    "/{connection_id}/shares", response_model=list[SharePublic], responses=error_responses(401, 403, 404, 422)
)
def list_shares(access: EditAccess, session: SessionDep) -> list[SharePublic]:
    return [
        SharePublic(
            user_id=user.id, username=user.username, permission=share.permission, created_at=share.created_at
        )
        for share, user in sharing.list_shares(session, access.connection)
    ]


@router.post(
    "/{connection_id}/shares",
    status_code=status.HTTP_201_CREATED,
    response_model=SharePublic,
    responses={
        200: {"model": SharePublic, "description": "The user's share was changed"},
        **error_responses(401, 403, 404, *JSON_BODY),
    },
)
def share_connection(
    body: ShareCreate, access: EditAccess, session: SessionDep, response: Response
) -> SharePublic:
    """Share with a user (201), or change their permission (200); yourself or an unknown user is 422."""
    share, user, created = sharing.share(
        session,
        access,
        permission=body.permission,
        user_id=body.user_id,
        email=body.email,
        username=body.username,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return SharePublic(
        user_id=user.id, username=user.username, permission=share.permission, created_at=share.created_at
    )


@router.delete(
    "/{connection_id}/shares/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 422),
)
def unshare_connection(user_id: uuid.UUID, access: ChatAccess, session: SessionDep) -> None:
    """End a user's share (an owner-level caller), or your own (anyone who holds one)."""
    sharing.unshare(session, access, user_id)


@router.get(
    "/{connection_id}/insights",
    response_model=Page[InsightPublic],
    responses=error_responses(401, 403, 404, 422),
)
def list_insights(access: ViewAccess, session: SessionDep, page: PageDep) -> Page[InsightPublic]:
    """What the analysis found: one insight per table with its columns, by schema and name."""
    items, total = insights.list_insights(session, access.connection, page)
    return Page.of([insight_public(insight, columns) for insight, columns in items], total, page)


@router.patch(
    "/{connection_id}/insights/{insight_id}",
    response_model=InsightPublic,
    responses=error_responses(401, 403, 404, *JSON_BODY),
)
def describe_table(
    insight_id: uuid.UUID, body: InsightUpdate, access: EditAccess, user: CurrentUser, session: SessionDep
) -> InsightPublic:
    """Correct what a table is for: its documents are written again and re-embedded."""
    insight, columns = insights.describe(
        session, access.connection, insight_id, description=body.description, user=user
    )
    return insight_public(insight, columns)


@router.get(
    "/{connection_id}/stats", response_model=ConnectionStats, responses=error_responses(401, 403, 404, 422)
)
def connection_stats(access: ViewAccess, session: SessionDep) -> ConnectionStats:
    return ConnectionStats.model_validate(insights.stats(session, access.connection))


@router.get(
    "/{connection_id}/schema-search",
    response_model=SchemaSearchResults,
    responses=error_responses(401, 403, 404, 422),
)
def search_schema(
    access: ViewAccess,
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="a question, or words")],
    k: Annotated[int, Query(ge=1, le=20)] = 5,
) -> SchemaSearchResults:
    """The tables a question needs, best first: the retrieval step of the chat."""
    hits = schema_search.search(session, access.connection.id, q, k)
    items = [
        SchemaHit(
            schema_name=hit.insight.schema_name,
            table=hit.insight.table_name,
            score=hit.score,
            summary=hit.insight.summary,
        )
        for hit in hits
    ]
    return SchemaSearchResults(items=items, total=len(items))


@router.get(
    "/{connection_id}/examples",
    response_model=Page[ExamplePublic],
    responses=error_responses(401, 403, 404, 422),
)
def list_examples(access: ViewAccess, session: SessionDep, page: PageDep) -> Page[ExamplePublic]:
    items, total = examples.list_examples(session, access.connection, page)
    return Page.of([ExamplePublic.model_validate(item) for item in items], total, page)


@router.post(
    "/{connection_id}/examples",
    status_code=status.HTTP_201_CREATED,
    response_model=ExamplePublic,
    responses=error_responses(401, 403, 404, *JSON_BODY),
)
def add_example(
    body: Annotated[ExampleCreate | ExampleFromAnswer, Body(description="{question, sql}, or {message_id}")],
    access: EditAccess,
    user: CurrentUser,
    session: SessionDep,
) -> ExamplePublic:
    """A question→SQL pair the model is offered as an example: typed in, or an approved chat answer;
    its SQL is checked and run like generated SQL (422 with the reason when refused or failing)."""
    if isinstance(body, ExampleFromAnswer):
        question, sql = examples.approved_answer(session, access.connection, body.message_id)
        message_id = body.message_id
    else:
        question, sql, message_id = body.question, body.sql, None
    example = examples.add(
        session, access.connection, user=user, question=question, sql=sql, message_id=message_id
    )
    return ExamplePublic.model_validate(example)


@router.delete(
    "/{connection_id}/examples/{example_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 422),
)
def delete_example(example_id: uuid.UUID, access: EditAccess, session: SessionDep) -> None:
    examples.remove(session, access.connection, example_id)
