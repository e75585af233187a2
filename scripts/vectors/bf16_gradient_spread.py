#!/usr/bin/env python3
"""How far PyTorch's own bf16 autocast gradients lie from its fp32 ones on the network and step of
Tests/NeuralTests/PrecisionTests.swift (3 levels of 8-32 channels, GroupNorm of 4 groups, one 16^3
sphere case with two noisy channels, Dice + BCE), over 20 initialisations: the bounds that test puts
on the engine's bf16 mode come from this spread, not from one draw.

    /tmp/tv/bin/pip install torch==2.13.0+cpu
    /tmp/tv/bin/python scripts/vectors/bf16_gradient_spread.py

torch 2.13.0+cpu, 2 threads, 2026-12-07: the median over parameters of the relative L2 difference
ranged 0.030-0.084 across the 20 seeds (median 0.049); the largest per parameter 0.072-0.266.
"""
import sys, statistics, pathlib, torch, torch.nn.functional as F
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from neural_unet_reference import UNet3D
torch.set_num_threads(2)
def dice_bce(logits, target, smooth=1e-5):
    logits = logits.float(); p = torch.sigmoid(logits); dims = tuple(range(1, logits.dim()))
    dice = (2 * (p * target).sum(dims) + smooth) / (p.sum(dims) + target.sum(dims) + smooth)
    return (1 - dice).mean() + F.binary_cross_entropy_with_logits(logits, target)
def case(n, r, g):
    c=(n-1)/2; a=torch.arange(n,dtype=torch.float32)-c
    d=(a.view(-1,1,1)**2+a.view(1,-1,1)**2+a.view(1,1,-1)**2).sqrt()
    lab=(d<=r).float()
    x=torch.arange(n,dtype=torch.float32).view(1,1,-1).expand(n,n,n)/n
    img=torch.stack([lab+0.3*torch.randn(n,n,n,generator=g), x+0.3*torch.randn(n,n,n,generator=g)]).unsqueeze(0)
    return img, lab.view(1,1,n,n,n)
def grads(net, x, y, bf16):
    net.zero_grad()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        out = net(x)
    dice_bce(out, y).backward()
    return {n: p.grad.detach().clone() for n, p in net.named_parameters()}
meds=[]; maxs=[]
for seed in range(20):
    torch.manual_seed(seed); g=torch.Generator().manual_seed(1000+seed)
    net=UNet3D({"inputChannels":2,"levels":3,"baseChannels":8,"convolutionsPerLevel":2,"groupNormGroups":4,"convolutionBias":False})
    x,y=case(16,5,g)
    a=grads(net,x,y,False); b=grads(net,x,y,True)
    rel=sorted(((b[k]-a[k]).norm()/a[k].norm()).item() for k in a)
    meds.append(rel[len(rel)//2]); maxs.append(rel[-1])
    print(f"seed {seed}: median {rel[len(rel)//2]:.4f} max {rel[-1]:.4f} ({len(rel)} parameters)")
print(f"median over seeds: min {min(meds):.4f} median {statistics.median(meds):.4f} max {max(meds):.4f}")
print(f"max over seeds: min {min(maxs):.4f} median {statistics.median(maxs):.4f} max {max(maxs):.4f}")
