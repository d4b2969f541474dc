"""``puente resolve`` and ``puente review`` on both backends, in both languages."""

from __future__ import annotations

from tests.cli.conftest import Cli, cli  # noqa: F401  (fixture)
from tests.resolve.conftest import PEOPLE, write


def test_resolve_review_decide_undo(cli: Cli) -> None:  # noqa: F811
    write(cli.node, PEOPLE)
    r = cli("resolve", "--schema", "Person")
    assert r.exit_code == 0, r.output
    assert "Person: 7 records" in r.output
    r = cli("review", "list", "--schema", "Person")
    assert r.exit_code == 0 and "Probability" in r.output
    r = cli("review", "explain", "mx-seizure-1", "us-border-1")
    assert r.exit_code == 0 and "day and month swapped" in r.output
    r = cli("review", "decide", "us-dealer-1", "mx-report-2", "not_same", lang="es")
    assert r.exit_code == 0 and "Decisión 1" in r.output
    r = cli("review", "undo", "1")
    assert r.exit_code == 0 and "Decision 1 undone" in r.output
    r = cli("review", "undo", "1")
    assert r.exit_code == 7 and "already undone" in r.output
    write(cli.node, [{"id": "us-new", "schema": "Person", "properties": {
        "name": ["RAMIREZ OCHOA, JOSE LUIS"], "birthDate": ["1979-03-04"]}}])  # fmt: skip
    r = cli("resolve", "--schema", "Person", "--incremental")
    assert r.exit_code == 0 and "1 records resolved" in r.output


def test_bad_input_is_a_message_not_a_crash(cli: Cli) -> None:  # noqa: F811
    r = cli("resolve", "--schema", "Planet")
    assert r.exit_code == 2 and "Not a resolvable kind" in r.output
    write(cli.node, PEOPLE)
    r = cli("review", "decide", "us-dealer-1", "nobody", "same")
    assert r.exit_code == 5
