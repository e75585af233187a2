#!/usr/bin/env python3
"""Reference vectors for the Neural library's layers, loss, optimizer and schedule.

Produced with torch 2.13.0+cpu (float32 for layers, float64 for the loss) and written to
Tests/NeuralTests/Vectors/neural_reference.json. Each entry holds the inputs, the upstream gradient
and PyTorch's outputs and gradients as flat row-major lists with their shapes.

    python3 -m venv /tmp/tv && /tmp/tv/bin/pip install torch==2.13.0+cpu
    /tmp/tv/bin/python scripts/vectors/neural_reference.py
"""
import json
import math
import pathlib

import torch
import torch.nn.functional as F

torch.manual_seed(20261126)
OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/NeuralTests/Vectors/neural_reference.json"


def flat(t):
    return {"shape": list(t.shape), "values": [float(v) for v in t.detach().reshape(-1).tolist()]}


def leaf(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).requires_grad_(True)


def conv_case(cin, cout, k, spatial, bias):
    x = leaf(1, cin, *spatial)
    w = leaf(cout, cin, k, k, k, scale=0.3)
    b = leaf(cout) if bias else None
    y = F.conv3d(x, w, b, padding=k // 2)
    g = torch.randn_like(y)
    y.backward(g)
    case = {"input": flat(x), "weight": flat(w), "output": flat(y), "upstream": flat(g),
            "inputGradient": flat(x.grad), "weightGradient": flat(w.grad)}
    if bias:
        case["bias"] = flat(b)
        case["biasGradient"] = flat(b.grad)
    return case


def group_norm_case():
    x = leaf(2, 6, 3, 4, 5, scale=2.0)
    x.data += 0.5
    gamma = leaf(6)
    beta = leaf(6)
    y = F.group_norm(x, 3, gamma, beta, eps=1e-5)
    g = torch.randn_like(y)
    y.backward(g)
    return {"groups": 3, "input": flat(x), "scale": flat(gamma), "shift": flat(beta), "output": flat(y),
            "upstream": flat(g), "inputGradient": flat(x.grad), "scaleGradient": flat(gamma.grad),
            "shiftGradient": flat(beta.grad)}


def upsample_case():
    x = leaf(1, 2, 3, 4, 5)
    y = F.interpolate(x, scale_factor=2, mode="trilinear", align_corners=False)
    g = torch.randn_like(y)
    y.backward(g)
    return {"input": flat(x), "output": flat(y), "upstream": flat(g), "inputGradient": flat(x.grad)}


def max_pool_case():
    x = leaf(1, 2, 4, 4, 6)
    y = F.max_pool3d(x, 2)
    g = torch.randn_like(y)
    y.backward(g)
    return {"input": flat(x), "output": flat(y), "upstream": flat(g), "inputGradient": flat(x.grad)}


def loss_case(dice_weight, bce_weight, smooth, batch_dice=False):
    z = (torch.randn(2, 1, 3, 4, 5, dtype=torch.float64) * 3).requires_grad_(True)
    y = (torch.rand(2, 1, 3, 4, 5, dtype=torch.float64) < 0.3).double()
    if batch_dice:
        y[1] = 0  # an item without foreground, where pooling over the batch matters
    p = torch.sigmoid(z)
    # nnU-Net's batch Dice sums over the batch axis too.
    dims = tuple(range(0 if batch_dice else 1, z.dim()))
    dice = (2 * (p * y).sum(dims) + smooth) / (p.sum(dims) + y.sum(dims) + smooth)
    loss = dice_weight * (1 - dice).mean() + bce_weight * F.binary_cross_entropy_with_logits(z, y)
    loss.backward()
    return {"diceWeight": dice_weight, "bceWeight": bce_weight, "smooth": smooth, "pooledOverBatch": batch_dice, "logits": flat(z),
            "target": flat(y), "loss": loss.item(), "gradient": flat(z.grad)}


def sgd_case():
    w = torch.nn.Parameter(torch.randn(7))
    opt = torch.optim.SGD([w], lr=0.05, momentum=0.9, weight_decay=0.01)
    start = flat(w)
    grads, after = [], []
    for _ in range(3):
        grad = torch.randn(7)
        w.grad = grad.clone()
        opt.step()
        grads.append(flat(grad))
        after.append(flat(w))
    return {"learningRate": 0.05, "momentum": 0.9, "weightDecay": 0.01, "initial": start,
            "gradients": grads, "weights": after}


def schedule_case():
    w = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([w], lr=0.01)
    sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=5, T_mult=2, eta_min=1e-4)
    rates = []
    for _ in range(40):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return {"base": 0.01, "t0": 5, "tMult": 2, "minimum": 1e-4, "rates": rates}


vectors = {
    "torch": torch.__version__,
    "conv3x3x3": conv_case(3, 4, 3, (4, 5, 6), bias=True),
    "conv3x3x3NoBias": conv_case(5, 2, 3, (3, 3, 4), bias=False),
    "conv1x1x1": conv_case(3, 2, 1, (2, 3, 4), bias=True),
    "groupNorm": group_norm_case(),
    "trilinearUpsample": upsample_case(),
    "maxPool": max_pool_case(),
    "loss": loss_case(1.0, 1.0, 1e-5),
    "lossWeighted": loss_case(0.7, 0.3, 1.0),
    "sgd": sgd_case(),
    "cosineWarmRestarts": schedule_case(),
    "lossBatchDice": loss_case(1.0, 1.0, 1e-5, batch_dice=True),
}
OUT.write_text(json.dumps(vectors, separators=(",", ":")) + "\n")
print(f"wrote {OUT} ({OUT.stat().st_size} bytes) with torch {torch.__version__}")
