"""The official CycleGAN ResnetGenerator in plain PyTorch, for the converter
tests and the inference benchmark (``benchmarks/inference_native.py``).

Written from the authors' ``models/networks.py`` (``ResnetGenerator``,
``ResnetBlock``; norm='instance', no dropout, padding 'reflect'), with the
same module order, hence the same state-dict keys (``model.1.weight``,
``model.10.conv_block.1.weight``, ...). ``torch_generator`` gives one with
random non-trivial weights.
"""

import torch
from torch import nn


class ResnetBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        norm = lambda c: nn.InstanceNorm2d(c, affine=False, track_running_stats=False)  # noqa: E731
        self.conv_block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, padding=0, bias=True), norm(dim), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, padding=0, bias=True), norm(dim),
        )

    def forward(self, x):
        return x + self.conv_block(x)


class NearestUpConv(nn.Conv2d):
    """Resize-convolution (``upsample="nearest"`` in keras_gans): nearest x2,
    then a 3x3 zero-padded convolution; one module, so its state-dict keys
    sit where the ConvTranspose2d's were (``model.16.weight``)."""

    def __init__(self, cin, cout):
        super().__init__(cin, cout, 3, padding=1, bias=True)

    def forward(self, x):
        return super().forward(nn.functional.interpolate(x, scale_factor=2, mode="nearest"))


class ResnetGenerator(nn.Module):
    def __init__(self, input_nc=3, output_nc=3, ngf=64, n_blocks=9, upsample="transpose"):
        super().__init__()
        norm = lambda c: nn.InstanceNorm2d(c, affine=False, track_running_stats=False)  # noqa: E731
        model = [nn.ReflectionPad2d(3), nn.Conv2d(input_nc, ngf, 7, padding=0, bias=True), norm(ngf), nn.ReLU(True)]
        for i in range(2):
            mult = 2**i
            model += [nn.Conv2d(ngf * mult, ngf * mult * 2, 3, stride=2, padding=1, bias=True),
                      norm(ngf * mult * 2), nn.ReLU(True)]
        for _ in range(n_blocks):
            model += [ResnetBlock(ngf * 4)]
        for i in range(2):
            mult = 2 ** (2 - i)
            up = (NearestUpConv(ngf * mult, ngf * mult // 2) if upsample == "nearest" else
                  nn.ConvTranspose2d(ngf * mult, ngf * mult // 2, 3, stride=2, padding=1, output_padding=1, bias=True))
            model += [up, norm(ngf * mult // 2), nn.ReLU(True)]
        model += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, output_nc, 7, padding=0), nn.Tanh()]
        self.model = nn.Sequential(*model)

    def forward(self, x):
        return self.model(x)


def torch_generator(n_blocks=2, ngf=8, seed=0):
    torch.manual_seed(seed)
    net = ResnetGenerator(ngf=ngf, n_blocks=n_blocks).eval()
    with torch.no_grad():  # non-trivial biases everywhere (the default init has them too)
        for p in net.parameters():
            p.add_(0.05 * torch.randn_like(p))
    return net
