#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Capture overhead under load (issue 10, items 1 and 2).

nginx (1 worker, TLS, HTTP/1.1 keep-alive and HTTP/2, 1 KiB response) on
127.0.0.1 is driven by wrk and h2load in these modes, each run in the same
invocation so every figure has its baseline beside it:

  untraced       nothing attached
  count-entry    httptap-helper --count-only, OpenSSL probes at function entry
                 + uretprobe (the placement before issue 10)
  traced-entry   httptap-record --pid <nginx master>, same placement
  count          httptap-helper --count-only, probes where the helper puts
                 them now (inside SSL_read/SSL_write, emulated)
  count-uprobes  count with the syscall tracepoints left out
                 (--count-only-uprobes): the OpenSSL uprobes' mechanism alone;
                 count less this is what the syscall tracepoints cost
  traced         httptap-record --pid <nginx master>: helper, record stream,
                 core into flows, JSONL to a file
  drain          httptap-helper --pid <nginx master> with its record stream
                 read and thrown away: probes, copies and helper with no
                 consumer: what the capture costs before anyone reads it
  traced-filtered  traced with --filter 'status>=500': every flow still
                 dissected and matched, none written (a capture that keeps
                 only errors; the window keeps flows in memory the same way)
  traced-notiming  the same with --no-timing: no connection set-up timing
                 (issue 12), so traced vs this is what timing costs
  traced-niced   traced with the capture pipeline (helper + httptap-record)
                 at nice 19: it runs when nginx and the load generator leave
                 a CPU idle, so what remains of the added latency is the
                 probes' and the copies' (count is the probes' alone)
  traced-nostacks  traced with --no-stacks: no initiator stack per message
                 (issue 12), so traced vs this is what stacks cost
  traced-bare    --no-timing --no-stacks: traced vs this is what timing and
                 stacks cost together

Benches: h1 (wrk -c16 keep-alive), h1-c1 (one connection), h1-close (wrk
-c16 with `Connection: close`: a TCP connection and TLS handshake per
request, where timing does its work), h2 (h2load).

Prints one JSON object per measurement on stdout (bench/run.py makes the
table). Each program's run time / run count is read with bpftool in a second,
2-second run after the timed one, with kernel.bpf_stats_enabled on only for
it (the statistics slow every program run).
"""

import argparse
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "capture"))
import nginxconf  # noqa: E402  (shared with the capture tests)

NGINX_CONF_HTTP = """\
    keepalive_requests 1000000;
    ssl_certificate {dir}/cert.pem;
    ssl_certificate_key {dir}/key.pem;
    server {{
        listen 127.0.0.1:{h1_port} ssl;
        listen 127.0.0.1:{h2_port} ssl http2;
        location = /1k {{
            return 200 "{body}";
        }}
    }}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


class Nginx:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="httptap-bench-nginx-")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-keyout", f"{self.dir}/key.pem", "-out", f"{self.dir}/cert.pem"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.h1_port, self.h2_port = free_port(), free_port()
        conf = f"{self.dir}/nginx.conf"
        with open(conf, "w") as f:
            f.write(nginxconf.nginx_config(self.dir, NGINX_CONF_HTTP.format(
                dir=self.dir, h1_port=self.h1_port, h2_port=self.h2_port, body="x" * 1023 + "\\n"), worker_connections=1024))
        self.proc = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-p", self.dir,
                                      "-e", f"{self.dir}/error.log", "-c", conf])
        wait_port(self.h1_port)
        wait_port(self.h2_port)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)



def cpu_seconds(pid):
    """User + system CPU seconds of pid and its descendants (the capture pipeline's own cost)."""
    total = 0.0
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for child in f.read().split():
                    total += cpu_seconds(int(child))
    except OSError:
        pass
    return total


def prog_ids():
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True).stdout
    return {p["id"] for p in json.loads(out or "[]")}


def prog_stats(ids):
    """{program name: (run_time_ns, run_cnt)} of the BPF programs with these ids: those the
    capture loaded (other captures on the machine load programs with the same names)."""
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True).stdout
    stats = {}
    for p in json.loads(out or "[]"):
        if p["id"] not in ids:
            continue
        name = p.get("name", "")
        t, n = stats.get(name, (0, 0))
        stats[name] = (t + p.get("run_time_ns", 0), n + p.get("run_cnt", 0))
    return stats


