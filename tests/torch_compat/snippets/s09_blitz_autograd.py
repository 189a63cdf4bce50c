# source: https://github.com/pytorch/tutorials/blob/main/beginner_source/blitz/autograd_tutorial.py
# "Deep Learning with PyTorch: A 60 Minute Blitz", autograd: vector-Jacobian products and requires_grad
# (the torchvision resnet cells are left out: no pretrained models here)
# compare: a.grad, b.grad, Q, 9*a**2 == a.grad, -2*b == b.grad, [a2.requires_grad, b2.requires_grad]
import torch

a = torch.tensor([2., 3.], requires_grad=True)
b = torch.tensor([6., 4.], requires_grad=True)

Q = 3*a**3 - b**2

external_grad = torch.tensor([1., 1.])
Q.backward(gradient=external_grad)

# check if collected gradients are correct
print(9*a**2 == a.grad)
print(-2*b == b.grad)

x = torch.rand(5, 5)
y = torch.rand(5, 5)
z = torch.rand((5, 5), requires_grad=True)

a2 = x + y
print(f"Does `a` require gradients?: {a2.requires_grad}")
b2 = x + z
print(f"Does `b` require gradients?: {b2.requires_grad}")
