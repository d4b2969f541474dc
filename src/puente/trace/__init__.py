"""Firearm tracing between nodes (after ATF eTrace): a requesting node sends trace
requests for recovered guns over the signed exchange channel; the answering node matches
them against its acquisition records (serial normalisation and near-matches, first retail
purchase, multiple sales, time to crime) and releases what its markings and releasing
officer allow; both compute indicators and hand trafficking chains to network analysis.

Modules: ``serials`` and ``describe`` (normalisation), ``index`` (acquisition index),
``match`` (candidates and ranking), ``purchase`` (first purchase and flags), ``release``
(what leaves), ``status`` (status machine), ``wire`` (signed bodies), ``requests``
(requesting side), ``inbound`` (answering side), ``indicators``, ``chains``.
"""
