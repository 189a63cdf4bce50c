"""The playground's network and its training run: dlcourse layers, autograd and SGD, nothing hidden.

    run = PlaygroundRun(PlaygroundConfig(dataset="xor", hidden=(4, 2), activation="tanh"))
    run.train(epochs=50)
    run.train_loss, run.test_loss                 # the data loss (no penalty) on all points
    run.layer_outputs(points)                     # every neuron's output at the given points

One optimizer step is exactly the loop that "show the code" prints (playground_code.py):

    batch = order[start : start + batch_size]                  # a reshuffle at each epoch start
    loss = loss_fn(model(F_train[batch]), y_train[batch]) + rate · Σ|w| (L1) or rate · Σw² (L2)
    optimizer.zero_grad(); loss.backward(); optimizer.step()

so the printed program, run on its own, reproduces the app's losses bit for bit.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

import dlcourse as dl
from dlcourse import nn, optim
from dlcourse.data.playground import DATASETS, FEATURES, is_classification, playground_data, playground_features

# activation name → (the nn class name, printed in the code; the class)
ACTIVATIONS = {"tanh": "Tanh", "relu": "ReLU", "sigmoid": "Sigmoid", "linear": "Identity"}
REGULARIZATIONS = (None, "l1", "l2")
MAX_LAYERS, MAX_NEURONS = 6, 8


@dataclasses.dataclass(frozen=True)
class PlaygroundConfig:
    """Everything that decides a training run: the data, the inputs, the network and the optimizer."""

    dataset: str = "circle"
    n: int = 200
    noise: float = 0.0
    train_fraction: float = 0.5
    features: tuple = ("x1", "x2")
    hidden: tuple = (4, 2)
    activation: str = "tanh"
    lr: float = 0.03
    regularization: str | None = None
    reg_rate: float = 0.0
    batch_size: int = 10
    seed: int = 0

    def __post_init__(self):
        set_ = _field_setter(self)
        set_("features", tuple(self.features))
        set_("hidden", tuple(int(h) for h in np.atleast_1d(self.hidden)) if self.hidden is not None else ())
        set_("regularization", None if self.regularization in (None, "none", "") else str(self.regularization).lower())
        if self.dataset not in DATASETS:
            raise ValueError(f"unknown data set {self.dataset!r}; choose one of {', '.join(DATASETS)}")
        if not self.features or any(f not in FEATURES for f in self.features):
            raise ValueError(f"features must be a non-empty selection of {', '.join(FEATURES)}, got {self.features}")
        if len(self.hidden) > MAX_LAYERS or any(not 1 <= h <= MAX_NEURONS for h in self.hidden):
            raise ValueError(f"hidden must list up to {MAX_LAYERS} layer sizes, each 1 … {MAX_NEURONS}, "
                             f"got {self.hidden}")  # fmt: skip
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}; choose one of {', '.join(ACTIVATIONS)}")
        if not (np.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"the learning rate must be a positive number, got {self.lr!r}")
        if self.regularization not in REGULARIZATIONS:
            raise ValueError(f"regularization must be None, 'l1' or 'l2', got {self.regularization!r}")
        if not (np.isfinite(self.reg_rate) and self.reg_rate >= 0):
            raise ValueError(f"the regularization rate must be >= 0, got {self.reg_rate!r}")
        n_train = min(max(1, round(self.train_fraction * self.n)), self.n - 1) if 0 < self.train_fraction < 1 else 0
        if not isinstance(self.batch_size, int | np.integer) or not 1 <= self.batch_size <= max(1, n_train):
            raise ValueError(f"batch_size must be an integer from 1 to the {n_train} training points, "
                             f"got {self.batch_size!r}")  # fmt: skip

    @property
    def classification(self) -> bool:
        return is_classification(self.dataset)

    @property
    def penalty_rate(self) -> float:
        """The rate that multiplies the penalty: 0 without regularization."""
        return float(self.reg_rate) if self.regularization else 0.0


def _field_setter(frozen):
    """Set a field of a frozen dataclass while it normalises its own arguments (only in __post_init__)."""
    return lambda name, value: object.__setattr__(frozen, name, value)


class PlaygroundRun:
    """A dlcourse MLP on the playground's data, trained step by step with SGD (and an L1/L2 penalty)."""

    def __init__(self, config: PlaygroundConfig):
        self.config = config
        c = config
        self.X_train, self.y_train, self.X_test, self.y_test = playground_data(
            c.dataset, n=c.n, noise=c.noise, train_fraction=c.train_fraction, seed=c.seed
        )
        self.F_train = playground_features(self.X_train, c.features)  # (n_train, F)
        self.F_test = playground_features(self.X_test, c.features)  # (n_test, F)
        sizes = [len(c.features), *c.hidden, 1]
        layers = []
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(fan_in, fan_out))
            if i < len(sizes) - 2:
                layers.append(getattr(nn, ACTIVATIONS[c.activation])())
        self.model = nn.Sequential(*layers)
        self.linears = [layer for layer in self.model if isinstance(layer, nn.Linear)]
        self.rng = np.random.default_rng(c.seed)  # the initial weights, then the order of the batches
        for layer in self.linears:  # Glorot-uniform weights, zero biases
            nn.init.xavier_uniform_(layer.weight, seed=self.rng)
            nn.init.zeros_(layer.bias)
        self.loss_fn = nn.BCEWithLogitsLoss() if c.classification else nn.MSELoss()
        self.optimizer = optim.SGD(self.model.parameters(), lr=c.lr)
        self.steps = 0  # optimizer steps done
        self.schedule = [[0, c.lr, c.regularization, c.penalty_rate]]  # [steps, lr, regularization, rate] segments
        self.epochs_recorded, self.train_losses, self.test_losses = [], [], []
        self.diverged_at = None  # the step whose loss was not finite
        self._order = None
        self._cache = {}
        self._record()

    # ------------------------------------------------------------------ sizes
    @property
    def sizes(self) -> list[int]:
        """Neurons per column: inputs, hidden layers, output."""
        return [len(self.config.features), *self.config.hidden, 1]

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(len(self.F_train) / self.config.batch_size)

    @property
    def epoch(self) -> float:
        """Epochs trained (fractional when a run stopped inside an epoch)."""
        return self.steps / self.steps_per_epoch

    # ------------------------------------------------------------------ hyperparameters during a run
    def set_hyperparameters(self, lr=None, regularization="keep", reg_rate=None) -> None:
        """Change the learning rate or the penalty from the next step on (the run goes on; a new segment)."""
        c = self.config
        changes = {}
        if lr is not None:
            changes["lr"] = float(lr)
        if regularization != "keep":
            changes["regularization"] = regularization
        if reg_rate is not None:
            changes["reg_rate"] = float(reg_rate)
        self.config = dataclasses.replace(c, **changes)  # validates
        for group in self.optimizer.param_groups:
            group["lr"] = self.config.lr
        segment = [0, self.config.lr, self.config.regularization, self.config.penalty_rate]
        if self.schedule[-1][0] == 0:
            self.schedule[-1] = segment  # nothing trained with the old values: replace them
        elif self.schedule[-1][1:] != segment[1:]:
            self.schedule.append(segment)

    # ------------------------------------------------------------------ training
    def penalty(self):
        """rate · Σ|w| (L1) or rate · Σw² (L2) over the weights (not the biases); None without one."""
        rate = self.config.penalty_rate
        if rate == 0:
            return None
        weights = [layer.weight for layer in self.linears]
        if self.config.regularization == "l1":
            return rate * sum(w.abs().sum() for w in weights)
        return rate * sum((w**2).sum() for w in weights)

    def train_steps(self, count: int) -> None:
        """`count` SGD steps on minibatches; the order of the points is reshuffled at each epoch start."""
        if self.diverged_at is not None:
            return
        batch_size, per_epoch = self.config.batch_size, self.steps_per_epoch
        for _ in range(int(count)):
            position = self.steps % per_epoch
            if position == 0:
                self._order = self.rng.permutation(len(self.F_train))
            batch = self._order[position * batch_size : (position + 1) * batch_size]
            self.optimizer.zero_grad()
            loss = self.loss_fn(self.model(dl.tensor(self.F_train[batch])), dl.tensor(self.y_train[batch]))
            penalty = self.penalty()
            if penalty is not None:
                loss = loss + penalty
            loss.backward()
            self.optimizer.step()
            self.steps += 1
            self.schedule[-1][0] += 1
            if not np.isfinite(loss.item()):
                self.diverged_at = self.steps
                self._record()
                return
            if self.steps % per_epoch == 0:
                self._record()
        self._cache.clear()

    def train(self, epochs: int | None = None, steps: int | None = None) -> PlaygroundRun:
        """Train `epochs` more epochs (passes over the training points) or `steps` more SGD steps."""
        if (epochs is None) == (steps is None):
            raise ValueError("give either epochs= or steps=")
        count = steps if steps is not None else int(epochs) * self.steps_per_epoch
        if count < 0:
            raise ValueError(f"cannot train a negative number of steps ({count})")
        self.train_steps(count)
        return self

    # ------------------------------------------------------------------ what the pictures show
    def loss_on(self, F, y) -> float:
        """The data loss (BCE with logits, or MSE) on the given points, without the penalty."""
        with dl.no_grad():
            return float(self.loss_fn(self.model(dl.tensor(F)), dl.tensor(y)).item())

    @property
    def train_loss(self) -> float:
        return self._cached("train_loss", lambda: self.loss_on(self.F_train, self.y_train))

    @property
    def test_loss(self) -> float:
        return self._cached("test_loss", lambda: self.loss_on(self.F_test, self.y_test))

    def _cached(self, key, compute):
        if self._cache.get("steps") != self.steps:
            self._cache = {"steps": self.steps}
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def _record(self):
        self._cache.clear()
        self.epochs_recorded.append(self.epoch)
        self.train_losses.append(self.train_loss)
        self.test_losses.append(self.test_loss)

    def accuracy(self, split: str = "test") -> float:
        """Fraction of points on the right side of the 0.5 boundary (classification only)."""
        if not self.config.classification:
            raise ValueError("accuracy is defined for the classification data sets only")
        F, y = (self.F_train, self.y_train) if split == "train" else (self.F_test, self.y_test)
        return float(np.mean((self.predict(F) > 0.5) == (y[:, 0] > 0.5)))

    def predict(self, F) -> np.ndarray:
        """The model's answer at features F: P(class 1) for classification, the value for regression (N,)."""
        return self.layer_outputs_from_features(F)[-1][:, 0]

    def layer_outputs(self, points) -> list[np.ndarray]:
        """Every column's outputs at the points (N, 2) of the plane: [features (N, F), hidden…, output (N, 1)].

        Hidden columns are after their activation; the output is P(class 1) (classification) or the value.
        """
        return self.layer_outputs_from_features(playground_features(points, self.config.features))

    def layer_outputs_from_features(self, F) -> list[np.ndarray]:
        outputs = [np.asarray(F, dtype=np.float32)]
        h = dl.tensor(outputs[0])
        with dl.no_grad():
            for module in self.model:
                h = module(h)
                if not isinstance(module, nn.Linear) or module is self.linears[-1]:
                    outputs.append(h.data)
        if self.config.classification:
            with np.errstate(over="ignore"):
                outputs[-1] = 1.0 / (1.0 + np.exp(-outputs[-1]))
        return outputs

    def weights(self) -> list[np.ndarray]:
        """Each layer's weight matrix (out, in), copies."""
        return [layer.weight.data.copy() for layer in self.linears]

    def biases(self) -> list[np.ndarray]:
        return [layer.bias.data.copy() for layer in self.linears]

    def gradients(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """∂(loss + penalty)/∂W and ∂/∂b on all training points, at the current weights (for inspection)."""

        def compute():
            params = list(self.model.parameters())
            saved = [p.grad for p in params]  # the last step's gradients stay what the optimizer saw
            for p in params:
                p.grad = None
            loss = self.loss_fn(self.model(dl.tensor(self.F_train)), dl.tensor(self.y_train))
            penalty = self.penalty()
            (loss if penalty is None else loss + penalty).backward()
            grads = ([layer.weight.grad.data.copy() for layer in self.linears],
                     [layer.bias.grad.data.copy() for layer in self.linears])  # fmt: skip
            for p, grad in zip(params, saved):
                p.grad = grad
            return grads

        return self._cached("gradients", compute)

    def sparsity(self, threshold: float = 1e-3) -> float:
        """Fraction of the weights (not biases) with |w| < threshold: what L1 drives up."""
        flat = np.concatenate([w.ravel() for w in self.weights()])
        return float(np.mean(np.abs(flat) < threshold))

    def state_dict(self) -> dict[str, np.ndarray]:
        """The weights as {name: array} with PyTorch's names for the same nn.Sequential ("0.weight", …)."""
        return {name: value.copy() for name, value in self.model.state_dict().items()}
