"""Runs a command and prints "wall_seconds cpu_seconds peak_rss_kb" for it (children included),
like GNU time, which a fresh machine may not have. Usage: compress_time.py OUTFILE CMD..."""
import os
import subprocess
import sys
import time


def main():
    out, cmd = sys.argv[1], sys.argv[2:]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    with open(out, "w") as f:
        f.write(f"{wall:.3f} {usage.ru_utime + usage.ru_stime:.3f} {usage.ru_maxrss}\n")
    code = os.waitstatus_to_exitcode(status)
    sys.exit(0 if code in (0, 1) else code)  # 1 = some files rejected, still measured


if __name__ == "__main__":
    main()
