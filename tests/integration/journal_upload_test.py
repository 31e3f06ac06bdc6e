#!/usr/bin/env python3
"""Central logs (issue 15): a line the sign logged arrives at a real systemd-journal-remote with
its ROOMSIGN_ fields.

This machine (and CI) has no systemd as PID 1, so the test brings up the real parts by hand in a
private mount namespace (root; `unshare -m`), where a tmpfs over /run, /etc/systemd and
/var/log/journal hides the host's and keeps it untouched:
  1. Debian's systemd-journald, which binds its own sockets when not socket-activated;
  2. systemd-journal-remote on a loopback port (handed over as a socket-activation fd), HTTPS
     with a certificate from the test CA (Debian builds it without --trust, so it cannot ask for
     client certificates; the upload still verifies the server against [fleet] ca_file);
  3. roomsign-journal-upload (config/), which turns [monitoring] journal_upload and the sign's
     [fleet] client_certificate / client_key / ca_file into systemd-journal-upload's
     configuration; what systemd's LoadCredential= would do is copied into /run/credentials;
  4. the headless sign with JOURNAL_STREAM set (as systemd sets it), whose calendar is
     unreachable: it logs the failure through sd_journal_send;
  5. the real systemd-journal-upload, reading only the configuration the helper wrote.
Then journalctl --directory on journal-remote's output must show the sign's line with
ROOMSIGN_ROOM, ROOMSIGN_CATEGORY=network, ROOMSIGN_MODULE and PRIORITY."""
import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from signproc import Sign  # noqa: E402

ROOMSIGN, MAKE_CA, HELPER = sys.argv[1], sys.argv[2], sys.argv[3]
SYSTEMD = "/lib/systemd"
ROOM = "Fjord (4.12)"
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    failures += 0 if ok else 1


def skip(why):
    print("SKIP " + why, flush=True)
    sys.exit(1 if os.environ.get("CI") == "true" else 77)


def enter_namespace():
    if os.environ.get("ROOMSIGN_JOURNAL_NS") == "1":
        return
    missing = [p for p in ("systemd-journald", "systemd-journal-remote", "systemd-journal-upload")
               if not os.access(os.path.join(SYSTEMD, p), os.X_OK)]
    if missing:
        skip(f"{', '.join(missing)} not installed (Debian: systemd, systemd-journal-remote)")
    if os.geteuid() != 0 or not shutil.which("unshare"):
        skip("needs root and unshare(1) for a private mount namespace with its own journald")
    env = dict(os.environ, ROOMSIGN_JOURNAL_NS="1")
    r = subprocess.run(["unshare", "--mount", "--propagation", "private", sys.executable] + sys.argv, env=env)
    sys.exit(r.returncode)


def mount_tmpfs(path):
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", path], check=True)


def machine_id_ready(tmp):
    """journald names its directory after /etc/machine-id: make one for this namespace if empty."""
    try:
        if open("/etc/machine-id").read().strip():
            return True
    except OSError:
        return False  # no file to mount over: nothing of the host's is changed here
    fake = os.path.join(tmp, "machine-id")
    with open(fake, "w") as f:
        f.write(os.urandom(16).hex() + "\n")
    subprocess.run(["mount", "--bind", fake, "/etc/machine-id"], check=True)
    return True


def journal_json(args):
    r = subprocess.run(["journalctl", "--no-pager", "-o", "json"] + args, capture_output=True, text=True)
    return [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]


