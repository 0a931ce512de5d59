"""/v1/users/me/secrets: the caller's secrets for their workflows (`{{ secrets.NAME }}`)."""

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from shared.api.pagination import Page, PageDep
from shared.api.responses import JSON_BODY, error_responses
from shared.auth.dependencies import CurrentUser
from shared.db import SessionDep
from shared.vault import service as vault_service
from shared.vault.schemas import SECRET_NAME_PATTERN, SecretPublic, SecretWrite

router = APIRouter(prefix="/users/me/secrets", tags=["secrets"])

NameParam = Annotated[str, Path(pattern=SECRET_NAME_PATTERN, description="upper case, e.g. OPENAI_KEY")]


@router.get("", response_model=Page[SecretPublic], responses=error_responses(401, 422))
def list_secrets(user: CurrentUser, session: SessionDep, page: PageDep) -> Page[SecretPublic]:
    """Names and times only: a value is never shown after it is stored."""
    items, total = vault_service.list_for(session=session, user=user, page=page)
    return Page.of([SecretPublic.model_validate(item) for item in items], total, page)


@router.put(
    "/{name}",
    response_model=SecretPublic,
    responses={
        201: {"model": SecretPublic, "description": "Created"},
        **error_responses(401, 409, *JSON_BODY),
    },
)
def put_secret(
    name: NameParam, body: SecretWrite, user: CurrentUser, session: SessionDep, response: Response
) -> SecretPublic:
    """Create (201) or replace (200) a secret; the caller's runs read it as `{{ secrets.NAME }}`."""
    secret, created = vault_service.put(session=session, user=user, name=name, value=body.value)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return SecretPublic.model_validate(secret)


@router.delete("/{name}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404, 422))
def delete_secret(name: NameParam, user: CurrentUser, session: SessionDep) -> None:
    vault_service.remove(session=session, user=user, name=name)
