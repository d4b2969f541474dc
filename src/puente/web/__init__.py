"""The web UI of a Puente node (NiceGUI, mounted on the node's FastAPI app).

``create_web_app(node)`` is the one entry point ``puente serve`` and ``puente demo``
use; ``create_app(node)`` alone stays the bare API. Pages live in ``pages/``, one module
each; the frame (banner, navigation, sessions) in ``layout``; the link chart's graph in
``graph``. Every read goes through ``puente.access`` (or a feature's service layer), so
clearance and auditing apply exactly as in the API.
"""

from puente.web.app import create_web_app

__all__ = ["create_web_app"]
