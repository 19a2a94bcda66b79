"""Interactive widgets (ipywidgets): the convolution explorer and the kernel playground.

The arithmetic behind each widget lives in a model module without any widget
code (:mod:`.explorer_model`), so every number a widget shows is unit-tested.
"""
from .explorer import ConvolutionExplorer, explore_convolution
from .explorer_model import ExplorerSettings, ExplorerState
from .playground import KernelPlayground, PlaygroundSettings, kernel_playground

__all__ = ["ConvolutionExplorer", "ExplorerSettings", "ExplorerState", "KernelPlayground", "PlaygroundSettings",
           "explore_convolution", "kernel_playground"]
