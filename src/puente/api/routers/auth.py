"""Sign-in and tokens: ``POST /auth/login``, ``GET /auth/me``, ``POST /tokens``.

Tokens are bearer tokens with an expiry; the plain token is returned once and only its
hash is stored. Logins (success and failure) and issued tokens are audited by
``puente.access``.
"""

from __future__ import annotations

from fastapi import APIRouter

from puente import access
from puente.api.deps import NodeDep, UserDep
from puente.api.routers.common import error_responses, user_out
from puente.api.schemas import LoginIn, TokenIn, TokenOut, UserOut

router = APIRouter(tags=["auth"])


def _token_out(issued: access.IssuedToken) -> TokenOut:
    return TokenOut(
        access_token=issued.token,
        username=issued.username,
        name=issued.name,
        expires_at=issued.expires_at,
    )


@router.post(
    "/auth/login",
    summary="Sign in / Iniciar sesión",
    response_model=TokenOut,
    responses=error_responses(400, 401, 422),
)
def login(body: LoginIn, node: NodeDep) -> TokenOut:
    """Exchange a username and password for a session token (valid one day).
    Both successful and failed attempts are written to the audit log."""
    return _token_out(access.login(node, body.username, body.password))


@router.get(
    "/auth/me",
    summary="Who am I / Quién soy",
    response_model=UserOut,
    responses=error_responses(401),
)
def me(user: UserDep) -> UserOut:
    """The user the bearer token belongs to: roles, clearance and language."""
    return user_out(user)


@router.post(
    "/tokens",
    summary="Create an API token / Crear un token de API",
    response_model=TokenOut,
    status_code=201,
    responses=error_responses(400, 401, 403, 404, 422),
)
def create_token(body: TokenIn, node: NodeDep, user: UserDep) -> TokenOut:
    """A long-lived API token for yourself; an administrator may create one for another
    user (``username``). Default validity: the node's ``token_days``."""
    return _token_out(access.issue_token(node, user, body.name, body.days, body.username))
