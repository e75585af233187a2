#!/usr/bin/env python3
"""Driver of `scripts/bench/neural-vs-pytorch`: runs `neural-benchmark` and `pytorch_unet.py` in turn,
measurement by measurement, and prints the figures, the ratios and their spread across runs."""
import argparse
import pathlib
import re
import statistics
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ENGINE_MODES = ["fp32", "bf16"]
TORCH_MODES = ["fp32", "channels-last", "bf16"]
STEPS = {"A": 10, "B": 3, "cpu": 20}
INFER_LINES = ["one 64^3 forward", "128x128x160, 64^3 windows, 75% overlap, Gaussian blending"]


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def train_figures(output):
    step = re.search(r"median (\d+) ms/step", output)
    rss = re.search(r"peak RSS (\d+) MB", output)
    return float(step.group(1)), float(rss.group(1))


def infer_figures(output):
    figures = {}
    for label in INFER_LINES:
        match = re.search(re.escape(label) + r": ([\d.]+) s", output)
        if match:
            figures[label] = float(match.group(1)) * 1000
    figures["peak RSS"] = float(re.search(r"peak RSS (\d+) MB", output).group(1))
    return figures


def spread(values):
    middle = statistics.median(values)
    return f"median {middle:.0f}, range {min(values):.0f}–{max(values):.0f} ({(max(values) - min(values)) / middle:.0%})"


def ratio_spread(values):
    return f"median {statistics.median(values):.2f}×, range {min(values):.2f}–{max(values):.2f}×"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", choices=["train", "infer"])
    parser.add_argument("--configs", default="A,B,cpu")
    args = parser.parse_args()
    threads = ["--threads", str(args.threads)]
    torch_script = [sys.executable, str(HERE / "pytorch_unet.py")]
    configs = args.configs.split(",")
    # (measurement, side, mode) -> list of figures, one per run
    times, memory = {}, {}
    print(f"{args.runs} runs, {args.threads} threads; figures in ms (median step of each run), peak RSS in MB")
    for r in range(1, args.runs + 1):
        print(f"\n## run {r}")
        if args.only != "infer":
            for config in configs:
                steps = ["--steps", str(STEPS[config])]
                for side, modes in (("engine", ENGINE_MODES), ("pytorch", TORCH_MODES)):
                    for mode in modes:
                        if side == "engine":
                            output = run([args.engine, "train", config, "--precision", mode] + steps + threads)
                        else:
                            output = run(torch_script + ["train", config, "--mode", mode] + steps + threads)
                        step, rss = train_figures(output)
                        key = (f"train {config}", side, mode)
                        times.setdefault(key, []).append(step)
                        memory.setdefault(key, []).append(rss)
                        print(f"  train {config:3} {side:7} {mode:13} {step:7.0f} ms/step  peak RSS {rss:5.0f} MB")
        if args.only != "train":
            for side, modes in (("engine", ENGINE_MODES), ("pytorch", TORCH_MODES)):
                for mode in modes:
                    if side == "engine":
                        output = run([args.engine, "infer", "--precision", mode, "--skip-whole", "--skip-mc-dropout"] + threads)
                    else:
                        output = run(torch_script + ["infer", "--mode", mode] + threads)
                    figures = infer_figures(output)
                    for label in INFER_LINES:
                        key = (label, side, mode)
                        times.setdefault(key, []).append(figures[label])
                        memory.setdefault(key, []).append(figures["peak RSS"])
                        print(f"  {label[:24]:24} {side:7} {mode:13} {figures[label]:9.0f} ms")
    print("\n## summary across runs")
    measurements = list(dict.fromkeys(key[0] for key in times))
    for measurement in measurements:
        print(f"\n{measurement}")
        for (m, side, mode), values in times.items():
            if m == measurement:
                print(f"  {side:7} {mode:13} {spread(values)} ms; peak RSS {statistics.median(memory[(m, side, mode)]):.0f} MB")
        torch_best = [min(times[(measurement, "pytorch", mode)][r] for mode in TORCH_MODES) for r in range(args.runs)]
        torch_fp32 = times[(measurement, "pytorch", "fp32")]
        for mode in ENGINE_MODES:
            engine = times[(measurement, "engine", mode)]
            best = [e / t for e, t in zip(engine, torch_best)]
            fp32 = [e / t for e, t in zip(engine, torch_fp32)]
            print(f"  engine {mode} / PyTorch best: {ratio_spread(best)}; / PyTorch fp32: {ratio_spread(fp32)}")


if __name__ == "__main__":
    main()
