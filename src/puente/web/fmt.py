"""How the web UI writes values for a person: dates, times and numbers in the user's
locale (Spanish as written in Mexico, English as in the US), and a record's markings in
full words.

Invariant: every date, number and marking a page shows goes through this module, so
switching the language switches all of them; values that do not parse are shown as
they are, never dropped.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from puente.i18n import t
from puente.model.markings import Markings, vocabulary

LOCALES = {"es": "es_MX", "en": "en_US"}


def locale(lang: str) -> str:
    return LOCALES.get(lang, "es_MX")


def number(value: float | int, lang: str) -> str:
    return str(format_decimal(value, locale=locale(lang)))


def day(value: str | None, lang: str) -> str:
    """An ISO date (``2024-10-12``, or the date part of a timestamp) as the user writes it."""
    if not value:
        return ""
    try:
        parsed = date.fromisoformat(value[:10])
    except ValueError:
        return value
    return str(format_date(parsed, "medium", locale=locale(lang)))


def moment(value: str | None, lang: str) -> str:
    """A stored UTC timestamp (``…Z``) in the user's locale, marked as UTC."""
    if not value:
        return ""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    text = format_datetime(parsed, "medium", tzinfo=UTC, locale=locale(lang))
    return f"{text} UTC"


def classification(markings: Markings, lang: str) -> str:
    return vocabulary().labels[markings.classification][lang]


def evaluation(markings: Markings, lang: str) -> str:
    """``B2 — Source usually reliable; known personally to the source``."""
    vocab = vocabulary()
    source = vocab.source_reliability[markings.source_reliability][lang]
    info = vocab.info_credibility[markings.info_credibility][lang]
    return f"{markings.evaluation} — {source}; {info[:1].lower()}{info[1:]}"


def handling(markings: Markings, lang: str) -> str:
    text = f"{markings.handling} — {vocabulary().handling[markings.handling][lang]}"
    return f"{text}: {markings.handling_note}" if markings.handling_note else text


def releasability(markings: Markings, lang: str) -> str:
    if not markings.rel_to:
        return t("web.rel_none", lang, originator=markings.originator)
    return ", ".join(markings.rel_to)


def marking_rows(markings: Markings, lang: str) -> list[tuple[str, str]]:
    """Every field of a marking, labelled: what a record page shows beside its data."""
    rows = [
        (t("web.mark_classification", lang), classification(markings, lang)),
        (t("web.mark_rel_to", lang), releasability(markings, lang)),
        (t("web.mark_handling", lang), handling(markings, lang)),
        (t("web.mark_evaluation", lang), evaluation(markings, lang)),
        (t("web.mark_originator", lang), markings.originator),
        (
            t("web.mark_orcon", lang),
            t("web.yes" if markings.originator_control else "web.no", lang),
        ),
    ]
    if markings.withheld:
        rows.append((t("web.mark_withheld", lang), ", ".join(markings.withheld)))
    return rows


LEVEL_COLOURS = {0: "bg-green-8", 1: "bg-purple-8", 2: "bg-blue-9", 3: "bg-red-9"}


def level_colour(level: int) -> str:
    """Banner colours after common practice: public green, restricted purple,
    confidential blue, secret red."""
    return LEVEL_COLOURS.get(level, "bg-grey-9")
