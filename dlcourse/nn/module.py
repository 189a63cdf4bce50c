"""`Module` and `Parameter`: the building blocks every layer and model is made of, as in PyTorch.

    class TwoLayer(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(2, 4)      # assigning a Module registers it (and its parameters)
            self.fc2 = nn.Linear(4, 1)
        def forward(self, x):
            return self.fc2(self.fc1(x).tanh())

    model = TwoLayer()
    [name for name, _ in model.named_parameters()]   # ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']

A module finds its parameters by watching attribute assignment (`__setattr__`): a `Parameter` goes
into `_parameters`, a `Module` into `_modules`, both in the order they were assigned. That order
gives the names of `named_parameters()` and `state_dict()` — the same names PyTorch uses, so
weights can be copied between the two libraries with `load_state_dict`.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple

import numpy as np

from dlcourse.tensor import Tensor

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Parameter(Tensor):
    """A tensor that is a learnable weight of a module: requires_grad=True, float32 unless given floats."""

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True, dtype=None):
        if isinstance(data, Tensor):
            data = data._data
        if dtype is None and np.asarray(data).dtype.kind != "f":
            dtype = np.float32  # numbers, lists and integer arrays become float32, the deep-learning default
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of layers and models: subclass it, assign layers/parameters in `__init__`, write `forward`."""

    def __init__(self):
        # object.__setattr__ because our own __setattr__ needs these dicts to exist already
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} has no forward() method; define forward(self, x)")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ----------------------------------------------------------------- registration
    def __setattr__(self, name, value):
        parameters = self.__dict__.get("_parameters")
        if isinstance(value, (Parameter, Module)) and parameters is None:
            raise AttributeError(
                f"cannot assign {type(value).__name__} {name!r} before Module.__init__() is called: "
                f"add super().__init__() at the start of {type(self).__name__}.__init__"
            )
        if isinstance(value, Parameter):
            self._modules.pop(name, None)
            parameters[name] = value
        elif isinstance(value, Module):
            parameters.pop(name, None)
            self._modules[name] = value
        elif parameters is not None and name in parameters:
            if value is not None:
                raise TypeError(
                    f"cannot assign a {type(value).__name__} as parameter {name!r} of {type(self).__name__} "
                    "(a Parameter or None expected); wrap it: nn.Parameter(value)"
                )
            parameters[name] = None  # e.g. bias=None: the key stays out of parameters() and state_dict()
        elif parameters is not None and name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign a {type(value).__name__} as child module {name!r} (Module expected)")
            self._modules[name] = None
        # Keep the attribute in the instance dict as well: `self.weight` is then an ordinary (fast)
        # attribute lookup, which matters for small models run thousands of times.
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param) -> None:
        """Add a parameter (or None) under `name`, like assigning `self.<name> = param`."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a Parameter or None, got {type(param).__name__}")
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def add_module(self, name: str, module) -> None:
        """Add a child module under `name`, like assigning `self.<name> = module`."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module or None, got {type(module).__name__}")
        self._modules[name] = module
        object.__setattr__(self, name, module)

    # ----------------------------------------------------------------- walking the tree
    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        """Yield (name, parameter) pairs, names like "fc1.weight" or "0.bias"; a shared parameter once."""
        seen = set()
        modules = self.named_modules(prefix, remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, param in module._parameters.items():
                if param is None or (remove_duplicate and id(param) in seen):
                    continue
                seen.add(id(param))
                yield (f"{module_prefix}.{name}" if module_prefix else name), param

    def parameters(self, recurse: bool = True):
        """Yield every learnable parameter (pass them to an optimizer: `SGD(model.parameters(), lr=0.1)`)."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_children(self):
        """Yield (name, module) for the direct sub-modules."""
        for name, module in self._modules.items():
            if module is not None:
                yield name, module

    def children(self):
        """Yield the direct sub-modules."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "", remove_duplicate: bool = True):
        """Yield (name, module) for this module ("") and every module inside it, depth first; a shared one once."""
        seen = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate and id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [
                (f"{name}.{child_name}" if name else child_name, child) for child_name, child in module.named_children()
            ]
            stack.extend(reversed(children))  # reversed: the first child is visited first

    def modules(self):
        """Yield this module and every module inside it."""
        for _, module in self.named_modules():
            yield module

    # ----------------------------------------------------------------- modes and gradients
    def train(self, mode: bool = True) -> Module:
        """Training mode (Dropout drops); returns self so that `model.train()` can be chained."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode (Dropout is the identity); same as `train(False)`."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (set to None, or to zeros with set_to_none=False)."""
        for param in self.parameters():
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad._data[...] = 0

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze (True) every parameter; returns self."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def apply(self, fn) -> Module:
        """Call fn(module) on every sub-module and then on self (e.g. a custom initialisation); returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def to(self, *args, dtype=None, device=None) -> Module:
        """`model.to("cpu")` (dlcourse is CPU-only: nothing moves) or `model.to(np.float64)`; returns self.

        A dtype converts every parameter (e.g. float64 for a gradcheck). The parameters stay the
        same objects but get new arrays: convert before making the optimizer.
        """
        from dlcourse.device import check_device

        for arg in args:
            if isinstance(arg, str) or hasattr(arg, "type") and not isinstance(arg, (type, np.dtype)):
                device = arg
            else:
                dtype = arg
        check_device(device)
        if dtype is None:
            return self
        for param in self.parameters():
            if param.dtype != np.dtype(dtype):
                param.data = param.data.astype(dtype)
                param.grad = None
        return self

    def cpu(self) -> Module:
        """The model itself: it is on the CPU already."""
        return self

    def double(self) -> Module:
        """All parameters in float64 (see `to`)."""
        return self.to(np.float64)

    def float(self) -> Module:
        """All parameters in float32 (see `to`)."""
        return self.to(np.float32)

    # ----------------------------------------------------------------- saving and loading weights
    def state_dict(self) -> OrderedDict:
        """{"fc1.weight": array, …}: a copy of every parameter as a NumPy array, PyTorch's names and shapes.

        The arrays are copies (unlike PyTorch's), so a saved state_dict is a snapshot that later training
        does not change.
        """
        return OrderedDict((name, param.data.copy()) for name, param in self.named_parameters(remove_duplicate=False))

    def load_state_dict(self, state_dict, strict: bool = True) -> IncompatibleKeys:
        """Copy values into the parameters (in place, keeping each parameter's dtype).

        Values may be NumPy arrays, dlcourse tensors or anything with `.detach()`/`.numpy()` (a torch
        state dict works as is). With strict=True, missing or unexpected keys raise a RuntimeError (as in
        PyTorch); a shape mismatch always does, naming the key and both shapes. Nothing is copied on error.
        """
        own = OrderedDict(self.named_parameters(remove_duplicate=False))
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        if strict and (missing or unexpected):
            problems = []
            if missing:
                problems.append(f"missing key(s) {missing}")
            if unexpected:
                problems.append(f"unexpected key(s) {unexpected}")
            raise RuntimeError(
                f"load_state_dict for {type(self).__name__}: {' and '.join(problems)}; the model's keys are "
                f"{list(own)} (pass strict=False to load only the keys both have)"
            )
        values = {}
        for key, param in own.items():
            if key not in state_dict:
                continue
            value = _as_numpy(state_dict[key])
            if value.shape != param.shape:
                raise RuntimeError(
                    f"load_state_dict for {type(self).__name__}: size mismatch for {key!r}: the state dict has "
                    f"shape {value.shape}, the parameter in the model has shape {param.shape}"
                )
            values[key] = value
        for key, value in values.items():  # only copy once every shape has been checked
            np.copyto(own[key].data, value, casting="unsafe")
        return IncompatibleKeys(missing, unexpected)

    # ----------------------------------------------------------------- printing
    def extra_repr(self) -> str:
        """The text between the parentheses of this module's repr, e.g. "in_features=2, out_features=4"."""
        return ""

    def __repr__(self):
        lines = []
        for name, module in self._modules.items():
            child = repr(module).replace("\n", "\n  ")  # indent nested modules
            lines.append(f"  ({name}): {child}")
        if not lines:
            return f"{type(self).__name__}({self.extra_repr()})"
        extra = self.extra_repr()
        head = f"{type(self).__name__}(" + (f"\n  {extra}" if extra else "")
        return head + "\n" + "\n".join(lines) + "\n)"


def _as_numpy(value) -> np.ndarray:
    """A state-dict value as a NumPy array: torch tensors via .detach().cpu().numpy(), ours via .data."""
    if isinstance(value, Tensor):
        return value._data
    if hasattr(value, "detach"):  # a torch tensor (torch is never imported here)
        value = value.detach()
        if hasattr(value, "cpu"):
            value = value.cpu()
    if hasattr(value, "numpy"):
        value = value.numpy()
    return np.asarray(value)
