"""Sign-in with GitHub and WeChat: server-side state, code exchange, profile, link or create.

Provider base URLs are settings, so tests point them at a fake provider on loopback."""

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from aws_lambda_powertools import Logger
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.auth import service as auth_service
from shared.auth.models import OAuthState
from shared.auth.schemas import OAuthAuthorizeResponse
from shared.auth.security import hash_token, new_token
from shared.auth.sessions import ClientInfo
from shared.config import get_utc_now, settings
from shared.errors import AuthenticationError, BadRequestError, ConflictError, NotFoundError
from shared.users import service as user_service
from shared.users.models import User

if TYPE_CHECKING:
    import httpx

logger = Logger(child=True)

PROVIDERS = ("github", "wechat")
PROVIDER_NAMES = {"github": "GitHub", "wechat": "WeChat"}


@dataclass(frozen=True)
class ProviderProfile:
    provider_user_id: str
    verified_email: str | None
    username_hint: str


class ProviderError(Exception):
    """The provider refused the code or answered something unusable."""


def ensure_configured(provider: str) -> None:
    if provider not in PROVIDERS:
        raise NotFoundError(f"Unknown sign-in provider {provider!r}")
    configured = {
        "github": settings.GITHUB_CLIENT_ID and settings.GITHUB_CLIENT_SECRET,
        "wechat": settings.WECHAT_APP_ID and settings.WECHAT_APP_SECRET,
    }[provider]
    if not configured:
        raise NotFoundError(f"{PROVIDER_NAMES[provider]} sign-in is not configured on this server")


def authorization_url(provider: str, state: str) -> str:
    if provider == "github":
        query = {
            "client_id": settings.GITHUB_CLIENT_ID,
            "redirect_uri": settings.GITHUB_REDIRECT_URI,
            "scope": "read:user user:email",
            "state": state,
            "allow_signup": "true",
        }
        return f"{settings.GITHUB_AUTHORIZE_URL}?{urlencode(query)}"
    query = {
        "appid": settings.WECHAT_APP_ID,
        "redirect_uri": settings.WECHAT_REDIRECT_URI,
        "response_type": "code",
        "scope": "snsapi_login",
        "state": state,
    }
    return f"{settings.WECHAT_AUTHORIZE_URL}?{urlencode(query)}#wechat_redirect"


def start_authorization(*, session: Session, provider: str) -> OAuthAuthorizeResponse:
    """Remember a fresh state (hashed) and return the provider's consent URL carrying it."""
    ensure_configured(provider)
    state = new_token()
    lifetime = timedelta(minutes=settings.OAUTH_STATE_EXPIRE_MINUTES)
    session.add(
        OAuthState(provider=provider, state_hash=hash_token(state), expires_at=get_utc_now() + lifetime)
    )
    session.commit()
    return OAuthAuthorizeResponse(
        authorization_url=authorization_url(provider, state),
        state=state,
        expires_in=int(lifetime.total_seconds()),
    )


def consume_state(*, session: Session, provider: str, state: str) -> None:
    record = session.scalar(
        select(OAuthState)
        .where(OAuthState.state_hash == hash_token(state), OAuthState.provider == provider)
        .with_for_update()
    )
    now = get_utc_now()
    if record is None or record.used_at is not None or record.expires_at <= now:
        raise BadRequestError("This sign-in attempt is invalid or expired; start again.")
    record.used_at = now
    session.commit()


