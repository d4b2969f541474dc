"""FollowTheMoney's model, extended with the domain schemata FtM lacks.

Our schemata (``schemata/*.yaml``: Firearm, Acquisition, Recovery, BorderCrossing,
Interdiction) are declared in FtM's own YAML format and loaded into the same ``Model``,
so they extend FtM's ``Thing``/``Interval``, reference ``Person`` or ``Vessel``, and get
edges, reverse properties and type cleaning exactly as FtM's own schemata do.

FtM 4 proxies resolve schemata through the ``Model.instance()`` singleton; ``get_model``
installs the extended model there the first time it is called (never at import time).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from followthemoney.model import Model
from followthemoney.settings import MODEL_PATH

DOMAIN_SCHEMATA = (
    "Firearm",
    "Acquisition",
    "Recovery",
    "BorderCrossing",
    "Interdiction",
    # coordination framework (puente.coordinate)
    "Commitment",
    "Milestone",
    "Evidence",
    "Indicator",
    "Observation",
    "Meeting",
    "Decision",
)


@cache
def get_model() -> Model:
    model = Model(MODEL_PATH)
    folder = resources.files("puente.model").joinpath("schemata")
    for name in DOMAIN_SCHEMATA:
        with resources.as_file(folder.joinpath(f"{name}.yaml")) as path:
            model._load(str(path))
    model.generate()
    Model._instance = model
    return model