class Capture:
    """httptap-record or httptap-helper --count-only attached to a pid until stop()."""

    def __init__(self, bindir, mode, pid, workdir):
        env = dict(os.environ)
        if mode.endswith("entry"):
            env["HTTPTAP_SSL_PROBES"] = "entry"
        self.mode = mode
        self.output = os.path.join(workdir, f"{mode}.jsonl")
        self.stderr = open(os.path.join(workdir, f"{mode}.stderr"), "w+")
        if mode.startswith("count") or mode == "drain":
            flags = {"count-uprobes": ["--count-only-uprobes"], "drain": []}.get(mode, ["--count-only"])
            cmd = [f"{bindir}/httptap-helper", "--direct", "--pid", str(pid), *flags]
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.stderr, env=env)
            fcntl.fcntl(self.proc.stdout, F_SETPIPE_SZ, 1 << 20) # as httptap-record's pipe
            ready = threading.Event()
            threading.Thread(target=self._drain_records, args=(ready,), daemon=True).start()
        else:
            cmd = [f"{bindir}/httptap-record", "-v", "--pid", str(pid), "-o", self.output]
            # Variants combine: traced-filtered-nostacks is traced-filtered with --no-stacks.
            variants = set(mode.split("-")[1:])
            if variants & {"notiming", "bare"}:
                cmd.append("--no-timing")
            if "niced" in variants:
                cmd = ["nice", "-n", "19", *cmd] # nice execs it: the pid stays the capture's
            if "filtered" in variants:
                cmd += ["--filter", "status>=500"]
            if variants & {"nostacks", "bare"}:
                cmd.append("--no-stacks")
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.stderr, env=env)
            ready = threading.Event()
            threading.Thread(target=self._watch_stderr, args=(ready,), daemon=True).start()
        if not ready.wait(20):
            self.proc.kill()
            raise RuntimeError(f"{mode}: the capture did not become ready")
        time.sleep(0.3)

    def _drain_records(self, ready):
        # The record stream: 16-byte header, then u32 size | u16 type | ...; type 8 is Ready.
        f = self.proc.stdout
        f.read(16)
        while not ready.is_set():
            head = f.read(8)
            if len(head) < 8:
                return
            size = int.from_bytes(head[:4], "little")
            kind = int.from_bytes(head[4:6], "little")
            f.read(max(0, size - 8))
            if kind == 8:
                ready.set()
        # The rest goes to /dev/null inside the kernel: this reader costs next to nothing.
        with open(os.devnull, "wb") as null:
            while os.splice(f.fileno(), null.fileno(), 1 << 20) > 0:
                pass

    def _watch_stderr(self, ready):
        while not ready.is_set():
            time.sleep(0.05)
            self.stderr.seek(0)
            if "probes attached" in self.stderr.read():
                ready.set()

    def stop(self):
        cpu = cpu_seconds(self.proc.pid)
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=60)
        self.stderr.seek(0)
        err = self.stderr.read()
        self.stderr.close()
        result = {"lost": 0, "capture_cpu_s": cpu}
        m = re.search(r"(\d+) capture records were lost", err)
        if m:
            result["lost"] = int(m.group(1))
        m = re.search(r"count-only: (\d+) probe hits", err)
        if m:
            result["probe_hits"] = int(m.group(1))
        if os.path.exists(self.output):
            flows = ok = 0
            with open(self.output) as f:
                for line in f:
                    flows += 1
                    ok += '"status":200' in line.replace(" ", "")
            result["flows"], result["flows_200"] = flows, ok
            result["jsonl_bytes"] = os.path.getsize(self.output)
            os.unlink(self.output)
        notes = [l for l in err.splitlines() if "openssl:" in l]
        if notes:
            result["placement"] = notes[0].split("openssl:", 1)[1].strip()
        return result


STATS_SECONDS = 2
# With --client-own-libssl: env LD_LIBRARY_PATH=<a copy of libssl>, so the load generator's own
# TLS calls miss the probes, which are on nginx's libssl (the system's) for every process.
CLIENT_PREFIX = []
F_SETPIPE_SZ = 1031


def seconds(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    return float(m.group(1)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[m.group(2)]


def run_wrk(port, connections, duration, close=False):
    extra = ["-H", "Connection: close"] if close else []
    out = subprocess.run(CLIENT_PREFIX + ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", *extra,
                          f"https://127.0.0.1:{port}/1k"], capture_output=True, text=True, timeout=duration + 30).stdout
    lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_us": seconds(lat["50"]) * 1e6,
        "p99_us": seconds(lat["99"]) * 1e6,
        "errors": sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out)),
    }


