"""What every command shares: the chosen node, language and console, and the one place
errors become messages and exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console

from puente.errors import (
    ConfigError,
    Conflict,
    Forbidden,
    InvalidFile,
    NotFound,
    PuenteError,
    Unauthorized,
)
from puente.i18n import t

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

    def fail(self, exc: PuenteError) -> NoReturn:
        self.err.print(f"[red]{self.t(exc.key, **exc.params)}[/red]", highlight=False)
        if isinstance(exc, InvalidFile):
            for problem in exc.problems[:50]:
                reason = self.t("problem." + problem.reason, **problem.params)
                where = f"{problem.file}:{problem.line}" + (
                    f" {problem.field}" if problem.field else ""
                )
                self.err.print(f"  {where}: {reason}", highlight=False, markup=False)
            if len(exc.problems) > 50:
                self.err.print(self.t("cli.more_problems", count=len(exc.problems) - 50))
        code = next((c for k, c in EXIT_CODES.items() if isinstance(exc, k)), 2)
        raise typer.Exit(code)


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
