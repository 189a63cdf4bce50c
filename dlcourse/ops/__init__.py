"""Differentiable operations: each a `Function` with a NumPy forward and backward (see function.py)."""
