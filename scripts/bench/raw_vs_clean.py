#!/usr/bin/env python3
"""The table of scripts/bench/raw-vs-clean, from the files it wrote to its output folder.

Reads experiments.tsv (cohort, model, seed, experiment id), cases-{clean,raw}.json (`activeseg case
list --json`) and reports/<cohort>-<model>-seed<S>/per-case-dice.csv (`activeseg report`). A
model's figure is its mean Dice over the test split (per case at threshold 0.5, as the product
stores it). The two cohorts' test splits are compared by case name: they are the same when every
case of both was ingested, since the split depends only on the patients and the split seed. When a
case failed, the draw differs, and the table is printed a second time over the test cases both
splits hold (the training sets then differ by the cases swapped between the splits).

"Within the seed spread" means |mean(raw) − mean(clean)| ≤ the larger of the two cohorts' seed
ranges (max − min over seeds). The full-data reference ensemble is one model per dataset (its
members' seeds are fixed by the dataset's split seed), so it has no seed spread and is printed
beside the table, not judged.
"""
import argparse
import csv
import json
import os
import statistics
import sys

COHORTS = ("clean", "raw")
MODELS = (("round-0", "round 0 (initial set)"), ("full-pool", "full pool, one model per seed"))


def read_experiments(folder):
    with open(os.path.join(folder, "experiments.tsv")) as handle:
        return [tuple(line.rstrip("\n").split("\t")) for line in handle if line.strip()]


def case_names(folder, cohort):
    with open(os.path.join(folder, f"cases-{cohort}.json")) as handle:
        cases = json.load(handle)
    return {case["id"]: case for case in cases}


def model_dice(folder, cohort, model, seed, names):
    """The experiment's round-0 Dice and the reference ensemble's, per case name; None when missing."""
    path = os.path.join(folder, "reports", f"{cohort}-{model}-seed{seed}", "per-case-dice.csv")
    if not os.path.exists(path):
        return None, None
    rounds, reference = {}, {}
    with open(path) as handle:
        for row in csv.DictReader(handle):
            name = names[row["case_id"]]["name"]
            if row["strategy"] == "full-data":
                reference[name] = float(row["dice"])
            elif row["round"] == "0":
                rounds[name] = float(row["dice"])
    return rounds, reference


def spread(values):
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return mean, min(values), max(values), sd


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the output folder of raw-vs-clean")
    folder = parser.parse_args().out

    experiments = read_experiments(folder)
    seeds = sorted({int(seed) for _, _, seed, _ in experiments})
    cases = {cohort: case_names(folder, cohort) for cohort in COHORTS}
    failed = {
        cohort: sorted(c["name"] for c in cases[cohort].values() if c["state"] == "failed") for cohort in COHORTS
    }
    tests = {
        cohort: sorted(c["name"] for c in cases[cohort].values() if c.get("split") == "test") for cohort in COHORTS
    }
    lines = []
    for cohort in COHORTS:
        lines.append(
            f"{cohort}: {len(cases[cohort]) - len(failed[cohort])} of {len(cases[cohort])} cases ingested, "
            f"{len(tests[cohort])} in the test split"
            + (f"; failed: {', '.join(failed[cohort])}" if failed[cohort] else ""))
    same_split = tests["clean"] == tests["raw"]
    lines.append(
        "test splits: the same cases in both cohorts" if same_split
        else "test splits DIFFER between the cohorts (a failed case changed the draw): the means are not paired")

    dice = {}  # (cohort, model, seed) -> (round-0 Dice, reference Dice) per case name
    for cohort, model, seed, _ in experiments:
        dice[(cohort, model, int(seed))] = model_dice(folder, cohort, model, int(seed), cases[cohort])
    verdicts = table(lines, dice, seeds, None, "mean test Dice per seed, each cohort's whole test split")
    if not same_split:
        shared = set(tests["clean"]) & set(tests["raw"])
        table(lines, dice, seeds, shared, f"the same over the {len(shared)} test cases both splits hold")
    lines.append("")
    lines.append("within the seed spread: |Δ mean| ≤ the larger of the two cohorts' seed ranges (max − min)")
    for title, delta, allowed, within in verdicts:
        lines.append(f"  {title}: {'yes' if within else 'no'} (|{delta:+.3f}| vs {allowed:.3f})")
    print("\n".join(lines))
    return 0 if verdicts else 1


def table(lines, dice, seeds, shared, heading):
    """Appends the per-seed table of mean Dice over the test cases in `shared` (all when None) and
    returns each model's verdict."""
    def average(values):
        kept = [v for name, v in values.items() if shared is None or name in shared]
        return statistics.fmean(kept) if kept else None

    figures, references = {}, {}
    for (cohort, model, seed), (rounds, reference) in dice.items():
        if rounds:
            figures[(cohort, model, seed)] = average(rounds)
        if reference:
            references[cohort] = average(reference)
    lines.append("")
    lines.append(heading)
    header = f"{'model':<32}{'seed':>6}{'clean':>9}{'raw':>9}{'raw - clean':>13}"
    lines.append(header)
    lines.append("-" * len(header))
    verdicts = []
    for model, title in MODELS:
        for seed in seeds:
            clean, raw = figures.get(("clean", model, seed)), figures.get(("raw", model, seed))
            cells = [f"{v:9.3f}" if v is not None else f"{'-':>9}" for v in (clean, raw)]
            difference = f"{raw - clean:+13.3f}" if clean is not None and raw is not None else f"{'-':>13}"
            lines.append(f"{title:<32}{seed:>6}{cells[0]}{cells[1]}{difference}")
        summaries = {}
        for cohort in COHORTS:
            values = [figures[(cohort, model, seed)] for seed in seeds if (cohort, model, seed) in figures]
            summaries[cohort] = spread(values) if len(values) == len(seeds) else None
        for cohort in COHORTS:
            if summaries[cohort] is None:
                lines.append(f"{'':<32}{cohort}: a seed is missing, no summary")
                continue
            mean, low, high, sd = summaries[cohort]
            lines.append(
                f"{'':<32}{cohort:>6} mean {mean:.3f}  min–max {low:.3f}–{high:.3f} (range {high - low:.3f})  SD {sd:.3f}")
        if summaries["clean"] and summaries["raw"]:
            delta = summaries["raw"][0] - summaries["clean"][0]
            allowed = max(summaries[c][2] - summaries[c][1] for c in COHORTS)
            within = abs(delta) <= allowed
            verdicts.append((title, delta, allowed, within))
            lines.append(
                f"{'':<32}Δ mean (raw − clean) {delta:+.3f}; larger seed range {allowed:.3f}: "
                + ("within the seed spread" if within else "OUTSIDE the seed spread"))
        lines.append("")
    lines.append(
        "full-data reference ensemble (one per dataset, no seed spread): "
        + ", ".join(f"{c} {references[c]:.3f}" for c in COHORTS if c in references)
        + (f" (raw − clean {references['raw'] - references['clean']:+.3f})" if len(references) == 2 else ""))
    return verdicts


if __name__ == "__main__":
    sys.exit(main())
