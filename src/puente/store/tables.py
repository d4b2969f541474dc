"""Table definitions (SQLAlchemy Core). The migrations create exactly these.

Append-only tables: ``record_versions`` (every version of every record, never updated),
``audit_log`` (hash-chained). ``records`` is derived state: the current version of each
record, kept in the same transaction as the version row that produced it.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# ISO-8601 UTC timestamps are stored as text: identical ordering on both backends and
# no driver-dependent timezone handling.
TS = String(32)

records = Table(
    "records",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("schema", String(64), nullable=False),
    Column("properties", Text, nullable=False),
    Column("markings", Text, nullable=False),
    Column("level", Integer, nullable=False),
    # ",MEX,USA," — the releasability list, searchable with LIKE on both backends
    Column("rel_to", String(400), nullable=False, default=","),
    Column("origin", String(3), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("caption", Text, nullable=False, default=""),
    Column("event_date", String(32), nullable=True),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Index("ix_records_schema", "schema"),
    Index("ix_records_event_date", "event_date"),
    Index("ix_records_level", "level"),
)

record_versions = Table(
    "record_versions",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("operation", String(16), nullable=False),
    Column("schema", String(64), nullable=False),
    Column("properties", Text, nullable=False),
    Column("markings", Text, nullable=False),
    Column("level", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("recorded_at", TS, nullable=False),
    Column("recorded_by", String(100), nullable=False),
    Column("load_id", String(64), nullable=True),
    Index("ix_record_versions_recorded_at", "recorded_at"),
)

# The node's change feed: one row per version written, in commit order. Features that
# follow changes (the exchange outbox, incremental resolution) keep a cursor on ``seq``.
changes = Table(
    "changes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String(200), nullable=False),
    Column("version", Integer, nullable=False),
)

identifiers = Table(
    "identifiers",
    metadata,
    Column("key", String(200), nullable=False),
    Column("record_id", String(200), nullable=False),
    Index("ix_identifiers_key", "key"),
    Index("ix_identifiers_record", "record_id"),
)

users = Table(
    "users",
    metadata,
    Column("username", String(100), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("roles", String(200), nullable=False),
    Column("clearance", Integer, nullable=False),
    Column("lang", String(5), nullable=False, default="es"),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", TS, nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(100), nullable=False),
    Column("name", String(100), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS, nullable=True),
    Column("revoked", Boolean, nullable=False, default=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("ts", TS, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

partners = Table(
    "partners",
    metadata,
    Column("code", String(3), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("url", Text, nullable=False),
    Column("public_key", Text, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("added_at", TS, nullable=False),
)

loads = Table(
    "loads",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("file", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("written", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("at", TS, nullable=False),
    Column("by", String(100), nullable=False),
)

# --- exchange (puente.exchange): per-partner signed feeds and the exchange ledger ---

# The outbound feed and sent ledger: one signed, hash-chained entry per partner and seq.
exchange_outbox = Table(
    "exchange_outbox",
    metadata,
    Column("partner", String(3), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("op", String(8), nullable=False),
    Column("record_id", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("signature", String(100), nullable=False),
    Column("created_at", TS, nullable=False),
)

# Feed builder state per partner: cursor on ``changes.seq``, head of the chain, and the
# last position the partner reported as applied.
exchange_feeds = Table(
    "exchange_feeds",
    metadata,
    Column("partner", String(3), primary_key=True),
    Column("change_seq", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("head", String(64), nullable=False),
    Column("acked", BigInteger, nullable=False),
    Column("updated_at", TS, nullable=False),
)

# What each partner currently holds of ours (hash of the released view): decides
# upsert / nothing / retract when a record changes.
exchange_released = Table(
    "exchange_released",
    metadata,
    Column("partner", String(3), primary_key=True),
    Column("record_id", String(200), primary_key=True),
    Column("hash", String(64), nullable=False),
)

# The received ledger: every entry applied from a partner (hash and signature, never
# content); retractions stay here as tombstones.
exchange_inbox = Table(
    "exchange_inbox",
    metadata,
    Column("partner", String(3), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("op", String(8), nullable=False),
    Column("record_id", String(200), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("signature", String(100), nullable=False),
    Column("received_at", TS, nullable=False),
    Index("ix_exchange_inbox_record", "record_id"),
)

# Pull cursor per partner, written in the same transaction as the entries it covers.
exchange_cursors = Table(
    "exchange_cursors",
    metadata,
    Column("partner", String(3), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("head", String(64), nullable=False),
    Column("updated_at", TS, nullable=False),
)

# Replay cache for signed requests: a nonce is accepted once inside the clock window.
exchange_nonces = Table(
    "exchange_nonces",
    metadata,
    Column("partner", String(3), primary_key=True),
    Column("nonce", String(64), primary_key=True),
    Column("ts", BigInteger, nullable=False),
    Index("ix_exchange_nonces_ts", "ts"),
)

# --- resolution (puente.resolve): derived features and keys, models, scored pairs,
# clusters (all rebuilt by a full run) and analysts' decisions (append-only) ---

# One row per resolvable record: its features as JSON, from the record version given.
resolve_features = Table(
    "resolve_features",
    metadata,
    Column("record_id", String(200), primary_key=True),
    Column("grp", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("features", Text, nullable=False),
    Index("ix_resolve_features_grp", "grp"),
)

# Blocking keys: records sharing a key are compared.
resolve_keys = Table(
    "resolve_keys",
    metadata,
    Column("grp", String(32), nullable=False),
    Column("key", String(300), nullable=False),
    Column("record_id", String(200), nullable=False),
    Index("ix_resolve_keys_key", "grp", "key"),
    Index("ix_resolve_keys_record", "record_id"),
)

# The trained model per group (Splink's JSON + term frequencies) and the change-feed
# cursor up to which the group is resolved.
resolve_models = Table(
    "resolve_models",
    metadata,
    Column("grp", String(32), primary_key=True),
    Column("model", Text, nullable=False),
    Column("records", Integer, nullable=False),
    Column("cursor", BigInteger, nullable=False),
    Column("trained_at", TS, nullable=False),
)

# Scored pairs (left_id < right_id) with the weight of each field.
resolve_pairs = Table(
    "resolve_pairs",
    metadata,
    Column("left_id", String(200), primary_key=True),
    Column("right_id", String(200), primary_key=True),
    Column("grp", String(32), nullable=False),
    Column("weight", Float, nullable=False),
    Column("probability", Float, nullable=False),
    Column("fields", Text, nullable=False),
    Column("scored_at", TS, nullable=False),
    Index("ix_resolve_pairs_right", "right_id"),
    Index("ix_resolve_pairs_band", "grp", "probability"),
)

resolve_clusters = Table(
    "resolve_clusters",
    metadata,
    Column("record_id", String(200), primary_key=True),
    Column("cluster_id", String(64), nullable=False),
    Column("grp", String(32), nullable=False),
    Index("ix_resolve_clusters_cluster", "cluster_id"),
)

# Analysts' judgements on pairs: append-only; an undo is a new row naming the one undone.
resolve_decisions = Table(
    "resolve_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("left_id", String(200), nullable=False),
    Column("right_id", String(200), nullable=False),
    Column("judgement", String(16), nullable=False),
    Column("undoes", Integer, nullable=True),
    Column("actor", String(100), nullable=False),
    Column("note", Text, nullable=False),
    Column("at", TS, nullable=False),
    Index("ix_resolve_decisions_pair", "left_id", "right_id"),
)

# --- firearm tracing (puente.trace): the acquisition index (derived from the records,
# refreshed from the change feed), trace requests and their items on both sides ---

# One row per (firearm, acquisition) the node holds: what matching compares against.
trace_guns = Table(
    "trace_guns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("firearm_id", String(200), nullable=False),
    Column("acquisition_id", String(200), nullable=False),
    Column("make_key", String(64), nullable=False),
    Column("serial_key", String(64), nullable=False),  # cleaned and look-alike folded
    Column("serial", String(100), nullable=False),
    Column("caliber_key", String(32), nullable=False),
    Column("type_key", String(16), nullable=False),
    Column("model", String(200), nullable=False),
    Column("country", String(3), nullable=False),
    Column("purchase_date", String(10), nullable=False),
    Column("purchaser_id", String(200), nullable=False),
    Column("dealer_id", String(200), nullable=False),
    Column("dealer_license", String(64), nullable=False),
    Column("state", String(32), nullable=False),
    Index("ix_trace_guns_serial", "make_key", "serial_key"),
    Index("ix_trace_guns_acquisition", "acquisition_id"),
    Index("ix_trace_guns_firearm", "firearm_id"),
    Index("ix_trace_guns_purchaser", "purchaser_id", "purchase_date"),
)

# Deletion-neighbourhood keys of each indexed serial, hashed with the make.
trace_keys = Table(
    "trace_keys",
    metadata,
    Column("h", BigInteger, nullable=False),
    Column("gun", Integer, nullable=False),
    Index("ix_trace_keys_h", "h"),
    Index("ix_trace_keys_gun", "gun"),
)

# The change-feed position up to which ``trace_guns`` is current.
trace_index_state = Table(
    "trace_index_state",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("cursor", BigInteger, nullable=False),
    Column("updated_at", TS, nullable=False),
)

# A trace request (one seizure, one or more guns): ``out`` on the requesting node,
# ``in`` on the node asked; the id is the requester's and the same on both.
trace_requests = Table(
    "trace_requests",
    metadata,
    Column("direction", String(3), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("partner", String(3), nullable=False),
    Column("seizure", String(200), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
)

trace_items = Table(
    "trace_items",
    metadata,
    Column("direction", String(3), primary_key=True),
    Column("request_id", String(64), primary_key=True),
    Column("item", Integer, primary_key=True, autoincrement=False),
    Column("status", String(16), nullable=False),
    Column("firearm", Text, nullable=False),  # JSON: what the requester described
    Column("recovery", Text, nullable=False),  # JSON: date, state, municipality, agency…
    Column("result", Text, nullable=False),  # JSON: out = as released, in = full
    Column("purchaser_id", String(200), nullable=False),  # in: the matched purchaser
    Column("dealer_id", String(200), nullable=False),  # in: the matched dealer
    Column("step2", String(16), nullable=False),  # "", requested, approved, refused
    Column("step2_note", Text, nullable=False),
    Column("updated_at", TS, nullable=False),
    Index("ix_trace_items_status", "direction", "status"),
    Index("ix_trace_items_purchaser", "purchaser_id"),
)

# --- coordination (puente.coordinate): the framework itself lives in ``records`` (shared
# through the exchange); this is the node's own log of computed-indicator evaluations ---

# One row per evaluation of a computed indicator for a period (append-only): what the
# scheduler reads to know what is due, and the trail behind every computed observation.
coordinate_evaluations = Table(
    "coordinate_evaluations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator_id", String(200), nullable=False),
    Column("period", String(16), nullable=False),
    Column("outcome", String(16), nullable=False),  # ok | unavailable
    Column("value", Float, nullable=True),
    Column("detail", Text, nullable=False),
    Column("observation_id", String(200), nullable=False),
    Column("evaluated_at", TS, nullable=False),
    Column("actor", String(100), nullable=False),
    Index("ix_coordinate_evaluations_indicator", "indicator_id", "evaluated_at"),
)

# --- hit/no-hit (puente.hitnohit): pair settings, the per-partner index of own records'
# encodings (derived from the change feed), the query logs of both directions, the
# opaque hit references and the follow-up requests ---

# One row per partner: how the pair secret is agreed, its epoch, the daily quota of
# query items the partner may ask, and the highest classification level it may hit.
hitnohit_pairs = Table(
    "hitnohit_pairs",
    metadata,
    Column("partner", String(3), primary_key=True),
    Column("mode", String(8), nullable=False),
    Column("x25519", Text, nullable=True),
    Column("epoch", Integer, nullable=False),
    Column("quota", Integer, nullable=False),
    Column("max_level", Integer, nullable=False),
    Column("contact", Text, nullable=False, default=""),
    Column("updated_at", TS, nullable=False),
)

# Keyed digests of own records' exact identifiers (and birth-date block tokens), under
# the keys of one partner pair; rebuilt for the pair on rotation.
hitnohit_tokens = Table(
    "hitnohit_tokens",
    metadata,
    Column("partner", String(3), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("record_id", String(200), nullable=False),
    Index("ix_hitnohit_tokens_digest", "partner", "digest"),
    Index("ix_hitnohit_tokens_record", "partner", "record_id"),
)

# The hardened person encoding (CLK, hex) of each own Person record, per partner pair,
# with its birth-date tokens (hitnohit.persons).
hitnohit_clks = Table(
    "hitnohit_clks",
    metadata,
    Column("partner", String(3), primary_key=True),
    Column("record_id", String(200), primary_key=True),
    Column("clk", Text, nullable=False),
    Column("dob_year", String(64), nullable=False, server_default=""),  # keyed tokens
    Column("dob_date", String(64), nullable=False, server_default=""),
    Column("passport", String(64), nullable=False, server_default=""),
    Column("phone", String(64), nullable=False, server_default=""),
    Column("seq", BigInteger, nullable=False),
    Index("ix_hitnohit_clks_seq", "partner", "seq"),
)

# Index state per partner: epoch and encoding scheme encoded under, and the change-feed
# cursor it reflects.
hitnohit_index = Table(
    "hitnohit_index",
    metadata,
    Column("partner", String(3), primary_key=True),
    Column("epoch", Integer, nullable=False),
    Column("change_seq", BigInteger, nullable=False),
    Column("scheme", String(16), nullable=False, server_default=""),
    Column("updated_at", TS, nullable=False),
)

# Query log, both directions ("in": a partner asked us; "out": we asked): counts and a
# digest of the exact request both sides can compare — never the encodings themselves.
hitnohit_queries = Table(
    "hitnohit_queries",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("direction", String(3), primary_key=True),
    Column("partner", String(3), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("items", Integer, nullable=False),
    Column("hits", Integer, nullable=False),
    Column("kinds", Text, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("day", String(10), nullable=False),
    Column("at", TS, nullable=False),
    Index("ix_hitnohit_queries_day", "partner", "direction", "day"),
)

# Opaque hit references: on the owner's side with the record hit, on the requester's
# side with the query item that produced it (record_id empty).
hitnohit_hits = Table(
    "hitnohit_hits",
    metadata,
    Column("ref", String(40), primary_key=True),
    Column("direction", String(3), primary_key=True),
    Column("partner", String(3), nullable=False),
    Column("query_id", String(40), nullable=False),
    Column("item", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("record_id", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
)

# Follow-up requests for a hit's record, kept by both sides under the same id.
hitnohit_requests = Table(
    "hitnohit_requests",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("direction", String(3), primary_key=True),
    Column("partner", String(3), nullable=False),
    Column("hit_ref", String(40), nullable=False),
    Column("case_number", String(100), nullable=False),
    Column("justification", Text, nullable=False),
    Column("urgency", String(8), nullable=False),
    Column("status", String(10), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("due_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("decided_by", String(100), nullable=False, default=""),
    Column("decided_at", TS, nullable=True),
    Column("reason", Text, nullable=False, default=""),
    Column("redactions", Text, nullable=False, default="[]"),
    Column("handling", String(4), nullable=False, default=""),
    Column("release_id", String(200), nullable=False, default=""),
    Index("ix_hitnohit_requests_status", "direction", "status", "due_at"),
)

# --- network analysis (puente.network): edges and shared attributes derived from the
# records (refreshed from the change feed), its cursor, and the community ids kept
# stable across reruns ---

# One row per edge a record makes (``seq`` numbers the edges of one record); ends are
# the referenced record ids in this node's namespace. ``level`` is the record's
# classification level, so clearance filters in SQL.
network_edges = Table(
    "network_edges",
    metadata,
    Column("record_id", String(200), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("source", String(200), nullable=False),
    Column("target", String(200), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("directed", Boolean, nullable=False),
    Column("weight", Float, nullable=False),
    Column("date", String(32), nullable=True),
    Column("level", Integer, nullable=False),
    Index("ix_network_edges_source", "source"),
    Index("ix_network_edges_target", "target"),
    Index("ix_network_edges_level", "level"),
)

# Normalised attribute values (phone, address…) that records give an entity: two
# entities holding the same value are linked by a shared-attribute edge.
network_attrs = Table(
    "network_attrs",
    metadata,
    Column("record_id", String(200), nullable=False),
    Column("entity_ref", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("value", String(300), nullable=False),
    Column("level", Integer, nullable=False),
    Index("ix_network_attrs_value", "kind", "value"),
    Index("ix_network_attrs_record", "record_id"),
)

# The change-feed position up to which ``network_edges`` and ``network_attrs`` are current.
network_state = Table(
    "network_state",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("cursor", BigInteger, nullable=False),
    Column("updated_at", TS, nullable=False),
)

# The latest community of each entity per scope (clearance level and filters), so the
# next run can give each community the id of the previous one it overlaps most.
network_communities = Table(
    "network_communities",
    metadata,
    Column("scope", String(64), primary_key=True),
    Column("entity_id", String(200), primary_key=True),
    Column("community", String(32), nullable=False),
    Column("updated_at", TS, nullable=False),
    Index("ix_network_communities_community", "scope", "community"),
)
