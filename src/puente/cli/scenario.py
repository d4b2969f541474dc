"""``puente scenario generate``: write a synthetic two-country world with ground truth.

Invariant: the command only turns options into a ``puente.scenario.generate`` call, shows
progress on stderr and prints the manifest's counts and the commands that load the result;
everything about the world itself is the scenario package's.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn

from puente.cli.context import errors, progress, state

scenario_app = typer.Typer(
    help="Synthetic MX/US worlds with ground truth / mundos sintéticos MX/EUA con verdad de campo",
    no_args_is_help=True,
)


@scenario_app.command("generate")
def generate_cmd(
    ctx: typer.Context,
    size: int = typer.Option(10_000, "--size", help="Records to write across both nodes"),
    seed: int = typer.Option(1, "--seed", help="Same seed and size → byte-identical files"),
    out: Path = typer.Option(..., "--out", help="Output directory (mx/, us/, truth/)"),
    force: bool = typer.Option(False, "--force", help="Replace mx/, us/, truth/ in OUT"),
) -> None:
    """Generate a scenario: what each node holds and the truth. / Genera un escenario."""
    from puente.scenario import generate

    st = state(ctx)
    with errors(st):
        bar = progress(
            st,
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with bar:
            task = bar.add_task(st.t("scenario.progress"), total=size)

            def on_progress(done: int, total: int) -> None:
                bar.update(task, completed=min(done, total))

            manifest = generate(out, size, seed, overwrite=force, on_progress=on_progress)
        st.say("scenario.done", records=manifest.records, path=str(out), seed=seed)
        for path, lines in manifest.counts.items():
            st.say("scenario.file", path=path, lines=lines)
        st.say("scenario.networks", **manifest.networks)
        st.say("scenario.truth", path=str(out / "truth"), people=manifest.truth["people"])
        st.say("scenario.next", mx=str(out / "mx"), us=str(out / "us"))
