"""``puente audit verify|list``: check and read the tamper-evident audit log.

Invariant: ``verify`` only reads; it exits 0 when the whole chain checks out and
``EXIT_BROKEN`` when any entry was altered, removed or reordered, after printing every
such position — so a cron job or CI step can rely on the exit code alone.
"""

from __future__ import annotations

import typer
from rich.table import Column

from puente.cli.context import errors, state, table

EXIT_BROKEN = 1

audit_app = typer.Typer(help="The audit log. / El registro de auditoría.", no_args_is_help=True)


@audit_app.command("verify")
def verify(ctx: typer.Context) -> None:
    """Verify the audit chain; non-zero exit if it was tampered with. / Verifica la cadena."""
    st = state(ctx)
    with errors(st), st.opened() as node, node.read() as conn:
        count, issues = node.audit.verify(conn)
    if not issues:
        st.say("cli.audit_ok", count=count)
        return
    st.err.print(
        f"[red]{st.t('cli.audit_broken', count=count, issues=len(issues))}[/red]",
        highlight=False,
        soft_wrap=True,
    )
    for issue in issues:
        st.err.print(
            "  "
            + st.t(
                "cli.audit_issue",
                position=issue.position,
                seq=issue.seq,
                problem=st.t("cli.audit_" + issue.problem),
            ),
            highlight=False,
            soft_wrap=True,
        )
    raise typer.Exit(EXIT_BROKEN)


@audit_app.command("list")
def list_(
    ctx: typer.Context,
    limit: int = typer.Option(20, "--limit", min=1, max=10000, help="Newest N entries"),
    action: str | None = typer.Option(None, "--action", help="Only this action (load, read…)"),
) -> None:
    """Show the newest audit entries. / Muestra las últimas entradas."""
    from sqlalchemy import select

    from puente.store.tables import audit_log

    st = state(ctx)
    with errors(st):
        query = select(audit_log).order_by(audit_log.c.seq.desc()).limit(limit)
        if action:
            query = query.where(audit_log.c.action == action)
        with st.opened() as node, node.read() as conn:
            entries = [dict(r._mapping) for r in conn.execute(query)][::-1]
        if not entries:
            st.say("cli.audit_empty")
            return
        table(
            st,
            [
                *("cli.col_seq", "cli.col_when", "cli.col_by", "cli.col_action"),
                Column(st.t("cli.col_target"), overflow="fold"),
                Column(st.t("cli.col_detail"), overflow="fold", max_width=60),
            ],
            (
                (e["seq"], e["ts"], e["actor"], e["action"], e["target"], _cut(e["detail"]))
                for e in entries
            ),
        )


def _cut(detail: str) -> str:
    return detail if len(detail) < 300 else detail[:300] + "…"
