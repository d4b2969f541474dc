"""Synthetic two-country worlds with ground truth (``docs/scenario.md``).

``generate(out, size, seed)`` writes what the Mexican and US nodes hold (``OUT/mx``,
``OUT/us``, FtM JSON lines with markings) and the truth beside it (``OUT/truth``); the
same seed and size give byte-identical files. ``Manifest.read(out)`` reads the manifest.
"""

from puente.scenario.generate import generate
from puente.scenario.truth import Manifest
from puente.scenario.world import Params

__all__ = ["Manifest", "Params", "generate"]
