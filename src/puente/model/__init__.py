"""The data model: markings, schemata, records, normalisation. Imports nothing else of ours
(except ``puente.errors``), and never the web framework or the database."""