def wait_for(pred, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = pred()
        if value:
            return value
        time.sleep(0.3)
    return pred()


enter_namespace()
with tempfile.TemporaryDirectory() as tmp:
    for path in ("/run", "/etc/systemd"):
        mount_tmpfs(path)
    if os.path.isdir("/var/log/journal"):
        mount_tmpfs("/var/log/journal")
    os.makedirs("/run/systemd/journal")
    os.makedirs("/run/log/journal")
    if not machine_id_ready(tmp):
        skip("/etc/machine-id is missing (run systemd-machine-id-setup)")
    procs = []
    journald = subprocess.Popen([f"{SYSTEMD}/systemd-journald"], stdout=subprocess.DEVNULL,
                                stderr=open(os.path.join(tmp, "journald.log"), "w"))
    procs.append(journald)
    check(bool(wait_for(lambda: os.path.exists("/run/systemd/journal/socket"), 10)),
          "a real systemd-journald runs in the namespace")

    certs = os.path.join(tmp, "ca")
    subprocess.run(["sh", MAKE_CA, certs], check=True)
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=sign-fjord",
                    "-keyout", f"{tmp}/client.key", "-out", f"{tmp}/client.csr"], check=True, capture_output=True)
    with open(f"{tmp}/client.ext", "w") as f:
        f.write("basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n")
    subprocess.run(["openssl", "x509", "-req", "-in", f"{tmp}/client.csr", "-CA", f"{certs}/ca.pem",
                    "-CAkey", f"{certs}/ca.key", "-CAcreateserial", "-days", "2", "-extfile", f"{tmp}/client.ext",
                    "-out", f"{tmp}/client.pem"], check=True, capture_output=True)
    os.chmod(f"{tmp}/client.key", 0o600)

    # journal-remote on a free loopback port, the socket handed over the way systemd does.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    remote_dir = os.path.join(tmp, "remote")
    os.makedirs(remote_dir)
    high = fcntl.fcntl(listener.fileno(), fcntl.F_DUPFD, 10)  # moved to fd 3 in the child
    remote = subprocess.Popen(
        ["bash", "-c", f'exec 3<&{high} {high}<&-; LISTEN_PID=$$ LISTEN_FDS=1 exec "$@"', "bash",
         f"{SYSTEMD}/systemd-journal-remote",
         "--listen-https=-3", f"--key={certs}/server.key", f"--cert={certs}/server.pem",
         "--split-mode=none", f"--output={remote_dir}/all.journal"],
        pass_fds=(high,), stderr=open(os.path.join(tmp, "remote.log"), "w"))
    procs.append(remote)
    os.close(high)
    listener.close()

    with socket.socket() as s:  # a port nobody listens on: the calendar is unreachable
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    conf = os.path.join(tmp, "roomsign.conf")
    with open(conf, "w") as f:
        f.write(f"[room]\nname = {ROOM}\ntimezone = Europe/Copenhagen\n[source]\ntype = ics\n"
                f"url = https://localhost:{dead}/fjord.ics\n[display]\nnight =\n"
                f"[monitoring]\njournal_upload = https://localhost:{port}\n"
                f"[fleet]\nca_file = {certs}/ca.pem\nclient_certificate = {tmp}/client.pem\n"
                f"client_key = {tmp}/client.key\n")
    state = os.path.join(tmp, "state")
    helper_env = dict(os.environ, ROOMSIGN_CONFIG=conf, ROOMSIGN_STATE_DIR=state)
    r = subprocess.run(["sh", HELPER], env=helper_env, capture_output=True, text=True)
    upload_conf = "/etc/systemd/journal-upload.conf.d/roomsign.conf"
    unit_conf = "/etc/systemd/system/systemd-journal-upload.service.d/roomsign.conf"
    text = open(upload_conf).read() if os.path.exists(upload_conf) else ""
    check(r.returncode == 0 and f"URL=https://localhost:{port}" in text and "ServerKeyFile=" in text,
          f"roomsign-journal-upload writes systemd-journal-upload's configuration ({r.stdout.strip()} {r.stderr.strip()})")

    # What systemd does for LoadCredential=NAME:PATH before starting the upload service.
    cred_dir = "/run/credentials/systemd-journal-upload.service"
    os.makedirs(cred_dir)
    for line in open(unit_conf).read().splitlines() if os.path.exists(unit_conf) else []:
        if line.startswith("LoadCredential="):
            name, path = line.split("=", 1)[1].split(":", 1)
            shutil.copy(path, os.path.join(cred_dir, name))

    sign = Sign(ROOMSIGN, ["--config", conf, "--now", "2026-12-01T10:15Z"], os.path.join(tmp, "sign.log"),
                env={"JOURNAL_STREAM": "8:123456", "TZ": "UTC", "ROOMSIGN_STATE_DIR": state})

    def sign_entries():
        return [e for e in journal_json(["-D", "/run/log/journal", f"ROOMSIGN_ROOM={ROOM}"])
                if e.get("ROOMSIGN_CATEGORY") == "network"]

    local = wait_for(sign_entries, 30)
    sign.stop()
    check(bool(local), f"the sign's calendar failure is in the local journal with its fields ({local[:1]})")
    stderr_text = open(os.path.join(tmp, "sign.log")).read()
    check("calendar refresh failed" not in stderr_text,
          "under systemd the line goes to the journal as an entry, not as plain stderr text")

    up = subprocess.run([f"{SYSTEMD}/systemd-journal-upload", "--follow=no", f"--save-state={tmp}/upload.state"],
                        capture_output=True, text=True, timeout=60)
    check(up.returncode == 0, f"the real systemd-journal-upload, configured only by the helper, uploads "
                              f"(exit {up.returncode}) {up.stderr.strip()[-300:]}")

    remote_entries = wait_for(lambda: [e for e in journal_json(["--directory", remote_dir, f"ROOMSIGN_ROOM={ROOM}"])
                                       if e.get("ROOMSIGN_CATEGORY") == "network"], 15)
    e = remote_entries[0] if remote_entries else {}
    check(bool(e) and e.get("PRIORITY") == "4" and e.get("SYSLOG_IDENTIFIER") == "roomsign"
          and e.get("ROOMSIGN_MODULE") == "worker" and "calendar refresh failed" in e.get("MESSAGE", ""),
          "journal-remote's output holds the sign's line: ROOMSIGN_ROOM, ROOMSIGN_CATEGORY=network, "
          f"ROOMSIGN_MODULE=worker, PRIORITY=4 ({ {k: e.get(k) for k in ('MESSAGE', 'ROOMSIGN_ROOM', 'ROOMSIGN_CATEGORY', 'ROOMSIGN_MODULE', 'PRIORITY')} })")
    others = [x for x in journal_json(["--directory", remote_dir, "SYSLOG_IDENTIFIER=roomsign"])
              if x.get("ROOMSIGN_ROOM") == ROOM and x.get("ROOMSIGN_CATEGORY")]
    check(len(others) >= 3, f"every line of the sign carries the fields ({len(others)} entries)")

    # journal_upload emptied: the helper takes the upload's configuration away again.
    text = open(conf).read().replace(f"journal_upload = https://localhost:{port}\n", "")
    with open(conf, "w") as f:
        f.write(text)
    r = subprocess.run(["sh", HELPER], env=helper_env, capture_output=True, text=True)
    check(r.returncode == 0 and not os.path.exists(upload_conf) and not os.path.exists(unit_conf),
          f"without journal_upload the helper removes the configuration ({r.stdout.strip()})")

    for p in procs:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
    if failures:
        for name in ("journald.log", "remote.log", "sign.log"):
            path = os.path.join(tmp, name)
            if os.path.exists(path):
                print(f"--- {name}\n" + "".join(open(path, errors="replace").readlines()[-20:]))

print(f"{failures} failed" if failures else "all journal upload checks passed")
sys.exit(1 if failures else 0)
