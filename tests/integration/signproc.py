"""The running sign as a process, for the soak, fault and bench tests: start `roomsign` (display)
headless (SDL's dummy video driver) or under a private Xvfb, and read what /proc says about it.
Stdlib only; Linux only."""
import os
import signal
import subprocess
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


class Xvfb:
    """A private X server on a free display number (-displayfd), stopped on exit."""

    def __init__(self, size="1920x1080"):
        r, w = os.pipe()
        self.proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", size + "x24",
                                      "-nolisten", "tcp", "-noreset"], pass_fds=(w,),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(w)
        with os.fdopen(r) as f:
            number = f.readline().strip()
        if not number:
            self.proc.kill()
            raise RuntimeError("Xvfb did not start")
        self.display = ":" + number

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def stats(pid):
    """Figures for one process: rss_kb, anon_kb (RssAnon: heap, stacks, anonymous maps -- what a
    leak grows, and unlike USS not changed by other processes mapping or unmapping the same
    libraries), pss_kb, private_kb (USS), fds, cpu_s (user+system, all threads),
    switches (voluntary + involuntary context switches summed over threads: each one is the
    process going to sleep or being woken), threads."""
    out = {"rss_kb": 0, "anon_kb": 0, "pss_kb": 0, "private_kb": 0, "fds": 0, "cpu_s": 0.0, "switches": 0, "threads": 0}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                out["rss_kb"] = int(line.split()[1])
            elif line.startswith("RssAnon:"):
                out["anon_kb"] = int(line.split()[1])
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    out["pss_kb"] = int(line.split()[1])
                elif line.startswith(("Private_Clean:", "Private_Dirty:")):
                    out["private_kb"] += int(line.split()[1])   # USS: what this process alone holds
    except OSError:
        pass
    out["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    out["cpu_s"] = (int(fields[11]) + int(fields[12])) / CLK_TCK      # utime, stime
    for tid in os.listdir(f"/proc/{pid}/task"):
        out["threads"] += 1
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        out["switches"] += int(line.split()[1])
        except OSError:
            pass
    return out


def thread_switches(pid):
    """{thread name + tid: context switches} for every thread."""
    res = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            n = 0
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        n += int(line.split()[1])
            res[f"{name}/{tid}"] = n
        except OSError:
            pass
    return res


class Sign:
    """`roomsign [ARGS]` running the display. headless: SDL's dummy video driver (no X); else
    display names an X server. The log goes to LOG (a file path)."""

    def __init__(self, roomsign, args, log, env=None, display=None, size="800x480", hit_areas=None,
                 view_json=None, wrapper=None):
        e = dict(os.environ)
        e.pop("DISPLAY", None)
        e.update(env or {})
        if display:
            e["DISPLAY"] = display
            e.pop("SDL_VIDEODRIVER", None)
        else:
            e["SDL_VIDEODRIVER"] = "dummy"
        if view_json:
            e["ROOMSIGN_VIEW_JSON"] = view_json
        cmd = list(wrapper or []) + [roomsign] + list(args) + ["--size", size]
        if hit_areas:
            cmd += ["--hit-areas", hit_areas]
        self.log_path = log
        self.log = open(log, "w")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, env=e, stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def stats(self):
        return stats(self.pid)

    def log_text(self):
        self.log.flush()
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self, timeout=30):
        """SIGTERM, wait; returns the exit status (negative: killed by a signal)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def wait_for(predicate, timeout, step=0.05):
    """Polls predicate until it returns something truthy (returned) or timeout seconds pass (None)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = predicate()
        if v:
            return v
        time.sleep(step)
    return None


def wait_file(path, timeout, step=0.001):
    return wait_for(lambda: os.path.exists(path), timeout, step)
