"""A pool of thousands: ActiveSeg's services on a local stack at growing pool sizes.

Run through scripts/bench/pool, which builds the binaries and brings up the stack (its env loaded,
pg_stat_statements and auto_explain preloaded). Per run and pool size N, in a PostgreSQL schema and
NATS subject prefix of their own (so every size starts from empty tables and streams):

1. `activeseg synth` writes a `tiny` cohort of N pool cases plus the test split (kept between runs),
   and the pool's labels are moved out of it: the pool is an unlabelled archive (so no full-data
   model is trained on it), the labelled cases are the test split;
2. `activeseg ingest` imports it through the ingest service: cases per second;
3. per scorer count c, c scorer processes (one job and one compute thread each) and one human-mode
   experiment (dropout-train-test, one round after round 0, K = N, k = --pick): `activeseg label
   import` delivers round 0's labels, and round 1 scores the whole pool with round 0's trained model.
   Measured: the score jobs' cases per second from their publication to the last one's end; the
   orchestrator's step from that end to the round's `selecting` event; the selection from
   `selecting` to `annotating` (the selector's own share from its metrics). The second scorer
   count's experiment ranks by uncertainty alone (top-k), the others with the representative
   restriction;
4. the statements with the most execution time (pg_stat_statements), the plans auto_explain logged
   for the slowest ones, and every process's peak resident memory (VmHWM) and CPU time.
"""

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
STRATEGY = "dropout-train-test"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="folder of the release binaries")
    parser.add_argument("--pg-log", required=True, help="PostgreSQL's server log (auto_explain writes there)")
    parser.add_argument("--work", required=True, help="folder for cohorts and logs")
    parser.add_argument("--sizes", default="250,500,1000,2000", help="pool sizes, comma-separated")
    parser.add_argument("--scorers", default="1,2,4", help="scorer process counts, comma-separated")
    parser.add_argument("--runs", type=int, default=1, help="repetitions of the whole sweep")
    parser.add_argument("--pick", type=int, default=20, help="cases picked in round 1, k")
    parser.add_argument("--test-cases", type=int, default=20, help="cases of the test split beside the pool")
    parser.add_argument("--plans", type=int, default=3, help="slowest logged plans to print per size")
    return parser.parse_args()


def log(message):
    print(f"pool: {message}", file=sys.stderr, flush=True)


def process_figures(pid):
    """Peak resident memory in MB and CPU seconds of a live process."""
    peak = 0.0
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return peak, cpu


class Stack:
    """The services of one pool size, in their own schema and subject prefix."""

    def __init__(self, args, schema):
        self.args = args
        self.bin = args.bin
        self.logs = os.path.join(args.work, "logs", schema)
        os.makedirs(self.logs, exist_ok=True)
        self.env = dict(os.environ, ACTIVESEG_POSTGRES_SCHEMA=schema, ACTIVESEG_SUBJECT_PREFIX=schema.replace("_", ""))
        self.processes = {}

    def start(self, service, instance, **settings):
        env = dict(self.env, ACTIVESEG_INSTANCE=instance, **{k: str(v) for k, v in settings.items()})
        with open(os.path.join(self.logs, f"{instance}.log"), "w") as out:
            self.processes[instance] = subprocess.Popen(
                [os.path.join(self.bin, f"activeseg-{service}")], env=env, stdout=out, stderr=subprocess.STDOUT
            )

    def stop(self, instance):
        """Stops one process and returns its peak memory (MB) and CPU seconds."""
        process = self.processes.pop(instance)
        figures = process_figures(process.pid)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return figures

    def stop_all(self):
        return {instance: self.stop(instance) for instance in list(self.processes)}

    def cli(self, *arguments, timeout=None):
        """Runs `activeseg`; returns its standard output, wall seconds and peak memory (MB)."""
        command = ["/usr/bin/time", "-f", "%M", os.path.join(self.bin, "activeseg"), *arguments]
        start = time.monotonic()
        result = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=timeout)
        wall = time.monotonic() - start
        if result.returncode != 0:
            raise RuntimeError(f"activeseg {' '.join(arguments)} failed:\n{result.stderr}")
        peak = int(result.stderr.strip().splitlines()[-1]) / 1024
        return result.stdout, wall, peak

    def wait_serving(self, service, timeout=120):
        """Pings `service` until an instance answers (a ping meeting no listener fails at once)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.cli("ping", service, "--timeout", "5")
                return
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def sql(self, query):
        schema = self.env["ACTIVESEG_POSTGRES_SCHEMA"]
        result = subprocess.run(
            ["psql", os.environ["ACTIVESEG_POSTGRES_DSN"], "-qtAX", "-F", "\t", "-v", "ON_ERROR_STOP=1",
             "-c", f"SET search_path TO {schema}, public", "-c", query],
            capture_output=True, text=True, check=True,
        )
        return [line.split("\t") for line in result.stdout.splitlines() if line]


def metric_sum(port, name, method):
    """A histogram's `_sum` (or a counter) of one rpc method from a service's metrics endpoint."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    for line in text.splitlines():
        if line.startswith(name) and f'method="{method}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def event_times(stack, experiment):
    """(round, phase) -> time of the experiment's `round.phase` events, from the event stream."""
    out, _, _ = stack.cli("events", "tail", "--experiment", experiment, "--replay", "--for", "3", "--json", timeout=60)
    times = {}
    for line in out.splitlines():
        event = json.loads(line)
        body = event.get("body") or {}
        if "phase" in body:
            stamp = datetime.fromisoformat(event["time"].replace("Z", "+00:00")).timestamp()
            times[(int(body.get("round", 0)), body["phase"])] = stamp
    return times