def _json(response: "httpx.Response") -> Any:
    if response.status_code >= 400:
        raise ProviderError(f"HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError as exc:
        raise ProviderError("not JSON") from exc


def fetch_github_profile(client: "httpx.Client", code: str) -> ProviderProfile:
    token = _json(
        client.post(
            settings.GITHUB_TOKEN_URL,
            data={
                "client_id": settings.GITHUB_CLIENT_ID,
                "client_secret": settings.GITHUB_CLIENT_SECRET,
                "code": code,
                "redirect_uri": settings.GITHUB_REDIRECT_URI,
            },
            headers={"Accept": "application/json"},
        )
    )
    access_token = token.get("access_token") if isinstance(token, dict) else None
    if not access_token:
        raise ProviderError(
            str(token.get("error", "no access_token")) if isinstance(token, dict) else "bad token"
        )
    headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/vnd.github+json"}
    api = settings.GITHUB_API_URL.rstrip("/")
    profile = _json(client.get(f"{api}/user", headers=headers))
    emails = _json(client.get(f"{api}/user/emails", headers=headers))
    verified = next(
        (e["email"] for e in emails if isinstance(e, dict) and e.get("primary") and e.get("verified")), None
    )
    if not isinstance(profile, dict) or "id" not in profile:
        raise ProviderError("profile without id")
    return ProviderProfile(
        provider_user_id=str(profile["id"]),
        verified_email=verified.lower() if verified else None,
        username_hint=str(profile.get("login") or "github"),
    )


def fetch_wechat_profile(client: "httpx.Client", code: str) -> ProviderProfile:
    api = settings.WECHAT_API_URL.rstrip("/")
    token = _json(
        client.get(
            f"{api}/sns/oauth2/access_token",
            params={
                "appid": settings.WECHAT_APP_ID,
                "secret": settings.WECHAT_APP_SECRET,
                "code": code,
                "grant_type": "authorization_code",
            },
        )
    )
    if not isinstance(token, dict) or token.get("errcode") or not token.get("access_token"):
        raise ProviderError(f"errcode {token.get('errcode') if isinstance(token, dict) else '?'}")
    info = _json(
        client.get(
            f"{api}/sns/userinfo", params={"access_token": token["access_token"], "openid": token["openid"]}
        )
    )
    if not isinstance(info, dict) or info.get("errcode"):
        raise ProviderError("userinfo refused")
    # unionid is stable across a developer's WeChat apps; openid only within this one
    wechat_id = str(info.get("unionid") or token.get("unionid") or token["openid"])
    return ProviderProfile(
        provider_user_id=wechat_id, verified_email=None, username_hint=str(info.get("nickname") or "wechat")
    )


def fetch_profile(provider: str, code: str) -> ProviderProfile:
    import httpx  # only the OAuth callback needs it; importing it costs every cold start ~100 ms

    fetch = fetch_github_profile if provider == "github" else fetch_wechat_profile
    try:
        with httpx.Client(timeout=settings.OAUTH_HTTP_TIMEOUT_SECONDS, follow_redirects=False) as client:
            return fetch(client, code)
    except (httpx.HTTPError, ProviderError, KeyError, TypeError) as exc:
        logger.warning(
            "oauth code exchange failed", extra={"provider": provider, "error": type(exc).__name__}
        )
        raise AuthenticationError(f"{PROVIDER_NAMES[provider]} sign-in failed; try again") from exc


def find_or_create_user(*, session: Session, provider: str, profile: ProviderProfile) -> tuple[User, bool]:
    """Link by provider id, else by verified email, else create an account. Returns (user, created)."""
    id_column = User.github_id if provider == "github" else User.wechat_id
    id_field = "github_id" if provider == "github" else "wechat_id"
    user = session.scalar(select(User).where(id_column == profile.provider_user_id))
    if user is not None:
        return user, False
    if profile.verified_email:
        user = user_service.get_by_email(session=session, email=profile.verified_email)
        if user is not None:
            if getattr(user, id_field) is not None:
                raise ConflictError(f"This account is linked to another {PROVIDER_NAMES[provider]} account")
            if user.is_active:  # the provider vouches for the mailbox: an unverified account is claimed
                auth_service.mailbox_proven(session=session, user=user)
            setattr(user, id_field, profile.provider_user_id)
            session.flush()
            return user, False
    email = profile.verified_email or f"{provider}-{profile.provider_user_id}@users.ainav.invalid"
    username = user_service.available_username(session=session, wanted=profile.username_hint)
    user = user_service.create_user(
        session=session,
        email=email,
        username=username,
        email_verified=profile.verified_email is not None,
        **{id_field: profile.provider_user_id},
    )
    return user, True


def complete_authorization(
    *, session: Session, provider: str, code: str, state: str, client: ClientInfo
) -> auth_service.SignedIn:
    """The callback: spend the state, exchange the code, sign the provider's user in."""
    ensure_configured(provider)
    consume_state(session=session, provider=provider, state=state)
    profile = fetch_profile(provider, code)
    user, created = find_or_create_user(session=session, provider=provider, profile=profile)
    signed_in = auth_service.complete_sign_in(
        session=session,
        user=user,
        identifier=f"{provider}:{profile.provider_user_id}",
        method=provider,
        client=client,
    )
    if created:
        auth_service.mailer().send_welcome_email(session, user.email, user.username)
    return signed_in
