"""``puente user``, ``puente token``, ``puente audit`` and ``puente init``."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from puente.cli.main import app
from puente.node import Node
from puente.store.users import authenticate, user_for_token
from tests.cli.conftest import Cli

PASSWORD = "contraseña-de-prueba"


def test_user_add_with_password_option_and_list(cli: Cli) -> None:
    added = cli(
        "user",
        "add",
        "Ana.Analista",
        "--role",
        "analyst",
        "--clearance",
        "confidential",
        "--password",
        PASSWORD,
        "--lang",
        "en",
    )
    assert added.exit_code == 0, added.output
    assert "User ana.analista created: roles analyst, clearance confidential" in added.stdout
    with cli.node.read() as conn:
        assert authenticate(conn, "ana.analista", PASSWORD).clearance == 2
    listed = cli("user", "list", lang="es")
    assert "ana.analista" in listed.stdout and "Habilitación" in listed.stdout


def test_user_add_prompts_twice_and_reads_env(cli: Cli) -> None:
    prompted = cli(
        "user",
        "add",
        "oficial",
        "--role",
        "releasing_officer",
        "--clearance",
        "secret",
        input=f"{PASSWORD}\nsomething-else\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert prompted.exit_code == 0, prompted.output
    assert "Repeat the password" in prompted.output
    assert PASSWORD not in prompted.output  # hidden input
    from_env = cli(
        "user",
        "add",
        "sec",
        "--role",
        "secretariat",
        "--clearance",
        "restricted",
        env={"PUENTE_PASSWORD": PASSWORD},
    )
    assert from_env.exit_code == 0, from_env.output
    with cli.node.read() as conn:
        assert authenticate(conn, "oficial", PASSWORD).roles == ("releasing_officer",)
        assert authenticate(conn, "sec", PASSWORD).roles == ("secretariat",)


def test_user_add_refusals(cli: Cli) -> None:
    args = ["user", "add", "beto", "--role", "analyst", "--clearance", "restricted"]
    weak = cli(*args, "--password", "corta", lang="es")
    assert weak.exit_code == 2 and "al menos 10 caracteres" in weak.stderr
    bad_role = cli(
        "user", "add", "x1", "--role", "jefe", "--clearance", "secret", "--password", PASSWORD
    )
    assert bad_role.exit_code == 2 and "Invalid role: jefe" in bad_role.stderr
    assert cli(*args, "--password", PASSWORD).exit_code == 0
    again = cli(*args, "--password", PASSWORD)
    assert again.exit_code == 7 and "User beto already exists" in again.stderr


def test_token_create_is_shown_once_and_works(cli: Cli) -> None:
    cli(
        "user",
        "add",
        "ana",
        "--role",
        "analyst",
        "--clearance",
        "restricted",
        "--password",
        PASSWORD,
    )
    result = cli("token", "create", "ana", "--name", "laptop", "--days", "30")
    assert result.exit_code == 0, result.output
    token = next(w for w in result.stdout.split() if w.startswith("pt_"))
    with cli.node.read() as conn:
        assert user_for_token(conn, token).username == "ana"
    assert "it will not be shown again" in result.stdout
    missing = cli("token", "create", "nadie")
    assert missing.exit_code == 5 and "No such user: nadie" in missing.stderr


def test_audit_verify_and_list(cli: Cli) -> None:
    for name in ("ana", "beto", "caro"):
        cli(
            "user",
            "add",
            name,
            "--role",
            "analyst",
            "--clearance",
            "public",
            "--password",
            PASSWORD,
        )
    ok = cli("audit", "verify")
    assert ok.exit_code == 0 and "Audit log intact: 3 entries verified" in ok.stdout
    listed = cli("audit", "list", "--limit", "2")
    assert "beto" in listed.stdout and "caro" in listed.stdout and "│ 1 " not in listed.stdout
    assert "user_add" in cli("audit", "list", "--action", "user_add").stdout

    with cli.node.write() as conn:
        conn.execute(text("UPDATE audit_log SET target = 'mallory' WHERE seq = 2"))
    altered = cli("audit", "verify")
    assert altered.exit_code == 1
    assert "position 2 (entry no. 2): altered" in altered.stderr

    with cli.node.write() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    removed = cli("audit", "verify", lang="es")
    assert removed.exit_code == 1
    assert "posición 2 (entrada nº 3): faltan entradas anteriores" in removed.stderr


def test_init_creates_a_node_and_refuses_to_overwrite(tmp_path: Path, backend: str) -> None:
    runner = CliRunner()
    target = tmp_path / "nodo-mx"
    db = ["--db-url", backend] if backend else []
    result = runner.invoke(app, [*db, "--lang", "es", "init", str(target), "--country", "MX"])
    assert result.exit_code == 0, result.output
    node = Node.open(target, db_url=backend or None)
    try:
        assert node.country == "MEX"
        assert (
            f"Huella de la clave pública (compártala por un canal aparte): {node.fingerprint}"
            in (result.stdout.replace("\n", ""))
        )
        assert node.settings.database_url.startswith("postgresql" if backend else "sqlite")
    finally:
        node.close()
    again = runner.invoke(app, [*db, "--lang", "en", "init", str(target), "--country", "MX"])
    assert again.exit_code == 4 and "A node already exists" in again.stderr
    no_node = runner.invoke(app, ["--node", str(tmp_path / "nada"), "user", "list"])
    assert no_node.exit_code == 4
