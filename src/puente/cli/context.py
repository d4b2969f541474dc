"""What every command shares: the chosen node, language and console, the one place
errors become messages and exit codes, and the renderers every module uses (plain-text
tables, JSON).

Invariant: a command that opens the node closes it (``st.opened()`` / ``st.session()``),
and data printed in a table never turns into Rich markup.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console, OverflowMethod
from rich.markup import escape
from rich.progress import Progress, ProgressColumn
from rich.table import Column, Table
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
    from puente.node import Node
    from puente.store.users import User

AS_USER = typer.Option(None, "--as", help="Act as this local user (default: system)")
P = ParamSpec("P")
T = TypeVar("T")

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

    def open_node(self) -> Node:
        from puente.node import Node

        return Node.open(self.node_path(), db_url=self.db_url)

    @contextmanager
    def opened(self) -> Iterator[Node]:
        """The node, closed when the block ends (whatever happens in it)."""
        node = self.open_node()
        try:
            yield node
        finally:
            node.close()

    @contextmanager
    def session(self, as_user: str | None = None) -> Iterator[tuple[Node, User]]:
        """``(node, user)`` for a command run as ``--as USER`` (default ``system``);
        the node is closed when the block ends."""
        with self.opened() as node:
            yield node, self.actor(node, as_user)

    def call(
        self,
        as_user: str | None,
        fn: Callable[Concatenate[Node, User, P], T],
        /,
        *args: P.args,
        **kw: P.kwargs,
    ) -> T:
        """``fn(node, user, *args, **kw)`` in a ``session``: one feature call as a user."""
        with self.session(as_user) as (node, user):
            return fn(node, user, *args, **kw)

    def print_json(self, data: Any) -> None:
        """Print data as indented JSON (dates and other values as their text)."""
        self.console.print_json(json.dumps(data, ensure_ascii=False, default=str))

    def say(self, key: str, **params: Any) -> None:
        """Print one catalogue message to stdout, never wrapped (paths stay copyable)."""
        self.console.print(self.t(key, **params), highlight=False, markup=False, soft_wrap=True)

    def actor(self, node: Node, username: str | None) -> User:
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


def table(
    st: CliState,
    columns: Iterable[str | Column],
    rows: Iterable[Sequence[object]],
    *,
    fold: bool = False,
    title: str | None = None,
) -> None:
    """Print a table: each column a catalogue key (its heading in ``st.lang``; long cells
    fold onto more lines with ``fold``) or a ready ``Column``; each row plain text."""
    overflow: OverflowMethod = "fold" if fold else "ellipsis"
    heads = (c if isinstance(c, Column) else Column(st.t(c), overflow=overflow) for c in columns)
    out = Table(*heads, title=title)
    for row in rows:
        add_row(out, *row)
    st.console.print(out)


def progress(st: CliState, *columns: str | ProgressColumn) -> Progress:
    """A progress display on stderr, only on a terminal, gone when done: stdout stays
    what a script reads."""
    return Progress(*columns, console=st.err, transient=True, disable=not st.err.is_terminal)


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
