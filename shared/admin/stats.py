"""Figures for administrators over a period: accounts, runs, model usage, credits, workflows, agents,
conversations. Every figure is one aggregate query."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, func, literal_column, select
from sqlalchemy.orm import Session

from shared.admin.schemas import CountInPeriod, SystemStats, UsageByModelAndDay, UserStats
from shared.agents.models import Agent, Conversation, Message
from shared.executions.models import AgentExecution
from shared.llm.models import CreditTransaction, UsageMetric
from shared.users.models import User
from shared.workflows.models import AgentWorkflow


def _in(column: ColumnElement[datetime], since: datetime, until: datetime) -> ColumnElement[bool]:
    return (column >= since) & (column < until)


def _count_in_period(session: Session, model: type, since: datetime, until: datetime) -> CountInPeriod:
    total, new = session.execute(
        select(func.count(), func.count().filter(_in(model.created_at, since, until))).select_from(model)
    ).one()
    return CountInPeriod(total=total, new=new)


def user_stats(session: Session, since: datetime, until: datetime) -> UserStats:
    row = session.execute(
        select(
            func.count(),
            func.count().filter(User.is_active),
            func.count().filter(User.is_superuser & User.is_active),
            func.count().filter(_in(User.created_at, since, until)),
            func.count().filter(_in(User.last_login_at, since, until)),
        )
    ).one()
    total, active, superusers, new, signed_in = row
    return UserStats(
        total=total,
        active=active,
        disabled=total - active,
        superusers=superusers,
        new=new,
        signed_in=signed_in,
    )


def usage_by_model_and_day(session: Session, since: datetime, until: datetime) -> list[UsageByModelAndDay]:
    day = func.to_char(func.date_trunc("day", UsageMetric.created_at, "UTC"), "YYYY-MM-DD")
    rows = session.execute(
        select(
            day.label("day"),
            UsageMetric.model,
            func.sum(UsageMetric.prompt_tokens),
            func.sum(UsageMetric.completion_tokens),
            func.sum(UsageMetric.credits),
            func.sum(UsageMetric.calls),
        )
        .where(_in(UsageMetric.created_at, since, until))
        .group_by(literal_column("day"), UsageMetric.model)
        .order_by(literal_column("day"), UsageMetric.model)
    )
    return [
        UsageByModelAndDay(
            day=row[0],
            model=row[1],
            prompt_tokens=row[2],
            completion_tokens=row[3],
            credits=row[4],
            calls=row[5],
        )
        for row in rows
    ]


def collect(session: Session, *, since: datetime, until: datetime) -> SystemStats:
    runs = session.execute(
        select(AgentExecution.status, func.count())
        .where(_in(AgentExecution.created_at, since, until))
        .group_by(AgentExecution.status)
    )
    granted = session.scalar(
        select(func.coalesce(func.sum(CreditTransaction.amount + CreditTransaction.bonus_amount), 0)).where(
            CreditTransaction.kind.in_(("grant", "bonus_grant")),
            _in(CreditTransaction.created_at, since, until),
        )
    )
    github, wechat = session.execute(select(func.count(User.github_id), func.count(User.wechat_id))).one()
    scheduled = session.scalar(
        select(func.count()).where(
            AgentWorkflow.trigger_type == "schedule",
            AgentWorkflow.trigger_config["enabled"].as_boolean().is_not(False),
        )
    )
    messages = session.scalar(select(func.count()).where(_in(Message.created_at, since, until)))
    return SystemStats(
        since=since,
        until=until,
        users=user_stats(session, since, until),
        runs_by_status={status: count for status, count in runs},
        usage=usage_by_model_and_day(session, since, until),
        credits_granted=Decimal(granted),
        linked_accounts={"github": github, "wechat": wechat},
        workflows=_count_in_period(session, AgentWorkflow, since, until),
        scheduled_workflows=scheduled or 0,
        agents=_count_in_period(session, Agent, since, until),
        conversations=_count_in_period(session, Conversation, since, until),
        messages=messages or 0,
    )
