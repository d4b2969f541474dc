"""Error types every layer raises; interfaces map them to exit codes and HTTP statuses.

Each error carries a message key (looked up in the bilingual catalogue) and the
parameters that say *what* and *where* — file, line, field — so a person can fix
the input. The API's single error map (``puente.api.errors``) and the CLI both
render them; neither invents its own wording.
"""

from __future__ import annotations

from typing import Any


class PuenteError(Exception):
    """Base class: ``key`` names the message in the catalogue, ``params`` fill it."""

    key = "error.internal"

    def __init__(self, key: str | None = None, **params: Any) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(f"{self.key}: {params}")


class InvalidInput(PuenteError):
    """Input that cannot be accepted: bad values, unknown schema, bad encoding."""

    key = "error.invalid"


class InvalidFile(InvalidInput):
    """A file with one or more invalid rows; ``problems`` lists each."""

    key = "error.invalid_file"

    def __init__(self, problems: list[Problem], **params: Any) -> None:
        self.problems = problems
        super().__init__(None, count=len(problems), **params)


class PayloadTooLarge(InvalidInput):
    key = "error.too_large"


class NotFound(PuenteError):
    key = "error.not_found"


class Forbidden(PuenteError):
    key = "error.forbidden"


class Unauthorized(PuenteError):
    key = "error.unauthorized"


class Conflict(PuenteError):
    key = "error.conflict"


class ConfigError(PuenteError):
    key = "error.config"


class Problem:
    """One thing wrong with one place in an input: file, line, field and reason."""

    __slots__ = ("field", "file", "line", "params", "reason")

    def __init__(
        self, reason: str, *, file: str = "", line: int = 0, field: str = "", **params: Any
    ) -> None:
        self.reason = reason
        self.file = file
        self.line = line
        self.field = field
        self.params = params

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "reason": self.reason,
            **({"params": self.params} if self.params else {}),
        }

    def __repr__(self) -> str:
        return f"Problem({self.file}:{self.line} {self.field}: {self.reason} {self.params})"
