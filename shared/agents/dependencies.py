"""Route dependencies that hand routes an agent or a conversation the caller may use."""

import uuid
from typing import Annotated

from fastapi import Depends

from shared.agents import conversations
from shared.agents import service as agent_service
from shared.agents.models import Agent, Conversation
from shared.auth.dependencies import CurrentUser, OptionalPrincipal
from shared.db import SessionDep


def visible_agent(agent_id: uuid.UUID, session: SessionDep, principal: OptionalPrincipal) -> Agent:
    return agent_service.get_visible(
        session=session, agent_id=agent_id, user=principal.user if principal else None
    )


def member_visible_agent(agent_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Agent:
    return agent_service.get_visible(session=session, agent_id=agent_id, user=user)


def owned_agent(agent_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Agent:
    return agent_service.get_owned(session=session, agent_id=agent_id, user=user)


def owned_conversation(conversation_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Conversation:
    return conversations.get_owned(session, conversation_id=conversation_id, user=user)


VisibleAgent = Annotated[Agent, Depends(visible_agent)]
MemberVisibleAgent = Annotated[Agent, Depends(member_visible_agent)]
OwnedAgent = Annotated[Agent, Depends(owned_agent)]
OwnedConversation = Annotated[Conversation, Depends(owned_conversation)]
