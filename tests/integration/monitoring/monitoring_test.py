#!/usr/bin/python3
"""Prometheus monitoring, with the real servers from Debian (issue 15).

  monitoring_test.py check-rules  --rules config/roomsign-alerts.yml
  monitoring_test.py test-rules   --rules-test tests/integration/monitoring/roomsign-alerts.test.yml
  monitoring_test.py e2e          --roomsign BIN --rules ... --fake fake_ews.py --workdir DIR [--streaming]

e2e: a headless sign reads the fake EWS and writes its textfile; a real node_exporter (textfile
collector only) exports it on loopback; a real Prometheus scrapes it every second and evaluates
a copy of config/roomsign-alerts.yml in which only RoomsignNotSynced's 600 s became THRESHOLD_S
(derived mechanically: the expression under test is the shipped one). The fake's calendar is cut
off (FindItem answers 500): the Prometheus API shows RoomsignNotSynced firing, with the room;
restored, it resolves.

--streaming: the same with the sign's default push (EWS streaming notifications, safety_refresh
900 s): it reads the calendar once, then only hears the stream's keep-alives, and must still
count as synced (the alert stays silent) — the fake's log shows it did not poll for it. The
cut-off is then a whole outage (every request 503, every subscription lost).

Clocks: ROOMSIGN_TEST_NOW pins the sign and the fake to 10:00 UTC today (the seeded meetings are
"today" whatever the hour the test runs). Prometheus keeps real time, and so do the timestamps
the sign exports (monitor.c): the test checks both that the alert stays silent while the sign
syncs and that the exported instants are Prometheus' now.

Missing servers: exit 77 (skip) with the reason, but under CI=true a failure."""
import argparse
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("ROOMSIGN_TEST_NOW", "10:00Z")
sys.path.insert(0, os.path.join(HERE, "..", "..", "fakes"))
sys.path.insert(0, os.path.join(HERE, ".."))
import testclock  # noqa: E402,F401  (must come first: it pins this process's clock)
import signproc  # noqa: E402
from ews_fixture import PASSWORD, ROOM, default_seed, iso  # noqa: E402

THRESHOLD_S = 20      # RoomsignNotSynced's 600 s in the e2e copy; > refresh 10 s + jitter + scrape + eval
REFRESH_S = 10        # the sign's [source] refresh (the smallest it takes)
ROOM_NAME = 'Fjord "4.12" \\ north'   # quotes and a backslash: escaped in the file, exact in Prometheus
PROMETHEUS = "/usr/bin/prometheus"
NODE_EXPORTER = "/usr/bin/prometheus-node-exporter"
PROMTOOL = "/usr/bin/promtool"


def unavailable(why):
    if os.environ.get("CI") == "true":
        print("FAIL: " + why + " (CI=true: a missing resource fails)")
        sys.exit(1)
    print("SKIP: " + why)
    sys.exit(77)


def need(*paths):
    for p in paths:
        if not os.access(p, os.X_OK):
            unavailable("%s is missing (Debian: prometheus, prometheus-node-exporter; .ci/setup test)" % p)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


def expect(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok: " + what)


def derive_rules(shipped, out):
    """The shipped rules with RoomsignNotSynced's 10 minutes cut to THRESHOLD_S, nothing else."""
    with open(shipped, encoding="utf-8") as f:
        text = f.read()
    pattern = r"(time\(\) - roomsign_last_sync_success_timestamp_seconds > )600\b"
    derived, n = re.subn(pattern, r"\g<1>%d" % THRESHOLD_S, text)
    if n != 1:
        raise AssertionError("RoomsignNotSynced's '> 600' not found exactly once in %s" % shipped)
    with open(out, "w", encoding="utf-8") as f:
        f.write(derived)


class Procs:
    def __init__(self):
        self.procs = []

    def start(self, name, cmd, log, env=None):
        f = open(log, "w")
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, env=env)
        self.procs.append((name, p, f))
        return p

    def stop(self):
        for name, p, f in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
            f.close()


