"""Interactive widgets (ipywidgets): the convolution explorer, and later the kernel playground.

The arithmetic behind each widget lives in a model module without any widget
code (:mod:`.explorer_model`), so every number a widget shows is unit-tested.
"""
from .explorer import ConvolutionExplorer, explore_convolution
from .explorer_model import ExplorerSettings, ExplorerState

__all__ = ["ConvolutionExplorer", "ExplorerSettings", "ExplorerState", "explore_convolution"]
