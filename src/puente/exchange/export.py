"""Interoperability: what a partner may receive, as FtM JSON lines or a STIX 2.1 bundle.

The records exported are exactly those the outbound feed would release to the partner
(``entry.may_release``) in their released view (withheld properties left out), so an
export never carries more than the feed.

STIX mapping: Person → ``identity`` (individual); Organization, Company, LegalEntity,
PublicBody → ``identity`` (organization); every other schema → the custom object
``x-puente-record`` holding the FtM schema and properties. Every object carries a TLP
2.0 marking (the OASIS marking-definition ids) and a statement marking with the full
Puente banner, handling code and evaluation. TLP is coarser than our markings, so the
mapping is the strictest TLP that still allows the release: public → CLEAR,
restricted → AMBER, confidential → AMBER+STRICT, secret → RED.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import stix2
from sqlalchemy import Connection, select

from puente.exchange.entry import may_release, released_view
from puente.i18n import t
from puente.model.markings import Markings
from puente.store.tables import records

# OASIS cti-stix-common-objects, extension-definition-specifications/tlp-2.0
TLP2 = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP_FOR = {
    "public": "clear",
    "restricted": "amber",
    "confidential": "amber+strict",
    "secret": "red",
}
INDIVIDUAL = {"Person"}
ORGANIZATION = {"Organization", "Company", "LegalEntity", "PublicBody"}
# Deterministic STIX ids: the same record exported twice gets the same id.
NAMESPACE = uuid.UUID("6f1c8f52-8f0e-5b8e-9d0c-70756e746531")


class _PuenteRecord:
    """An FtM record with no STIX domain object of its own (vessels, firearms, …)."""


PuenteRecord: Any = stix2.v21.CustomObject(
    "x-puente-record",
    [
        ("name", stix2.properties.StringProperty(required=True)),
        ("x_puente_schema", stix2.properties.StringProperty(required=True)),
        ("x_puente_properties", stix2.properties.DictionaryProperty()),
    ],
)(_PuenteRecord)


def released(conn: Connection, country: str, partner: str) -> Iterator[dict[str, Any]]:
    """The released view of every record this node may pass to ``partner``."""
    rows = conn.execute(
        select(
            records.c.id,
            records.c.schema,
            records.c.properties,
            records.c.markings,
            records.c.origin,
        )
        .order_by(records.c.id)
        .execution_options(yield_per=2000)
    )
    for rid, schema, props, marks_text, origin in rows:
        marks = json.loads(marks_text)
        markings = Markings.parse(marks, originator=marks["originator"])
        if may_release(markings, origin, country, partner):
            yield released_view(rid, schema, json.loads(props), markings)


def ftm_line(view: dict[str, Any]) -> str:
    """One FtM entity (``id``, ``schema``, ``properties``) plus its ``markings``."""
    return json.dumps(view, ensure_ascii=False, sort_keys=True)


def stix_bundle(views: list[dict[str, Any]], country: str, lang: str = "en") -> stix2.Bundle:
    author = stix2.Identity(
        id=f"identity--{uuid.uuid5(NAMESPACE, 'node:' + country)}",
        name=f"Puente node {country}",
        identity_class="organization",
    )
    statements: dict[str, stix2.MarkingDefinition] = {}
    objects: list[Any] = [author]
    for view in views:
        markings = Markings.parse(view["markings"], originator=view["markings"]["originator"])
        text = t(
            "exchange.stix_statement",
            lang,
            banner=markings.banner(lang),
            handling=markings.handling,
            evaluation=markings.evaluation,
            originator=markings.originator,
        )
        if text not in statements:
            statements[text] = stix2.MarkingDefinition(
                id=f"marking-definition--{uuid.uuid5(NAMESPACE, text)}",
                definition_type="statement",
                definition={"statement": text},
                created_by_ref=author.id,
            )
        common: dict[str, Any] = {
            "created_by_ref": author.id,
            "object_marking_refs": [TLP2[TLP_FOR[markings.classification]], statements[text].id],
            "allow_custom": True,
        }
        uid = uuid.uuid5(NAMESPACE, f"{country}:{view['id']}")
        props = view["properties"]
        name = _name(props) or view["id"]
        if view["schema"] in INDIVIDUAL | ORGANIZATION:
            objects.append(
                stix2.Identity(
                    id=f"identity--{uid}",
                    name=name,
                    identity_class="individual" if view["schema"] in INDIVIDUAL else "organization",
                    x_puente_schema=view["schema"],
                    x_puente_properties=props,
                    **common,
                )
            )
        else:
            objects.append(
                PuenteRecord(
                    id=f"x-puente-record--{uid}",
                    name=name,
                    x_puente_schema=view["schema"],
                    x_puente_properties=props,
                    **common,
                )
            )
    return stix2.Bundle(objects=[*statements.values(), *objects], allow_custom=True)


def _name(props: dict[str, list[str]]) -> str:
    for key in ("name", "serialNumber", "imoNumber", "registrationNumber"):
        if props.get(key):
            return props[key][0]
    return ""
