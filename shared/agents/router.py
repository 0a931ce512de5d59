"""/v1/agents (the Q&A wizard's agents), their chat, /v1/conversations, and /v1/workflows/{id}/chat.
Served by ChatFunction."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from shared.agents import chat, conversations
from shared.agents import service as agent_service
from shared.agents.dependencies import MemberVisibleAgent, OwnedAgent, OwnedConversation, VisibleAgent
from shared.agents.schemas import (
    AgentCreate,
    AgentPublic,
    AgentUpdate,
    ChatAnswer,
    ChatRequest,
    ConversationPublic,
    ConversationUpdate,
    MessagePublic,
)
from shared.api.pagination import Page, PageDep
from shared.api.responses import JSON_BODY, error_responses
from shared.auth.dependencies import CurrentUser
from shared.db import SessionDep
from shared.workflows.dependencies import OwnedWorkflow
from shared.workflows.router import to_public
from shared.workflows.schemas import WorkflowPublic

router = APIRouter(tags=["agents"])
Polish = Annotated[bool, Query(description="have the model rewrite the generated prompt (metered)")]
CHAT_RESPONSES = {
    202: {"model": ChatAnswer, "description": "Not ready in time: a pending message the worker finishes"},
    **error_responses(401, 402, 403, 404, 429, *JSON_BODY),
}


@router.post(
    "/agents",
    status_code=status.HTTP_201_CREATED,
    response_model=AgentPublic,
    responses=error_responses(401, 402, 429, *JSON_BODY),
)
def create_agent(
    body: AgentCreate, user: CurrentUser, session: SessionDep, polish: Polish = False
) -> AgentPublic:
    return AgentPublic.model_validate(
        agent_service.create_agent(session=session, user=user, request=body, polish=polish)
    )


@router.get("/agents", response_model=Page[AgentPublic], responses=error_responses(401, 422))
def list_agents(
    user: CurrentUser, session: SessionDep, page: PageDep, project_id: uuid.UUID | None = None
) -> Page[AgentPublic]:
    items, total = agent_service.list_agents(session=session, user=user, page=page, project_id=project_id)
    return Page.of([AgentPublic.model_validate(item) for item in items], total, page)


@router.get("/agents/{agent_id}", response_model=AgentPublic, responses=error_responses(401, 404, 422))
def read_agent(agent: VisibleAgent) -> AgentPublic:
    return AgentPublic.model_validate(agent)


@router.patch(
    "/agents/{agent_id}", response_model=AgentPublic, responses=error_responses(401, 402, 404, *JSON_BODY)
)
def update_agent(
    body: AgentUpdate, agent: OwnedAgent, session: SessionDep, polish: Polish = False
) -> AgentPublic:
    return AgentPublic.model_validate(
        agent_service.update_agent(session=session, agent=agent, request=body, polish=polish)
    )


@router.delete(
    "/agents/{agent_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 404, 409, 422),
)
def delete_agent(agent: OwnedAgent, session: SessionDep) -> None:
    agent_service.delete_agent(session=session, agent=agent)


@router.post(
    "/agents/{agent_id}/workflow",
    status_code=status.HTTP_201_CREATED,
    response_model=WorkflowPublic,
    responses=error_responses(401, 404, 422),
)
def create_agent_workflow(agent: OwnedAgent, user: CurrentUser, session: SessionDep) -> WorkflowPublic:
    """A workflow `input → agent → output` of the agent's, which chats and runs use."""
    return to_public(agent_service.create_workflow_for(session=session, agent=agent, user=user), viewer=user)


def chat_answer(outcome: chat.ChatOutcome, response: Response) -> ChatAnswer:
    if not outcome.ready:
        response.status_code = status.HTTP_202_ACCEPTED
    return ChatAnswer(
        conversation_id=outcome.conversation.id, message=MessagePublic.model_validate(outcome.message)
    )


@router.post("/agents/{agent_id}/chat", response_model=ChatAnswer, responses=CHAT_RESPONSES)
def chat_with_agent(
    body: ChatRequest, agent: MemberVisibleAgent, user: CurrentUser, session: SessionDep, response: Response
) -> ChatAnswer:
    """Send a message: 200 with the answer, or 202 with a pending message when it takes longer."""
    outcome = chat.chat_with_agent(
        session, agent=agent, user=user, text=body.message, conversation_id=body.conversation_id
    )
    return chat_answer(outcome, response)


@router.post("/workflows/{workflow_id}/chat", response_model=ChatAnswer, responses=CHAT_RESPONSES)
def chat_with_workflow(
    body: ChatRequest, workflow: OwnedWorkflow, user: CurrentUser, session: SessionDep, response: Response
) -> ChatAnswer:
    """Send a message to one of your workflows: its input is `{message, history}`."""
    outcome = chat.chat_with_workflow(
        session, workflow=workflow, user=user, text=body.message, conversation_id=body.conversation_id
    )
    return chat_answer(outcome, response)


@router.get("/conversations", response_model=Page[ConversationPublic], responses=error_responses(401, 422))
def list_conversations(
    user: CurrentUser,
    session: SessionDep,
    page: PageDep,
    agent_id: uuid.UUID | None = None,
    workflow_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
) -> Page[ConversationPublic]:
    items, total = conversations.list_conversations(
        session, user=user, page=page, agent_id=agent_id, workflow_id=workflow_id, project_id=project_id
    )
    return Page.of([ConversationPublic.model_validate(item) for item in items], total, page)


@router.get(
    "/conversations/{conversation_id}",
    response_model=ConversationPublic,
    responses=error_responses(401, 404, 422),
)
def read_conversation(conversation: OwnedConversation) -> ConversationPublic:
    return ConversationPublic.model_validate(conversation)


@router.patch(
    "/conversations/{conversation_id}",
    response_model=ConversationPublic,
    responses=error_responses(401, 404, *JSON_BODY),
)
def rename_conversation(
    body: ConversationUpdate, conversation: OwnedConversation, session: SessionDep
) -> ConversationPublic:
    return ConversationPublic.model_validate(conversations.rename(session, conversation, body.title))


@router.delete(
    "/conversations/{conversation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 404, 422),
)
def delete_conversation(conversation: OwnedConversation, session: SessionDep) -> None:
    conversations.delete(session, conversation)


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=Page[MessagePublic],
    responses=error_responses(401, 404, 422),
)
def list_messages(conversation: OwnedConversation, session: SessionDep, page: PageDep) -> Page[MessagePublic]:
    """Oldest first; a pending reply shows `status: pending` until the worker finishes it."""
    chat.refresh_pending(session, conversation)
    items, total = conversations.list_messages(session, conversation=conversation, page=page)
    return Page.of([MessagePublic.model_validate(item) for item in items], total, page)
