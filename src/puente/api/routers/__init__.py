"""Routers, one module per area; add yours to ``ROUTERS``."""

from fastapi import APIRouter

from puente.api.routers import (
    audit,
    auth,
    coordinate,
    exchange,
    hitnohit,
    load,
    network,
    records,
    resolve,
    search,
    trace,
    users,
)

ROUTERS: list[APIRouter] = [
    auth.router,
    records.router,
    search.router,
    load.router,
    audit.router,
    users.router,
    exchange.router,
    resolve.router,
    trace.router,
    network.router,
    hitnohit.router,
    coordinate.router,
]
