"""A multi-layer perceptron built from scalar `Value`s: every weight is one number in the graph.

Slow on purpose — it is the clearest picture of what `dlcourse.nn` does with whole arrays at once.
"""

from __future__ import annotations

import numpy as np

from dlcourse.scalar import Value


class Neuron:
    """out = act(Σᵢ wᵢ·xᵢ + b), with act = relu, tanh or none (linear)."""

    def __init__(self, n_inputs: int, activation: str = "relu", rng=None):
        rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        self.w = [Value(w, label=f"w{i}") for i, w in enumerate(rng.uniform(-1, 1, n_inputs))]
        self.b = Value(0.0, label="b")
        if activation not in ("relu", "tanh", "linear"):
            raise ValueError(f"activation must be 'relu', 'tanh' or 'linear', got {activation!r}")
        self.activation = activation

    def __call__(self, x):
        total = self.b
        for wi, xi in zip(self.w, x):
            total = total + wi * xi
        if self.activation == "relu":
            return total.relu()
        if self.activation == "tanh":
            return total.tanh()
        return total

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]


class Layer:
    """`n_outputs` neurons that all see the same inputs."""

    def __init__(self, n_inputs: int, n_outputs: int, activation: str = "relu", rng=None):
        rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        self.neurons = [Neuron(n_inputs, activation, rng) for _ in range(n_outputs)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    """Layers of neurons: MLP(2, [16, 16, 1]) is 2 inputs → 16 → 16 → 1 output (the last layer linear)."""

    def __init__(self, n_inputs: int, layer_sizes: list[int], activation: str = "relu", seed=0):
        rng = np.random.default_rng(seed)
        sizes = [n_inputs, *layer_sizes]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < len(layer_sizes) - 1 else "linear", rng)
            for i in range(len(layer_sizes))
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
            x = x if isinstance(x, list) else [x]
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0
