"""Coordination: the high-level group's framework of goals, areas, objectives,
commitments and actions, its indicators (computed from what the node did, or reported),
meetings and decisions, shared between the nodes through the signed exchange, and the
bilingual progress report.

The framework lives in ``records`` as FtM-format schemata (``Commitment``, ``Milestone``,
``Evidence``, ``Indicator``, ``Observation``, ``Meeting``, ``Decision``) owned by the node
that wrote them: the partner receives read-only copies, so each side edits only what it
owns. Modules: ``framework`` (items), ``indicators`` (observations and revisions),
``definitions`` + ``evaluators`` + ``evaluate`` + ``scheduler`` (computed indicators),
``meetings``, ``csvimport``, ``report`` + ``charts`` + ``render`` (reports), ``example``
(the 2025 framework), ``tree`` (the one picture both sides see).
"""
