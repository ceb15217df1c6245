#!/usr/bin/env python3
"""Static checks of deploy/compose/ (no container engine needed).

    compose_check.py ROOT               check the shipped files; exit 1 with one line per problem
    compose_check.py ROOT --self-test   also break the files in memory, one rule at a time, and
                                        fail unless every broken copy is caught by its rule

Rules for compose.yaml: every service's command, ports, health check, dependencies and
environment against CONTRACT.md / docs/configuration.md and against each other (nginx upstreams,
database and store credentials). Rules for the Dockerfile: a hadolint-like subset (pinned base
images, no ADD of URLs, apt hygiene, non-root final stage, HEALTHCHECK) plus the project's own
(built with ./dev, runtime stage without build tools).
"""
import copy
import re
import shlex
import sys
from pathlib import Path
from urllib.parse import urlsplit, parse_qs

import yaml

# CONTRACT.md's configuration table (plus SCHOOLYARD_AUTO_MIGRATE and SCHOOLYARD_MAIL_FROM, which
# it names in its text). docs/configuration.md documents these and more; both are allowed.
CONTRACT_VARS = {
    "SCHOOLYARD_DATA_DIR", "SCHOOLYARD_DB_URL", "SCHOOLYARD_DB_READ_URL", "SCHOOLYARD_STORAGE_URL",
    "SCHOOLYARD_PORT", "SCHOOLYARD_HOST", "SCHOOLYARD_WORKERS", "SCHOOLYARD_MAX_UPLOAD_MB",
    "SCHOOLYARD_MAX_PIXELS", "SCHOOLYARD_SMTP_URL", "SCHOOLYARD_MAIL_FROM", "SCHOOLYARD_BACKUP_EVERY",
    "SCHOOLYARD_BACKUP_KEEP", "SCHOOLYARD_AUTO_MIGRATE",
}
IMAGING_VARS = ("SCHOOLYARD_MAX_PIXELS", "SCHOOLYARD_JPEG_MAX_EDGE", "SCHOOLYARD_JPEG_QUALITY",
                "SCHOOLYARD_WEBP_QUALITY", "SCHOOLYARD_THUMB_MAX_EDGE")
BUILD_TOOLS = re.compile(r"\b(build-essential|cmake|ninja-build|g\+\+|gcc|clang\S*|ccache|git|\S+-dev)\b")
INTERP = re.compile(r"\$\{([A-Z0-9_]+)(:?[-?][^}]*)?\}")


def documented_vars(root: Path) -> set:
    text = (root / "docs/configuration.md").read_text()
    found = set()
    for line in text.splitlines():
        if line.startswith("| `SCHOOLYARD_"):
            found.update(re.findall(r"`(SCHOOLYARD_[A-Z0-9_]+)`", line.split("|")[1]))
    return found | CONTRACT_VARS


class Report:
    def __init__(self):
        self.problems = []

    def check(self, rule: str, ok: bool, what: str):
        if not ok:
            self.problems.append((rule, what))


def as_list(cmd):
    if cmd is None:
        return None
    return shlex.split(cmd) if isinstance(cmd, str) else [str(c) for c in cmd]


def env_of(svc) -> dict:
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(e.split("=", 1) if "=" in e else (e, None) for e in env)
    return {k: (None if v is None else str(v)) for k, v in env.items()}


def image_pinned(image: str) -> bool:
    if "@sha256:" in image:
        return True
    name = image.rsplit("/", 1)[-1]
    return ":" in name and name.split(":", 1)[1] not in ("", "latest")


def literal(value: str) -> str:
    """What a compose value is when its ${VAR} interpolations are replaced by a marker."""
    return INTERP.sub(lambda m: f"<{m.group(1)}>", value)


# ------------------------------------------------------------------------------------ Dockerfile
def parse_dockerfile(text: str):
    """[(stage_index, INSTRUCTION, args)] with continuation lines joined, comments dropped."""
    out, stage, buf = [], -1, ""
    for raw in text.splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        instr, _, args = buf.partition(" ")
        instr = instr.upper()
        if instr == "FROM":
            stage += 1
        out.append((stage, instr, args.strip()))
        buf = ""
    return out


