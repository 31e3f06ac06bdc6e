"""Shared helpers for the CalDAV integration tests: accounts on the running Radicale, a plain
WebDAV client playing "another calendar app", roomsign configs, the proxy and the C driver."""
import datetime as dt
import fcntl
import json
import os
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
import testclock  # noqa: E402,F401  (ROOMSIGN_TEST_NOW: one pinned clock for harness, fakes, sign)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOMSIGN = os.environ.get("ROOMSIGN", "roomsign")
DRIVER = os.environ.get("CALDAV_DRIVER", "caldav_driver")
SERVER_DIR = os.environ.get("CALDAV_SERVER_DIR", "")
ZONE = "Europe/Copenhagen"


class Fail(Exception):
    pass


def check(cond, what, *context):
    if not cond:
        raise Fail(what + ("\n" + "\n".join(str(c) for c in context) if context else ""))


def server():
    with open(os.path.join(SERVER_DIR, "server.json")) as f:
        return json.load(f)


def utc(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def ical_utc(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


class Account:
    """A Radicale user with its own calendars; requests as that user, like another client."""

    def __init__(self, name):
        self.srv = server()
        self.user = f"{name}-{secrets.token_hex(3)}"
        self.password = secrets.token_urlsafe(12)
        line = subprocess.run(["htpasswd", "-nbm", self.user, self.password], check=True,
                              capture_output=True, text=True).stdout.strip()
        with open(self.srv["users"], "a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.write(line + "\n")
        self.ctx = ssl.create_default_context(cafile=self.srv["ca"])
        self.base = self.srv["url"]

    def request(self, method, path, body=None, headers=None, password=None):
        url = path if path.startswith("http") else self.base + path
        req = urllib.request.Request(url, data=body.encode() if isinstance(body, str) else body,
                                     method=method, headers=headers or {})
        import base64
        token = base64.b64encode(f"{self.user}:{password or self.password}".encode()).decode()
        req.add_header("Authorization", "Basic " + token)
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=20) as r:
                return r.status, dict(r.headers), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode()

    def mkcalendar(self, slug, displayname, components=("VEVENT",)):
        comps = "".join(f'<C:comp name="{c}"/>' for c in components)
        body = ('<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                f'<D:set><D:prop><D:displayname>{displayname}</D:displayname>'
                f'<C:supported-calendar-component-set>{comps}</C:supported-calendar-component-set>'
                '</D:prop></D:set></C:mkcalendar>')
        status, _, text = self.request("MKCALENDAR", f"/{self.user}/{slug}/", body)
        check(status == 201, f"MKCALENDAR {slug}: {status}", text)
        return f"/{self.user}/{slug}/"

    def mkaddressbook(self, slug):
        body = ('<?xml version="1.0"?><D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">'
                '<D:set><D:prop><D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype>'
                '</D:prop></D:set></D:mkcol>')
        status, _, _ = self.request("MKCOL", f"/{self.user}/{slug}/", body)
        check(status == 201, f"MKCOL {slug}: {status}")

    def put(self, href, ics, etag=None):
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        if etag:
            headers["If-Match"] = etag
        status, h, text = self.request("PUT", href, ics, headers)
        check(status in (201, 204), f"PUT {href}: {status}", text)
        return h.get("ETag") or h.get("Etag")

    def get(self, href):
        status, h, text = self.request("GET", href)
        return status, text, h.get("ETag") or h.get("Etag")

    def delete(self, href):
        return self.request("DELETE", href)[0]

    def resources(self, collection):
        """{href: ics} of everything in a calendar."""
        body = ('<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                '<D:prop><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter>'
                '</C:calendar-query>')
        status, _, text = self.request("REPORT", collection, body, {"Depth": "1"})
        check(status == 207, f"REPORT {collection}: {status}", text)
        out = {}
        for resp in re.findall(r"<response>(.*?)</response>", text, re.S):
            href = re.search(r"<href>([^<]*)</href>", resp).group(1)
            data = re.search(r"calendar-data>(.*?)</C:calendar-data>", resp, re.S)
            out[href] = data.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">") if data else ""
        return out


def event_ics(uid, start, end, summary, extra=""):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//another client//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{ical_utc(start)}\r\n"
            f"DTEND:{ical_utc(end)}\r\nSUMMARY:{summary}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n")


