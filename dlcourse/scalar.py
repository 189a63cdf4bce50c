"""`Value`: automatic differentiation on single numbers — the whole idea of backprop in one page.

Every `Value` remembers the values it was computed from (`children`) and, for each of them, the
*local* derivative d(self)/d(child), computed right away in the forward pass. `backward()` then
visits the graph from the output back to the inputs and applies the chain rule:

    child.grad += local_derivative * node.grad

(`+=`, because a value used twice receives a gradient along both paths.) The same engine, for
whole arrays at once, is `dlcourse.Tensor`.
"""

from __future__ import annotations

import math


class Value:
    """A scalar that records how it was computed, so gradients can flow back through it."""

    __slots__ = ("data", "grad", "children", "local_grads", "op", "label")

    def __init__(self, data, children=(), local_grads=(), op="", label=""):
        self.data = float(data)
        self.grad = 0.0
        self.children = children  # the Values this one was computed from
        self.local_grads = local_grads  # d(self)/d(child) for each child, in the same order
        self.op = op  # which operation made it ("+", "*", "tanh", …), for drawing the graph
        self.label = label

    # micrograd's names for the graph (its draw_dot/trace helpers read them); ours are spelled out
    @property
    def _prev(self) -> set:
        """The Values this one was computed from, as a set (micrograd's name for `children`)."""
        return set(self.children)

    @property
    def _op(self) -> str:
        """The operation that made this Value (micrograd's name for `op`)."""
        return self.op

    def __repr__(self):
        name = f"{self.label}=" if self.label else ""
        return f"Value({name}{self.data:.4g}, grad={self.grad:.4g})"

    # ------------------------------------------------------------------ operations
    def __add__(self, other):
        """a + b;  d/da = 1, d/db = 1."""
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other):
        """a · b;  d/da = b, d/db = a."""
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __pow__(self, exponent):
        """aᵖ for a constant p;  d/da = p · aᵖ⁻¹."""
        if not isinstance(exponent, (int, float)):
            raise TypeError("Value ** p needs a constant number p (int or float)")
        return Value(self.data**exponent, (self,), (exponent * self.data ** (exponent - 1),), f"**{exponent}")

    def exp(self):
        """eᵃ;  d/da = eᵃ."""
        out = math.exp(self.data)
        return Value(out, (self,), (out,), "exp")

    def log(self):
        """ln a;  d/da = 1/a."""
        if self.data <= 0:
            raise ValueError(f"log of a non-positive number ({self.data})")
        return Value(math.log(self.data), (self,), (1.0 / self.data,), "log")

    def tanh(self):
        """tanh a;  d/da = 1 - tanh² a."""
        t = math.tanh(self.data)
        return Value(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self):
        """σ(a) = 1/(1 + e⁻ᵃ);  d/da = σ(a)(1 - σ(a))."""
        s = 0.5 * (1.0 + math.tanh(0.5 * self.data))  # same function, no overflow for large |a|
        return Value(s, (self,), (s * (1.0 - s),), "sigmoid")

    def relu(self):
        """max(0, a);  d/da = 1 if a > 0 else 0."""
        positive = self.data > 0
        return Value(self.data if positive else 0.0, (self,), (1.0 if positive else 0.0,), "relu")

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __truediv__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return self * other**-1

    def __radd__(self, other):
        return self + other

    def __rsub__(self, other):
        return Value(other) - self

    def __rmul__(self, other):
        return self * other

    def __rtruediv__(self, other):
        return Value(other) / self

    # ------------------------------------------------------------------ backward pass
    def topological_order(self) -> list[Value]:
        """Every Value this one depends on, each listed after all the Values it was computed from."""
        order, visited = [], set()
        stack = [(self, False)]
        while stack:  # an explicit stack: deep graphs would overflow Python's recursion limit
            node, children_done = stack.pop()
            if children_done:
                order.append(node)
            elif id(node) not in visited:
                visited.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node.children if id(child) not in visited)
        return order

    def backward(self) -> None:
        """Fill `.grad` of every Value in the graph with d(self)/d(that value) (added to what is there)."""
        self.grad = 1.0
        for node in reversed(self.topological_order()):
            for child, local in zip(node.children, node.local_grads):
                child.grad += local * node.grad  # the chain rule, summed over every path


def zero_grad(values) -> None:
    """Set `.grad = 0` on every Value given (e.g. all the weights before the next backward)."""
    for v in values:
        v.grad = 0.0
