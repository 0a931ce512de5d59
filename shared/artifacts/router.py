"""/v1/executions/{id}/artifacts: the files a run made, each with a short-lived presigned download URL."""

import uuid

from fastapi import APIRouter

from shared.api.pagination import Page, PageDep
from shared.api.responses import error_responses
from shared.artifacts import service as artifact_service
from shared.artifacts.models import Artifact
from shared.artifacts.schemas import ArtifactPublic
from shared.artifacts.storage import StorageError
from shared.config import settings
from shared.db import SessionDep
from shared.errors import ServiceUnavailableError
from shared.executions.dependencies import OwnedExecution

router = APIRouter(prefix="/executions", tags=["executions"])


def public_artifact(artifact: Artifact) -> ArtifactPublic:
    try:
        url = artifact_service.download_url(artifact)
    except StorageError as exc:
        raise ServiceUnavailableError(str(exc)) from None
    fields = {
        name: getattr(artifact, name) for name in ArtifactPublic.model_fields if hasattr(artifact, name)
    }
    return ArtifactPublic(**fields, download_url=url, expires_in=settings.ARTIFACT_URL_TTL_SECONDS)


@router.get(
    "/{execution_id}/artifacts",
    response_model=Page[ArtifactPublic],
    responses=error_responses(401, 404, 422, 503),
)
def list_artifacts(execution: OwnedExecution, session: SessionDep, page: PageDep) -> Page[ArtifactPublic]:
    items, total = artifact_service.list_of_execution(session, execution.id, page)
    return Page.of([public_artifact(item) for item in items], total, page)


@router.get(
    "/{execution_id}/artifacts/{artifact_id}",
    response_model=ArtifactPublic,
    responses=error_responses(401, 404, 422, 503),
)
def read_artifact(execution: OwnedExecution, artifact_id: uuid.UUID, session: SessionDep) -> ArtifactPublic:
    return public_artifact(artifact_service.get_of_execution(session, execution.id, artifact_id))
