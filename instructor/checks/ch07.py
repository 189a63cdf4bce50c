"""Chapter 07 (regression, classification, clustering): softmax cross-entropy of one sample, accuracy,
the k-means assignment step, and choosing k from an elbow plot."""

import numpy as np

from dlcourse.exercises.spec import Case, Mistake, function_exercise, value_exercise


def _logits_case(rng):
    n_classes = int(rng.integers(2, 8))
    return Case(rng.normal(scale=3.0, size=n_classes), int(rng.integers(n_classes)))


@function_exercise(
    "07.softmax_cross_entropy",
    cases=[
        Case(np.array([2.0, 1.0, 0.1]), 0),
        Case(np.array([0.0, 0.0, 0.0, 0.0]), 3),  # no preference among 4 classes: log 4
        Case(np.array([1000.0, 0.0, -1000.0]), 1),  # huge logits: exp overflows unless you shift first
        Case(np.array([-1000.0, -1001.0]), 0),  # very negative logits: exp underflows to 0 without the shift
    ],
    random_case=_logits_case,
    check_dtype=False,
    section="§4 'Multi-class classification' (and chapter 03's stable softmax)",
    hints=(
        "The loss is minus the log of the probability given to the right class. Can you write it so that no "
        "exponential is ever taken of a large positive number?",
        "−log softmax(z)_y = log Σⱼ e^(zⱼ) − z_y, and log Σⱼ e^(zⱼ) = m + log Σⱼ e^(zⱼ − m) with m = max z.",
    ),
)
def softmax_cross_entropy(logits, label):
    """ℓ = −log softmax(z)_y = logsumexp(z) − z_y, computed stably by shifting by max(z)."""
    m = np.max(logits)
    return float(m + np.log(np.sum(np.exp(logits - m))) - logits[label])


def _accuracy_case(rng):
    n, c = int(rng.integers(1, 20)), int(rng.integers(2, 6))
    return Case(rng.normal(size=(n, c)), rng.integers(0, c, size=n))


@function_exercise(
    "07.accuracy",
    cases=[
        Case(np.array([[2.0, 1.0], [0.0, 3.0], [1.0, 0.5]]), np.array([0, 1, 1])),  # 2 of 3
        Case(np.array([[0.1, 0.2, 0.7]]), np.array([2])),
        Case(np.array([[5.0, 0.0, 0.0], [0.0, 5.0, 0.0], [0.0, 0.0, 5.0], [1.0, 2.0, 3.0]]), np.array([2, 1, 0, 0])),
    ],
    random_case=_accuracy_case,
    check_dtype=False,
    section="§4 'Multi-class classification'",
    hints=(
        "Which class does a row of scores predict? Then: accuracy is a fraction, not a count.",
        "The prediction of a row is the index of its largest score; accuracy = (number of rows where it equals "
        "the label) / (number of rows).",
    ),
    mistakes=[
        Mistake(
            lambda logits, labels: int(np.sum(np.argmax(logits, axis=1) == labels)),
            "Accuracy is the fraction of right rows, between 0 and 1.",
        )
    ],
)
def accuracy(logits, labels):
    """Fraction of rows whose argmax equals the label."""
    return float(np.mean(np.argmax(logits, axis=1) == labels))


def _assign_case(rng):
    n, k, d = int(rng.integers(1, 30)), int(rng.integers(1, 6)), int(rng.integers(1, 4))
    return Case(rng.normal(size=(n, d)) * 3, rng.normal(size=(k, d)) * 3)


@function_exercise(
    "07.kmeans_assign",
    cases=[
        Case(np.array([[0.0, 0.0], [10.0, 10.0], [9.0, 1.0]]), np.array([[1.0, 1.0], [9.0, 9.0]])),
        Case(np.array([[0.0, 0.0], [4.0, 0.0]]), np.array([[3.0, 0.0], [-1.0, 0.0], [10.0, 0.0]])),
        Case(np.array([[1.0], [2.0], [3.0]]), np.array([[0.0]])),  # one centre: everybody joins it
    ],
    random_case=_assign_case,
    check_dtype=False,
    section="§5 'k-means'",
    hints=(
        "Every point needs its distance to every centre — an (n, k) table — and then one choice per point.",
        "labelᵢ = the index j of the centre with the smallest squared distance ‖xᵢ − cⱼ‖².",
    ),
)
def assign_to_nearest(X, centers):
    """labelᵢ = argminⱼ ‖xᵢ − cⱼ‖²."""
    squared = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)  # (n, k)
    return np.argmin(squared, axis=1)


def mystery_centres(seed: int = 125) -> np.ndarray:
    """The planted centres of the chapter's elbow-plot data (the notebook builds them the same way)."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-6, 6, size=(int(rng.integers(3, 8)), 2))


ELBOW_K = len(mystery_centres())  # how many blobs the mystery data really has
value_exercise(
    "07.elbow_k",
    answer=ELBOW_K,
    section="§5 'How many clusters? The elbow'",
    hints=(
        "Before the elbow every extra centre splits a real group and the inertia drops a lot; after it, an extra "
        "centre only cuts a group in two.",
        "Look for the last k whose step down in inertia is still large compared with the steps after it.",
    ),
)
