"""A CSV mapping shared by the ingest and CLI load tests: one row of a dealer's sales
file gives a buyer (Person), a gun (Firearm) and the sale (Acquisition) linking them."""

from __future__ import annotations


def acquisition_mapping(handling: str = "H0", reliability: str = "B") -> str:
    return f"""
entities:
  buyer:
    schema: Person
    keys: [buyer_id]
    properties:
      name: {{column: comprador}}
      birthDate: {{column: nacimiento, format: "%d/%m/%Y"}}
  gun:
    schema: Firearm
    keys: [serie, marca]
    properties:
      make: {{column: marca}}
      serialNumber: {{column: serie}}
  sale:
    schema: Acquisition
    keys: [folio]
    properties:
      purchaser: {{entity: buyer}}
      firearm: {{entity: gun}}
      date: {{column: fecha}}
markings:
  classification: confidential
  handling: {handling}
  source_reliability: {reliability}
  info_credibility: "2"
"""
