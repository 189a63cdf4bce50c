# source: https://github.com/d2l-ai/d2l-en/blob/v0.17.6/chapter_recurrent-neural-networks/rnn-scratch.md
# Dive into Deep Learning (PyTorch tab): grad_clipping (by the global norm, `param.grad[:] *= theta / norm`),
# checked against nn.utils.clip_grad_norm_ on a copy. The tiny `net` and its data are stand-ins (marked).
# compare: [p.grad for p in net.parameters()], [p.grad for p in twin.parameters()], total
# rtol: 1e-5
import torch
from torch import nn

def grad_clipping(net, theta):  #@save
    """Clip the gradient."""
    if isinstance(net, nn.Module):
        params = [p for p in net.parameters() if p.requires_grad]
    else:
        params = net.params
    norm = torch.sqrt(sum(torch.sum((p.grad ** 2)) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm

net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))  # stand-in
twin = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))  # stand-in
twin.load_state_dict(net.state_dict())  # stand-in
x = torch.randn(8, 3) * 10  # stand-in
for model in (net, twin):  # stand-in
    (model(x) ** 2).sum().backward()  # stand-in
grad_clipping(net, 1)
total = torch.nn.utils.clip_grad_norm_(twin.parameters(), 1)  # stand-in
