"""Loss surfaces f(x, y) for the landscape explorer: textbook shapes and slices of real models.

Each surface gives
- `value(x, y)`: the formula, written with operators that work on NumPy arrays *and* on dlcourse
  Tensors, so the same line draws the contour plot and (through autograd) gives the optimizers'
  gradients. x and y have the same shape; the result has that shape too.
- `grid(xs, ys)`: the loss on a grid, shape (len(ys), len(xs)) (rows are y, as in `imshow`).
- `gradient(x, y)`: the analytic gradient in NumPy (tests compare it with autograd).
- `extent`, `start`, `minima`, `lr`, `adaptive_lr`, `steps`: what the explorer needs to look right.

    bowl = get_surface("bowl", condition=25)
    Z = bowl.grid(np.linspace(-5, 5, 201), np.linspace(-3, 3, 201))
"""

from __future__ import annotations

import numpy as np

import dlcourse as dl
from dlcourse.kernels.landscape import linear_mse_grid, mlp_bce_grid


class Surface:
    """A function of two parameters to minimise, with what it takes to draw it."""

    name = "surface"
    title = "f(x, y)"
    extent = (-2.0, 2.0, -2.0, 2.0)  # x_min, x_max, y_min, y_max
    start = (-1.5, 1.5)
    minima: tuple = ()
    labels = ("x", "y")
    lr = 0.01  # default step size for SGD-type methods (in units of the gradient)
    adaptive_lr = 0.05  # default for Adagrad/RMSprop/Adam (in units of the parameters)
    steps = 100
    log_levels = False  # contour levels spaced logarithmically (for steep valleys)

    def value(self, x, y):
        raise NotImplementedError

    def gradient(self, x, y):
        raise NotImplementedError(f"{self.name} has no analytic gradient; use autograd")

    def grid(self, xs, ys) -> np.ndarray:
        """f on the grid xs × ys as an array of shape (len(ys), len(xs))."""
        X, Y = np.meshgrid(np.asarray(xs, np.float64), np.asarray(ys, np.float64))  # (len(ys), len(xs))
        return np.asarray(self.value(X, Y), dtype=np.float64)

    def axes_grid(self, resolution: int = 201):
        """The default grid over `extent`: (xs, ys)."""
        x0, x1, y0, y1 = self.extent
        return np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)

    def __repr__(self):
        return f"<surface {self.name}: {self.title}>"


class Bowl(Surface):
    """f = ½(x² + κ·y²): a quadratic bowl whose curvatures differ by the condition number κ."""

    name, labels, extent, start, minima = "bowl", ("x", "y"), (-5.0, 5.0, -3.0, 3.0), (-4.5, 2.0), ((0.0, 0.0),)
    lr, adaptive_lr, steps = 0.05, 0.2, 100

    def __init__(self, condition: float = 10.0):
        if not condition >= 1:
            raise ValueError(
                f"the condition number is the ratio of the largest to the smallest curvature: got {condition}, need ≥ 1"
            )
        self.condition = float(condition)

    @property
    def title(self):
        return f"bowl ½(x² + κy²), κ = {self.condition:g}"

    def value(self, x, y):
        return 0.5 * (x * x + self.condition * (y * y))

    def gradient(self, x, y):
        return np.stack([np.asarray(x, float), self.condition * np.asarray(y, float)], axis=-1)


class Rosenbrock(Surface):
    """f = (1 - x)² + 100·(y - x²)²: a curved, narrow valley with its minimum at (1, 1)."""

    name, title, labels = "rosenbrock", "Rosenbrock (1-x)² + 100(y-x²)²", ("x", "y")
    extent, start, minima = (-2.0, 2.0, -1.0, 3.0), (-1.5, 2.5), ((1.0, 1.0),)
    lr, adaptive_lr, steps, log_levels = 0.001, 0.1, 300, True

    def value(self, x, y):
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2

    def gradient(self, x, y):
        x, y = np.asarray(x, float), np.asarray(y, float)
        return np.stack([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)], axis=-1)


class Saddle(Surface):
    """f = x² - y² + y⁴/4: a saddle point at the origin between two valleys at y = ±√2."""

    name, title, labels = "saddle", "saddle x² − y² + y⁴/4", ("x", "y")
    extent, start, minima = (-2.0, 2.0, -2.5, 2.5), (-1.8, 0.01), ((0.0, 2**0.5), (0.0, -(2**0.5)))
    lr, adaptive_lr, steps = 0.05, 0.05, 120

    def value(self, x, y):
        y2 = y * y
        return x * x - y2 + 0.25 * (y2 * y2)

    def gradient(self, x, y):
        x, y = np.asarray(x, float), np.asarray(y, float)
        return np.stack([2 * x, -2 * y + y**3], axis=-1)


