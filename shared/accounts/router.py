"""/v1/users/me/export and DELETE /v1/users/me (UsersFunction)."""

from fastapi import APIRouter, Request, status

from shared import quotas
from shared.accounts import deletion
from shared.accounts.export import AccountExport, export_account
from shared.api.responses import JSON_BODY, error_responses
from shared.audit.middleware import AUDIT_USER
from shared.auth.dependencies import CurrentPrincipal, CurrentUser
from shared.config import settings
from shared.db import SessionDep

router = APIRouter(prefix="/users/me", tags=["users"])


@router.get("/export", response_model=AccountExport, responses=error_responses(401, 429))
def export_my_account(user: CurrentUser, session: SessionDep) -> AccountExport:
    """Everything the caller owns as one JSON document, secrets excluded (docs/admin.md)."""
    quotas.check_rate(
        session,
        key=f"account-export:{user.id}",
        limit=settings.MAX_ACCOUNT_EXPORTS_PER_HOUR,
        window=quotas.HOUR,
        what="account exports",
    )
    return export_account(session, user)


@router.delete(
    "", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(400, 401, 409, *JSON_BODY)
)
def delete_my_account(
    body: deletion.AccountDeletion, principal: CurrentPrincipal, session: SessionDep, request: Request
) -> None:
    """Delete the caller's account and everything it owns, its schedules first; see docs/admin.md."""
    username = principal.user.username
    deletion.delete_account(session, principal=principal, request=body)
    # the operation log keeps who it was by name: the account its row would point at is gone
    setattr(request.state, AUDIT_USER, (None, username))