def phase_time(times, round_index, phase):
    for (index, name), stamp in times.items():
        if index == round_index and phase.lower() in name.lower():
            return stamp
    raise RuntimeError(f"no event for round {round_index} entering {phase}: {sorted(times)}")


def annotate_until_round_one_picks(stack, experiment, labels, timeout=7200):
    """Delivers round 0's labels (`activeseg label import`) until round 1 has scored the pool and
    picked its cases, then cancels the experiment, whose round 1 would wait for labels."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        phases = dict(stack.sql(f"SELECT round_index, phase FROM rounds WHERE experiment_id = '{experiment}'"))
        if phases.get("1") in ("annotating", "training", "evaluating", "finished"):
            stack.cli("experiment", "cancel", experiment)
            return
        missing = [row[0] for row in stack.sql(
            "SELECT c.source_name FROM experiment_cases e JOIN cases c ON c.id = e.case_id "
            f"WHERE e.experiment_id = '{experiment}' AND e.annotated_round IS NULL")]
        if missing and "1" not in phases:
            folder = tempfile.mkdtemp()
            for name in missing:
                shutil.copy(os.path.join(labels, f"{name}_seg.nii.gz"), folder)
            stack.cli("label", "import", "--experiment", experiment, "--labels", folder)
            shutil.rmtree(folder)
        out, _, _ = stack.cli("experiment", "status", experiment, "--json")
        state = json.loads(out).get("state", "")
        if "FAILED" in state or "CANCELLED" in state:
            raise RuntimeError(f"experiment {experiment} ended {state}: {out}")
        time.sleep(1)
    raise RuntimeError(f"round 1 of experiment {experiment} picked nothing in {timeout} s")


def slow_plans(path, offset, count):
    """The `count` slowest plans auto_explain logged after `offset`, one per statement text."""
    with open(path, errors="replace") as server_log:
        server_log.seek(offset)
        text = server_log.read()
    entries = re.split(r"\n(?=\S.*?LOG:  duration: )", text)
    plans = {}
    for entry in entries:
        match = re.search(r"LOG:  duration: ([\d.]+) ms  plan:\n(.*)", entry, re.S)
        if not match:
            continue
        duration, plan = float(match.group(1)), match.group(2)
        plan = "\n".join(line for line in plan.splitlines() if line.startswith(("\t", " ")))
        query = re.search(r"Query Text: (.*)", plan)
        key = re.sub(r"\s+", " ", query.group(1))[:200] if query else plan[:200]
        if key not in plans or plans[key][0] < duration:
            plans[key] = (duration, plan)
    return sorted(plans.values(), reverse=True)[:count]


def run_size(args, run, size, scorer_counts):
    schema = f"pool_{size}_{args.started}_r{run}"
    stack = Stack(args, schema)
    figures = {}
    cohort = os.path.join(args.work, f"cohort-{size}-{args.test_cases}")
    labels = cohort + "-labels"
    if not os.path.exists(os.path.join(labels, "done")):
        shutil.rmtree(cohort, ignore_errors=True)
        shutil.rmtree(labels, ignore_errors=True)
        _, wall, peak = stack.cli(
            "synth", "--cases", str(size + args.test_cases), "--seed", "1", "--spacing-scale", "4",
            "--anatomy", "template", "--out", cohort)
        figures["synth s"] = wall
        figures["peak MB: cli synth"] = peak
        # The pool is an unlabelled archive: its labels wait outside the cohort until a round asks.
        os.makedirs(labels)
        for name in sorted(n for n in os.listdir(cohort) if os.path.isdir(os.path.join(cohort, n)))[:size]:
            shutil.move(os.path.join(cohort, name, f"{name}_seg.nii.gz"), labels)
        open(os.path.join(labels, "done"), "w").close()
    stack.sql("SELECT pg_stat_statements_reset()")
    log_offset = os.path.getsize(args.pg_log)
    selector_port = 34499
    stack.start("ingest", "ingest")
    stack.start("orchestrator", "orchestrator")
    stack.start("trainer", "trainer")
    stack.start("selector", "selector", ACTIVESEG_METRICS_PORT=selector_port)
    stack.start("stats", "stats")
    try:
        return measure(args, stack, size, scorer_counts, figures, cohort, log_offset, selector_port)
    finally:
        stack.stop_all()


def measure(args, stack, size, scorer_counts, figures, cohort, log_offset, selector_port):
    for service in ("ingest", "orchestrator", "trainer", "selector", "stats"):
        stack.wait_serving(service)
    # Only labelled cases can be test cases: the test split is every labelled one (the share rounds up).
    out, wall, peak = stack.cli("ingest", "--brats", cohort, "--profile", "tiny", "--test-share", "0.999", "--json")
    dataset = re.search(r'"dataset_?[iI]d"\s*:\s*"([^"]+)"', out).group(1)
    figures["ingest cases/s"] = (size + args.test_cases) / wall
    figures["peak MB: cli ingest"] = peak
    pool = int(stack.sql(f"SELECT count(*) FROM cases WHERE dataset_id = '{dataset}' AND split = 'train'")[0][0])
    if pool != size:
        raise RuntimeError(f"the pool holds {pool} cases, not {size}")
    scorer_peaks = []
    for position, count in enumerate(scorer_counts):
        strategy = STRATEGY if position == 1 else STRATEGY + "+representative"
        label = "top-k" if position == 1 else "representative"
        for index in range(count):
            stack.start("scorer", f"scorer-{count}-{index}", ACTIVESEG_CONCURRENCY=1, ACTIVESEG_COMPUTE_THREADS=1)
        stack.wait_serving("scorer")
        selector_before = metric_sum(selector_port, "activeseg_rpc_duration_seconds_sum", "selector.select")
        out, _, _ = stack.cli(
            "experiment", "create", "--dataset", dataset, "--strategy", strategy, "--profile", "tiny", "--seed", "1",
            "--rounds", "1", "--top-k", str(size), "--pick", str(args.pick), "--human", "--start", "--json")
        experiment = json.loads(out)["experiment_id"]
        log(f"N={size}: {count} scorer(s), experiment {experiment} ({strategy})")
        annotate_until_round_one_picks(stack, experiment, cohort + "-labels")
        selector_seconds = metric_sum(selector_port, "activeseg_rpc_duration_seconds_sum", "selector.select") - selector_before
        jobs, first, last = stack.sql(
            "SELECT count(*), extract(epoch FROM min(created_at)), extract(epoch FROM max(finished_at)) FROM jobs "
            f"WHERE experiment_id = '{experiment}' AND round_index = 1 AND key LIKE 'score/%'")[0]
        times = event_times(stack, experiment)
        selecting = phase_time(times, 1, "selecting")
        annotating = phase_time(times, 1, "annotating")
        figures[f"scoring cases/s, {count} scorer(s)"] = int(jobs) / (float(last) - float(first))
        figures[f"orchestrator step s ({count} scorer(s))"] = selecting - float(last)
        figures[f"selection s, {label} ({count} scorer(s))"] = annotating - selecting
        figures[f"selector rpc s, {label} ({count} scorer(s))"] = selector_seconds
        for index in range(count):
            scorer_peaks.append(stack.stop(f"scorer-{count}-{index}")[0])
    stopped = stack.stop_all()
    figures["peak MB: scorer (largest)"] = max(scorer_peaks)
    for instance, (peak, cpu) in stopped.items():
        figures[f"peak MB: {instance}"] = peak
        figures[f"CPU s: {instance}"] = cpu
    figures["orchestrator CPU ms per pool case and experiment"] = (
        1000 * stopped["orchestrator"][1] / (size * len(scorer_counts)))
    statements = stack.sql(
        "SELECT calls, round(total_exec_time::numeric, 1), round(mean_exec_time::numeric, 3), rows, "
        "regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements "
        "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "ORDER BY total_exec_time DESC LIMIT 8")
    total = stack.sql(
        "SELECT round(sum(total_exec_time)::numeric / 1000, 2) FROM pg_stat_statements "
        "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())")[0][0]
    figures["PostgreSQL execution s, all statements"] = float(total)
    return figures, statements, slow_plans(args.pg_log, log_offset, args.plans)


def stack_peaks():
    """Peak memory of nats-server and of the largest PostgreSQL process (MB), over the whole stack's life."""
    peaks = {}
    for name, label in (("nats-server", "nats-server"), ("postgres", "postgres (largest process)")):
        pids = subprocess.run(["pgrep", "-x", name], capture_output=True, text=True).stdout.split()
        values = []
        for pid in pids:
            try:
                values.append(process_figures(pid)[0])
            except OSError:
                pass
        if values:
            peaks[f"peak MB: {label}"] = max(values)
    return peaks


