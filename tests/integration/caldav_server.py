#!/usr/bin/env python3
"""Starts and stops the real Radicale (Debian package `radicale`) for the CalDAV integration tests.

    caldav_server.py start DIR   free loopback port, TLS with a throw-away CA, htpasswd (md5)
                                 auth, storage under DIR; writes DIR/server.json; waits until ready
    caldav_server.py stop DIR    stops it (SIGTERM, then SIGKILL) and removes nothing else

Each test makes its own user and calendars (caldav_common.new_account), so tests sharing the
server do not see each other's data. Radicale re-reads the htpasswd file on every login.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import ssl

HERE = os.path.dirname(os.path.abspath(__file__))
MAKE_CA = os.path.join(HERE, "..", "fakes", "make-test-ca.sh")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def radicale_binary():
    for path in ("/usr/bin/radicale", "/usr/local/bin/radicale"):
        if os.access(path, os.X_OK):
            return path
    sys.exit("caldav_server: radicale is not installed (Debian package `radicale`; run .ci/setup test)")


def start(d):
    stop(d)
    os.makedirs(d, exist_ok=True)
    tls = os.path.join(d, "tls")
    subprocess.run(["sh", MAKE_CA, tls], check=True)
    users = os.path.join(d, "users")
    open(users, "a").close()
    port = free_port()
    config = os.path.join(d, "radicale.conf")
    with open(config, "w") as f:
        f.write(f"""[server]
hosts = 127.0.0.1:{port}
ssl = True
certificate = {tls}/server.pem
key = {tls}/server.key
timeout = 30
[auth]
type = htpasswd
htpasswd_filename = {users}
htpasswd_encryption = md5
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = {d}/collections
[logging]
level = debug
mask_passwords = True
""")
    log = open(os.path.join(d, "radicale.log"), "ab")
    proc = subprocess.Popen([radicale_binary(), "--config", config], stdout=log, stderr=log,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"https://127.0.0.1:{port}"
    ctx = ssl.create_default_context(cafile=os.path.join(tls, "ca.pem"))
    deadline = time.time() + 20
    while True:
        if proc.poll() is not None:
            sys.exit(f"caldav_server: radicale exited at start (status {proc.returncode}); see {d}/radicale.log")
        try:
            req = urllib.request.Request(url + "/", method="OPTIONS")
            urllib.request.urlopen(req, context=ctx, timeout=2).close()
            break
        except Exception:
            if time.time() > deadline:
                proc.kill()
                sys.exit(f"caldav_server: radicale did not answer on {url}; see {d}/radicale.log")
            time.sleep(0.1)
    with open(os.path.join(d, "server.json"), "w") as f:
        json.dump({"url": url, "port": port, "pid": proc.pid, "dir": d,
                   "ca": os.path.join(tls, "ca.pem"), "untrusted": os.path.join(tls, "untrusted.pem"),
                   "users": users, "log": os.path.join(d, "radicale.log")}, f)
    print(f"radicale {url} pid {proc.pid}")


def stop(d):
    path = os.path.join(d, "server.json")
    try:
        with open(path) as f:
            pid = json.load(f)["pid"]
    except (OSError, ValueError, KeyError):
        return
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            time.sleep(0.1)
            os.kill(pid, 0)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.unlink(path)
    print(f"radicale pid {pid} stopped")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit("usage: caldav_server.py start|stop DIR")
    (start if sys.argv[1] == "start" else stop)(os.path.abspath(sys.argv[2]))
