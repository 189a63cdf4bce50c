# source: https://github.com/pytorch/pytorch/blob/main/torch/nn/modules/loss.py
# torch.nn.MSELoss docstring example
# compare: output, input.grad
import torch
import torch.nn as nn

loss = nn.MSELoss()
input = torch.randn(3, 5, requires_grad=True)
target = torch.randn(3, 5)
output = loss(input, target)
output.backward()
