# source: https://github.com/pytorch/pytorch/blob/main/torch/nn/modules/loss.py
# torch.nn.NLLLoss docstring example (integer class targets made with torch.tensor)
# compare: loss, input.grad
import torch
import torch.nn as nn

log_softmax = nn.LogSoftmax(dim=1)
loss_fn = nn.NLLLoss()
# input to NLLLoss is of size N x C = 3 x 5
input = torch.randn(3, 5, requires_grad=True)
# each element in target must have 0 <= value < C
target = torch.tensor([1, 0, 4])
loss = loss_fn(log_softmax(input), target)
loss.backward()
