"""Projects: a user's folders for workflows (and agents), one default project each that is created
with the account (or on first use, for accounts older than projects) and cannot be deleted; deleting
any other archives it, and it can be restored."""

import uuid

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from shared import quotas
from shared.api.pagination import PageParams, paginate
from shared.api.patches import changes_of
from shared.errors import ConflictError, InvalidInputError, NotFoundError
from shared.projects.models import DEFAULT_COLOR, DEFAULT_ICON, Project
from shared.projects.schemas import ProjectCreate, ProjectUpdate

DEFAULT_PROJECT_NAME = "默认项目"
NULLABLE = ("description",)


def _default_of(session: Session, user_id: uuid.UUID) -> Project | None:
    return session.scalar(select(Project).where(Project.user_id == user_id, Project.is_default))


def ensure_default(*, session: Session, user_id: uuid.UUID) -> Project:
    """The user's default project, created if missing (the caller commits). Two requests that race to
    create it insert one row: the partial unique index turns the second insert into a no-op."""
    project = _default_of(session, user_id)
    if project is not None:
        return project
    session.execute(
        pg_insert(Project)
        .values(id=uuid.uuid4(), user_id=user_id, name=DEFAULT_PROJECT_NAME, is_default=True)
        .on_conflict_do_nothing(index_elements=[Project.user_id], index_where=Project.is_default)
    )
    project = _default_of(session, user_id)
    assert project is not None
    return project


def list_for(
    *, session: Session, user_id: uuid.UUID, page: PageParams, include_archived: bool
) -> tuple[list[Project], int]:
    """The user's projects in their `sort_order` (then oldest first); archived ones only if asked."""
    if _default_of(session, user_id) is None:
        ensure_default(session=session, user_id=user_id)
        session.commit()
    query = select(Project).where(Project.user_id == user_id)
    if not include_archived:
        query = query.where(~Project.is_archived)
    return paginate(session, query.order_by(Project.sort_order, Project.created_at, Project.id), page)


def get_owned(*, session: Session, project_id: uuid.UUID, user_id: uuid.UUID) -> Project:
    """One of the user's projects, archived or not; anyone else's is a 404."""
    project = session.scalar(select(Project).where(Project.id == project_id, Project.user_id == user_id))
    if project is None:
        raise NotFoundError("Project not found")
    return project


def create(*, session: Session, user_id: uuid.UUID, request: ProjectCreate) -> Project:
    quotas.check_project_room(session, user_id)
    project = Project(id=uuid.uuid4(), user_id=user_id, **request.model_dump())
    session.add(project)
    session.commit()
    return project


def update(*, session: Session, project: Project, request: ProjectUpdate) -> Project:
    for name, value in changes_of(request, nullable=NULLABLE).items():
        setattr(project, name, value)
    session.commit()
    return project


def archive(*, session: Session, project: Project) -> None:
    """What deleting a project does: it is hidden from the list, its workflows keep it (idempotent)."""
    if project.is_default:
        raise ConflictError("The default project cannot be deleted")
    project.is_archived = True
    session.commit()


def restore(*, session: Session, project: Project) -> Project:
    project.is_archived = False
    session.commit()
    return project


def reset(*, session: Session, user_id: uuid.UUID) -> int:
    """Delete every project of the user but the default one, which returns to how it was made (the
    caller commits); returns how many were deleted."""
    deleted = session.execute(delete(Project).where(Project.user_id == user_id, ~Project.is_default)).rowcount
    default = ensure_default(session=session, user_id=user_id)
    default.name, default.description = DEFAULT_PROJECT_NAME, None
    default.icon, default.color, default.sort_order = DEFAULT_ICON, DEFAULT_COLOR, 0
    return deleted


def check_assignable(*, session: Session, user_id: uuid.UUID, project_id: uuid.UUID) -> None:
    """A workflow (or agent) of this user may be put in this project: the user's own, not archived
    (422 naming project_id otherwise; whether someone else's exists is not told)."""
    archived = session.scalar(
        select(Project.is_archived).where(Project.id == project_id, Project.user_id == user_id)
    )
    if archived is None:
        raise InvalidInputError("project_id: no such project of yours")
    if archived:
        raise InvalidInputError("project_id: this project is archived; restore it first")
