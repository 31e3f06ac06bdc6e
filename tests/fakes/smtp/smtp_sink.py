#!/usr/bin/python3
"""A real SMTP server on loopback that keeps what it receives (python3-aiosmtpd): the mailbox the
report tests read. STARTTLS with the test CA's server certificate (tests/fakes/make-test-ca.sh),
or implicit TLS (smtps); optional AUTH; can refuse messages the way a real server does.

  smtp_sink.py --dir DIR [--cert server.pem --key server.key] [--implicit-tls] [--no-starttls]
               [--auth USER:PASSWORD] [--refuse-rcpt CODE] [--refuse-data CODE]

Binds 127.0.0.1 on a free port and writes it to DIR/port once it listens. Each accepted message
becomes DIR/mail/NNNN.json: {"mail_from", "rcpt_tos", "data", "tls", "auth_user"}; each one
--refuse-data refused, DIR/refused/NNNN.json. Runs until SIGTERM."""

import argparse
import asyncio
import json
import os
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, args):
        self.args = args
        self.mail_dir = os.path.join(args.dir, "mail")
        os.makedirs(self.mail_dir, exist_ok=True)
        self.count = len(os.listdir(self.mail_dir))
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.args.refuse_rcpt:
            return "%d 5.1.1 <%s>: Recipient address rejected: User unknown" % (self.args.refuse_rcpt, address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def _refused(self, envelope):
        """A refused message is counted (DIR/refused/NNNN.json), not delivered."""
        refused_dir = os.path.join(self.args.dir, "refused")
        os.makedirs(refused_dir, exist_ok=True)
        with self.lock:
            path = os.path.join(refused_dir, "%04d.json" % (len(os.listdir(refused_dir)) + 1))
            with open(path, "w", encoding="utf-8") as f:
                json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, f)

    async def handle_DATA(self, server, session, envelope):
        if self.args.refuse_data:
            self._refused(envelope)
            return "%d 5.7.1 Message rejected as spam by the sink" % self.args.refuse_data
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.content.decode("utf-8", "replace"),
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "auth_user": (session.auth_data.login.decode() if session.auth_data and
                          getattr(session.auth_data, "login", None) else None),
        }
        with self.lock:
            self.count += 1
            path = os.path.join(self.mail_dir, "%04d.json" % self.count)
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                json.dump(record, f)
            os.rename(path + ".tmp", path)
        return "250 2.0.0 Ok: queued as %04d" % self.count


class BoundController(Controller):
    """aiosmtpd's Controller on a socket bound beforehand (port 0: a free port, no race)."""

    def __init__(self, handler, sock, **kwargs):
        self.sock = sock
        super().__init__(handler, hostname="127.0.0.1", port=sock.getsockname()[1], **kwargs)

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self.sock, ssl=self.ssl_context)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--implicit-tls", action="store_true", help="smtps: TLS from the first byte")
    ap.add_argument("--no-starttls", action="store_true", help="offer no STARTTLS (a plain server)")
    ap.add_argument("--auth", help="USER:PASSWORD that AUTH must give")
    ap.add_argument("--refuse-rcpt", type=int)
    ap.add_argument("--refuse-data", type=int)
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    ctx = None
    if args.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.cert, args.key)
    kwargs = {}
    if ctx and args.implicit_tls:
        kwargs["ssl_context"] = ctx
    elif ctx and not args.no_starttls:
        kwargs["tls_context"] = ctx
        kwargs["require_starttls"] = True
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False, auth_data=auth_data)
        kwargs["authenticator"] = authenticator
        kwargs["auth_required"] = True
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    controller = BoundController(Sink(args), sock, **kwargs)
    controller.start()
    port = sock.getsockname()[1]
    with open(os.path.join(args.dir, "port.tmp"), "w") as f:
        f.write(str(port))
    os.rename(os.path.join(args.dir, "port.tmp"), os.path.join(args.dir, "port"))
    print("smtp sink on 127.0.0.1:%d" % port, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
