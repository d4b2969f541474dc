"""Users (administrators only): list them, add one with roles, clearance and language.
Passwords are hashed with argon2 by ``puente.store.users``; additions are audited."""

from __future__ import annotations

from fastapi import APIRouter

from puente import access
from puente.api.deps import NodeDep, UserDep
from puente.api.routers.common import error_responses, user_out
from puente.api.schemas import UserIn, UserOut

router = APIRouter(prefix="/users", tags=["users"])


@router.get(
    "",
    summary="List users / Listar usuarios",
    response_model=list[UserOut],
    responses=error_responses(401, 403),
)
def list_users(node: NodeDep, user: UserDep) -> list[UserOut]:
    """Every user of this node with roles, clearance and language."""
    return [user_out(u) for u in access.list_users(node, user)]


@router.post(
    "",
    summary="Add a user / Agregar un usuario",
    response_model=UserOut,
    status_code=201,
    responses=error_responses(400, 401, 403, 409, 422),
)
def add_user(body: UserIn, node: NodeDep, user: UserDep) -> UserOut:
    """Roles: analyst, releasing_officer, secretariat, admin. Clearance: a
    classification (public, restricted, confidential, secret); the user never reads a
    record above it. The password needs at least 10 characters."""
    added = access.add_user(
        node, user, body.username, body.password, list(body.roles), body.clearance, body.lang
    )
    return user_out(added)
