"""Matrix multiplication `x @ y` for 1-D, 2-D and batched (broadcast) operands, NumPy's rules."""

from __future__ import annotations

import numpy as np

from dlcourse.function import Function, ShapeError


class MatMul(Function):
    """Z = X @ Y;  dL/dX = dL/dZ @ Yᵀ,  dL/dY = Xᵀ @ dL/dZ."""

    @classmethod
    def explain_error(cls, error, *arrays, **options):
        """None: keep forward's own messages (the generic broadcast one would replace the batch-shape one)."""
        return None

    @staticmethod
    def forward(ctx, x, y):
        if x.ndim == 0 or y.ndim == 0:
            raise ShapeError(f"matmul: cannot multiply a scalar; shapes {x.shape} and {y.shape} (use * instead)")
        if x.shape[-1] != y.shape[-2 if y.ndim > 1 else 0]:
            inner_y = y.shape[-2 if y.ndim > 1 else 0]
            raise ShapeError(
                f"matmul: cannot multiply {x.shape} by {y.shape}: inner sizes {x.shape[-1]} and {inner_y} differ"
            )
        ctx.save_for_backward(x, y)
        try:
            if x.ndim == 2 and y.ndim == 2:
                return np.dot(x, y)  # same result; much faster than np.matmul when the inner size is 1
            return np.matmul(x, y)
        except ValueError:
            raise ShapeError(
                f"matmul: cannot multiply {x.shape} by {y.shape}: the batch dimensions {x.shape[:-2]} and "
                f"{y.shape[:-2]} don't broadcast"
            ) from None

    @staticmethod
    def backward(ctx, grad_out):
        x, y = ctx.saved
        needs_x, needs_y = ctx.needs_input_grad
        if x.ndim == 2 and y.ndim == 2:  # the common case (a layer's X @ W), without the general machinery
            return (np.dot(grad_out, y.T) if needs_x else None), (np.dot(x.T, grad_out) if needs_y else None)
        # treat vectors as matrices: x (k,) is a row (1, k), y (k,) is a column (k, 1)
        x2 = x[None, :] if x.ndim == 1 else x
        y2 = y[:, None] if y.ndim == 1 else y
        g = grad_out
        if x.ndim == 1:
            # put back the row axis the vector x dropped (a vector·vector product is 0-d: make it (1,))
            g = np.expand_dims(g, -2) if g.ndim else g.reshape(1)
        if y.ndim == 1:
            g = g[..., None]  # put back the column axis the vector y dropped
        # batch axes that broadcasting added are summed away by the engine (sum_to)
        grad_x = grad_y = None
        if needs_x:
            grad_x = g @ np.swapaxes(y2, -1, -2)
            grad_x = grad_x[..., 0, :] if x.ndim == 1 else grad_x
        if needs_y:
            grad_y = np.swapaxes(x2, -1, -2) @ g
            grad_y = grad_y[..., 0] if y.ndim == 1 else grad_y
        return grad_x, grad_y
