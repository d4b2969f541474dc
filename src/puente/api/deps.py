"""Typed dependencies shared by the routers: the node, the current user, roles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from puente.errors import Forbidden, Unauthorized
from puente.node import Node
from puente.store.users import User, user_for_token

_bearer = HTTPBearer(auto_error=False)


def get_node(request: Request) -> Node:
    node = request.app.state.node
    assert isinstance(node, Node)
    return node


NodeDep = Annotated[Node, Depends(get_node)]


def current_user(
    request: Request,
    node: NodeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("error.unauthorized")
    with node.read() as conn:
        user = user_for_token(conn, credentials.credentials)
    request.state.user = user
    return user


UserDep = Annotated[User, Depends(current_user)]


def require(role: str) -> Callable[[User], User]:
    def check(user: UserDep) -> User:
        if not user.has(role):
            raise Forbidden("error.role", role=role)
        return user

    return check
