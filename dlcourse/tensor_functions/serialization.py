"""`dl.save(obj, path)` / `dl.load(path)`: tensors, state_dicts and nested lists/dicts of them.

The file is a pickle in which every tensor is stored as its dtype, shape and raw bytes, and
`load` only accepts those and Python's plain containers and numbers — like torch.load's
`weights_only=True`, a file cannot run code when loaded. (The format is dlcourse's own: files
written by torch.save cannot be read, and the other way round; move weights across with
`state_dict()` and NumPy arrays.)
"""

from __future__ import annotations

import collections
import io
import pickle

import numpy as np

from dlcourse.tensor import Tensor


class SavedTensor:
    """How one tensor is stored: dtype name, shape, raw bytes and whether it requires grad."""

    def __init__(self, dtype: str, shape: tuple, raw: bytes, requires_grad: bool, parameter: bool):
        self.dtype, self.shape, self.raw = dtype, shape, raw
        self.requires_grad, self.parameter = requires_grad, parameter


def _pack(obj):
    if isinstance(obj, Tensor):
        array = np.ascontiguousarray(obj.data)
        is_parameter = type(obj).__name__ == "Parameter"
        return SavedTensor(array.dtype.str, array.shape, array.tobytes(), obj.requires_grad, is_parameter)
    if isinstance(obj, np.ndarray):
        return _pack(Tensor(obj))
    if isinstance(obj, collections.OrderedDict):
        return collections.OrderedDict((k, _pack(v)) for k, v in obj.items())
    if isinstance(obj, dict):
        return {k: _pack(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_pack(v) for v in obj)
    return obj


def _unpack(obj):
    if isinstance(obj, SavedTensor):
        array = np.frombuffer(obj.raw, dtype=np.dtype(obj.dtype)).reshape(obj.shape).copy()
        if obj.parameter:
            from dlcourse.nn import Parameter

            return Parameter(array, requires_grad=obj.requires_grad)
        return Tensor(array, requires_grad=obj.requires_grad)
    if isinstance(obj, collections.OrderedDict):
        return collections.OrderedDict((k, _unpack(v)) for k, v in obj.items())
    if isinstance(obj, dict):
        return {k: _unpack(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_unpack(v) for v in obj)
    return obj


_ALLOWED = {
    ("collections", "OrderedDict"),
    (__name__, "SavedTensor"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "slice"),
    ("builtins", "complex"),
}


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(
                f"dl.load: the file refers to {module}.{name}, which is not a tensor, container or number; "
                "dlcourse only loads files written by dl.save (like torch.load(weights_only=True))"
            )
        return super().find_class(module, name)


def save(obj, f) -> None:
    """Write `obj` (a tensor, a state_dict, or lists/dicts of tensors and numbers) to a path or file."""
    data = pickle.dumps(_pack(obj), protocol=4)
    if hasattr(f, "write"):
        f.write(data)
    else:
        with open(f, "wb") as file:
            file.write(data)


def load(f, map_location=None, weights_only=True):
    """Read what `save` wrote. `map_location` may only be "cpu" (or None); `weights_only` is always on."""
    from dlcourse.device import check_device

    check_device(map_location)
    if hasattr(f, "read"):
        data = f.read()
    else:
        with open(f, "rb") as file:
            data = file.read()
    return _unpack(_SafeUnpickler(io.BytesIO(data)).load())
