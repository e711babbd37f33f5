#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench/run.py's capture-overhead rows from canned capture.py measurements (no kernel).

The budget row is where the benchmark says whether traced ≥ 0.75× can be reached on the
machine, and why not: these check its arithmetic and its verdict against figures worked
out by hand.
"""

import os
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
import run  # noqa: E402  (bench/run.py)


def h2(mode, rps, bpf=None, cpu=None, requests=None, flows=None):
    row = {"bench": "h2", "mode": mode, "rps": rps, "requests": int(rps * 6)}
    if bpf is not None:
        row["bpf"] = {name: {"hits": 1000, "ns_per_hit": ns, "per_request": per} for name, (ns, per) in bpf.items()}
    if cpu is not None:
        row["capture_cpu_s"] = cpu
        row["requests_captured"] = requests
        row["lost"] = 0
    if flows is not None:
        row["flows"] = flows
    return row


COUNT_BPF = {"ssl_call_result": (100, 2.0), "sys_enter": (100, 4.0)}
DRAIN_BPF = {"ssl_call_result": (400, 2.0), "sys_enter": (150, 4.0)}  # 0.8 µs more a stream


def budget_row(rows):
    found = [r for r in run.build_rows(rows, [], [], [], {}, []) if "may add at 0.75×" in r[0]]
    return found[0] if found else None


class BudgetRow(unittest.TestCase):
    def setUp(self):
        self.cpus = os.cpu_count() or 1

    def added(self, rps, base):
        return self.cpus / rps * 1e6 - self.cpus / base * 1e6

    def test_out_of_reach_when_the_bound_exceeds_the_budget(self):
        base = 100_000.0
        rows = [h2("untraced", base), h2("count", 75_000.0, COUNT_BPF),
                h2("drain", 70_000.0, DRAIN_BPF, cpu=0.5, requests=500_000),
                h2("traced-filtered", 69_000.0, DRAIN_BPF), h2("traced", 68_000.0, DRAIN_BPF, cpu=2.0, requests=500_000, flows=500_000)]
        figure, value, detail, verdict = budget_row(rows)
        budget = self.cpus / base * 1e6 / 3
        self.assertEqual(value, f"{budget:.1f} µs")
        bound = self.added(75_000.0, base) + 0.8 + 1.0  # probes + BPF copying + helper (0.5 s / 500,000)
        self.assertGreater(bound, budget) # 1.3× on 2 CPUs, 1.5× on one
        self.assertIn(f"= {bound:.1f} µs", detail)
        self.assertIn("BPF copying 0.8", detail)
        self.assertIn("helper 1.0", detail)
        self.assertEqual(verdict, f"out of reach here: probes, copies and helper alone are {bound / budget:.1f}× the budget")

    def test_reachable_when_traced_adds_less_than_the_budget(self):
        base = 100_000.0
        rows = [h2("untraced", base), h2("count", 98_000.0, COUNT_BPF),
                h2("drain", 97_000.0, DRAIN_BPF, cpu=0.1, requests=500_000),
                h2("traced", 96_000.0, DRAIN_BPF, cpu=0.3, requests=500_000, flows=500_000)]
        self.assertEqual(budget_row(rows)[3], "reachable")

    def test_not_reached_when_only_the_consumer_is_over(self):
        # Probes and copies fit; the consumer takes the capture over the budget.
        base = 100_000.0
        rows = [h2("untraced", base), h2("count", 99_000.0, COUNT_BPF),
                h2("drain", 98_000.0, DRAIN_BPF, cpu=0.1, requests=500_000),
                h2("traced", 50_000.0, DRAIN_BPF, cpu=3.0, requests=500_000, flows=500_000)]
        verdict = budget_row(rows)[3]
        self.assertTrue(verdict.startswith("not reached: "), verdict)

    def test_older_measurements_without_hits_per_request(self):
        # capture.py before the statistics run had no per_request: no bound, and no crash.
        base = 100_000.0
        old = {"ssl_call_result": {"hits": 10, "ns_per_hit": 400}}
        rows = [h2("untraced", base), {**h2("count", 80_000.0), "bpf": old},
                {**h2("traced", 60_000.0, cpu=2.0, requests=500_000, flows=500_000), "bpf": old}]
        figure, value, detail, verdict = budget_row(rows)
        self.assertNotIn("at least", detail)
        self.assertTrue(verdict.startswith("not reached: "), verdict)

    def test_no_row_without_the_limit(self):
        self.assertIsNone(budget_row([h2("untraced", 100_000.0), h2("traced", 60_000.0)]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
