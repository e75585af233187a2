#!/usr/bin/env python3
"""PyTorch side of `scripts/bench/neural-vs-pytorch`: the same U-Net, training step and inference
loops as `neural-benchmark`, timed the same way (median of N steps after 2 warm-up steps).

    pytorch_unet.py train A|B|cpu --mode fp32|channels-last|bf16 [--steps N] [--threads T]
    pytorch_unet.py infer --mode fp32|channels-last|bf16 [--threads T]

Prints one line per measurement in the format `neural-benchmark` uses, so the driver can pair them.
The network is the PyTorch twin of `UNet3D` from `scripts/vectors/neural_unet_reference.py` (the one
the checkpoint tests check), with dropout 0.5 before the head; the loss mirrors `DiceBCELoss`.
"""
import argparse
import math
import resource
import statistics
import time

import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "vectors"))
from neural_unet_reference import UNet3D  # noqa: E402  (the PyTorch twin the checkpoint tests use)

CONFIGS = {
    # name: (levels, base channels, groups, patch edge, patches per step)
    "A": (4, 16, 8, 64, 1),
    "B": (5, 16, 8, 96, 1),
    "cpu": (4, 8, 4, 24, 2),  # the cpu profile's network, patch and batch
}


def network(config):
    levels, base, groups, _, _ = CONFIGS[config]
    return UNet3D({"inputChannels": 2, "levels": levels, "baseChannels": base, "convolutionsPerLevel": 2,
                   "groupNormGroups": groups, "convolutionBias": False}, dropout=0.5)


def dice_bce(logits, target, smooth=1e-5):
    logits = logits.float()
    p = torch.sigmoid(logits)
    dims = tuple(range(1, logits.dim()))
    dice = (2 * (p * target).sum(dims) + smooth) / (p.sum(dims) + target.sum(dims) + smooth)
    return (1 - dice).mean() + F.binary_cross_entropy_with_logits(logits, target)


def sphere(n):
    c, r = (n - 1) / 2, n / 4
    g = torch.arange(n, dtype=torch.float32) - c
    d = g.view(-1, 1, 1) ** 2 + g.view(1, -1, 1) ** 2 + g.view(1, 1, -1) ** 2
    return (d <= r * r).float().view(1, 1, n, n, n)


def prepare(model, x, mode):
    if mode == "channels-last":
        model = model.to(memory_format=torch.channels_last_3d)
        x = x.contiguous(memory_format=torch.channels_last_3d)
    return model, x


def autocast(mode):
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=mode == "bf16")


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def train(args):
    levels, _, _, n, batch = CONFIGS[args.config]
    torch.manual_seed(1)
    model, x = prepare(network(args.config), torch.rand(batch, 2, n, n, n) * 2 - 1, args.mode)
    model.train()
    target = sphere(n).repeat(batch, 1, 1, 1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad(set_to_none=False)
        with autocast(args.mode):
            logits = model(x)
        dice_bce(logits, target).backward()
        optimizer.step()

    for _ in range(2):
        step()
    times, cpu = [], []
    for _ in range(args.steps):
        c0, t0 = time.process_time(), time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    print(f"train {args.config}: {batch}x2x{n}^3, {levels} levels, {torch.get_num_threads()} threads, PyTorch {args.mode}: "
          f"median {statistics.median(times):.0f} ms/step (min {min(times):.0f}, max {max(times):.0f}, "
          f"{args.steps} steps), CPU {statistics.median(cpu):.0f} ms/step, peak RSS {peak_rss_mb():.0f} MB")


def gaussian_weights(size, sigma_scale=0.125):
    axes = []
    for n in size:
        sigma, centre = n * sigma_scale, (n - 1) / 2
        axes.append(torch.exp(-((torch.arange(n, dtype=torch.float64) - centre) ** 2) / (2 * sigma * sigma)))
    w = axes[0].view(-1, 1, 1) * axes[1].view(1, -1, 1) * axes[2].view(1, 1, -1)
    return w.clamp(min=1e-3).float()


def starts(length, size, overlap):
    if length <= size:
        return [0]
    step = max(1.0, size * (1 - overlap))
    count = math.ceil((length - size) / step) + 1
    return [round(i * (length - size) / (count - 1)) for i in range(count)]


def windows(model, volume, size=(64, 64, 64), overlap=0.75):
    weights = gaussian_weights(size)
    total = torch.zeros(volume.shape[1:])
    norm = torch.zeros(volume.shape[1:])
    for z in starts(volume.shape[1], size[0], overlap):
        for y in starts(volume.shape[2], size[1], overlap):
            for x in starts(volume.shape[3], size[2], overlap):
                patch = volume[None, :, z:z + size[0], y:y + size[1], x:x + size[2]]
                p = torch.sigmoid(model(patch).float())[0, 0]
                total[z:z + size[0], y:y + size[1], x:x + size[2]] += p * weights
                norm[z:z + size[0], y:y + size[1], x:x + size[2]] += weights
    return total / norm


def report(label, body):
    c0, t0 = time.process_time(), time.perf_counter()
    body()
    print(f"  {label}: {time.perf_counter() - t0:.2f} s (CPU {time.process_time() - c0:.2f} s)")


def infer(args):
    torch.manual_seed(1)
    model = network("A").eval()
    if args.mode == "channels-last":
        model = model.to(memory_format=torch.channels_last_3d)
    volume = torch.rand(2, 128, 128, 160) * 2 - 1
    patch = torch.rand(1, 2, 64, 64, 64) * 2 - 1
    print(f"infer: config A network, {torch.get_num_threads()} threads, PyTorch {args.mode}")
    with torch.inference_mode(), autocast(args.mode):
        model(patch)
        report("one 64^3 forward", lambda: model(patch))
        if not args.skip_windows:
            report("128x128x160, 64^3 windows, 75% overlap, Gaussian blending", lambda: windows(model, volume))
    print(f"  peak RSS {peak_rss_mb():.0f} MB")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["train", "infer"])
    parser.add_argument("config", nargs="?", default="A", choices=sorted(CONFIGS))
    parser.add_argument("--mode", default="fp32", choices=["fp32", "channels-last", "bf16"])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-windows", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train(args) if args.command == "train" else infer(args)


if __name__ == "__main__":
    main()
