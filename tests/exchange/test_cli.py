"""``puente partner add/list/remove`` and ``puente ledger show`` from the command line."""

from __future__ import annotations

from collections.abc import Callable

from typer.testing import CliRunner

from puente.cli.main import app
from puente.node import Node


def test_partner_commands(make_node: Callable[..., Node]) -> None:
    mx, us, gt = make_node("MX"), make_node("US"), make_node("GT")
    runner = CliRunner()
    base = ["--node", str(mx.settings.node_dir), "--lang", "en"]
    env = {"PUENTE_DB_URL": mx.settings.db_url} if mx.settings.db_url else {}
    for other, url in ((us, "https://us.example"), (gt, "https://gt.example/puente")):
        res = runner.invoke(
            app,
            [*base, "partner", "add", other.country, "--url", url, "--key", other.public_key],
            env=env,
        )
        assert res.exit_code == 0, res.output
        assert other.fingerprint in res.output.replace("\n", "")
    res = runner.invoke(
        app, [*base, "partner", "add", "US", "--url", "https://x", "--key", us.public_key], env=env
    )
    assert res.exit_code == 7 and "already exists" in res.output
    res = runner.invoke(
        app, [*base, "partner", "add", "CA", "--url", "https://x", "--key", "bm90LWEta2V5"], env=env
    )
    assert res.exit_code != 0 and "Invalid public key" in res.output
    res = runner.invoke(app, [*base, "partner", "list"], env=env)
    assert "GTM" in res.output and "USA" in res.output
    res = runner.invoke(app, [*base, "partner", "remove", "GT"], env=env)
    assert res.exit_code == 0
    assert mx.partners() == {"USA"}
    res = runner.invoke(app, [*base, "ledger", "show", "US"], env=env)
    assert res.exit_code == 0 and '"sent": 0' in res.output
    res = runner.invoke(app, [*base, "sync", "GT"], env=env)
    assert res.exit_code == 5  # no longer a partner
