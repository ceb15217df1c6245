#!/usr/bin/python3
"""A real SMTP server for the tests (aiosmtpd, Debian's python3-aiosmtpd) on 127.0.0.1.

Prints its port on the first line of stdout, then stores every accepted message as
DIR/<n>.eml (the DATA as received) with DIR/<n>.json ({"from","to"}); written to a temporary
name first and renamed, so a reader never sees half a message.

  smtp_sink.py --dir D [--port P] [--tls-cert C --tls-key K [--require-starttls]]
               [--reject-domain example.invalid] [--auth-user U --auth-password P]
"""
import argparse
import asyncio
import itertools
import json
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Store:
    def __init__(self, folder, reject_domain):
        self.folder = folder
        self.reject_domain = reject_domain
        self.n = itertools.count(len([f for f in os.listdir(folder) if f.endswith(".eml")]))

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject_domain and address.lower().endswith("@" + self.reject_domain):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        i = next(self.n)
        base = os.path.join(self.folder, "%06d" % i)
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8")
        meta = {"from": envelope.mail_from, "to": envelope.rcpt_tos,
                "tls": session.ssl is not None, "auth": bool(getattr(session, "authenticated", False))}
        for suffix, payload in ((".json", json.dumps(meta).encode()), (".eml", data)):
            with open(base + suffix + ".tmp", "wb") as f:
                f.write(payload)
            os.rename(base + suffix + ".tmp", base + suffix)
        return "250 2.0.0 stored"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--require-starttls", action="store_true")
    ap.add_argument("--reject-domain", default="")
    ap.add_argument("--auth-user", default="")
    ap.add_argument("--auth-password", default="")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    tls = None
    if a.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(a.tls_cert, a.tls_key)
    handler = Store(a.dir, a.reject_domain)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == a.auth_user and \
            auth_data.password.decode() == a.auth_password
        return AuthResult(success=ok)

    def factory():
        kw = {}
        if a.auth_user:
            kw.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(tls))
        return SMTP(handler, hostname="sink.test", tls_context=tls, require_starttls=a.require_starttls, **kw)

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", a.port, reuse_address=True))
    print(server.sockets[0].getsockname()[1], flush=True)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.add_signal_handler(signal.SIGINT, loop.stop)
    # Exit with the test process: stdin closes when it dies.
    loop.add_reader(sys.stdin.fileno(), lambda: loop.stop() if not sys.stdin.buffer.read1(4096) else None)
    loop.run_forever()
    server.close()


if __name__ == "__main__":
    main()