def check_dockerfile(text: str, r: Report, runtime_pkgs_needed=None):
    ins = parse_dockerfile(text)
    froms = [(s, a) for s, i, a in ins if i == "FROM"]
    r.check("DF-multistage", len(froms) >= 2, "the Dockerfile must have a build stage and a runtime stage")
    stage_names = set()
    for s, a in froms:
        parts = a.split()
        image = parts[0]
        if len(parts) >= 3 and parts[1].upper() == "AS":
            stage_names.add(parts[2])
        r.check("DF-pinned-base", image_pinned(image) and "debian:" in image and re.search(r":(12|bookworm)", image) is not None,
                f"FROM {image}: base images must be Debian 12 with an explicit tag (not latest)")
    final = len(froms) - 1
    for s, i, a in ins:
        if i == "ADD":
            r.check("DF-no-add-url", not re.search(r"https?://", a), f"ADD {a}: no ADD of URLs (download with a checked RUN)")
            r.check("DF-copy-not-add", False, f"ADD {a}: use COPY for local files")
        if i == "RUN" and re.search(r"\bapt-get\s+(-\S+\s+)*install\b", a):
            r.check("DF-apt-no-recommends", "--no-install-recommends" in a, f"RUN {a[:60]}…: apt-get install needs --no-install-recommends")
            r.check("DF-apt-yes", re.search(r"(^|\s)(-y|--yes|--assume-yes|-qq?y)(\s|$)", a) is not None,
                    f"RUN {a[:60]}…: apt-get install needs -y")
            r.check("DF-apt-update-same-layer", "apt-get update" in a, f"RUN {a[:60]}…: apt-get update in the same RUN as install")
        if i == "RUN" and re.search(r"apt-get (update|install)|\./dev setup", a):
            r.check("DF-apt-lists-cleaned", "rm -rf /var/lib/apt/lists/*" in a, f"RUN {a[:60]}…: remove /var/lib/apt/lists/* in the same RUN")
        if i == "RUN" and s == final and "apt-get install" in a:
            pkgs = re.split(r"&&|;", a.split("apt-get install", 1)[1])[0].split()
            bad = [p for p in pkgs if not p.startswith("-") and BUILD_TOOLS.fullmatch(p)]
            r.check("DF-runtime-no-build-tools", not bad, f"runtime stage installs build tools: {bad}")
        if i == "COPY" and "--from=" in a:
            src = re.search(r"--from=(\S+)", a).group(1)
            r.check("DF-copy-from-stage", src in stage_names or src.isdigit(), f"COPY --from={src}: copy from a named build stage")
    build_runs = " ".join(a for s, i, a in ins if i == "RUN" and s < final)
    r.check("DF-built-with-dev", "./dev setup" in build_runs and "./dev build" in build_runs,
            "the build stage must use ./dev setup and ./dev build (as CI and developers do)")
    users = [a for s, i, a in ins if i == "USER" and s == final]
    r.check("DF-user-nonroot", bool(users) and users[-1].split(":")[0] not in ("root", "0"),
            "the final stage must switch to a non-root USER")
    r.check("DF-healthcheck", any(i == "HEALTHCHECK" and s == final and "NONE" not in a.upper() for s, i, a in ins),
            "the final stage needs a HEALTHCHECK")
    health = " ".join(a for s, i, a in ins if i == "HEALTHCHECK" and s == final)
    r.check("DF-healthcheck-endpoint", "/healthz" in health or "/readyz" in health, "HEALTHCHECK must probe /healthz or /readyz")
    entry = [a for s, i, a in ins if i == "ENTRYPOINT" and s == final]
    r.check("DF-entrypoint", bool(entry) and entry[-1].startswith("[") and "schoolyard" in entry[-1],
            "ENTRYPOINT must be the schoolyard binary in exec form")
    r.check("DF-no-latest", not re.search(r":latest\b", text), "no :latest anywhere")
    # Runtime libraries: every package the binary needs must be installed in the final stage.
    if runtime_pkgs_needed is not None:
        installed = " ".join(a for s, i, a in ins if i == "RUN" and s == final)
        for pkg in sorted(runtime_pkgs_needed):
            r.check("DF-runtime-libs", re.search(rf"(?<![\w.+-]){re.escape(pkg)}(?![\w.+-])", installed) is not None,
                    f"runtime stage does not install {pkg} (needed by build/schoolyard)")
    return ins


