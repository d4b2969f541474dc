"""Routers, one module per area; add yours to ``ROUTERS``."""

from fastapi import APIRouter

from puente.api.routers import audit, auth, exchange, load, records, resolve, search, users
from puente.api.routers import trace
from puente.api.routers import network
from puente.api.routers import hitnohit
from puente.api.routers import coordinate

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
