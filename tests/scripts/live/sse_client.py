"""A small client for the live-update tests: JSON API calls with a cookie session, and a reader
that follows a text/event-stream on its own thread and keeps every event it sees."""
import http.client
import json
import queue
import threading
import time
import urllib.parse


class Session:
    def __init__(self, base):
        u = urllib.parse.urlparse(base)
        self.host, self.port = u.hostname, u.port
        self.cookie = ""
        self.csrf = ""

    def call(self, method, path, body=None, ctype="application/json", raw=False):
        c = http.client.HTTPConnection(self.host, self.port, timeout=20)
        headers = {"Cookie": self.cookie, "X-CSRF-Token": self.csrf, "Accept": "application/json"}
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
            headers["Content-Type"] = ctype
        c.request(method, path, body=data, headers=headers)
        r = c.getresponse()
        text = r.read()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie" and "sy_session=" in v:
                self.cookie = v.split(";", 1)[0]
        c.close()
        if raw:
            return r.status, text
        return r.status, (json.loads(text) if text else None)

    def login(self, username, password):
        st, j = self.call("POST", "/api/v1/session", {"username": username, "password": password})
        assert st == 200, (st, j)
        self.csrf = j["csrf_token"]
        return self

    def upload(self, path, photo):
        b = "----live" + str(time.time_ns())
        body = (f"--{b}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n"
                "Content-Type: image/jpeg\r\n\r\n").encode() + photo + f"\r\n--{b}--\r\n".encode()
        return self.call("POST", path, body, "multipart/form-data; boundary=" + b)


class Stream:
    """GET an event stream; .status and .headers once open, events in .events (a queue of
    (name, data)), .ended set when the server closed it."""

    def __init__(self, session, path):
        self.events = queue.Queue()
        self.ended = threading.Event()
        self.conn = http.client.HTTPConnection(session.host, session.port, timeout=60)
        self.conn.request("GET", path, headers={"Cookie": session.cookie, "Accept": "text/event-stream"})
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = {k.lower(): v for k, v in self.resp.getheaders()}
        self.pings = 0
        if self.status == 200:
            threading.Thread(target=self._read, daemon=True).start()
        else:
            self.body = self.resp.read()

    def _read(self):
        name, data = "", []
        try:
            while True:
                line = self.resp.readline()
                if not line:
                    break
                line = line.decode().rstrip("\n")
                if line.startswith(":"):
                    self.pings += 1
                elif line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
                elif line == "":
                    if data:
                        self.events.put((name, "\n".join(data)))
                    name, data = "", []
        except Exception:
            pass
        self.ended.set()

    def next(self, timeout=10):
        return self.events.get(timeout=timeout)

    def wait_for(self, pred, timeout=20):
        """The first event whose parsed data satisfies pred; every event seen on the way is kept."""
        seen = []
        end = time.time() + timeout
        while time.time() < end:
            try:
                name, data = self.events.get(timeout=max(0.05, end - time.time()))
            except queue.Empty:
                break
            j = json.loads(data)
            seen.append((name, j))
            if pred(name, j):
                return seen
        raise AssertionError(f"no matching event within {timeout}s; saw {seen}")

    def close(self):
        sock = self.conn.sock
        try:
            if sock:
                sock.shutdown(2)
        except OSError:
            pass
        self.resp.close()
        self.conn.close()