# ------------------------------------------------------------------------------------ compose
def check_compose(doc: dict, nginx: str, dockerfile_ins, documented: set, r: Report):
    services = doc.get("services") or {}
    entry = next((a for s, i, a in reversed(dockerfile_ins) if i == "ENTRYPOINT"), "[]")
    entry = yaml.safe_load(entry)
    is_app = lambda svc: isinstance(svc, dict) and (svc.get("build") or {}).get("dockerfile", "").endswith("deploy/compose/Dockerfile")
    ours = {n: s for n, s in services.items() if is_app(s)}
    by_cmd = {}
    for n, s in ours.items():
        cmd = as_list(s.get("command"))
        r.check("C-command", cmd is not None and s.get("entrypoint") is None, f"{n}: schoolyard services set `command` and keep the image's entrypoint")
        full = entry + (cmd or [])
        r.check("C-command", len(full) >= 2 and full[0].endswith("/schoolyard") and full[1] in ("serve", "worker", "migrate", "backup"),
                f"{n}: runs {' '.join(full)!r}, expected `schoolyard serve|worker|migrate`")
        by_cmd.setdefault(full[1] if len(full) > 1 else "", []).append(n)
    apps, workers = by_cmd.get("serve", []), by_cmd.get("worker", [])
    r.check("C-topology", len(apps) >= 2, f"two app instances (`schoolyard serve`) expected, found {apps}")
    r.check("C-topology", len(workers) >= 1, "a `schoolyard worker` service expected")
    images = {n: str(s.get("image", "")) for n, s in services.items()}
    db = [n for n, i in images.items() if i.startswith("mariadb:") or i.startswith("mysql:")]
    nginxes = [n for n, i in images.items() if i.startswith("nginx:")]
    r.check("C-topology", len(db) == 1, "one MariaDB/MySQL service expected")
    r.check("C-topology", len(nginxes) == 1, "one nginx service expected")
    # The object store is whatever SCHOOLYARD_STORAGE_URL's endpoint names; it must be a service here.
    s3_services = []
    for n in ours:
        q = parse_qs(urlsplit(env_of(ours[n]).get("SCHOOLYARD_STORAGE_URL") or "").query)
        host = urlsplit((q.get("endpoint") or [""])[0]).hostname
        if host in services and host not in ours and host not in db and host not in nginxes and host not in s3_services:
            s3_services.append(host)
    r.check("C-topology", len(s3_services) == 1, f"one S3-compatible store service expected as the storage endpoint, found {s3_services}")

    for n, s in services.items():
        if not is_app(s):
            r.check("C-image-pinned", image_pinned(images[n]), f"{n}: image {images[n]!r} must carry an explicit tag, not latest")
        ports = s.get("ports") or []
        if n in nginxes:
            published = sorted(str(p).split(":")[-1] for p in ports)
            r.check("C-ports", published == ["443", "80"], f"{n}: publishes {published}, expected 80 and 443")
        else:
            r.check("C-ports", not ports, f"{n}: only nginx publishes ports (found {ports})")
        one_shot = str(s.get("restart", "")) == "no"
        hc = s.get("healthcheck") or {}
        if not one_shot:
            r.check("C-healthcheck", bool(hc.get("test")) and not hc.get("disable"), f"{n}: long-running service without a health check")

    db_env = env_of(services[db[0]]) if db else {}
    s3_env = env_of(services[s3_services[0]]) if s3_services else {}
    imaging = {}
    for n in ours:
        env = env_of(ours[n])
        for k in env:
            if k.startswith("SCHOOLYARD_"):
                r.check("C-env-documented", k in documented, f"{n}: {k} is neither in CONTRACT.md nor in docs/configuration.md")
        for k, v in env.items():
            if v and re.search(r"(PASSWORD|SECRET)", k) and not INTERP.search(v):
                r.check("C-env-no-literal-secrets", False, f"{n}: {k} is a literal; take it from .env")
        url = env.get("SCHOOLYARD_DB_URL")
        r.check("C-env-db", url is not None and url.startswith("mysql://"), f"{n}: SCHOOLYARD_DB_URL must be a mysql:// URL")
        if url and db:
            u = urlsplit(literal(url))
            r.check("C-env-db", u.hostname == db[0] and (u.port or 3306) == 3306, f"{n}: SCHOOLYARD_DB_URL points at {u.hostname}, not the {db[0]} service")
            r.check("C-env-db", u.username == db_env.get("MARIADB_USER") and u.path.lstrip("/") == db_env.get("MARIADB_DATABASE"),
                    f"{n}: SCHOOLYARD_DB_URL user/database differ from {db[0]}'s MARIADB_USER/MARIADB_DATABASE")
            url_pw = INTERP.search(url)
            db_pw = INTERP.search(db_env.get("MARIADB_PASSWORD") or "")
            r.check("C-env-db", bool(url_pw and db_pw and url_pw.group(1) == db_pw.group(1)),
                    f"{n}: SCHOOLYARD_DB_URL's password must be the same ${{VAR}} from .env as {db[0]}'s MARIADB_PASSWORD")
        st = env.get("SCHOOLYARD_STORAGE_URL") or ""
        r.check("C-env-storage", st.startswith("s3://"), f"{n}: SCHOOLYARD_STORAGE_URL must be an s3:// URL")
        if st.startswith("s3://") and s3_services:
            q = parse_qs(urlsplit(st).query)
            ep = urlsplit((q.get("endpoint") or [""])[0])
            r.check("C-env-storage", ep.hostname == s3_services[0], f"{n}: storage endpoint {ep.hostname} is not the {s3_services[0]} service")
            r.check("C-env-storage", (q.get("path_style") or [""])[0] == "1", f"{n}: an S3-compatible store needs path_style=1")
            for a, b in (("AWS_ACCESS_KEY_ID", "MINIO_ROOT_USER"), ("AWS_SECRET_ACCESS_KEY", "MINIO_ROOT_PASSWORD")):
                r.check("C-env-storage", env.get(a) is not None and env.get(a) == s3_env.get(b), f"{n}: {a} must equal the store's {b}")
        if n in by_cmd.get("migrate", []):
            continue
        r.check("C-env-migrate", env.get("SCHOOLYARD_AUTO_MIGRATE") == "0" and by_cmd.get("migrate"),
                f"{n}: migrations run once in the migrate service; set SCHOOLYARD_AUTO_MIGRATE=0")
        deps = ours[n].get("depends_on") or {}
        for m in by_cmd.get("migrate", []):
            r.check("C-depends", isinstance(deps, dict) and (deps.get(m) or {}).get("condition") == "service_completed_successfully",
                    f"{n}: must wait for {m} to complete")
        if db:
            r.check("C-depends", isinstance(deps, dict) and (deps.get(db[0]) or {}).get("condition") == "service_healthy", f"{n}: must wait for a healthy {db[0]}")
        imaging[n] = {k: env.get(k) for k in IMAGING_VARS}

    for n in apps:
        env = env_of(ours[n])
        port = env.get("SCHOOLYARD_PORT", "8080")
        r.check("C-env-listen", env.get("SCHOOLYARD_HOST") == "0.0.0.0", f"{n}: SCHOOLYARD_HOST must be 0.0.0.0 inside a container")
        test = " ".join(as_list((ours[n].get("healthcheck") or {}).get("test")) or [])
        r.check("C-healthcheck-app", re.search(rf"127\.0\.0\.1:{port}/(readyz|healthz)\b", test) is not None,
                f"{n}: health check must probe /readyz or /healthz on port {port} (got {test!r})")
        r.check("C-ports", str(port) in [str(p) for p in ours[n].get("expose") or []], f"{n}: expose {port}")
        r.check("C-env-proxy", bool(env.get("SCHOOLYARD_TRUSTED_PROXIES")), f"{n}: behind nginx SCHOOLYARD_TRUSTED_PROXIES must name nginx's network")
        r.check("C-nginx-upstream", re.search(rf"server\s+{re.escape(n)}:{port}\b", nginx) is not None, f"nginx.conf: no upstream server {n}:{port}")
        r.check("C-env-workers", env.get("SCHOOLYARD_WORKERS") is not None, f"{n}: say how many in-process workers (0 when a worker service runs)")
    upstreams = re.findall(r"^\s*server\s+([a-z0-9_-]+):(\d+)", nginx, re.M)
    for host, port in upstreams:
        r.check("C-nginx-upstream", host in apps, f"nginx.conf: upstream {host}:{port} is not an app service")
    backups = [n for n in apps if env_of(ours[n]).get("SCHOOLYARD_BACKUP_EVERY")]
    r.check("C-backups-once", len(backups) <= 1, f"scheduled backups from more than one instance: {backups}")
    vals = {tuple(sorted(v.items())) for v in imaging.values()}
    r.check("C-env-imaging", len(vals) <= 1, "compressor settings differ between app and worker services")

    # nginx: the body limit follows SCHOOLYARD_MAX_UPLOAD_MB; client headers; retries only for idempotent requests.
    mb = max([int(env_of(ours[n]).get("SCHOOLYARD_MAX_UPLOAD_MB", "25")) for n in apps] or [25])
    m = re.search(r"client_max_body_size\s+(\d+)m;", nginx)
    r.check("C-nginx-body", m is not None and mb < int(m.group(1)) <= mb + 2, f"nginx.conf: client_max_body_size must be SCHOOLYARD_MAX_UPLOAD_MB ({mb}) + 1m")
    for h in ("X-Forwarded-For", "X-Forwarded-Proto"):
        r.check("C-nginx-headers", re.search(rf"proxy_set_header\s+{h}\s", nginx) is not None, f"nginx.conf: set {h}")
    r.check("C-nginx-retry", re.search(r"^\s*proxy_next_upstream\s[^;]*non_idempotent", nginx, re.M) is None, "nginx.conf: never retry non-idempotent requests on another instance")
    r.check("C-nginx-tls", re.search(r"listen\s+443\s+ssl", nginx) is not None, "nginx.conf: serve HTTPS on 443")
    if nginxes:
        deps = services[nginxes[0]].get("depends_on") or {}
        for n in apps:
            r.check("C-depends", (deps.get(n) or {}).get("condition") == "service_healthy", f"{nginxes[0]}: must wait for a healthy {n}")


