"""Chapter 07 (regression, classification, clustering): the gradient of softmax cross-entropy for a batch,
top-k accuracy, the distance between two clusters under three linkages, and choosing k from the elbow of each
student's own mystery data."""

import numpy as np

from dlcourse.data.synthetic import _hidden_blob_centres
from dlcourse.exercises.spec import Case, Mistake, function_exercise, numbers, value_exercise


# ------------------------------------------------------------------------------------------ Exercise 1
def _softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)  # (N, K): same softmax, no overflow
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def _one_hot(labels, k):
    out = np.zeros((len(labels), k))
    out[np.arange(len(labels)), labels] = 1.0
    return out


def _logits_case(rng):
    n, k = int(rng.integers(1, 7)), int(rng.integers(2, 7))
    return Case(rng.normal(size=(n, k)) * float(rng.choice([1.0, 4.0, 300.0])), rng.integers(0, k, size=n))


@function_exercise(
    "07.softmax_ce_grad",
    cases=[
        Case(np.zeros((1, 4)), np.array([2])),  # no preference: p = ¼ everywhere, −¾ at the label
        Case(np.array([[2.0, 1.0, 0.1], [0.0, 3.0, -1.0]]), np.array([0, 2])),  # a batch of 2: divide by 2
        Case(np.array([[1000.0, 0.0, -1000.0]]), np.array([1])),  # huge logits: exp overflows unless you shift
        Case(np.array([[5.0, 5.0], [-3.0, 4.0], [0.5, 0.5], [9.0, -9.0]]), np.array([1, 1, 0, 0])),
    ],
    random_case=_logits_case,
    rtol=1e-6,
    check_dtype=False,
    section="§4 'Multi-class classification' (predicted minus true)",
    hints=(
        "For one example the gradient with respect to its logits is 'predicted probabilities minus the true "
        "one-hot vector'. The loss is the MEAN over the batch: what does averaging do to each row's gradient?",
        "One example's gradient is its predicted probabilities minus its one-hot label. Averaging the loss over the "
        "batch divides every row's gradient by the same number.",
    ),
    mistakes=[
        Mistake(
            lambda z, y: _softmax(z) - _one_hot(y, z.shape[1]),
            "The loss is the mean over the N examples: each row's gradient is divided by N.",
        ),  # fmt: skip
        Mistake(
            lambda z, y: (_one_hot(y, z.shape[1]) - _softmax(z)) / len(y),
            "That points downhill; the gradient points uphill: predicted minus true.",
        ),  # fmt: skip
        Mistake(lambda z, y: _softmax(z) / len(y), "The true class contributes too: subtract the one-hot labels."),
    ],
)
def softmax_ce_grad(logits, labels):
    """∂/∂Z of mean_n −log softmax(Z)[n, yₙ] = (softmax(Z) − onehot(y)) / N, shape (N, K)."""
    logits = np.asarray(logits, dtype=np.float64)
    return (_softmax(logits) - _one_hot(labels, logits.shape[1])) / len(labels)


# ------------------------------------------------------------------------------------------ Exercise 2
def _top_k_case(rng):
    n, c = int(rng.integers(1, 20)), int(rng.integers(2, 8))
    return Case(rng.normal(size=(n, c)), rng.integers(0, c, size=n), int(rng.integers(1, c + 1)))


def _k_smallest(logits, labels, k):
    smallest = np.argsort(logits, axis=1)[:, :k]
    return float(np.mean(np.any(smallest == labels[:, None], axis=1)))


def _top_k_count(logits, labels, k):
    largest = np.argsort(logits, axis=1)[:, ::-1][:, :k]
    return int(np.sum(np.any(largest == labels[:, None], axis=1)))


def _top_k_plus_one(logits, labels, k):
    largest = np.argsort(logits, axis=1)[:, ::-1][:, : k + 1]
    return float(np.mean(np.any(largest == labels[:, None], axis=1)))


@function_exercise(
    "07.top_k_accuracy",
    cases=[
        Case(np.array([[0.1, 0.5, 0.2, 0.9], [0.3, 0.2, 0.4, 0.1]]), np.array([1, 1]), 2),  # 1 of 2
        Case(np.array([[2.0, 1.0, 0.0], [0.0, 1.0, 2.0], [1.0, 3.0, 2.0]]), np.array([0, 0, 2]), 1),  # plain accuracy
        Case(np.array([[2.0, 1.0, 0.0], [0.0, 1.0, 2.0], [1.0, 3.0, 2.0]]), np.array([0, 0, 2]), 3),  # k = K: 1.0
        Case(np.array([[-5.0, -1.0, -3.0, -2.0, -4.0]]), np.array([3]), 2),  # negative scores
    ],
    random_case=_top_k_case,
    check_dtype=False,
    section="§4 'Multi-class classification' (accuracy, and the confusion matrix)",
    hints=(
        "A row counts as right when its label is among its k highest scores, wherever in those k. The result is "
        "a fraction of the rows.",
        "For each row take the indices of its k largest scores (a sort of the row, descending, first k), check "
        "whether the label is one of them, then average over the rows.",
    ),
    mistakes=[
        Mistake(_k_smallest, "Those are the k LOWEST scores; the model's best guesses have the highest ones."),
        Mistake(_top_k_count, "Accuracy is the fraction of right rows, between 0 and 1."),
        Mistake(_top_k_plus_one, "Look at exactly k guesses per row, no more."),
    ],
)
def top_k_accuracy(logits, labels, k):
    """Fraction of rows whose label is among the k largest entries of the row."""
    largest = np.argsort(logits, axis=1)[:, ::-1][:, :k]  # (N, k): the k best guesses per row
    return float(np.mean(np.any(largest == np.asarray(labels)[:, None], axis=1)))


