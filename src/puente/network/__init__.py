"""Network analysis on resolved entities: graph build with clearance filtering,
communities with stable ids, key players (centrality, KPP-Neg/Pos), paths,
neighbourhoods, what-if, change over time, exports. Interfaces use ``service``."""