def run(root: Path, compose_text: str, nginx: str, dockerfile: str, dockerignore: str, needed_pkgs=None) -> Report:
    r = Report()
    ins = check_dockerfile(dockerfile, r, needed_pkgs)
    ignored = {l.strip() for l in dockerignore.splitlines() if l.strip() and not l.startswith("#")}
    for must in (".git", "build*/", "**/node_modules/", "data/"):
        r.check("DF-dockerignore", must in ignored, f".dockerignore must exclude {must}")
    check_compose(yaml.safe_load(compose_text), nginx, ins, documented_vars(root), r)
    return r


# Each mutation breaks one rule; --self-test proves the rule notices.
MUTATIONS = [
    ("dockerfile", "FROM debian:12.11-slim AS build", "FROM debian:latest AS build", "DF-pinned-base"),
    ("dockerfile", "FROM debian:12.11-slim\n", "FROM debian\n", "DF-pinned-base"),
    ("dockerfile", "USER schoolyard:schoolyard", "USER root", "DF-user-nonroot"),
    ("dockerfile", "USER schoolyard:schoolyard\n", "", "DF-user-nonroot"),
    ("dockerfile", " \\\n && rm -rf /var/lib/apt/lists/* \\\n && groupadd", " \\\n && groupadd", "DF-apt-lists-cleaned"),
    ("dockerfile", "install -y --no-install-recommends", "install -y", "DF-apt-no-recommends"),
    ("dockerfile", "HEALTHCHECK --interval", "# HEALTHCHECK --interval", "DF-healthcheck"),
    ("dockerfile", "COPY --from=build /schoolyard", "ADD https://example.org/schoolyard.tar.gz /tmp/\nCOPY --from=build /schoolyard", "DF-no-add-url"),
    ("dockerfile", "ca-certificates curl", "ca-certificates curl build-essential", "DF-runtime-no-build-tools"),
    ("dockerfile", "RUN ./dev setup", "RUN apt-get update && apt-get install -y --no-install-recommends cmake && rm -rf /var/lib/apt/lists/* && true", "DF-built-with-dev"),
    ("dockerfile", "COPY --from=build /schoolyard", "COPY --from=builder /schoolyard", "DF-copy-from-stage"),
    ("dockerignore", ".git\n", "", "DF-dockerignore"),
    ("compose", 'command: ["worker"]', 'command: ["serve"]', "C-topology"),
    ("compose", 'app2:\n    <<: *schoolyard\n    command: ["serve"]', 'app2:\n    <<: *schoolyard\n    command: ["server"]', "C-command"),
    ("compose", '    expose: ["8080"]\n    healthcheck: *app-health\n    depends_on: *after-migrate\n\n  app2', '    ports: ["8080:8080"]\n    expose: ["8080"]\n    healthcheck: *app-health\n    depends_on: *after-migrate\n\n  app2', "C-ports"),
    ("compose", "http://127.0.0.1:8080/readyz", "http://127.0.0.1:8080/", "C-healthcheck-app"),
    ("compose", "      retries: 10\n\n  s3-init", "      retries: 10\n      disable: true\n\n  s3-init", "C-healthcheck"),
    ("compose", "SCHOOLYARD_LOG_LEVEL: info", "SCHOOLYARD_LOG_LEVEL: info\n  SCHOOLYARD_DATABASE_URL: x", "C-env-documented"),
    ("compose", "@db:3306/schoolyard", "@localhost:3306/schoolyard", "C-env-db"),
    ("compose", "mysql://schoolyard:${DB_PASSWORD", "mysql://schoolyard:${DB_PASS", "C-env-db"),
    ("compose", "endpoint=http://s3:9000&region=us-east-1&path_style=1", "endpoint=http://s3:9000&region=us-east-1", "C-env-storage"),
    ("compose", '  SCHOOLYARD_AUTO_MIGRATE: "0"\n', "", "C-env-migrate"),
    ("compose", "  SCHOOLYARD_HOST: 0.0.0.0\n", "", "C-env-listen"),
    ("compose", "  SCHOOLYARD_TRUSTED_PROXIES: 172.30.0.0/24\n", "", "C-env-proxy"),
    ("compose", 'SCHOOLYARD_WORKERS: "2"', 'SCHOOLYARD_WORKERS: "2"\n      SCHOOLYARD_JPEG_QUALITY: "95"', "C-env-imaging"),
    ("compose", "    environment: *app-env\n", "    environment:\n      <<: *app-env\n      SCHOOLYARD_BACKUP_EVERY: 12h\n", "C-backups-once"),
    ("compose", "image: mariadb:10.11", "image: mariadb:latest", "C-image-pinned"),
    ("compose", "MARIADB_PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD in .env}", "MARIADB_PASSWORD: hunter2hunter2", "C-env-db"),
    ("compose", "  AWS_SECRET_ACCESS_KEY: ${S3_SECRET_KEY:?set S3_SECRET_KEY in .env}", "  AWS_SECRET_ACCESS_KEY: minio123", "C-env-no-literal-secrets"),
    ("compose", "      - \"443:443\"\n", "", "C-ports"),
    ("compose", "    depends_on: *after-migrate\n\n  app2", "    depends_on:\n      db:\n        condition: service_started\n\n  app2", "C-depends"),
    ("nginx", "server app2:8080", "server app3:8080", "C-nginx-upstream"),
    ("nginx", "client_max_body_size 26m;", "client_max_body_size 1m;", "C-nginx-body"),
    ("nginx", "proxy_next_upstream error timeout http_502 http_503;", "proxy_next_upstream error timeout non_idempotent;", "C-nginx-retry"),
    ("nginx", "proxy_set_header X-Forwarded-Proto $scheme;", "", "C-nginx-headers"),
]


