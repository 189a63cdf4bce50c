"""Live widgets for the course: matplotlib figures on live canvases (canvas.py) inside ipywidgets layouts.

    from dlcourse.viz import landscape_explorer, TrainingMonitor
    landscape_explorer("rosenbrock")          # last line of a cell: shows the app

Every app is built on `dlcourse.viz.app.App` (read its docstring to write a new one) and the look
of `dlcourse.viz.style`. Importing this package is cheap: ipywidgets, the optimizers and the
kernels load when an app is first used.
"""

from __future__ import annotations

import importlib

# public name → module that defines it (loaded on first access)
_EXPORTS = {
    "App": "dlcourse.viz.app",
    "COLORS": "dlcourse.viz.style",
    "PALETTE": "dlcourse.viz.style",
    "OPTIMIZER_COLORS": "dlcourse.viz.style",
    "CLASS_COLORS": "dlcourse.viz.style",
    "PROBABILITY_CMAP": "dlcourse.viz.style",
    "apply_style": "dlcourse.viz.style",
    "new_figure": "dlcourse.viz.style",
    "is_widget_backend": "dlcourse.viz.style",
    "apps_are_live": "dlcourse.viz.style",
    "LandscapeExplorer": "dlcourse.viz.landscape",
    "landscape_explorer": "dlcourse.viz.landscape",
    "get_surface": "dlcourse.viz.surfaces",
    "model_slice": "dlcourse.viz.surfaces",
    "run_trajectories": "dlcourse.viz.trajectories",
    "TrainingMonitor": "dlcourse.viz.monitor",
    "Playground": "dlcourse.viz.playground_app",
    "playground": "dlcourse.viz.playground_app",
    "NetworkDiagram": "dlcourse.viz.network_diagram",
    # the chapters' apps
    "NeuronPlayground": "dlcourse.viz.neuron",
    "neuron_playground": "dlcourse.viz.neuron",
    "PerceptronPlayground": "dlcourse.viz.neuron",
    "perceptron_playground": "dlcourse.viz.neuron",
    "ActivationExplorer": "dlcourse.viz.activations",
    "activation_explorer": "dlcourse.viz.activations",
    "GradientDepthExplorer": "dlcourse.viz.activations",
    "gradient_depth_explorer": "dlcourse.viz.activations",
    "loss_explorer": "dlcourse.viz.losses",
    "outlier_fit": "dlcourse.viz.losses",
    "GraphExplorer": "dlcourse.viz.graph",
    "graph_explorer": "dlcourse.viz.graph",
    "regression_fit": "dlcourse.viz.fitting",
    "kmeans_explorer": "dlcourse.viz.fitting",
    "dendrogram_explorer": "dlcourse.viz.fitting",
    "capacity_explorer": "dlcourse.viz.capacity",
    "width_explorer": "dlcourse.viz.universal",
    "bump_builder": "dlcourse.viz.universal",
    "ConvolutionExplorer": "dlcourse.viz.conv",
    "convolution_explorer": "dlcourse.viz.conv",
    "FeatureMapViewer": "dlcourse.viz.conv",
    "feature_map_viewer": "dlcourse.viz.conv",
    "GateInspector": "dlcourse.viz.recurrent",
    "gate_inspector": "dlcourse.viz.recurrent",
    "GradientFlowExplorer": "dlcourse.viz.recurrent",
    "gradient_flow_explorer": "dlcourse.viz.recurrent",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'dlcourse.viz' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