class Himmelblau(Surface):
    """f = (x² + y - 11)² + (x + y² - 7)²: four minima of equal height; where you end depends on the start."""

    name, title, labels = "himmelblau", "Himmelblau (x²+y−11)² + (x+y²−7)²", ("x", "y")
    extent, start = (-5.0, 5.0, -5.0, 5.0), (-0.5, -0.5)
    minima = ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126))
    lr, adaptive_lr, steps, log_levels = 0.01, 0.1, 150, True

    def value(self, x, y):
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    def gradient(self, x, y):
        x, y = np.asarray(x, float), np.asarray(y, float)
        a, b = x * x + y - 11, x + y * y - 7
        return np.stack([4 * x * a + 2 * b, 2 * a + 4 * y * b], axis=-1)


class LinearRegressionSlice(Surface):
    """f(w, b) = mean_n (w·x_n + b - y_n)²: the real loss of a line fit, over its two parameters."""

    name, labels = "linear", ("w (slope)", "b (intercept)")
    lr, adaptive_lr, steps = 0.1, 0.2, 100

    def __init__(self, x=None, y=None, seed: int = 0, n: int = 1000):
        if x is None:  # a noisy line y = 2x + 1 with x spread out enough that w and b are coupled
            rng = np.random.default_rng(seed)
            x = rng.normal(1.0, 1.0, size=n)
            y = 2.0 * x + 1.0 + 0.5 * rng.standard_normal(n)
        self.x = np.ascontiguousarray(x, dtype=np.float64).ravel()
        self.y = np.ascontiguousarray(y, dtype=np.float64).ravel()
        if self.x.shape != self.y.shape:
            raise ValueError(f"x and y need the same number of points, got {self.x.shape} and {self.y.shape}")
        A = np.stack([self.x, np.ones_like(self.x)], axis=1)  # (N, 2): least squares gives the minimum
        best = np.linalg.lstsq(A, self.y, rcond=None)[0]
        self.minima = (tuple(best),)
        self.extent = (best[0] - 4, best[0] + 4, best[1] - 4, best[1] + 4)
        self.start = (best[0] - 3.5, best[1] + 3.0)
        self.title = f"MSE of a line fit on {self.x.size} points"

    def value(self, w, b):
        # (K,) parameters against (N,) points: a (K, N) table of residuals, averaged over the points
        residual = w.reshape(*w.shape, 1) * self.x + b.reshape(*b.shape, 1) - self.y  # (..., N)
        return (residual * residual).mean(axis=-1)

    def gradient(self, w, b):
        residual = np.asarray(w, float)[..., None] * self.x + np.asarray(b, float)[..., None] - self.y
        return np.stack([2 * (residual * self.x).mean(axis=-1), 2 * residual.mean(axis=-1)], axis=-1)

    def grid(self, xs, ys):
        """The Numba kernel: never builds the (len(ys), len(xs), N) table of residuals."""
        return linear_mse_grid(np.asarray(xs, np.float64), np.asarray(ys, np.float64), self.x, self.y)


