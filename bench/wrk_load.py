"""Concurrent load with wrk (Debian's package: scripts/system_deps.sh --bench): a fixed number of
keep-alive connections for a fixed time against one endpoint, each request on the next path of
a seeded list of property ids (bench/wrk_paths.lua), so the load spreads over the town instead of
hammering one cached row. wrk is a C event loop: one thread drives 32 connections at several
times the server's rate, so the Python server, not the client, is what is measured.

Figures: requests/s over the measured time, latency p50/p90/p99/max (wrk's histogram of every
response), answers outside 2xx (counted in the Lua script) and socket errors (connect, read,
write, timeout)."""
import json
import shutil
import subprocess
from pathlib import Path

import http_load

LUA = Path(__file__).resolve().parent / "wrk_paths.lua"


def available() -> bool:
    return shutil.which("wrk") is not None


def run(name: str, paths: list, paths_file: Path, connections: int, seconds: float,
        threads: int = 1, headers: dict | None = None, timeout_s: float = 5.0) -> dict:
    """One wrk run; a dict of its figures (`error` when wrk itself failed: never raises for the
    server's errors, which are counted)."""
    paths_file.write_text("\n".join(paths) + "\n")
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s",
           "--timeout", f"{timeout_s:g}s", "-s", str(LUA)]
    for key, value in (headers or {}).items():
        cmd += ["-H", f"{key}: {value}"]
    cmd += [f"http://{http_load.HOST}:{http_load.PORT}{paths[0]}", "--", str(paths_file)]
    out = {"name": name, "connections": connections, "seconds": seconds, "threads": threads}
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return {**out, "error": f"wrk did not run: {e}"}
    line = next((x for x in proc.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if proc.returncode != 0 or line is None:
        return {**out, "error": f"wrk exited {proc.returncode}: "
                               f"{(proc.stderr or proc.stdout).strip()[-500:]}"}
    raw = json.loads(line[len("WRKJSON "):])
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    duration = raw["duration_us"] / 1e6
    return {**out, "requests": raw["requests"], "duration_s": duration,
            "rps": raw["requests"] / duration if duration else 0.0,
            "p50": raw["p50_us"] / 1e3, "p90": raw["p90_us"] / 1e3, "p99": raw["p99_us"] / 1e3,
            "max": raw["max_us"] / 1e3, "mean": raw["mean_us"] / 1e3,
            "non2xx": raw["non2xx"], "socket_errors": socket_errors,
            "errors": raw["non2xx"] + socket_errors,
            "socket": {k: raw[k] for k in ("connect", "read", "write", "timeout")}}


def errors(r: dict) -> int | None:
    """Errors of a run: non-2xx + socket errors; None when wrk itself failed."""
    return None if "error" in r else r["errors"]