def cell(values):
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.3g}" if values[0] < 100 else f"{values[0]:.0f}"
    low, high, mid = min(values), max(values), statistics.median(values)
    form = (lambda v: f"{v:.3g}") if high < 100 else (lambda v: f"{v:.0f}")
    return f"{form(mid)} ({form(low)}–{form(high)})"


def main():
    args = parse_args()
    args.started = time.strftime("%Y%m%d%H%M%S")
    sizes = [int(s) for s in args.sizes.split(",")]
    scorer_counts = [int(s) for s in args.scorers.split(",")]
    os.makedirs(args.work, exist_ok=True)
    results = {}
    for run in range(1, args.runs + 1):
        for size in sizes:
            load = os.getloadavg()
            figures, statements, plans = run_size(args, run, size, scorer_counts)
            figures["load average (1 min) at start"] = load[0]
            results.setdefault(size, []).append(figures)
            print(f"\n== N = {size}, run {run}: statements by total execution time (calls, total ms, mean ms, rows)")
            for calls, total, mean, rows, query in statements:
                print(f"{calls:>7} {total:>10} {mean:>9} {rows:>8}  {query[:160]}")
            for duration, plan in plans:
                print(f"\n-- slowest logged plan, {duration:.1f} ms:\n{plan}")
            print(f"\n== N = {size}, run {run}: figures")
            for name, value in figures.items():
                print(f"{name}: {value:.4g}")
            sys.stdout.flush()
    for size in sizes:
        for figures in results[size]:
            figures.update(stack_peaks())
    ones = [results[s][0].get(f"scoring cases/s, {scorer_counts[0]} scorer(s)") for s in sizes]
    for size, one in zip(sizes, ones):
        for figures in results[size]:
            base = figures.get(f"scoring cases/s, {scorer_counts[0]} scorer(s)")
            for count in scorer_counts:
                rate = figures.get(f"scoring cases/s, {count} scorer(s)")
                if base and rate:
                    figures[f"per-core efficiency, {count} scorer(s)"] = rate / (base * min(count, os.cpu_count()))
    names = []
    for size in sizes:
        for figures in results[size]:
            names += [name for name in figures if name not in names]
    print(f"\n== {args.runs} run(s); median (min–max) where several; {os.cpu_count()} cores, so scoring "
          f"can at most double over one scorer (per-core efficiency = rate / (one scorer's rate × min(scorers, cores)))")
    header = ["figure"] + [f"N = {s}" for s in sizes]
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join(["---"] + ["---:"] * len(sizes)) + " |")
    for name in names:
        print("| " + " | ".join([name] + [cell([f[name] for f in results[s] if name in f]) for s in sizes]) + " |")


if __name__ == "__main__":
    main()
