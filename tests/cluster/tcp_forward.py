#!/usr/bin/env python3
"""A loopback TCP forwarder whose target can be switched: it plays the writer endpoint that an
Aurora failover (or a DNS change) moves to another server. Each new connection reads the target
from TARGET_FILE ("host:port"), so writing that file is the endpoint flip; connections already open
stay on the old server until it drops them, as with DNS.

usage: tcp_forward.py LISTEN_PORT TARGET_FILE
"""
import socket
import sys
import threading


def target(path):
    host, port = open(path).read().strip().rsplit(":", 1)
    return host, int(port)


def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def handle(client, path):
    try:
        upstream = socket.create_connection(target(path), timeout=5)
        upstream.settimeout(None)
    except (OSError, ValueError):
        client.close()  # the client sees a lost connection, as with a dead endpoint
        return
    t = threading.Thread(target=pipe, args=(client, upstream), daemon=True)
    t.start()
    pipe(upstream, client)
    t.join(timeout=60)
    client.close()
    upstream.close()


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(512)
    while True:
        client, _ = srv.accept()
        threading.Thread(target=handle, args=(client, path), daemon=True).start()


if __name__ == "__main__":
    main()
