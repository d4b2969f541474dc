"""The HTTP API (FastAPI). ``create_app(node)`` is the factory; routers are thin and
receive the node and the current user through typed dependencies (``deps``)."""

from puente.api.app import create_app

__all__ = ["create_app"]