def needed_packages(binary: Path):
    """Debian packages providing the libraries the binary links directly (readelf NEEDED + ldd)."""
    import subprocess
    needed = set(re.findall(r"\(NEEDED\).*\[(.+?)\]", subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True).stdout))
    paths = {}
    for line in subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout.splitlines():
        m = re.match(r"\s*(\S+) => (/\S+)", line)
        if m:
            paths[m.group(1)] = m.group(2)
    pkgs = set()
    for lib in needed:
        if lib not in paths:
            continue
        real = subprocess.run(["readlink", "-f", paths[lib]], capture_output=True, text=True).stdout.strip()
        for p in (real, paths[lib], "/usr" + paths[lib]):
            out = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
            if out.returncode == 0:
                pkgs.add(out.stdout.split(":")[0])
                break
    # In every Debian image already (Essential / required by apt).
    return pkgs - {"libc6", "libstdc++6", "libgcc-s1", "zlib1g"}


def main():
    root = Path(sys.argv[1]).resolve()
    self_test = "--self-test" in sys.argv
    binary = next((Path(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--binary=")), None)
    files = {
        "compose": (root / "deploy/compose/compose.yaml").read_text(),
        "nginx": (root / "deploy/compose/nginx.conf").read_text(),
        "dockerfile": (root / "deploy/compose/Dockerfile").read_text(),
        "dockerignore": (root / ".dockerignore").read_text(),
    }
    needed = needed_packages(binary) if binary and binary.exists() else None
    if needed is not None:
        print(f"runtime packages needed by {binary}: {' '.join(sorted(needed))}")
    r = run(root, files["compose"], files["nginx"], files["dockerfile"], files["dockerignore"], needed)
    for rule, what in r.problems:
        print(f"FAIL [{rule}] {what}")
    if r.problems:
        return 1
    print(f"ok: compose.yaml, nginx.conf, Dockerfile, .dockerignore ({len(yaml.safe_load(files['compose'])['services'])} services)")
    if not self_test:
        return 0
    missed = 0
    for target, old, new, rule in MUTATIONS:
        if files[target].count(old) != 1:
            print(f"SELF-TEST BROKEN: {target} does not contain exactly one {old!r}")
            missed += 1
            continue
        broken = dict(files)
        broken[target] = files[target].replace(old, new)
        try:
            rr = run(root, broken["compose"], broken["nginx"], broken["dockerfile"], broken["dockerignore"], needed)
            rules = {p[0] for p in rr.problems}
        except Exception as e:  # a file the checker cannot even read counts as caught only for C-* parse rules
            rules = {f"crash: {e!r}"}
        if rule not in rules:
            print(f"MISSED [{rule}] {target}: {old[:50]!r} -> {new[:50]!r} (reported: {sorted(rules)})")
            missed += 1
    if needed:
        pkg = sorted(needed)[0]
        broken = files["dockerfile"].replace(f" {pkg} ", " ").replace(f" {pkg}\n", "\n")
        rr = run(root, files["compose"], files["nginx"], broken, files["dockerignore"], needed)
        if "DF-runtime-libs" not in {p[0] for p in rr.problems}:
            print(f"MISSED [DF-runtime-libs] dropping {pkg}")
            missed += 1
    print(f"self-test: {len(MUTATIONS) - missed}/{len(MUTATIONS)} broken copies caught by their rule")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
