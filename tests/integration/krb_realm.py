"""A throw-away MIT Kerberos realm for tests: its own krb5.conf, kdc.conf, database and stash in
a directory, a KDC (krb5kdc -n) on a free loopback port, principals made with kadmin.local.
Nothing touches /etc/krb5.conf, /var/lib/krb5kdc or a fixed port, and stop() ends the KDC.

  realm = Realm(dir, "ROOMSIGN.TEST").start()
  realm.add_user("svc-roomsign", "pw"); realm.add_service("HTTP/localhost", keytab)
  realm.kinit("svc-roomsign", "pw", ccache)      # env: realm.env(KRB5CCNAME=...)
  realm.stop()
"""

import os
import shutil
import signal
import socket
import subprocess
import time

TOOLS = ("krb5kdc", "kdb5_util", "kadmin.local", "kinit", "klist")
SBIN = ("/usr/sbin", "/usr/bin", "/sbin", "/bin")


def tool(name):
    path = shutil.which(name) or next((os.path.join(d, name) for d in SBIN
                                       if os.access(os.path.join(d, name), os.X_OK)), None)
    if not path:
        raise RuntimeError("%s is missing: install krb5-kdc, krb5-admin-server and krb5-user (.ci/setup test)"
                           % name)
    return path


def free_port():
    """A port free on 127.0.0.1 for both TCP and UDP (the KDC listens on both)."""
    for _ in range(50):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
            u.close()
    raise RuntimeError("no free loopback port for the KDC")


class Realm:
    def __init__(self, directory, name="ROOMSIGN.TEST", hosts=("localhost",), clockskew=300):
        """clockskew (s): how far past its end a ticket is still taken, by the KDC and clients."""
        self.dir = directory
        self.clockskew = clockskew
        self.name = name
        self.hosts = hosts
        self.proc = None
        self.krb5_conf = os.path.join(directory, "krb5.conf")
        self.kdc_conf = os.path.join(directory, "kdc.conf")

    def env(self, **extra):
        """The environment for any Kerberos client or server of this realm."""
        e = dict(os.environ, KRB5_CONFIG=self.krb5_conf, KRB5_KDC_PROFILE=self.kdc_conf, KRB5RCACHEDIR=self.dir)
        e.update(extra)
        return e

    def _write_confs(self, port):
        d = self.dir
        domain_realm = "".join("  %s = %s\n" % (h, self.name) for h in self.hosts)
        with open(self.krb5_conf, "w", encoding="utf-8") as f:
            f.write("[libdefaults]\n  default_realm = %s\n  dns_lookup_kdc = false\n"
                    "  dns_lookup_realm = false\n  dns_canonicalize_hostname = false\n  rdns = false\n"
                    "  udp_preference_limit = 1\n  clockskew = %d\n"
                    "[realms]\n  %s = {\n    kdc = 127.0.0.1:%d\n  }\n[domain_realm]\n%s"
                    % (self.name, self.clockskew, self.name, port, domain_realm))
        with open(self.kdc_conf, "w", encoding="utf-8") as f:
            f.write("[kdcdefaults]\n  kdc_ports = %d\n  kdc_tcp_ports = %d\n"
                    "[realms]\n  %s = {\n    database_name = %s\n    key_stash_file = %s\n"
                    "    acl_file = %s\n    kdc_listen = 127.0.0.1:%d\n    kdc_tcp_listen = 127.0.0.1:%d\n"
                    "    max_life = 10h\n  }\n[logging]\n  kdc = FILE:%s\n"
                    % (port, port, self.name, os.path.join(d, "principal"), os.path.join(d, "stash"),
                       os.path.join(d, "kadm5.acl"), port, port, os.path.join(d, "kdc.log")))
        open(os.path.join(d, "kadm5.acl"), "w", encoding="utf-8").close()

    def _run(self, *cmd, stdin=None):
        p = subprocess.run(list(cmd), input=stdin, capture_output=True, text=True, timeout=30, env=self.env())
        if p.returncode != 0:
            raise RuntimeError("%s failed (%d): %s %s" % (" ".join(cmd), p.returncode, p.stdout, p.stderr))
        return p

    def start(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        for attempt in range(3):       # another process may take the port between probe and bind
            port = free_port()
            self._write_confs(port)
            if not os.path.exists(os.path.join(self.dir, "principal")):
                self._run(tool("kdb5_util"), "create", "-s", "-r", self.name, "-P", "master-" + self.name, "-W")
            log = open(os.path.join(self.dir, "krb5kdc.out"), "w", encoding="utf-8")
            self.proc = subprocess.Popen([tool("krb5kdc"), "-n", "-r", self.name], stdout=log, stderr=log,
                                         env=self.env())
            deadline = time.time() + 10
            while time.time() < deadline and self.proc.poll() is None:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    self.port = port
                    return self
                except OSError:
                    time.sleep(0.05)
            self.stop()
        raise RuntimeError("the KDC did not start; see %s" % os.path.join(self.dir, "kdc.log"))

    def kadmin(self, query):
        return self._run(tool("kadmin.local"), "-r", self.name, "-q", query)

    def add_user(self, name, password):
        self.kadmin("addprinc -pw %s %s" % (password, name))
        return "%s@%s" % (name, self.name)

    def add_service(self, name, keytab):
        self.kadmin("addprinc -randkey %s" % name)
        self.kadmin("ktadd -k %s %s" % (keytab, name))
        return "%s@%s" % (name, self.name)

    def add_client_keytab(self, name, keytab):
        """name's current key (its password stays valid) into a client keytab, from which
        GSS-API gets and renews tickets by itself (KRB5_CLIENT_KTNAME)."""
        self.kadmin("ktadd -norandkey -k %s %s" % (keytab, name))
        return "FILE:" + keytab

    def kinit(self, principal, password, ccache, lifetime=None):
        """A TGT for principal into the file cache ccache (password on stdin)."""
        cmd = [tool("kinit")] + (["-l", lifetime] if lifetime else []) + [principal]
        p = subprocess.run(cmd, input=password + "\n", capture_output=True, text=True, timeout=30,
                           env=self.env(KRB5CCNAME="FILE:" + ccache))
        if p.returncode != 0:
            raise RuntimeError("kinit %s failed: %s" % (principal, p.stderr))
        return "FILE:" + ccache

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