# ------------------------------------------------------------------------------------------ Exercise 3
def _distances(A, B):
    return np.sqrt(((np.asarray(A)[:, None, :] - np.asarray(B)[None, :, :]) ** 2).sum(axis=2))  # (|A|, |B|)


_LINKAGES = ("single", "complete", "average")


def _linkage_case(rng):
    d = int(rng.integers(1, 4))
    A = rng.normal(size=(int(rng.integers(1, 6)), d)) * 2
    B = rng.normal(size=(int(rng.integers(1, 6)), d)) * 2 + rng.normal(size=d) * 3
    return Case(A, B, _LINKAGES[int(rng.integers(3))])


def _squared(A, B, linkage):
    sq = _distances(A, B) ** 2
    return float({"single": sq.min(), "complete": sq.max(), "average": sq.mean()}[linkage])


def _swapped(A, B, linkage):
    dist = _distances(A, B)
    return float({"single": dist.max(), "complete": dist.min(), "average": dist.mean()}[linkage])


def _centroids_for_average(A, B, linkage):
    dist = _distances(A, B)
    if linkage == "average":
        return float(np.linalg.norm(np.mean(A, axis=0) - np.mean(B, axis=0)))
    return float(dist.min() if linkage == "single" else dist.max())


@function_exercise(
    "07.linkage_distance",
    cases=[
        Case(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]]), "single"),  # one point each: 5 for every linkage
        Case(np.array([[0.0, 0.0], [1.0, 0.0]]), np.array([[4.0, 0.0], [6.0, 0.0]]), "single"),  # 3
        Case(np.array([[0.0, 0.0], [1.0, 0.0]]), np.array([[4.0, 0.0], [6.0, 0.0]]), "complete"),  # 6
        Case(np.array([[0.0, 0.0], [1.0, 0.0]]), np.array([[4.0, 0.0], [6.0, 0.0]]), "average"),  # (4+6+3+5)/4
        Case(np.array([[0.0, 1.0], [0.0, -1.0]]), np.array([[3.0, 0.0]]), "average"),  # not the centroids' 3
        Case(np.array([[1.0], [2.0], [10.0]]), np.array([[4.0], [5.0]]), "complete"),  # 1-D points
    ],
    random_case=_linkage_case,
    check_dtype=False,
    section="§5 'Hierarchical (agglomerative) clustering' (the linkage table)",
    hints=(
        "First every distance between a point of A and a point of B — a table with one row per point of A. Then "
        "the linkage says which single number to make of that table.",
        "Euclidean distances ‖a − b‖ (not squared); single = their minimum, complete = their maximum, "
        "average = their mean over all |A|·|B| pairs.",
    ),
    mistakes=[
        Mistake(_squared, "Use the distances themselves, not their squares."),
        Mistake(_swapped, "Single linkage takes the CLOSEST pair, complete linkage the farthest."),
        Mistake(
            _centroids_for_average,
            "Average linkage averages the distances of all pairs; the distance between "
            "the two means is something else (centroid linkage).",
        ),  # fmt: skip
    ],
)
def linkage_distance(A, B, linkage):
    """Distance between clusters A (m, d) and B (n, d): min / max / mean of the m·n pairwise distances."""
    dist = _distances(A, B)
    return float({"single": dist.min(), "complete": dist.max(), "average": dist.mean()}[linkage])


# ------------------------------------------------------------------------------------------ Exercise 4
numbers(lambda rng: {"mystery_seed": int(rng.integers(1, 1_000_000))}, chapter="07")


def hidden_blob_count(n):
    """How many blobs the learner's mystery data really has."""
    return len(_hidden_blob_centres(n.mystery_seed))


value_exercise(
    "07.elbow_k",
    answer=hidden_blob_count,
    section="§5 'How many clusters? The elbow'",
    hints=(
        "Before the elbow every extra centre splits a real group and the inertia drops a lot; after it, an extra "
        "centre only cuts a group in two.",
        "Look for the last k whose step down in inertia is still large compared with the steps after it.",
    ),
    mistakes=[
        Mistake(
            lambda n: hidden_blob_count(n) + 1,
            "One more centre than the elbow only cuts a blob in two: look at how little the inertia drops there.",
        ),  # fmt: skip
        Mistake(
            lambda n: hidden_blob_count(n) - 1,
            "At that k the inertia still drops a lot on the next step: a real group is still sharing a centre.",
        ),  # fmt: skip
    ],
)
