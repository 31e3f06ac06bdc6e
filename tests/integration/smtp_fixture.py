"""The SMTP sink (tests/fakes/smtp/smtp_sink.py) as a test fixture: started per test on a free
loopback port, its mailbox read back from the files it writes. Stdlib only (the sink itself
needs python3-aiosmtpd: under CI=true a missing module fails the test)."""

import glob
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SINK = os.path.join(HERE, "..", "fakes", "smtp", "smtp_sink.py")


def have_aiosmtpd():
    return subprocess.run([sys.executable, "-c", "import aiosmtpd"], capture_output=True).returncode == 0


class SmtpSink:
    """One sink process; dir holds its port file, log and mailbox."""

    def __init__(self, workdir, ca_script, *flags, cert="server", name="smtp"):
        """cert: "server" (from the test CA), "untrusted" (another CA's), or None (no TLS at all)."""
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        cmd = [sys.executable, SINK, "--dir", self.dir] + list(flags)
        ca_dir = os.path.join(workdir, "ca")
        subprocess.run(["sh", ca_script, ca_dir], check=True)
        self.ca_file = os.path.join(ca_dir, "ca.pem")
        if cert:
            cmd += ["--cert", os.path.join(ca_dir, cert + ".pem"), "--key", os.path.join(ca_dir, cert + ".key")]
        self.log = open(os.path.join(self.dir, "sink.log"), "w", encoding="utf-8")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log)
        port_file = os.path.join(self.dir, "port")
        deadline = time.monotonic() + 30
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the SMTP sink did not start:\n" + self.output())
            time.sleep(0.05)
        with open(port_file) as f:
            self.port = int(f.read())

    def url(self, scheme="smtp"):
        return "%s://localhost:%d" % (scheme, self.port)

    def messages(self):
        out = []
        for path in sorted(glob.glob(os.path.join(self.dir, "mail", "*.json"))):
            with open(path, encoding="utf-8") as f:
                out.append(json.load(f))
        return out

    def refused(self):
        """How many messages the server refused after DATA (--refuse-data)."""
        d = os.path.join(self.dir, "refused")
        return len(os.listdir(d)) if os.path.isdir(d) else 0

    def wait_messages(self, n, timeout=30):
        deadline = time.monotonic() + timeout
        while len(self.messages()) < n and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages()

    def output(self):
        self.log.flush()
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def header(data, name):
    """The value of the first header `name` in a raw message."""
    for line in data.split("\r\n"):
        if not line:
            break
        if line.lower().startswith(name.lower() + ":"):
            return line.split(":", 1)[1].strip()
    return None


def body(data):
    return data.split("\r\n\r\n", 1)[1] if "\r\n\r\n" in data else ""