class Fake:
    def __init__(self, procs, fake, workdir, seed):
        seed_file = os.path.join(workdir, "seed.json")
        with open(seed_file, "w", encoding="utf-8") as f:
            json.dump(seed, f)
        self.seed = seed
        port_file = os.path.join(workdir, "ews.port")
        p = procs.start("fake", [sys.executable, fake, "--port-file", port_file, "--seed", seed_file],
                        os.path.join(workdir, "fake.log"))
        if not signproc.wait_for(lambda: os.path.exists(port_file) or p.poll() is not None, 10) or p.poll() is not None:
            raise RuntimeError("the fake EWS did not start")
        with open(port_file) as f:
            self.port = int(f.read())

    def admin(self, path, data):
        req = urllib.request.Request("http://127.0.0.1:%d/_admin/%s" % (self.port, path),
                                     data=json.dumps(data).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def cut_off(self, streaming):
        """The room's calendar cannot be read: every FindItem answers 500, until restored; with
        streaming the whole server is out (every request 503) and its subscriptions are lost."""
        if streaming:
            self.admin("settings", {"outage": True})
            self.admin("drop_subscriptions", {})
        else:
            self.admin("faults", [{"kind": "500", "count": -1, "ops": ["FindItem"]}])

    def log(self):
        with urllib.request.urlopen("http://127.0.0.1:%d/_admin/log" % self.port, timeout=10) as r:
            return json.loads(r.read())

    def restore(self):
        self.admin("seed", self.seed)          # the same calendar, the faults gone


class Prom:
    def __init__(self, port):
        self.base = "http://127.0.0.1:%d" % port

    def query(self, expr):
        r = get_json(self.base + "/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
        return r["data"]["result"]

    def value(self, expr):
        res = self.query(expr)
        return float(res[0]["value"][1]) if res else None

    def alerts(self, name):
        try:
            r = get_json(self.base + "/api/v1/alerts")
        except OSError:
            return []
        return [a for a in r["data"]["alerts"] if a["labels"].get("alertname") == name]

    def ready(self):
        try:
            with urllib.request.urlopen(self.base + "/-/ready", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False


def seed_today():
    """Meetings on the pinned day: one on now (09:30-10:30), two later, one tomorrow."""
    now = int(time.time())
    day = now - now % 86400
    seed = default_seed()
    rooms = seed["rooms"]
    rooms[0]["name"] = ROOM_NAME
    seed["events"] = [
        {"room": ROOM, "subject": s, "start": iso(day + a), "end": iso(day + b),
         "organizer": {"name": "Ann", "email": "ann@example.com"}}
        for s, a, b in (("Standup", 34200, 37800), ("Review", 46800, 50400), ("Retro", 54000, 57600),
                        ("Tomorrow", 86400 + 36000, 86400 + 39600))]
    return seed


def write_config(workdir, fake_port, textfile, streaming):
    secret = os.path.join(workdir, "secret")
    with open(secret, "w") as f:
        f.write(PASSWORD + "\n")
    os.chmod(secret, 0o600)
    path = os.path.join(workdir, "roomsign.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join([
            "[room]", "name = " + ROOM_NAME, "timezone = UTC", "",
            "[source]", "type = ews", "url = http://127.0.0.1:%d/EWS/Exchange.asmx" % fake_port,
            "mailbox = " + ROOM, "username = EXAMPLE\\svc-roomsign", "password_file = " + secret,
            "auth = ntlm", "timeout = 5", "allow_insecure_http = yes", "refresh = %d" % REFRESH_S,
            # no: reads every refresh; yes: reads once, then hears pushed changes (read again only
            # every safety_refresh, 900 s, far beyond the test)
            "streaming = %s" % ("yes" if streaming else "no"), "safety_refresh = 900", "",
            "[monitoring]", "textfile = " + textfile, "",
            "[paths]", "state_dir = " + os.path.join(workdir, "state"), ""]))
    return path


def write_prometheus_config(workdir, rules, exporter_port):
    path = os.path.join(workdir, "prometheus.yml")
    with open(path, "w") as f:
        f.write("""global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%s]
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["127.0.0.1:%d"]
""" % (json.dumps(rules), exporter_port))
    return path


def e2e(args):
    need(PROMETHEUS, NODE_EXPORTER)
    workdir = os.path.join(args.workdir, "e2e-streaming" if args.streaming else "e2e")
    shutil.rmtree(workdir, ignore_errors=True)
    textdir = os.path.join(workdir, "textfile")
    os.makedirs(textdir)
    os.makedirs(os.path.join(workdir, "state"))
    textfile = os.path.join(textdir, "roomsign.prom")
    rules = os.path.join(workdir, "roomsign-alerts.e2e.yml")
    derive_rules(args.rules, rules)
    procs = Procs()
    sign = None
    try:
        fake = Fake(procs, args.fake, workdir, seed_today())
        config = write_config(workdir, fake.port, textfile, args.streaming)
        sign = signproc.Sign(args.roomsign, ["--config", config], os.path.join(workdir, "sign.log"))
        exporter_port, prom_port = free_port(), free_port()
        procs.start("node_exporter", [NODE_EXPORTER, "--web.listen-address=127.0.0.1:%d" % exporter_port,
                                      "--collector.disable-defaults", "--collector.textfile",
                                      "--collector.textfile.directory=" + textdir],
                    os.path.join(workdir, "node_exporter.log"))
        procs.start("prometheus", [PROMETHEUS, "--config.file=" + write_prometheus_config(workdir, rules, exporter_port),
                                   "--storage.tsdb.path=" + os.path.join(workdir, "tsdb"),
                                   "--web.listen-address=127.0.0.1:%d" % prom_port],
                    os.path.join(workdir, "prometheus.log"))
        prom = Prom(prom_port)
        expect(signproc.wait_for(prom.ready, 30, 0.2), "Prometheus is up on loopback")

        # The sign syncs, node_exporter exports its file, Prometheus has it.
        info = signproc.wait_for(lambda: prom.query('roomsign_info{job="node"}'), 40, 0.5)
        expect(info, "Prometheus scraped roomsign_info through node_exporter's textfile collector")
        labels = info[0]["metric"]
        expect(labels.get("room") == ROOM_NAME and labels.get("source_type") == "ews",
               "roomsign_info's labels arrive exactly (room %r, escaped in the file)" % labels.get("room"))
        expect(prom.value("node_textfile_scrape_error") == 0, "node_exporter parsed the file without an error")
        synced = signproc.wait_for(lambda: prom.value("roomsign_last_sync_success_timestamp_seconds > 0"), 30, 0.5)
        expect(synced, "the sign reported a successful sync")
        age = prom.value("time() - roomsign_last_sync_success_timestamp_seconds")
        expect(age is not None and -5 <= age <= REFRESH_S + 5,
               "the exported sync instant is Prometheus' now (%.1f s ago), not the sign's pinned clock" % age)
        expect(prom.value("roomsign_events_today") == 3, "roomsign_events_today counts the pinned day's 3 meetings")
        expect(prom.value("roomsign_room_busy") == 1, "roomsign_room_busy is 1 during the 09:30-10:30 meeting")
        expect(prom.value("roomsign_process_start_time_seconds") is not None, "process start time exported")
        expect(not os.listdir(textdir) or os.listdir(textdir) == ["roomsign.prom"], "no temporary file left beside it")

        # Healthy for longer than the threshold: the alert is never pending nor firing.
        end = time.monotonic() + THRESHOLD_S + 5
        while time.monotonic() < end:
            active = prom.alerts("RoomsignNotSynced")
            if active:
                raise AssertionError("RoomsignNotSynced is %s while the sign syncs" % active[0]["state"])
            time.sleep(1)
        expect(True, "RoomsignNotSynced stayed silent for %d s of healthy syncs" % (THRESHOLD_S + 5))
        if args.streaming:
            ops = [e.get("op") for e in fake.log()]
            expect("GetStreamingEvents" in ops, "the sign listened to streaming notifications")
            expect(ops.count("FindItem") <= 2, "with push the sign did not poll the calendar (%d FindItem)"
                   % ops.count("FindItem"))
            age = prom.value("time() - roomsign_last_sync_success_timestamp_seconds")
            expect(age is not None and age <= REFRESH_S + 5,
                   "a pushing sign still exports a fresh sync instant (%.1f s ago)" % age)

        # Cut the calendar off: the alert fires within the rule's window.
        # FindItem's 500 is a network-category failure; an outage's 503 counts as the server's
        errors_expr = 'sum(roomsign_sync_errors_total)' if args.streaming else \
            'roomsign_sync_errors_total{category="network"}'
        errors_before = prom.value(errors_expr) or 0
        fake.cut_off(args.streaming)
        cut = time.monotonic()
        firing = signproc.wait_for(lambda: [a for a in prom.alerts("RoomsignNotSynced") if a["state"] == "firing"],
                                   THRESHOLD_S + REFRESH_S + 20, 0.5)
        took = time.monotonic() - cut
        expect(firing, "RoomsignNotSynced fires in the Prometheus API after the cut-off (%.0f s)" % took)
        expect(took >= THRESHOLD_S - REFRESH_S - 2, "not before the threshold could have passed (%.0f s)" % took)
        expect(firing[0]["labels"].get("room") == ROOM_NAME, "the alert names the room")
        expect((prom.value(errors_expr) or 0) > errors_before, "%s counted the failed refreshes" % errors_expr)
        expect(sign.alive(), "the sign runs on")

        # Restore: the next refresh succeeds and the alert resolves.
        fake.restore()
        resolved = signproc.wait_for(lambda: not prom.alerts("RoomsignNotSynced"), REFRESH_S * 2 + 15, 0.5)
        expect(resolved, "RoomsignNotSynced resolves once the calendar is back")
        expect(prom.value("time() - roomsign_last_sync_success_timestamp_seconds") <= REFRESH_S * 2 + 5,
               "a fresh sync instant is exported again")
        expect(prom.value("node_textfile_scrape_error") == 0, "node_exporter still parses every rewrite")
        return 0
    except Exception:
        for name in ("sign.log", "prometheus.log", "node_exporter.log"):
            p = os.path.join(workdir, name)
            if os.path.exists(p):
                with open(p, errors="replace") as f:
                    print("---- %s (tail)\n%s" % (name, "".join(f.readlines()[-30:])))
        if os.path.exists(textfile):
            with open(textfile) as f:
                print("---- roomsign.prom\n" + f.read())
        raise
    finally:
        if sign:
            sign.stop()
        procs.stop()


DROPIN = "etc/systemd/system/prometheus-node-exporter.service.d/roomsign.conf"


def unit_commands(image_files, roomsign, rundir):
    """ExecStartPre= and the last ExecStart= of the image's node_exporter drop-in, as argv lists
    runnable here: the image's paths mapped to the build tree and a private run directory."""
    pre, start = [], None
    with open(os.path.join(image_files, DROPIN), encoding="utf-8") as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            if key not in ("ExecStartPre", "ExecStart") or not value:
                continue
            value = value.lstrip("+")
            value = value.replace("/usr/bin/roomsign", roomsign).replace("/run/roomsign-node-exporter", rundir)
            value = value.replace("/usr/libexec/roomsign/", os.path.join(image_files, "usr/libexec/roomsign/"))
            if key == "ExecStartPre":
                pre.append(shlex.split(value))
            else:
                start = shlex.split(value)
    if not pre or not start:
        raise AssertionError("the drop-in has no ExecStartPre=/ExecStart=")
    return pre, start


def listening(pid):
    """The TCP addresses process pid listens on (ss)."""
    out = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True, check=True).stdout
    return sorted(line.split()[3] for line in out.splitlines() if "pid=%d," % pid in line)


