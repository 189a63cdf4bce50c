# source: https://github.com/pytorch/pytorch/blob/main/torch/nn/modules/rnn.py
# torch.nn.RNN docstring example: two layers, with an initial state
# compare: output, hn
import torch
import torch.nn as nn

rnn = nn.RNN(10, 20, 2)
input = torch.randn(5, 3, 10)
h0 = torch.randn(2, 3, 20)
output, hn = rnn(input, h0)
