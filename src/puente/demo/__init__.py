"""The two-node demo (``puente demo``): a Mexican and a US node with realistic example
data — firearms bought in Arizona and Texas and seized in Sinaloa, Sonora and
Tamaulipas, the payments and calls around them, border crossings at Nogales and on
Mexico's southern border, maritime interdictions in the Pacific and the southern
Caribbean. The data files live in ``data/<node>/`` and ship with the package."""

from puente.demo.build import SPECS, Demo, DemoNode, DemoUser, build_demo, data_dir

__all__ = ["SPECS", "Demo", "DemoNode", "DemoUser", "build_demo", "data_dir"]
