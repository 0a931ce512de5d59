"""Artifacts of runs: stored (the object first, then its row, so a failed upload leaves no row), listed
with presigned download URLs, and deleted with the runs that made them."""

import hashlib
import mimetypes
import re
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.api.pagination import PageParams, paginate
from shared.artifacts import storage
from shared.artifacts.models import Artifact, ArtifactType
from shared.config import get_utc_now, settings
from shared.errors import InvalidInputError, NotFoundError, PayloadTooLargeError
from shared.executions.models import AgentExecution

MAX_NAME_LENGTH = 255
DEFAULT_MIME_TYPE = "application/octet-stream"
UNSAFE_NAME_CHARACTERS = re.compile(r"[\x00-\x1f\x7f/\\]+")
MIME_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+(\s*;\s*[\w.+-]+=[\w.+\"-]+)*$")


class ArtifactTooLarge(PayloadTooLargeError):
    """Over MAX_ARTIFACT_BYTES: a node fails with this message, an upload would be a 413."""


def artifact_type(mime_type: str) -> ArtifactType:
    """The seed's type of a MIME type (a screenshot is an image the caller names as one)."""
    kind = mime_type.split(";", 1)[0].strip().lower()
    if kind == "application/pdf":
        return ArtifactType.PDF
    if kind == "application/json" or kind.endswith("+json"):
        return ArtifactType.JSON
    for prefix, artifact in (("image/", ArtifactType.IMAGE), ("video/", ArtifactType.VIDEO)):
        if kind.startswith(prefix):
            return artifact
    if kind.startswith("text/"):
        return ArtifactType.TEXT
    return ArtifactType.FILE


def clean_name(name: str) -> str:
    """A file name: no path, no control characters, at most MAX_NAME_LENGTH characters."""
    cleaned = UNSAFE_NAME_CHARACTERS.sub("_", name).strip().strip(".")[:MAX_NAME_LENGTH]
    if not cleaned:
        raise InvalidInputError("an artifact needs a name")
    return cleaned


def mime_type_for(name: str, given: str | None, default: str = DEFAULT_MIME_TYPE) -> str:
    """The given MIME type if it is one, else what the name's extension says, else `default`."""
    if given:
        if len(given) > MAX_NAME_LENGTH or not MIME_TYPE.match(given):
            raise InvalidInputError("mime_type must be a MIME type such as text/markdown")
        return given
    return mimetypes.guess_type(name)[0] or default


def store(
    session: Session,
    *,
    execution_id: uuid.UUID,
    user_id: uuid.UUID,
    task_id: uuid.UUID | None,
    node_id: str,
    name: str,
    content: bytes,
    mime_type: str | None = None,
) -> Artifact:
    """Put the object, then add its row (flushed; the caller commits). Raises ArtifactTooLarge,
    InvalidInputError for a bad name or type, storage.StorageError when S3 refuses."""
    name = clean_name(name)
    mime_type = mime_type_for(name, mime_type)
    if len(content) > settings.MAX_ARTIFACT_BYTES:
        raise ArtifactTooLarge(
            f"the artifact is {len(content)} bytes; the limit is MAX_ARTIFACT_BYTES "
            f"({settings.MAX_ARTIFACT_BYTES} bytes)"
        )
    digest = hashlib.sha256(content)
    artifact_id = uuid.uuid4()
    key = f"runs/{execution_id}/{artifact_id}"
    storage.put(key, content, mime_type=mime_type, sha256=digest.digest())
    artifact = Artifact(
        id=artifact_id,
        execution_id=execution_id,
        task_id=task_id,
        user_id=user_id,
        node_id=node_id,
        type=artifact_type(mime_type),
        name=name,
        s3_key=key,
        size=len(content),
        mime_type=mime_type,
        checksum=digest.hexdigest(),
    )
    session.add(artifact)
    session.flush()
    return artifact


def summary(artifact: Artifact) -> dict[str, Any]:
    """What a node outputs about the artifact it made."""
    return {
        "id": str(artifact.id),
        "name": artifact.name,
        "size": artifact.size,
        "mime_type": artifact.mime_type,
    }


def download_url(artifact: Artifact) -> str:
    return storage.presigned_get(artifact.s3_key, filename=artifact.name, mime_type=artifact.mime_type)


def list_of_execution(
    session: Session, execution_id: uuid.UUID, page: PageParams
) -> tuple[list[Artifact], int]:
    query = (
        select(Artifact)
        .where(Artifact.execution_id == execution_id)
        .order_by(Artifact.created_at, Artifact.id)
    )
    return paginate(session, query, page)


def get_of_execution(session: Session, execution_id: uuid.UUID, artifact_id: uuid.UUID) -> Artifact:
    artifact = session.scalar(
        select(Artifact).where(Artifact.id == artifact_id, Artifact.execution_id == execution_id)
    )
    if artifact is None:
        raise NotFoundError("Artifact not found")
    return artifact


def list_of_task(session: Session, task_id: uuid.UUID, page: PageParams) -> tuple[list[Artifact], int]:
    query = select(Artifact).where(Artifact.task_id == task_id).order_by(Artifact.created_at, Artifact.id)
    return paginate(session, query, page)


def delete_objects_of_workflow(session: Session, workflow_id: uuid.UUID) -> int:
    """Delete the objects of every run of a workflow, before the runs' rows go (503 if S3 refuses, so
    nothing is deleted); returns how many."""
    keys = list(
        session.scalars(
            select(Artifact.s3_key)
            .join(AgentExecution, AgentExecution.id == Artifact.execution_id)
            .where(AgentExecution.workflow_id == workflow_id)
        )
    )
    storage.delete_many(keys)
    return len(keys)


def purge_expired(session: Session) -> int:
    """Rows of artifacts older than ARTIFACT_RETENTION_DAYS, whose objects the bucket's lifecycle rule
    expires; the caller commits."""
    cutoff = get_utc_now() - timedelta(days=settings.ARTIFACT_RETENTION_DAYS)
    return session.execute(delete(Artifact).where(Artifact.created_at < cutoff)).rowcount
