"""Module-level tensor functions with PyTorch's names: `dl.zeros`, `dl.exp`, `dl.cat`, `dl.matmul`, …

One file per kind: creation.py (factories, random tensors), pointwise.py (elementwise maths),
reductions.py (sum, mean, max, argmax, norm), joining.py (cat, stack), linear_algebra.py (matmul,
mm, dot), serialization.py (save, load), dtypes.py (dl.float32, dl.long, …). Each function is a thin
layer over a Tensor method or an op in `dlcourse/ops/`, where the gradient is defined.
"""