class MLPSlice(Surface):
    """f(α, β) = loss of a trained tiny MLP at θ* + α·d₁ + β·d₂ (Li et al. 2018's filter-normalised slice).

    The MLP is 2 → `hidden` (tanh) → 1 logit, trained with Adam and binary cross-entropy on two moons.
    d₁, d₂ are random directions in weight space, rescaled neuron by neuron ("filter-wise") to the
    norm of that neuron's trained weights, biases left out: so a step of 1 along d means "as far as
    the weights themselves", whatever their scale. (0, 0) is the trained network.
    """

    name, labels = "mlp", ("α (direction 1)", "β (direction 2)")
    extent, start, minima = (-1.0, 1.0, -1.0, 1.0), (-0.8, 0.75), ((0.0, 0.0),)
    lr, adaptive_lr, steps = 0.2, 0.05, 100
    resolution = 61  # the kernel runs the whole network at every grid point: keep the grid modest

    def __init__(self, X=None, y=None, hidden: int = 8, seed: int = 0, train_steps: int = 300):
        from dlcourse import data

        if X is None:
            X, y = data.moons(n=100, noise=0.15, seed=seed)
        self.X = np.ascontiguousarray(X, dtype=np.float64)  # (N, 2)
        self.y = np.ascontiguousarray(y, dtype=np.float64).ravel()  # (N,)
        if self.X.ndim != 2 or self.X.shape[0] != self.y.shape[0]:
            raise ValueError(f"X must be (N, D) and y (N,), got {self.X.shape} and {self.y.shape}")
        self.hidden = int(hidden)
        n_in = self.X.shape[1]
        rng = np.random.default_rng(seed)
        self.theta = self._train(rng, n_in, train_steps)  # (P,) packed W1, b1, w2, b2
        self.direction_a = self._filter_normalized(rng.standard_normal(self.theta.size), n_in)
        self.direction_b = self._filter_normalized(rng.standard_normal(self.theta.size), n_in)
        self.title = f"tiny MLP (2→{self.hidden}→1) on moons: loss around the trained weights"

    def _train(self, rng, n_in, steps):
        """Train θ with Adam (full batch) through `batch_loss`: the same function the explorer differentiates."""
        from dlcourse import optim

        H = self.hidden
        scale = np.concatenate([np.full(H * n_in, 1 / np.sqrt(n_in)), np.zeros(H), np.full(H, 1 / np.sqrt(H)), [0.0]])
        theta = dl.tensor(rng.standard_normal(scale.size) * scale, requires_grad=True)  # (P,)
        adam = optim.Adam([theta], lr=0.05)
        for _ in range(steps):
            adam.zero_grad()
            self.batch_loss(theta.reshape(1, -1)).sum().backward()
            adam.step()
        return theta.data.copy()

    def _filter_normalized(self, d, n_in):
        """Rescale each neuron's slice of d to the norm of the same neuron's weights; zero the biases."""
        H, theta = self.hidden, self.theta
        d = d.copy()
        W1_d, W1 = d[: H * n_in].reshape(H, n_in), theta[: H * n_in].reshape(H, n_in)  # (H, D) views
        W1_d *= np.linalg.norm(W1, axis=1, keepdims=True) / np.linalg.norm(W1_d, axis=1, keepdims=True)
        d[H * n_in : H * n_in + H] = 0  # b1
        w2 = slice(H * n_in + H, H * n_in + 2 * H)  # the output neuron's weights: one filter
        d[w2] *= np.linalg.norm(theta[w2]) / np.linalg.norm(d[w2])
        d[-1] = 0  # b2
        return d

    def batch_loss(self, theta):
        """Mean BCE-with-logits of the MLP for each row of theta (K, P) → (K,), as dlcourse Tensors."""
        H, (N, D) = self.hidden, self.X.shape
        K = theta.shape[0]
        W1 = theta[:, : H * D].reshape(K, 1, H, D)
        b1 = theta[:, H * D : H * D + H].reshape(K, 1, H)
        w2 = theta[:, H * D + H : H * D + 2 * H].reshape(K, 1, H)
        b2 = theta[:, H * D + 2 * H :]  # (K, 1)
        hidden = dl.tanh((W1 * self.X.reshape(1, N, 1, D)).sum(axis=-1) + b1)  # (K, N, H)
        z = (hidden * w2).sum(axis=-1) + b2  # (K, N) logits
        bce = dl.maximum(z, 0.0) - z * self.y + dl.log(1 + dl.exp(-abs(z)))  # stable BCE with logits
        return bce.mean(axis=-1)  # (K,)

    def value(self, a, b):
        shape = np.shape(a.data if isinstance(a, dl.Tensor) else a)
        a, b = (t if isinstance(t, dl.Tensor) else dl.tensor(np.asarray(t, np.float64)) for t in (a, b))
        theta = self.theta + a.reshape(-1, 1) * self.direction_a + b.reshape(-1, 1) * self.direction_b  # (K, P)
        loss = self.batch_loss(theta).reshape(shape)
        return loss if isinstance(a, dl.Tensor) and a.requires_grad else loss.data

    def grid(self, xs, ys):
        """The Numba kernel: the network at every grid point without a (grid, grid, N, H) array."""
        xs, ys = np.asarray(xs, np.float64), np.asarray(ys, np.float64)
        return mlp_bce_grid(self.theta, self.direction_a, self.direction_b, xs, ys, self.X, self.y, self.hidden)

    def axes_grid(self, resolution: int | None = None):
        return super().axes_grid(resolution or self.resolution)


SURFACES = {cls.name: cls for cls in (Bowl, Rosenbrock, Saddle, Himmelblau, LinearRegressionSlice, MLPSlice)}


def get_surface(name, **options) -> Surface:
    """A surface by name: "bowl" (condition=…), "rosenbrock", "saddle", "himmelblau", "linear", "mlp"."""
    if isinstance(name, Surface):
        return name
    if name not in SURFACES:
        raise ValueError(f"unknown surface {name!r}: choose one of {list(SURFACES)}")
    return SURFACES[name](**options)


def model_slice(kind: str = "linear", **options) -> Surface:
    """A real model's loss on a 2-D slice: "linear" (w, b of a line fit) or "mlp" (two random directions)."""
    if kind not in ("linear", "mlp"):
        raise ValueError(f"model_slice kind must be 'linear' or 'mlp', got {kind!r}")
    return get_surface(kind, **options)
