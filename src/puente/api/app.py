"""The app factory: ``create_app(node)`` builds the API for one node (no globals)."""

from __future__ import annotations

from fastapi import FastAPI

from puente import __version__
from puente.api import errors
from puente.node import Node


def create_app(node: Node) -> FastAPI:
    app = FastAPI(
        title=f"Puente node {node.country}",
        version=__version__,
        description="API of a sovereign Puente node / API de un nodo soberano Puente.",
    )
    app.state.node = node
    errors.install(app)

    @app.get("/health", tags=["node"])
    def health() -> dict[str, str]:
        """Liveness and identity: the node's country and key fingerprint."""
        return {"status": "ok", "country": node.country, "fingerprint": node.fingerprint}

    from puente.api.routers import ROUTERS

    for router in ROUTERS:
        app.include_router(router)
    return app
