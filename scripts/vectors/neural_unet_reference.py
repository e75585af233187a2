#!/usr/bin/env python3
"""A PyTorch twin of the Swift UNet3D, used to check checkpoint compatibility and the whole network.

Builds the network with the module layout documented in docs/neural-engine-figures.md, saves its
weights as a safetensors checkpoint carrying the ActiveSeg metadata (Tests/NeuralTests/Vectors/unet_reference.safetensors),
and records an input, a label, the logits, the Dice + BCE loss and every parameter's gradient
(Tests/NeuralTests/Vectors/unet_reference.json; per parameter, the first 32 gradient values and
the gradient's L2 norm, to keep the file small). The Swift test loads the checkpoint with
`Checkpoint.load` and must reproduce the logits and gradients.

Produced with torch 2.13.0+cpu and safetensors:
    /tmp/tv/bin/pip install torch==2.13.0+cpu safetensors
    /tmp/tv/bin/python scripts/vectors/neural_unet_reference.py
"""
import json
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F

VECTORS = pathlib.Path(__file__).resolve().parents[2] / "Tests/NeuralTests/Vectors"


class Unit(nn.Module):
    def __init__(self, cin, cout, groups, bias):
        super().__init__()
        self.conv = nn.Conv3d(cin, cout, 3, padding=1, bias=bias)
        self.norm = nn.GroupNorm(groups, cout)

    def forward(self, x):
        return F.relu(self.norm(self.conv(x)))


class UNet3D(nn.Module):
    def __init__(self, c, dropout=0.0):
        super().__init__()
        ch = [c["baseChannels"] << level for level in range(c["levels"])]

        def units(cin, cout):
            return nn.ModuleList(Unit(cin if i == 0 else cout, cout, c["groupNormGroups"], c["convolutionBias"])
                                 for i in range(c["convolutionsPerLevel"]))

        self.encoders = nn.ModuleList(units(c["inputChannels"] if l == 0 else ch[l - 1], ch[l])
                                      for l in range(c["levels"]))
        self.decoders = nn.ModuleList(units(ch[l + 1] + ch[l], ch[l]) for l in reversed(range(c["levels"] - 1)))
        # Dropout on the last decoder block's output, before the head, as the Swift network places it.
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Conv3d(ch[0], 1, 1)

    def forward(self, x):
        skips = []
        for level, encoder in enumerate(self.encoders):
            if level > 0:
                x = F.max_pool3d(x, 2)
            for unit in encoder:
                x = unit(x)
            skips.append(x)
        for k, decoder in enumerate(self.decoders):
            up = F.interpolate(x, scale_factor=2, mode="trilinear", align_corners=False)
            x = torch.cat([up, skips[-2 - k]], 1)
            for unit in decoder:
                x = unit(x)
        return self.head(self.dropout(x))


def main():
    from safetensors.torch import save_file  # only for writing the vectors; the network imports without it

    torch.manual_seed(7)
    config = {"inputChannels": 2, "levels": 3, "baseChannels": 4, "convolutionsPerLevel": 2, "groupNormGroups": 2,
              "dropoutRate": 0.5, "dropoutPlacement": "lastDecoderBlock", "dropoutMode": "testOnly",
              "convolutionBias": True}
    net = UNet3D(config)
    with torch.no_grad():
        for name, p in net.named_parameters():
            if name.endswith("norm.weight") or name.endswith("norm.bias"):
                p.add_(0.3 * torch.randn_like(p))
    metadata = {"format": "activeseg.unet3d", "config": json.dumps(config), "source": "pytorch twin"}
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, VECTORS / "unet_reference.safetensors",
              metadata=metadata)
    x = torch.randn(1, 2, 8, 8, 12)
    y = (torch.rand(1, 1, 8, 8, 12) < 0.3).float()
    z = net(x)
    p = torch.sigmoid(z.double())
    dice = (2 * (p * y).sum() + 1e-5) / (p.sum() + y.sum() + 1e-5)
    loss = (1 - dice) + F.binary_cross_entropy_with_logits(z.double(), y.double())
    loss.backward()

    def flat(t):
        return {"shape": list(t.shape), "values": [float(v) for v in t.detach().reshape(-1).tolist()]}

    vectors = {"torch": torch.__version__, "input": flat(x), "label": flat(y), "logits": flat(z), "loss": loss.item(),
               "gradients": {name: {"first": [float(v) for v in p.grad.reshape(-1)[:32].tolist()],
                                    "norm": p.grad.double().norm().item()} for name, p in net.named_parameters()}}
    (VECTORS / "unet_reference.json").write_text(json.dumps(vectors, separators=(",", ":")) + "\n")
    print("wrote unet_reference.{json,safetensors} with torch", torch.__version__)


if __name__ == "__main__":
    main()
