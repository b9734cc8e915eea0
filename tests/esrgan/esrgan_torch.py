"""Reference PyTorch networks for the ESRGAN-family converter tests.

Written here from the authors' architecture descriptions (BasicSR
``rrdbnet_arch.py`` / ``srresnet_arch.py`` / ``edsr_arch.py``, Real-ESRGAN
``srvgg_arch.py``, the original ESRGAN ``RRDBNet_arch.py``) with the same
module names, hence the same state-dict keys, and run as Real-ESRGAN's
inference runs them: x2 / x1 RRDBNet inputs reflect-padded at the bottom and
right to a multiple of 2 / 4, the output cropped back. Inputs and outputs
are NHWC numpy arrays in the authors' range ([0, 1]).
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


class DenseBlock(nn.Module):
    def __init__(self, feat, grow):
        super().__init__()
        for k in range(1, 6):
            setattr(self, f"conv{k}", nn.Conv2d(feat + (k - 1) * grow, grow if k < 5 else feat, 3, 1, 1))

    def forward(self, x):
        feats = [x]
        for k in range(1, 5):
            feats.append(F.leaky_relu(getattr(self, f"conv{k}")(torch.cat(feats, 1)), 0.2))
        return self.conv5(torch.cat(feats, 1)) * 0.2 + x


class ResidualInResidual(nn.Module):
    def __init__(self, feat, grow, names=("rdb1", "rdb2", "rdb3")):
        super().__init__()
        self.names = names
        for n in names:
            setattr(self, n, DenseBlock(feat, grow))

    def forward(self, x):
        out = x
        for n in self.names:
            out = getattr(self, n)(out)
        return out * 0.2 + x


class BasicSRRRDBNet(nn.Module):
    """BasicSR / Real-ESRGAN names."""

    def __init__(self, scale=4, num_block=2, num_feat=16, num_grow_ch=8, channels=3):
        super().__init__()
        self.scale = scale
        self.conv_first = nn.Conv2d(channels * (16 // scale**2), num_feat, 3, 1, 1)
        self.body = nn.Sequential(*[ResidualInResidual(num_feat, num_grow_ch) for _ in range(num_block)])
        self.conv_body = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up1 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up2 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_hr = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_last = nn.Conv2d(num_feat, channels, 3, 1, 1)

    def trunk(self, feat):
        return self.conv_body(self.body(feat))

    def forward(self, x):
        if self.scale != 4:
            x = F.pixel_unshuffle(x, 4 // self.scale)
        feat = self.conv_first(x)
        feat = feat + self.trunk(feat)
        feat = F.leaky_relu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
        feat = F.leaky_relu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
        return self.conv_last(F.leaky_relu(self.conv_hr(feat), 0.2))


class ESRGANRRDBNet(nn.Module):
    """The original ESRGAN repository's names (x4 only)."""

    def __init__(self, nb=2, nf=16, gc=8):
        super().__init__()
        self.conv_first = nn.Conv2d(3, nf, 3, 1, 1)
        self.RRDB_trunk = nn.Sequential(*[ResidualInResidual(nf, gc, ("RDB1", "RDB2", "RDB3")) for _ in range(nb)])
        self.trunk_conv = nn.Conv2d(nf, nf, 3, 1, 1)
        self.upconv1 = nn.Conv2d(nf, nf, 3, 1, 1)
        self.upconv2 = nn.Conv2d(nf, nf, 3, 1, 1)
        self.HRconv = nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_last = nn.Conv2d(nf, 3, 3, 1, 1)

    def forward(self, x):
        fea = self.conv_first(x)
        fea = fea + self.trunk_conv(self.RRDB_trunk(fea))
        fea = F.leaky_relu(self.upconv1(F.interpolate(fea, scale_factor=2, mode="nearest")), 0.2)
        fea = F.leaky_relu(self.upconv2(F.interpolate(fea, scale_factor=2, mode="nearest")), 0.2)
        return self.conv_last(F.leaky_relu(self.HRconv(fea), 0.2))


def esrgan_sequential_state_dict(net):
    """The original ESRGAN's oldest (sequential) key names for ``net``'s
    weights: ``model.0``, ``model.1.sub.N.RDBj.convk.0``, ``model.1.sub.{nb}``,
    ``model.3/6/8/10``."""
    nb = len(net.RRDB_trunk)
    out = {}
    for key, value in net.state_dict().items():
        module, kind = key.rsplit(".", 1)
        if module.startswith("RRDB_trunk."):
            new = module.replace("RRDB_trunk.", "model.1.sub.") + ".0"
        else:
            new = {"conv_first": "model.0", "trunk_conv": f"model.1.sub.{nb}", "upconv1": "model.3",
                   "upconv2": "model.6", "HRconv": "model.8", "conv_last": "model.10"}[module]
        out[f"{new}.{kind}"] = value
    return out


