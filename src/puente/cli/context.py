"""What every command shares: the chosen node, language and console, and the one place
errors become messages and exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from puente.errors import (
    ConfigError,
    Conflict,
    Forbidden,
    InvalidFile,
    NotFound,
    Problem,
    PuenteError,
    Unauthorized,
)
from puente.i18n import t

if TYPE_CHECKING:
    from puente.store.users import User

EXIT_CODES: dict[type[PuenteError], int] = {
    InvalidFile: 3,
    ConfigError: 4,
    NotFound: 5,
    Unauthorized: 6,
    Forbidden: 6,
    Conflict: 7,
}


@dataclass
class CliState:
    node_dir: Path | None = None
    db_url: str | None = None
    lang: str = "es"
    console: Console = field(default_factory=Console)
    err: Console = field(default_factory=lambda: Console(stderr=True))

    def t(self, key: str, **params: Any) -> str:
        return t(key, self.lang, **params)

    def node_path(self) -> Path:
        path = self.node_dir or (
            Path(os.environ["PUENTE_NODE"]) if os.environ.get("PUENTE_NODE") else None
        )
        if path is None:
            raise ConfigError("error.no_node", path=str(Path.cwd()))
        return path

    def open_node(self) -> Any:
        from puente.node import Node

        return Node.open(self.node_path(), db_url=self.db_url)

    def say(self, key: str, **params: Any) -> None:
        """Print one catalogue message to stdout, never wrapped (paths stay copyable)."""
        self.console.print(self.t(key, **params), highlight=False, markup=False, soft_wrap=True)

    def actor(self, node: Any, username: str | None) -> User:
        """The user a command acts as: ``--as USER`` or the local operator ``system``
        (admin level: whoever runs the CLI on the node's machine administers it)."""
        from puente.store.users import SYSTEM, get_user

        if not username:
            return SYSTEM

        with node.read() as conn:
            user: User = get_user(conn, username.strip().lower())
            return user

    def fail(self, exc: PuenteError) -> NoReturn:
        self.err.print(
            f"[red]{escape(self.t(exc.key, **exc.params))}[/red]", highlight=False, soft_wrap=True
        )
        if isinstance(exc, InvalidFile):
            for problem in exc.problems[:50]:
                self.err.print(
                    "  " + problem_text(problem, self.lang),
                    highlight=False,
                    markup=False,
                    soft_wrap=True,
                )
            if len(exc.problems) > 50:
                self.err.print(self.t("cli.more_problems", count=len(exc.problems) - 50))
        code = next((c for k, c in EXIT_CODES.items() if isinstance(exc, k)), 2)
        raise typer.Exit(code)


def add_row(table: Table, *values: object) -> None:
    """Add a table row of plain text: data never turns into Rich markup."""
    table.add_row(*(Text(str(v)) for v in values))


def problem_text(problem: Problem, lang: str) -> str:
    """``file:line field: reason`` in ``lang``."""
    reason = t("problem." + problem.reason, lang, **problem.params)
    where = f"{problem.file}:{problem.line}" + (f" {problem.field}" if problem.field else "")
    return f"{where}: {reason}"


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState)
    return obj


@contextmanager
def errors(st: CliState) -> Iterator[None]:
    """Render any Puente error as a bilingual message and a non-zero exit code."""
    try:
        yield
    except PuenteError as exc:
        st.fail(exc)
    except KeyboardInterrupt:
        st.err.print(st.t("cli.interrupted"))
        sys.exit(130)