def exporter_unit(args):
    """The image's node_exporter wiring (drop-in + roomsign exporter-args + wrapper) run here
    with the real node_exporter: off by default, and with [monitoring] listen and web_config set,
    listening only there, behind TLS and basic auth, exporting the sign's textfile. A boot test
    of the image would cost ~25 minutes; this runs the same files in seconds."""
    need(NODE_EXPORTER)
    for tool in ("htpasswd", "openssl", "ss"):
        if not shutil.which(tool):
            unavailable(tool + " is missing")
    workdir = os.path.join(args.workdir, "exporter-unit")
    shutil.rmtree(workdir, ignore_errors=True)
    rundir, textdir = os.path.join(workdir, "run"), os.path.join(workdir, "textfile")
    os.makedirs(rundir)
    os.makedirs(textdir)
    pre, start = unit_commands(args.image_files, args.roomsign, rundir)
    env = dict(os.environ, ROOMSIGN_NODE_EXPORTER=NODE_EXPORTER)

    def run_unit(config, timeout=5):
        env["ROOMSIGN_CONFIG"] = config
        for cmd in pre:
            subprocess.run(cmd, env=env, check=True, timeout=30)
        return subprocess.Popen(start, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    # Off: no configuration yet, then a configuration without [monitoring] listen.
    for name, text in (("missing.conf", None), ("off.conf", "[room]\nname = Fjord\n")):
        config = os.path.join(workdir, name)
        if text is not None:
            with open(config, "w") as f:
                f.write(text)
        p = run_unit(config)
        out, _ = p.communicate(timeout=10)
        expect(p.returncode == 0 and "off" in out and not listening(p.pid),
               "%s: node_exporter does not start, nothing listens (%s)" % (name, out.strip()))

    # On: loopback, a free port, TLS and basic auth through web_config.
    subprocess.run(["sh", args.ca_script, os.path.join(workdir, "ca")], check=True)
    ca = os.path.join(workdir, "ca")
    password = "Metrics-9d2e-pw"
    bcrypt = subprocess.run(["htpasswd", "-nbBC", "10", "scraper", password], capture_output=True, text=True,
                            check=True).stdout.strip().split(":", 1)[1]
    web = os.path.join(workdir, "web.yml")
    with open(web, "w") as f:
        f.write("tls_server_config:\n  cert_file: %s\n  key_file: %s\nbasic_auth_users:\n  scraper: '%s'\n"
                % (os.path.join(ca, "server.pem"), os.path.join(ca, "server.key"), bcrypt))
    with open(os.path.join(textdir, "roomsign.prom"), "w") as f:
        f.write('# HELP roomsign_room_busy x\n# TYPE roomsign_room_busy gauge\nroomsign_room_busy 1\n')
    port = free_port()
    config = os.path.join(workdir, "on.conf")
    with open(config, "w") as f:
        f.write("[room]\nname = Fjord\n[monitoring]\ntextfile = %s/roomsign.prom\nlisten = 127.0.0.1:%d\n"
                "web_config = %s\n" % (textdir, port, web))
    p = run_unit(config)
    try:
        url = "https://localhost:%d/metrics" % port
        curl = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", os.path.join(ca, "ca.pem"), url]
        up = signproc.wait_for(lambda: subprocess.run(curl, capture_output=True, text=True).stdout not in ("", "000"),
                               20, 0.2)
        expect(up and p.poll() is None, "node_exporter runs with the configured address")
        expect(listening(p.pid) == ["127.0.0.1:%d" % port], "it listens only on [monitoring] listen (%s)"
               % listening(p.pid))
        code = subprocess.run(curl, capture_output=True, text=True).stdout
        expect(code == "401", "without credentials: 401 (basic auth from web_config), got %s" % code)
        body = subprocess.run(["curl", "-sf", "--cacert", os.path.join(ca, "ca.pem"), "-u", "scraper:" + password, url],
                              capture_output=True, text=True).stdout
        expect("\nroomsign_room_busy 1\n" in body, "with credentials over TLS: the sign's textfile is exported")
        plain = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                "http://127.0.0.1:%d/metrics" % port], capture_output=True, text=True).stdout
        expect(plain != "200", "plain HTTP gets no metrics (TLS only), got %s" % plain)
    finally:
        p.terminate()
        p.wait(10)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["check-rules", "test-rules", "e2e", "exporter-unit"])
    ap.add_argument("--image-files")
    ap.add_argument("--ca-script")
    ap.add_argument("--roomsign")
    ap.add_argument("--rules")
    ap.add_argument("--rules-test", nargs="+")
    ap.add_argument("--fake")
    ap.add_argument("--workdir", default="/tmp/roomsign-monitoring")
    ap.add_argument("--streaming", action="store_true")
    args = ap.parse_args()
    if args.case == "check-rules":
        need(PROMTOOL)
        return subprocess.run([PROMTOOL, "check", "rules", args.rules]).returncode
    if args.case == "test-rules":
        need(PROMTOOL)
        return subprocess.run([PROMTOOL, "test", "rules"] + args.rules_test).returncode
    if args.case == "exporter-unit":
        return exporter_unit(args)
    return e2e(args)


if __name__ == "__main__":
    sys.exit(main())
