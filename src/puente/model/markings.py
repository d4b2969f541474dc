"""Markings: classification, releasability, handling, evaluation, originator control.

The vocabulary is declared in ``markings.yaml``; this module is the typed core that
validates a marking and answers the two questions everything else asks of it:
*may this user see it?* (``level``) and *may it go to that partner?* (``releasable_to``).

Invariant: a ``Markings`` value is always valid — every constructor path goes through
``Markings.parse``, which refuses unknown codes, unknown partners and missing fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from puente.errors import InvalidInput
from puente.model.countries import country_code


@dataclass(frozen=True)
class Vocabulary:
    levels: dict[str, int]
    labels: dict[str, dict[str, str]]
    national: dict[str, dict[str, str]]
    handling: dict[str, dict[str, str]]
    source_reliability: dict[str, dict[str, str]]
    info_credibility: dict[str, dict[str, str]]
    default: dict[str, Any]


@cache
def vocabulary() -> Vocabulary:
    text = resources.files("puente.model").joinpath("markings.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    classes = data["classifications"]
    return Vocabulary(
        levels={c["code"]: int(c["level"]) for c in classes},
        labels={c["code"]: c["label"] for c in classes},
        national={c["code"]: c["national"] for c in classes},
        handling=data["handling"],
        source_reliability=data["source_reliability"],
        info_credibility={str(k): v for k, v in data["info_credibility"].items()},
        default=data["default"],
    )


FIELDS = (
    "classification",
    "rel_to",
    "handling",
    "handling_note",
    "source_reliability",
    "info_credibility",
    "originator",
    "originator_control",
)


@dataclass(frozen=True)
class Markings:
    classification: str
    rel_to: tuple[str, ...]
    handling: str
    source_reliability: str
    info_credibility: str
    originator: str
    originator_control: bool = True
    handling_note: str = ""
    withheld: tuple[str, ...] = field(default=())

    @property
    def level(self) -> int:
        return vocabulary().levels[self.classification]

    @property
    def evaluation(self) -> str:
        return f"{self.source_reliability}{self.info_credibility}"

    def releasable_to(self, partner: str) -> bool:
        """True when the owner marked this record releasable to ``partner``."""
        return partner in self.rel_to

    def with_changes(self, **changes: Any) -> Markings:
        return Markings.parse({**self.to_dict(), **changes}, originator=self.originator)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "classification": self.classification,
            "rel_to": list(self.rel_to),
            "handling": self.handling,
            "source_reliability": self.source_reliability,
            "info_credibility": self.info_credibility,
            "originator": self.originator,
            "originator_control": self.originator_control,
        }
        if self.handling_note:
            data["handling_note"] = self.handling_note
        if self.withheld:
            data["withheld"] = list(self.withheld)
        return data

    def banner(self, lang: str = "en") -> str:
        """The classification line shown on screens and reports:
        ``CONFIDENTIAL // REL TO MEX, USA`` or ``CONFIDENCIAL // REL A: MEX, USA``."""
        return banner_for([self], lang)

    @classmethod
    def parse(
        cls,
        data: Mapping[str, Any],
        *,
        originator: str,
        partners: Iterable[str] | None = None,
    ) -> Markings:
        """Validate a marking from a file, a command line or an API body.

        ``partners`` are the node's known partners; a release to anyone else is refused.
        ``originator`` fills the field when the data does not name one (own records).
        """
        vocab = vocabulary()
        unknown = set(data) - set(FIELDS) - {"withheld"}
        if unknown:
            raise InvalidInput("error.marking_unknown_field", field=sorted(unknown)[0])
        missing = [
            f
            for f in ("classification", "handling", "source_reliability", "info_credibility")
            if data.get(f) in (None, "")
        ]
        if missing:
            raise InvalidInput("error.marking_missing", field=missing[0])
        classification = str(data["classification"]).strip().lower()
        if classification not in vocab.levels:
            raise InvalidInput(
                "error.marking_bad_value", field="classification", value=data["classification"]
            )
        handling = str(data["handling"]).strip().upper()
        if handling not in vocab.handling:
            raise InvalidInput("error.marking_bad_value", field="handling", value=data["handling"])
        reliability = str(data["source_reliability"]).strip().upper()
        if reliability not in vocab.source_reliability:
            raise InvalidInput(
                "error.marking_bad_value",
                field="source_reliability",
                value=data["source_reliability"],
            )
        credibility = str(data["info_credibility"]).strip()
        if credibility not in vocab.info_credibility:
            raise InvalidInput(
                "error.marking_bad_value",
                field="info_credibility",
                value=data["info_credibility"],
            )
        note = str(data.get("handling_note") or "")
        if handling == "H3" and not note:
            raise InvalidInput("error.marking_missing", field="handling_note")
        rel_raw = data.get("rel_to") or []
        if isinstance(rel_raw, str):
            rel_raw = [p for p in rel_raw.replace(";", ",").split(",") if p.strip()]
        known = None if partners is None else set(partners)
        rel: list[str] = []
        for item in rel_raw:
            code = country_code(str(item))
            if known is not None and code not in known:
                raise InvalidInput("error.marking_unknown_partner", partner=code)
            if code not in rel:
                rel.append(code)
        control = data.get("originator_control", True)
        if isinstance(control, str):
            control = control.strip().lower() in ("1", "true", "yes", "si", "sí", "orcon")
        withheld = tuple(str(w) for w in data.get("withheld") or ())
        return cls(
            classification=classification,
            rel_to=tuple(sorted(rel)),
            handling=handling,
            handling_note=note,
            source_reliability=reliability,
            info_credibility=credibility,
            originator=country_code(str(data.get("originator") or originator)),
            originator_control=bool(control),
            withheld=withheld,
        )

    @classmethod
    def default(cls, originator: str) -> Markings:
        """The safe default: restricted, releasable to nobody, originator control on."""
        return cls.parse(vocabulary().default, originator=originator)


def banner_for(markings: Iterable[Markings], lang: str = "en") -> str:
    """The highest classification among ``markings`` and the partners *all* of them
    may go to: what a screen or report showing them together may carry."""
    items = list(markings)
    vocab = vocabulary()
    if not items:
        return vocab.labels["public"][lang]
    top = max(items, key=lambda m: m.level)
    common = set(items[0].rel_to)
    for m in items[1:]:
        common &= set(m.rel_to)
    label = vocab.labels[top.classification][lang]
    if common:
        rel = ", ".join(sorted(common | {items[0].originator}))
        return f"{label} // {'REL A' if lang == 'es' else 'REL TO'}: {rel}"
    if top.level > 0:
        return f"{label} // {'SOLO' if lang == 'es' else 'ONLY'} {top.originator}"
    return label
