"""An implicit-bias plugin: the kind ``two_layer_tanh``, the observable ``hidden_saturation`` and
the claim ``tanh_gd_converges_to_gf``. Importing the package registers all three."""

from . import claim, model, observable  # noqa: F401  (each registers on import)
from .model import TwoLayerTanh, TwoLayerTanhSpec

__all__ = ["TwoLayerTanh", "TwoLayerTanhSpec"]