class Work:
    """A clean directory for one test, with config writing and process helpers."""

    def __init__(self, name):
        self.dir = os.path.join(os.environ.get("CALDAV_WORK", "/tmp/roomsign-caldav"), name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.procs = []

    def config(self, account, url, password=None, mailbox=None, ca=True, timeout=10, name="roomsign.conf"):
        secret = os.path.join(self.dir, name + ".secret")
        with open(secret, "w") as f:
            f.write(password or account.password)
        os.chmod(secret, 0o600)
        path = os.path.join(self.dir, name)
        lines = ["[room]", "name = Fjord", f"timezone = {ZONE}", "", "[source]", "type = caldav",
                 f"url = {url}", f"username = {account.user}", f"password_file = {secret}",
                 f"timeout = {timeout}"]
        if mailbox:
            lines.append(f"mailbox = {mailbox}")
        if url.startswith("http://"):
            lines.append("allow_insecure_http = yes")  # the recording proxy speaks plain HTTP
        if ca:
            lines.append(f"ca_file = {account.srv['ca']}")
        lines += ["", "[booking]", "subject = Ad-hoc meeting", "", "[paths]", f"state_dir = {self.dir}", ""]
        with open(path, "w") as f:
            f.write("\n".join(lines))
        return path

    def roomsign(self, config, *args, timeout=60):
        env = dict(os.environ, TZ="UTC")
        r = subprocess.run([ROOMSIGN, "--config", config, *args], capture_output=True, text=True,
                           timeout=timeout, env=env)
        return r.returncode, r.stdout, r.stderr

    def proxy(self, upstream_account):
        """Starts the recording/faulting forwarder; returns (url, log path, faults path, proc)."""
        port_file = os.path.join(self.dir, "proxy.port")
        log = os.path.join(self.dir, "proxy.log")
        faults = os.path.join(self.dir, "faults.json")
        with open(faults, "w") as f:
            f.write("[]")
        open(log, "w").close()
        p = subprocess.Popen([sys.executable, os.path.join(HERE, "caldav_proxy.py"), upstream_account.base,
                              upstream_account.srv["ca"], port_file, log, faults],
                             stdin=subprocess.DEVNULL)
        self.procs.append(p)
        for _ in range(100):
            if os.path.exists(port_file):
                break
            time.sleep(0.05)
        with open(port_file) as f:
            port = int(f.read())
        return f"http://127.0.0.1:{port}", log, faults, p

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()


def set_faults(path, rules):
    with open(path, "w") as f:
        json.dump(rules, f)


def read_log(path):
    with open(path) as f:
        return [l.split() for l in f.read().splitlines() if l.strip()]


def clear_log(path):
    open(path, "w").close()


class Driver:
    """The C driver: one live CalDAV source, one command at a time."""

    def __init__(self, work, config):
        env = dict(os.environ, TZ="UTC")
        self.p = subprocess.Popen([DRIVER, config], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, env=env)
        work.procs.append(self.p)

    def cmd(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        out = []
        while True:
            l = self.p.stdout.readline()
            if l == "":
                raise Fail(f"driver died during '{line}'")
            if l.rstrip("\n") == ".":
                return out
            out.append(l.rstrip("\n"))

    def fetch(self, start, end):
        return self.cmd(f"fetch {utc(start)} {utc(end)}")


def events(lines):
    """Event lines of a driver answer as (start, end, booked_here, subject)."""
    return [tuple(l.split(" ", 4)[1:]) for l in lines if l.startswith("E ")]


def agenda(lines):
    """roomsign agenda TSV as (start, end, all_day, show_as, subject)."""
    return [tuple(l.split("\t")) for l in lines.splitlines() if l.strip()]