class SRVGGNetCompact(nn.Module):
    def __init__(self, num_feat=16, num_conv=4, upscale=4, channels=3):
        super().__init__()
        self.upscale = upscale
        layers = [nn.Conv2d(channels, num_feat, 3, 1, 1), nn.PReLU(num_feat)]
        for _ in range(num_conv):
            layers += [nn.Conv2d(num_feat, num_feat, 3, 1, 1), nn.PReLU(num_feat)]
        layers.append(nn.Conv2d(num_feat, channels * upscale * upscale, 3, 1, 1))
        self.body = nn.ModuleList(layers)

    def forward(self, x):
        out = x
        for m in self.body:
            out = m(out)
        return F.pixel_shuffle(out, self.upscale) + F.interpolate(x, scale_factor=self.upscale, mode="nearest")


class ResBlock(nn.Module):
    def __init__(self, feat, res_scale=1.0):
        super().__init__()
        self.res_scale = res_scale
        self.conv1 = nn.Conv2d(feat, feat, 3, 1, 1)
        self.conv2 = nn.Conv2d(feat, feat, 3, 1, 1)

    def forward(self, x):
        return x + self.conv2(F.relu(self.conv1(x))) * self.res_scale


class MSRResNet(nn.Module):
    def __init__(self, num_feat=16, num_block=2, upscale=4):
        super().__init__()
        self.upscale = upscale
        self.conv_first = nn.Conv2d(3, num_feat, 3, 1, 1)
        self.body = nn.Sequential(*[ResBlock(num_feat) for _ in range(num_block)])
        r = 2 if upscale == 4 else upscale
        self.upconv1 = nn.Conv2d(num_feat, num_feat * r * r, 3, 1, 1)
        if upscale == 4:
            self.upconv2 = nn.Conv2d(num_feat, num_feat * 4, 3, 1, 1)
        self.conv_hr = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_last = nn.Conv2d(num_feat, 3, 3, 1, 1)

    def forward(self, x):
        r = 2 if self.upscale == 4 else self.upscale
        out = self.body(F.leaky_relu(self.conv_first(x), 0.1))
        out = F.leaky_relu(F.pixel_shuffle(self.upconv1(out), r), 0.1)
        if self.upscale == 4:
            out = F.leaky_relu(F.pixel_shuffle(self.upconv2(out), 2), 0.1)
        out = self.conv_last(F.leaky_relu(self.conv_hr(out), 0.1))
        return out + F.interpolate(x, scale_factor=self.upscale, mode="bilinear", align_corners=False)


class EDSR(nn.Module):
    MEAN = (0.4488, 0.4371, 0.4040)

    def __init__(self, num_feat=16, num_block=2, upscale=2, res_scale=1.0):
        super().__init__()
        self.mean = torch.tensor(self.MEAN).view(1, 3, 1, 1)
        self.conv_first = nn.Conv2d(3, num_feat, 3, 1, 1)
        self.body = nn.Sequential(*[ResBlock(num_feat, res_scale) for _ in range(num_block)])
        self.conv_after_body = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        ups = []
        for r in ([3] if upscale == 3 else [2] * (upscale.bit_length() - 1)):
            ups += [nn.Conv2d(num_feat, num_feat * r * r, 3, 1, 1), nn.PixelShuffle(r)]
        self.upsample = nn.Sequential(*ups)
        self.conv_last = nn.Conv2d(num_feat, 3, 3, 1, 1)

    def forward(self, x):
        x = (x - self.mean) * 255.0
        x = self.conv_first(x)
        res = self.conv_after_body(self.body(x)) + x
        return self.conv_last(self.upsample(res)) / 255.0 + self.mean


def randomized(net, seed=0, scale=0.05):
    """``net`` in eval mode with every parameter moved off its init by
    ``scale * N(0, 1)`` (non-trivial biases and PReLU slopes)."""
    torch.manual_seed(seed)
    for m in net.modules():
        if isinstance(m, nn.Conv2d):  # keep 20 residual stages from blowing up
            nn.init.normal_(m.weight, std=(2.0 / (m.in_channels * 9)) ** 0.5 * 0.5)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(scale * torch.randn_like(p))
    return net.eval()


def run(net, x_nhwc, multiple=1):
    """``net`` on NHWC ``[0, 1]`` images, as Real-ESRGAN's inference runs it:
    reflect-padded at the bottom and right to ``multiple``, cropped back."""
    x = torch.from_numpy(np.ascontiguousarray(x_nhwc, np.float32)).permute(0, 3, 1, 2)
    h, w = x.shape[2:]
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph or pw:
        x = F.pad(x, (0, pw, 0, ph), mode="reflect")
    with torch.no_grad():
        y = net(x)
    s = y.shape[2] / x.shape[2]
    y = y[:, :, : int(round(h * s)), : int(round(w * s))]
    return y.permute(0, 2, 3, 1).numpy()