def run_h2load(port, duration):
    out = subprocess.run(CLIENT_PREFIX + ["h2load", "-c10", "-m10", "-D", str(duration), f"https://127.0.0.1:{port}/1k"],
                         capture_output=True, text=True, timeout=duration + 30).stdout
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded", out)
    return {
        "requests": int(m.group(4)),
        "rps": float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out).group(1)),
    }


def run_load(bench, nginx, duration):
    if bench == "h1":
        return run_wrk(nginx.h1_port, 16, duration)
    if bench == "h1-c1":
        return run_wrk(nginx.h1_port, 1, duration)
    if bench == "h1-close":
        return run_wrk(nginx.h1_port, 16, duration, close=True)
    return run_h2load(nginx.h2_port, duration)


def measure(bindir, nginx, workdir, bench, mode, duration):
    if mode == "untraced":
        return {"bench": bench, "mode": mode, **run_load(bench, nginx, duration)}
    others = prog_ids()
    cap = Capture(bindir, mode, nginx.proc.pid, workdir)
    owners = prog_ids() - others
    cpu_before = cpu_seconds(cap.proc.pid)
    result = run_load(bench, nginx, duration)
    # Each program's run time comes from a second, shorter run: kernel.bpf_stats_enabled reads the
    # clock twice around every program run (~0.1 µs a hit here), which would slow the timed run.
    subprocess.run(["sysctl", "-q", "kernel.bpf_stats_enabled=1"], check=True)
    before = prog_stats(owners)
    stats_run = run_load(bench, nginx, STATS_SECONDS)
    after = prog_stats(owners)
    subprocess.run(["sysctl", "-q", "kernel.bpf_stats_enabled=0"])
    probes = {}
    for name, (t, n) in after.items():
        t0, n0 = before.get(name, (0, 0))
        if n - n0 > 0 and name.startswith(("ssl_", "sys_", "gnutls_", "raw_", "handle_", "on_")):
            probes[name] = {"hits": n - n0, "ns_per_hit": round((t - t0) / (n - n0)),
                            "per_request": round((n - n0) / max(1, stats_run["requests"]), 2)}
    result["bpf"] = probes
    cpu_after = cpu_seconds(cap.proc.pid)
    result.update(cap.stop())
    # Over both runs, as the flows are: the consumer's work does not change with the statistics.
    result["capture_cpu_s"] = round(cpu_after - cpu_before, 3)
    result["requests_captured"] = result["requests"] + stats_run["requests"]
    return {"bench": bench, "mode": mode, **result}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bindir", default=os.path.join(ROOT, "build-bench", "bin"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--duration", type=int, default=6)
    ap.add_argument("--bench", action="append", help="h1, h1-c1, h1-close, h2 (default: all)")
    ap.add_argument("--mode", action="append", help="these modes, in this order (default: each bench's plan)")
    ap.add_argument("--client-own-libssl", action="store_true",
                    help="wrk and h2load load a copy of libssl the probes are not on (what per-process probes would spare)")
    args = ap.parse_args()
    plan = {
        "h1": ["untraced", "count-entry", "traced-entry", "count", "count-uprobes", "drain", "traced-filtered", "traced", "traced-notiming", "traced-nostacks",
               "traced-bare"],
        "h1-c1": ["untraced", "traced-entry", "count", "traced", "traced-niced"],
        "h1-close": ["untraced", "traced-notiming", "traced"],
        "h2": ["untraced", "count", "count-uprobes", "drain", "traced-filtered", "traced"],
    }
    nginx = Nginx()
    workdir = tempfile.mkdtemp(prefix="httptap-bench-")
    if args.client_own_libssl:
        libs = os.path.join(workdir, "client-libs")
        os.makedirs(libs)
        shutil.copy2("/usr/lib/x86_64-linux-gnu/libssl.so.3", libs)
        CLIENT_PREFIX[:] = ["env", f"LD_LIBRARY_PATH={libs}"]
    try:
        for bench in args.bench or list(plan):
            # Interleaved, so slow drift (other builds on the machine) spreads over every mode.
            for rep in range(args.repeat):
                for mode in args.mode or plan[bench]:
                    row = measure(args.bindir, nginx, workdir, bench, mode, args.duration)
                    row["rep"] = rep
                    print(json.dumps(row), flush=True)
    finally:
        nginx.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
