from __future__ import annotations

from sqlalchemy import text

from puente.node import Node


def fill(node: Node, n: int = 6) -> None:
    for i in range(n):
        with node.write() as conn:
            node.audit.append(conn, "ana", "read", f"rec{i}", {"i": i})


def verify(node: Node) -> tuple[int, list[tuple[int, str]]]:
    with node.read() as conn:
        count, issues = node.audit.verify(conn)
    return count, [(i.position, i.problem) for i in issues]


def test_intact_chain_verifies(node: Node) -> None:
    fill(node)
    assert verify(node) == (6, [])


def test_altered_entry_is_named(node: Node) -> None:
    fill(node)
    with node.write() as conn:
        conn.execute(text("UPDATE audit_log SET target = 'other' WHERE seq = 3"))
    assert verify(node)[1] == [(3, "altered")]


def test_removed_entry_is_named(node: Node) -> None:
    fill(node)
    with node.write() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 4"))
    assert verify(node)[1] == [(4, "removed")]


def test_reordered_entries_are_named(node: Node) -> None:
    fill(node)
    with node.write() as conn:  # swap the sequence numbers of entries 2 and 5
        conn.execute(text("UPDATE audit_log SET seq = -2 WHERE seq = 2"))
        conn.execute(text("UPDATE audit_log SET seq = 2 WHERE seq = 5"))
        conn.execute(text("UPDATE audit_log SET seq = 5 WHERE seq = -2"))
    issues = verify(node)[1]
    # the moved entries, and the genuine entries that now follow the wrong neighbour
    assert {2, 5} <= {position for position, _ in issues}
    assert {kind for _, kind in issues} == {"reordered"}


def test_a_recomputed_hash_without_the_node_secret_is_detected(node: Node) -> None:
    import hashlib

    fill(node)
    with node.write() as conn:
        forged = hashlib.sha256(b"attacker").hexdigest()
        conn.execute(
            text("UPDATE audit_log SET actor = 'eve', hash = :h WHERE seq = 6"), {"h": forged}
        )
    assert verify(node)[1] == [(6, "altered")]
