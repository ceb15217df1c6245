#!/usr/bin/env python3
"""Sends each request bomb once to a running `schoolyard serve` and prints, per bomb, the status it
got, the wall time from the first byte sent to the answer (or the close), and how far the server's
peak resident set grew meanwhile (VmHWM of its pid, reset through /proc/PID/clear_refs before each
bomb). Usage: bombs.py PORT PID [TIMEOUT_S]. Loopback only; every loop is bounded."""
import socket
import sys
import threading
import time

PORT, PID = int(sys.argv[1]), int(sys.argv[2])
TIMEOUT = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0


def status_kb(key):
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def reset_peak():
    with open(f"/proc/{PID}/clear_refs", "w") as f:
        f.write("5")


def read_status(s, deadline):
    """The status of the first response, 'closed' if the server closed first, 'timeout'."""
    buf = b""
    while b"\r\n" not in buf:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = s.recv(65536)
        except (socket.timeout, TimeoutError):
            return "timeout"
        except (ConnectionResetError, BrokenPipeError):
            return "closed"
        if not chunk:
            return "closed"
        buf += chunk
    return buf.split(b" ", 2)[1].decode()


def send_all_in_background(s, data):
    def run():
        try:
            s.sendall(data)
        except OSError:
            pass  # refused early: the server stopped reading
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def bomb(path, ctype, body):
    head = (f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    s = socket.create_connection(("127.0.0.1", PORT))
    reset_peak()
    before = status_kb("VmRSS")
    t0 = time.monotonic()
    send_all_in_background(s, head + body)
    st = read_status(s, t0 + TIMEOUT)
    secs = time.monotonic() - t0
    grow = (status_kb("VmHWM") - before) / 1024
    s.close()
    return st, secs, grow


def trickle(first, drip, interval):
    """Sends `first`, then one byte of `drip` per interval until the server closes."""
    s = socket.create_connection(("127.0.0.1", PORT))
    reset_peak()
    before = status_kb("VmRSS")
    t0 = time.monotonic()
    s.sendall(first)
    st = "timeout"
    for b in drip:
        s.settimeout(interval)
        try:
            chunk = s.recv(4096)
            st = chunk.split(b" ", 2)[1].decode() if chunk else "closed"
            break
        except (socket.timeout, TimeoutError):
            pass
        except ConnectionResetError:
            st = "closed"
            break
        if time.monotonic() - t0 > TIMEOUT:
            break
        try:
            s.sendall(bytes([b]))
        except OSError:
            st = "closed"
            break
    secs = time.monotonic() - t0
    grow = (status_kb("VmHWM") - before) / 1024
    s.close()
    return st, secs, grow


def fill(unit, size, prefix=b"", suffix=b""):
    n = (size - len(prefix) - len(suffix)) // len(unit)
    return prefix + unit * n + suffix


def main():
    rows = [
        ("JSON [{},{},...] 300 KB to POST /api/v1/session",
         lambda: bomb("/api/v1/session", "application/json", fill(b"{},", 300 * 1024, b"[", b"{}]"))),
        ("JSON [{},{},...] 25 MB to POST /api/v1/session",
         lambda: bomb("/api/v1/session", "application/json", fill(b"{},", 25 * 1024 * 1024, b"[", b"{}]"))),
        ("JSON {\"a\":[{},...]} 60 KB (under the body limit)",
         lambda: bomb("/api/v1/session", "application/json", fill(b"{},", 60 * 1024, b'{"a":[', b"{}]}"))),
        ("JSON 60 KB of '[' (depth)",
         lambda: bomb("/api/v1/session", "application/json", b"[" * (60 * 1024))),
        ("form a&a&... 10 MB to POST /login",
         lambda: bomb("/login", "application/x-www-form-urlencoded", fill(b"a&", 10 * 1024 * 1024))),
        ("form a&a&... 60 KB (under the body limit)",
         lambda: bomb("/login", "application/x-www-form-urlencoded", fill(b"a&", 60 * 1024))),
        ("headers trickled 1 byte/s (slowloris)",
         lambda: trickle(b"GET / HTTP/1.1\r\n", b"X" * 600, 1.0)),
        ("body trickled 1 byte/s",
         lambda: trickle(b"POST /login HTTP/1.1\r\nHost: b\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                         b"Content-Length: 600\r\n\r\n", b"a" * 600, 1.0)),
    ]
    print("| bomb | answer | time to answer or close | server peak RSS growth |")
    print("|---|---|---|---|")
    for name, run in rows:
        st, secs, grow = run()
        shown = f"> {TIMEOUT:.0f} s (gave up)" if st == "timeout" else f"{secs:.3f} s"
        print(f"| {name} | {st} | {shown} | {grow:.1f} MB |", flush=True)
        time.sleep(0.5)


if __name__ == "__main__":
    main()
