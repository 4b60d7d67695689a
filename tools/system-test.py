#!/usr/bin/env python3
"""kinerjad's Debian package on a real systemd: `make test-system`.

    tools/system-test.py --deb dist/kinerjad_V_A.deb [--cache /var/cache/kinerjad-test-system]
                         [--old-commit COMMIT]

A Debian 12 tree made by debootstrap (minbase, plus systemd, python3-minimal and the package's
Depends and Recommends, so the runs need no network) is kept in the cache and rebuilt only when
missing or when that package list changes. Each boot is `systemd-nspawn --volatile=overlay -b` on
it: systemd is PID 1 in the container, every change goes to a tmpfs and the cached tree stays
clean. Commands run inside with `nsenter -t <the container's PID 1> -a`; SIGTERM to nspawn powers
the container off. The host's own systemd (there may be none) is never used.

Boot 1 installs the package under test and checks the service as an operator meets it. Boot 2
installs the package built from --old-commit (default: the last commit before the v6-job-requests
migration; built once with this tree's tools/package.py and cached), creates data, upgrades to the
package under test, then removes, reinstalls and purges it.

Each check prints PASS or FAIL with its name; the last line is `N passed, M failed`.
"""
import argparse
import contextlib
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The last commit before the v6-job-requests migration: its database is one migration behind.
DEFAULT_OLD_COMMIT = "59ec28d5c989f7e0a3c0623ad2465ab3979427a8"
BASE_PACKAGES = ["systemd", "systemd-sysv", "dbus", "procps", "python3-minimal"]
MOUNT = "/mnt/kinerjad-test"
ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/root",
       "DEBIAN_FRONTEND": "noninteractive", "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0"}
ID_READY = "2b5be6e3f7b14566b6d0fb62d7d2fd60"
ID_RELOADED = "e744ee6e87ef42a3888cd0c985837124"
ID_RELOAD_REFUSED = "76916220e7d24369a6bcc104004e90a5"
ID_BACKUP = "a0eb9e94815146c7a4694705042eb104"
ID_JOB_FINISHED = "cbba0fbdbad14437ae257e4dc1b326a4"
ID_MAIL_SENT = "98608085f8de46e89a5dead425075ef3"
ID_PRIORITY_REFUSED = "ae0c0c705591488cb6700ac6804e3cd1"
WEB = "127.0.0.1:8480"
REVIEW_SOCKET = "/run/kinerjad/review.varlink"
ADMIN_SOCKET = "/run/kinerjad/admin.varlink"

# Run inside the container with python3-minimal, which has neither urllib, http.client nor json: one
# HTTP/1.1 request with Connection: close on a raw socket. argv: host:port METHOD PATH [BODY]; prints
# the status code, the headers (lower-cased names) one a line, an empty line, then the body.
HTTP_CLIENT = r"""
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
method, path = sys.argv[2], sys.argv[3]
body = sys.argv[4].encode() if len(sys.argv) > 4 else b""
head = f"{method} {path} HTTP/1.1\r\nHost: {sys.argv[1]}\r\nConnection: close\r\n"
if body:
    head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
s = socket.create_connection((host, int(port)), timeout=30)
s.sendall(head.encode() + b"\r\n" + body)
data = b""
while chunk := s.recv(65536):
    data += chunk
head, _, rest = data.partition(b"\r\n\r\n")
lines = head.decode("latin-1").split("\r\n")
headers = dict((k.strip().lower(), v.strip()) for k, v in (line.split(":", 1) for line in lines[1:]))
if headers.get("transfer-encoding") == "chunked":
    decoded = b""
    while rest:
        size, _, rest = rest.partition(b"\r\n")
        n = int(size, 16)
        if n == 0:
            break
        decoded, rest = decoded + rest[:n], rest[n + 2:]
    rest = decoded
print(lines[0].split()[1])
for name, value in headers.items():
    print(f"{name}: {value}")
print()
sys.stdout.write(rest.decode("utf-8", "replace"))
"""

# One Varlink call on a Unix socket (argv: SOCKET METHOD). Prints the reply's error name or "ok";
# "refused" when the socket cannot be opened (permissions), "closed" when the daemon closes the
# connection unanswered (its SO_PEERCRED check).
VARLINK_CLIENT = r"""
import re, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1])
except PermissionError:
    print("refused")
    sys.exit(0)
s.settimeout(20)
try:
    s.sendall(('{"method":"%s","parameters":{}}' % sys.argv[2]).encode() + b"\0")
    data = b""
    while not data.endswith(b"\0"):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
except (ConnectionResetError, BrokenPipeError):
    data = b""
if not data:
    print("closed")
else:
    error = re.search(rb'"error"\s*:\s*"([^"]+)"', data)
    print(error.group(1).decode() if error else "ok")
"""


def log(message):
    print(message, flush=True)


# ----------------------------------------------------------------------------------------------
# The cached tree and the old package


def package_names(deb):
    """The first alternative of each Depends and Recommends entry of a .deb."""
    fields = subprocess.run(["dpkg-deb", "-f", deb, "Depends", "Recommends"], check=True, stdout=subprocess.PIPE,
                            text=True).stdout
    names = set()
    for line in fields.splitlines():
        value = line.split(":", 1)[1] if ":" in line else line
        for entry in value.split(","):
            name = entry.split("|")[0].split("(")[0].split(":")[0].strip()
            if name:
                names.add(name)
    return names


def debian_mirror():
    """The bookworm mirror this host's apt uses (deb822 .sources or one-line .list)."""
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        for block in open(path).read().split("\n\n"):
            fields = dict(re.findall(r"^(\w[\w-]*):\s*(.*)$", block, re.M))
            if "bookworm" in fields.get("Suites", "").split() and "URIs" in fields:
                return fields["URIs"].split()[0]
    for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        if os.path.exists(path):
            for line in open(path):
                if line.startswith("deb ") and " bookworm " in line:
                    return next(word for word in line.split() if "://" in word)
    return "http://deb.debian.org/debian"


def prepare_tree(cache, debs):
    tree = os.path.join(cache, "bookworm")
    stamp = tree + ".packages"
    packages = sorted(set(BASE_PACKAGES).union(*(package_names(deb) for deb in debs)))
    wanted = ",".join(packages)
    if os.path.isdir(tree) and os.path.exists(stamp) and open(stamp).read().strip() == wanted:
        log(f"tree: cached {tree}")
        return tree
    mirror = debian_mirror()
    log(f"tree: debootstrap bookworm from {mirror} with {wanted}")
    started = time.monotonic()
    shutil.rmtree(tree + ".new", ignore_errors=True)
    subprocess.run(["debootstrap", "--variant=minbase", f"--include={wanted}", "bookworm", tree + ".new", mirror],
                   check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(tree, ignore_errors=True)
    os.rename(tree + ".new", tree)
    with open(stamp, "w") as f:
        f.write(wanted + "\n")
    log(f"tree: ready in {time.monotonic() - started:.0f} s")
    return tree


def old_package(cache, commit):
    """The package of an older commit, built once (static release, this tree's packaging) and cached."""
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", commit], check=True, stdout=subprocess.PIPE,
                            text=True).stdout.strip()
    directory = os.path.join(cache, "old-" + commit[:12])
    found = glob.glob(os.path.join(directory, "kinerjad_*.deb"))
    if found:
        log(f"old package: cached {found[0]}")
        return found[0]
    source = os.path.join(directory, "src")
    scratch = os.path.join(directory, "build")
    log(f"old package: building commit {commit[:12]} in {source} (once; cached afterwards)")
    started = time.monotonic()
    os.makedirs(directory, exist_ok=True)
    subprocess.run(["git", "-C", ROOT, "worktree", "prune"], check=True)
    if not os.path.isdir(source):
        subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", source, commit], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--scratch-path", scratch,
                    "--product", "kinerjad"], cwd=source, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--scratch-path", scratch,
                    "--product", "kinerjactl"], cwd=source, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "package.py"), "deb", "--bin", os.path.join(scratch, "release"),
                    "--source", source, "--out", directory], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", source], check=True)
    shutil.rmtree(scratch, ignore_errors=True)
    found = glob.glob(os.path.join(directory, "kinerjad_*.deb"))
    log(f"old package: {found[0]} in {time.monotonic() - started:.0f} s")
    return found[0]


# ----------------------------------------------------------------------------------------------
# The container


class Failed(Exception):
    pass


class Container:
    def __init__(self, tree, share, name):
        self.tree, self.share, self.name = tree, share, name
        self.process = None
        self.pid = None

    def start(self):
        self.log_path = os.path.join(self.share, f"{self.name}.console.log")
        self.process = subprocess.Popen(
            ["systemd-nspawn", "-D", self.tree, "--register=no", "--keep-unit", "--volatile=overlay", "-b",
             f"--bind-ro={self.share}:{MOUNT}", f"--machine={self.name}", "--quiet"],
            stdin=subprocess.DEVNULL, stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while self.pid is None:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise Failed(f"the container did not start; console: {open(self.log_path, errors='replace').read()[-2000:]}")
            self.pid = self.find_init()
            time.sleep(0.1)
        state = ""
        while time.monotonic() < deadline:
            result = self.run(["systemctl", "is-system-running", "--wait"], timeout=max(1, int(deadline - time.monotonic())))
            state = result.stdout.strip()
            if state in ("running", "degraded"):
                break
            time.sleep(0.2)
        if state == "degraded":
            failed = self.run(["systemctl", "--failed", "--no-legend"]).stdout.strip()
            log(f"  (container {self.name}: degraded at boot: {failed})")
        return state

    def find_init(self):
        """The container's PID 1: a descendant of nspawn whose innermost pid is 1."""
        children = {}
        for status in glob.glob("/proc/[0-9]*/status"):
            try:
                text = open(status).read()
            except OSError:
                continue
            pid = int(re.search(r"^Pid:\s+(\d+)", text, re.M).group(1))
            ppid = int(re.search(r"^PPid:\s+(\d+)", text, re.M).group(1))
            nspid = re.search(r"^NSpid:\s+(.*)$", text, re.M)
            children.setdefault(ppid, []).append((pid, nspid.group(1).split() if nspid else []))
        queue = [self.process.pid]
        while queue:
            for pid, nspid in children.get(queue.pop(), []):
                if len(nspid) > 1 and nspid[-1] == "1":
                    return pid
                queue.append(pid)
        return None

    def run(self, argv, user=None, input=None, timeout=120):
        if user:
            argv = ["runuser", "-u", user, "--"] + argv
        try:
            return subprocess.run(["nsenter", "-t", str(self.pid), "-a", "--"] + argv, env=ENV, input=input,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as error:
            raise Failed(f"timed out after {timeout} s: {' '.join(argv)}") from error

    def ok(self, argv, user=None, input=None, timeout=120):
        """Runs argv; fails the step unless it exits 0. Returns stdout."""
        result = self.run(argv, user=user, input=input, timeout=timeout)
        if result.returncode != 0:
            raise Failed(f"`{' '.join(argv)}` exited {result.returncode}: {(result.stderr or result.stdout).strip()[-1500:]}")
        return result.stdout

    def sh(self, script, **kwargs):
        return self.ok(["/bin/sh", "-c", script], **kwargs)

    def write(self, path, text, mode="0644"):
        self.ok(["/bin/sh", "-c", f'cat > "$1" && chmod {mode} "$1"', "write", path], input=text)

    def show(self, unit, prop):
        return self.ok(["systemctl", "show", "-p", prop, "--value", unit]).strip()

    def cursor(self):
        out = self.ok(["journalctl", "-n", "0", "--show-cursor", "--no-pager"])
        match = re.search(r"-- cursor: (.+)", out)
        return match.group(1).strip() if match else None

    def journal(self, after=None, *filters):
        """Entries after the cursor; FIELD=value filters are applied here (journalctl's matches
        together with --after-cursor miss entries on Debian 12's systemd 252), others are passed on."""
        fields = dict(f.split("=", 1) for f in filters if "=" in f and not f.startswith("-"))
        argv = ["journalctl", "--no-pager", "-o", "json"] + (["--after-cursor", after] if after else [])
        argv += [f for f in filters if f.split("=", 1)[0] not in fields]
        entries = [json.loads(line) for line in self.ok(argv).splitlines() if line.startswith("{")]
        return [e for e in entries if all(e.get(k) == v for k, v in fields.items())]

    def wait_for(self, what, check, timeout=30, interval=0.3):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = check()
            if last:
                return last
            time.sleep(interval)
        raise Failed(f"{what}: not within {timeout} s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


# ----------------------------------------------------------------------------------------------
# Steps


class Steps:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    @contextlib.contextmanager
    def step(self, name):
        started = time.monotonic()
        try:
            yield
        except Exception as error:  # a failed step is reported and the run goes on
            self.failed += 1
            reason = str(error) if isinstance(error, (Failed, AssertionError)) else f"{type(error).__name__}: {error}"
            log(f"FAIL  {name} ({time.monotonic() - started:.1f} s): {reason}")
        else:
            self.passed += 1
            log(f"PASS  {name} ({time.monotonic() - started:.1f} s)")


def expect(condition, message):
    if not condition:
        raise Failed(message)


def exposure(text):
    match = re.search(r"Overall exposure level for \S+: ([0-9.]+)", text)
    return float(match.group(1)) if match else None


def status_json(c, user=None):
    return json.loads(c.ok(["kinerjactl", "--json", "status"], user=user))


def restart_and_wait(c):
    c.ok(["systemctl", "restart", "kinerjad.service"])
    return c.show("kinerjad.service", "MainPID")


def test_config(schedule_maintenance):
    """The configuration the checks use: defaults plus reminders at any hour, quick retries, the
    maintenance job a few seconds away, and the web front's public address (links need it)."""
    return f"""# kinerjad system test
mail:
  from_address: kinerjad@localhost
  retry_base: 1s
  retry_cap: 2s
reminders:
  working_hours: "Mon..Sun 00:00..23:59 UTC"
  holidays: []
jobs:
  schedule:
    maintenance: "{schedule_maintenance}"
    reminder-sweep: "off"
    outbox-delivery: "off"
    motivation-analysis: "off"
web:
  public_base_url: http://127.0.0.1:8480
"""


def boot_install(s, c, new_deb):
    with s.step("install: apt installs the package from the local file, no network needed"):
        c.ok(["apt-get", "install", "-y", "-q", f"{MOUNT}/{os.path.basename(new_deb)}"], timeout=300)
        expect("install ok installed" in c.ok(["dpkg-query", "-W", "-f=${Status}", "kinerjad"]), "kinerjad not installed")

    with s.step("binaries: ldd shows only libraries of Debian 12 packages"):
        for binary in ("/usr/bin/kinerjad", "/usr/bin/kinerjactl", "/usr/bin/kinerja-web", "/usr/libexec/kinerjad/kinerjad-sendmail"):
            out = c.ok(["ldd", binary])
            expect("not found" not in out, f"{binary}: {out}")
            for path in re.findall(r"=> (/\S+)", out):
                alternative = path[4:] if path.startswith("/usr/") else "/usr" + path
                owners = c.run(["dpkg", "-S", path]).returncode == 0 or c.run(["dpkg", "-S", alternative]).returncode == 0
                expect(owners, f"{binary} links {path}, which no Debian package holds")
                expect("/swift" not in path, f"{binary} links the Swift runtime {path}")

    with s.step("config: conffile root:kinerjad 0640, readable by the service user"):
        expect("/etc/kinerjad/kinerjad.yaml" in c.ok(["dpkg-query", "-W", "-f=${Conffiles}", "kinerjad"]), "not a conffile")
        owner = c.ok(["stat", "-c", "%U:%G %a", "/etc/kinerjad/kinerjad.yaml"]).strip()
        expect(owner == "root:kinerjad 640", f"/etc/kinerjad/kinerjad.yaml is {owner}")
        c.ok(["kinerjad", "--check-config", "--config", "/etc/kinerjad/kinerjad.yaml"], user="kinerjad")

    with s.step("socket: kinerjad.socket and kinerjad-mail.socket active and enabled, the daemon not yet started"):
        for unit in ("kinerjad.socket", "kinerjad-mail.socket"):
            expect(c.show(unit, "ActiveState") == "active", f"{unit} is {c.show(unit, 'ActiveState')}")
            expect(c.run(["systemctl", "is-enabled", unit]).stdout.strip() == "enabled", f"{unit} not enabled")
        expect(c.run(["systemctl", "is-enabled", "kinerjad.service"]).stdout.strip() == "enabled", "kinerjad.service not enabled")
        expect(c.show("kinerjad.service", "ActiveState") == "inactive", f"kinerjad.service is {c.show('kinerjad.service', 'ActiveState')}")

    with s.step("activation: the first `kinerjactl status` starts the service through the socket"):
        out = c.ok(["kinerjactl", "status"])
        expect(c.show("kinerjad.service", "ActiveState") == "active", "kinerjad.service not active")
        expect("Schema" in out or "version" in out.lower(), out)

    with s.step("status: `systemctl status kinerjad` shows the daemon's STATUS= text"):
        text = c.wait_for("StatusText", lambda: c.show("kinerjad.service", "StatusText"), timeout=10)
        out = c.run(["systemctl", "status", "--no-pager", "kinerjad.service"]).stdout
        expect(f'Status: "{text}"' in out, f"StatusText {text!r} not in: {out}")

    with s.step("isolation: kinerjad has no network (only lo in its namespace), kinerjad-mail's unit has the host's"):
        pid = c.show("kinerjad.service", "MainPID")
        interfaces = [line.split(":")[0].strip() for line in c.ok(["cat", f"/proc/{pid}/net/dev"]).splitlines()[2:]]
        expect(interfaces == ["lo"], f"interfaces seen by kinerjad: {interfaces}")
        expect(c.show("kinerjad.service", "PrivateUsers") == "no", "PrivateUsers= is set")

    boot_web_units(s, c)


def http(c, method, path, body=None):
    reply = c.ok(["python3", "-c", HTTP_CLIENT, WEB, method, path] + ([body] if body is not None else []))
    head, _, text = reply.partition("\n\n")
    lines = head.split("\n")
    return {"status": int(lines[0]), "headers": dict(line.split(": ", 1) for line in lines[1:]), "body": text}


def varlink(c, socket_path, method, user=None, group=None):
    """The outcome of one call as `user` (with only `group`, if given: setpriv, no supplementary groups)."""
    argv = ["python3", "-c", VARLINK_CLIENT, socket_path, method]
    if user:
        argv = ["setpriv", f"--reuid={user}", f"--regid={group or user}", "--clear-groups"] + argv
    return c.ok(argv).strip()


def boot_web_units(s, c):
    with s.step("web units: kinerjad-review.socket and kinerja-web.socket active and enabled, the Review socket root:kinerja-web 0660"):
        for unit in ("kinerjad-review.socket", "kinerja-web.socket"):
            expect(c.show(unit, "ActiveState") == "active", f"{unit} is {c.show(unit, 'ActiveState')}")
            expect(c.run(["systemctl", "is-enabled", unit]).stdout.strip() == "enabled", f"{unit} not enabled")
        mode = c.ok(["stat", "-c", "%U:%G %a", REVIEW_SOCKET]).strip()
        expect(mode == "root:kinerja-web 660", f"{REVIEW_SOCKET} is {mode}")
        expect(c.ok(["id", "-nG", "kinerja-web"]).split() == ["kinerja-web"], "kinerja-web is in other groups")
        # The daemon took the Review socket from systemd (started by the admin socket just before).
        ready = [e.get("REVIEW_SOCKET", e.get("KINERJA_REVIEW_SOCKET", "")) for e in
                 c.journal(None, "_SYSTEMD_UNIT=kinerjad.service", f"MESSAGE_ID={ID_READY}")]
        expect(any("socket activation" in r for r in ready), f"review socket in the ready entries: {ready}")


def boot_web(s, c):
    with s.step("web: a review submitted over HTTP (link, page, form with its anti-forgery value) shows as from the web"):
        # 2026-Q3 opened now: its due date is ahead, so its reviews can still be submitted.
        c.ok(["kinerjactl", "cycles", "open", "2026-Q3"], user="alice")
        row = json.loads(c.ok(["kinerjactl", "--json", "reviews", "list", "--cycle", "2026-Q3", "--role", "rekan",
                               "--limit", "1"], user="alice"))[0]
        url = json.loads(c.ok(["kinerjactl", "--json", "reviews", "link", "--reviewer", row["reviewer"], "--cycle", "2026-Q3"],
                              user="alice"))["url"]
        expect(url.startswith(f"http://{WEB}/r/"), url)
        path = url[len(f"http://{WEB}"):]
        page = http(c, "GET", path)
        expect(page["status"] == 200, f"GET {page['status']}: {page['body'][:500]}")
        expect(page["headers"].get("cache-control") == "no-store", f"{page['headers']}")
        expect(c.show("kinerja-web.service", "ActiveState") == "active", "kinerja-web.service not started by its socket")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page["body"])
        expect(csrf, "no anti-forgery value in the page")
        scores = "&".join(f"{v}=4" for v in ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal",
                                            "adaptif", "kolaboratif"))
        body = f"assignment={row['id']}&{scores}&comment=Kerja+sama+baik"
        forged = http(c, "POST", path, body)
        expect(forged["status"] == 403, f"a POST without the anti-forgery value got {forged['status']}")
        posted = http(c, "POST", path, f"csrf={csrf.group(1)}&{body}")
        expect(posted["status"] == 303, f"POST {posted['status']}: {posted['body'][:500]}")
        listed = json.loads(c.ok(["kinerjactl", "--json", "reviews", "list", "--cycle", "2026-Q3", "--reviewer", row["reviewer"],
                                  "--status", "submitted"], user="alice"))
        mine = [r for r in listed if r["id"] == row["id"]]
        expect(mine and mine[0].get("source") == "web", f"submitted rows: {listed}")
        table = c.ok(["kinerjactl", "reviews", "list", "--cycle", "2026-Q3", "--reviewer", row["reviewer"], "--status", "submitted"],
                     user="alice")
        expect("(web)" in table, table)

    with s.step("web: kinerja-web runs as its own user, with no network of its own and no readable /etc/kinerjad"):
        pid = c.show("kinerja-web.service", "MainPID")
        uid = re.search(r"^Uid:\s+(\d+)", c.ok(["cat", f"/proc/{pid}/status"]), re.M).group(1)
        expect(uid == c.ok(["id", "-u", "kinerja-web"]).strip(), f"kinerja-web.service runs as uid {uid}")
        interfaces = [line.split(":")[0].strip() for line in c.ok(["cat", f"/proc/{pid}/net/dev"]).splitlines()[2:]]
        expect(interfaces == ["lo"], f"interfaces seen by kinerja-web: {interfaces}")
        result = c.run(["setpriv", "--reuid=kinerja-web", "--regid=kinerja-web", "--clear-groups", "cat", "/etc/kinerjad/kinerjad.yaml"])
        expect(result.returncode != 0, "the kinerja-web user can read /etc/kinerjad/kinerjad.yaml")

    with s.step("web: io.kinerjad.Admin fails over review.varlink; the web user cannot open the admin socket"):
        for user in (None, "kinerja-web"):
            outcome = varlink(c, REVIEW_SOCKET, "io.kinerjad.Admin.Ping", user=user)
            expect(outcome == "org.varlink.service.InterfaceNotFound", f"Admin.Ping as {user or 'root'}: {outcome}")
        outcome = varlink(c, ADMIN_SOCKET, "io.kinerjad.Admin.Ping", user="kinerja-web")
        expect(outcome == "refused", f"the web user on the admin socket: {outcome}")

    with s.step("web: a uid other than root and kinerja-web cannot connect to review.varlink"):
        outcome = varlink(c, REVIEW_SOCKET, "org.varlink.service.GetInfo", user="bob")
        expect(outcome == "refused", f"bob: {outcome}")
        # Even with the socket's group (past the file mode), the daemon closes the connection: uid check.
        outcome = varlink(c, REVIEW_SOCKET, "org.varlink.service.GetInfo", user="bob", group="kinerja-web")
        expect(outcome == "closed", f"bob with group kinerja-web: {outcome}")
        expect(varlink(c, REVIEW_SOCKET, "org.varlink.service.GetInfo", user="kinerja-web") == "ok", "kinerja-web refused")

    with s.step("web: a cycle report's thread runs at nice +10 under the shipped filter; a drop-in without setpriority gets the warning"):
        def report_refusals():
            pid = c.show("kinerjad.service", "MainPID")
            c.ok(["kinerjactl", "report", "cycle", "2026-Q3"], user="alice")
            return [e for e in c.journal(None, "-u", "kinerjad.service", f"MESSAGE_ID={ID_PRIORITY_REFUSED}") if e.get("_PID") == pid]
        expect(report_refusals() == [], "the shipped unit refused the report thread's setpriority")
        dropin = "/run/systemd/system/kinerjad.service.d"
        c.sh(f"mkdir -p {dropin} && printf '[Service]\\nSystemCallFilter=~setpriority\\n' > {dropin}/no-setpriority.conf")
        try:
            c.ok(["systemctl", "daemon-reload"])
            restart_and_wait(c)
            # The same report under a filter without setpriority: the thread stays at nice 0 and says so, once.
            refused = []
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not refused:
                refused = report_refusals()
            expect(refused, "no warning although setpriority was filtered out: the check above could not fail")
            expect(refused[0].get("KINERJA_ERRNO") == "1" and len(refused) == 1, f"entries (one wanted, EPERM): {refused}")
        finally:
            c.sh(f"rm -rf {dropin}")
            c.ok(["systemctl", "daemon-reload"])
            restart_and_wait(c)

    with s.step("web security: `systemd-analyze security kinerja-web.service` (online) is 1.0 or lower"):
        out = c.run(["systemd-analyze", "security", "--no-pager", "kinerja-web.service"]).stdout
        score = exposure(out)
        log(f"      online exposure kinerja-web.service: {score}")
        expect(score is not None and score <= 1.0, f"exposure {score}: {out[-1500:]}")


def boot_admin(s, c):
    c.sh("useradd -m alice && usermod -aG kinerjad-admin alice && useradd -m bob")

    with s.step("admin: a non-root kinerjad-admin member backs up and loads data"):
        before = set(c.ok(["ls", "/var/lib/kinerjad/backup"]).split())
        out = c.ok(["kinerjactl", "backup"], user="alice")
        after = set(c.ok(["ls", "/var/lib/kinerjad/backup"]).split())
        expect(after - before, f"no new backup file: {out}")
        c.ok(["kinerjactl", "demo", "generate", "--employees", "40", "--periods", "1", "--seed", "7", "--out", "/home/alice/demo"],
             user="alice")
        c.ok(["kinerjactl", "import", "employees", "/home/alice/demo/employees.csv"], user="alice")
        # Opened just after the quarter ended (a period still running needs --early); its due date has
        # long passed, so the mail step has overdue reviews to remind.
        c.ok(["kinerjactl", "cycles", "open", "2026-Q2", "--opened-at", "2026-07-01T01:00:00Z"], user="alice")
        cycles = c.ok(["kinerjactl", "cycles", "list"], user="alice")
        expect("2026-Q2" in cycles, cycles)
        # The audit trail names the real caller (SO_PEERCRED), not "nobody".
        peers = [e.get("KINERJA_PEER", "") for e in c.journal(None, "_SYSTEMD_UNIT=kinerjad.service", f"MESSAGE_ID={ID_BACKUP}")]
        expect(any("(alice)" in peer for peer in peers), f"backup entries name {peers}")

    with s.step("outsider: a user outside kinerjad-admin can change nothing"):
        before = c.ok(["ls", "/var/lib/kinerjad/backup"])
        for argv in (["kinerjactl", "backup"], ["kinerjactl", "cycles", "open", "2026-Q3"], ["kinerjactl", "reload"]):
            result = c.run(argv, user="bob")
            expect(result.returncode != 0, f"`{' '.join(argv)}` as bob succeeded: {result.stdout}")
        expect(c.ok(["ls", "/var/lib/kinerjad/backup"]) == before, "a backup appeared")
        expect("2026-Q3" not in c.ok(["kinerjactl", "cycles", "list"]), "bob opened a cycle")


def boot_staging(s, c):
    with s.step("staging: a large staged import is spooled to a deleted file in the unit's private /var/tmp, and applied"):
        # A fresh database, so a 10,000-employee quarter can be loaded (the earlier steps are done with theirs).
        c.ok(["systemctl", "stop", "kinerjad.service"])
        c.sh("rm -f /var/lib/kinerjad/kinerja.sqlite /var/lib/kinerjad/kinerja.sqlite-wal /var/lib/kinerjad/kinerja.sqlite-shm")
        c.ok(["systemctl", "start", "kinerjad.service"])
        c.ok(["kinerjactl", "demo", "generate", "--employees", "10000", "--periods", "1", "--seed", "11",
              "--first-period", "2026-Q1", "--out", "/home/alice/big"], user="alice", timeout=300)
        c.ok(["kinerjactl", "import", "units", "/home/alice/big/units.csv"], user="alice")
        c.ok(["kinerjactl", "import", "employees", "/home/alice/big/employees.csv"], user="alice", timeout=300)
        period = json.loads(c.ok(["cat", "/home/alice/big/demo.json"]))["periods"][0]
        c.ok(["kinerjactl", "cycles", "open", "2026-Q1", "--opened-at", period["opened_at"]], user="alice", timeout=300)
        rows = int(c.ok(["sh", "-c", "wc -l < /home/alice/big/reviews-2026-Q1.csv"]).strip()) - 1
        # The spool is a private temporary SQLite database: its file appears once its 2 MiB page cache
        # spills and is unlinked at once, so only the daemon's descriptors show it. Watched from
        # outside while the import runs: the descriptor's path, and the mount it is on (its fdinfo
        # mnt_id in the daemon's mountinfo), which under PrivateTmp=yes is the unit's own directory
        # mounted on /var/tmp, not the system's /var/tmp.
        watcher = r"""
import os, sys, time
pid = sys.argv[1]
for _ in range(6000):
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if "etilqs_" in target:
                mnt = next(l.split()[1] for l in open(f"/proc/{pid}/fdinfo/{fd}") if l.startswith("mnt_id:"))
                mount = next(l for l in open(f"/proc/{pid}/mountinfo") if l.split()[0] == mnt)
                print(target)
                print(mount.strip())
                sys.exit(0)
    except (FileNotFoundError, StopIteration):
        pass
    time.sleep(0.01)
"""
        c.write("/run/spool-watch.py", watcher)
        script = """
            pid=$(systemctl show -p MainPID --value kinerjad.service)
            python3 /run/spool-watch.py "$pid" > /run/spool-seen &
            watcher=$!
            runuser -u alice -- kinerjactl --json reviews import /home/alice/big/reviews-2026-Q1.csv --cycle 2026-Q1
            status=$?
            kill $watcher 2>/dev/null; wait $watcher 2>/dev/null
            exit $status
            """
        summary = json.loads(c.sh(script, timeout=300))
        seen = c.ok(["cat", "/run/spool-seen"]).strip().splitlines()
        log(f"      spool file seen among kinerjad's descriptors: {seen}; {summary.get('records')} of {rows} reviews")
        expect(summary.get("records") == rows, f"summary {summary}, file rows {rows}")
        expect(len(seen) == 2 and seen[0].startswith("/var/tmp/etilqs_") and seen[0].endswith("(deleted)"),
               f"no deleted spool file under /var/tmp among the daemon's descriptors: {seen}")
        # mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT …; ROOT is the directory of the file system
        # mounted there: the unit's private one.
        fields = seen[1].split() if len(seen) == 2 else ["", "", "", "", ""]
        expect(fields[4] == "/var/tmp" and "systemd-private-" in fields[3] and "kinerjad.service" in fields[3],
               f"the spool's mount is not the unit's private /var/tmp: {seen[1:]}")

def boot_reload(s, c):
    try:
        reload_checks(s, c)
    finally:
        c.write("/etc/kinerjad/kinerjad.yaml", test_config("off"), mode="0640")
        c.run(["systemctl", "reload-or-restart", "kinerjad.service"])


def reload_checks(s, c):
    pid = c.show("kinerjad.service", "MainPID")
    with s.step("reload: `systemctl reload kinerjad` re-reads the configuration"):
        c.write("/etc/kinerjad/kinerjad.yaml", test_config("off") + "logging:\n  level: debug\n", mode="0640")
        cursor = c.cursor()
        c.ok(["systemctl", "reload", "kinerjad.service"])
        c.wait_for("the reloaded entry", lambda: c.journal(cursor, "_SYSTEMD_UNIT=kinerjad.service", f"MESSAGE_ID={ID_RELOADED}"), timeout=15)
        expect(c.show("kinerjad.service", "MainPID") == pid, "the daemon restarted instead of reloading")

    with s.step("reload: an invalid configuration is refused (MESSAGE_ID in the journal), the service keeps serving"):
        c.write("/etc/kinerjad/kinerjad.yaml", test_config("off") + "no_such_section:\n  key: 1\n", mode="0640")
        cursor = c.cursor()
        c.run(["systemctl", "reload", "kinerjad.service"])
        refused = c.wait_for("the refusal entry",
                             lambda: c.journal(cursor, "_SYSTEMD_UNIT=kinerjad.service", f"MESSAGE_ID={ID_RELOAD_REFUSED}"), timeout=15)
        expect("no_such_section" in json.dumps(refused[0]), f"the refusal does not name the key: {refused[0]}")
        expect(c.show("kinerjad.service", "ActiveState") == "active", "the service stopped")
        expect(c.show("kinerjad.service", "MainPID") == pid, "the daemon restarted")
        c.ok(["kinerjactl", "status"])


def boot_journal(s, c):
    with s.step("journal: `journalctl -x -u kinerjad` shows the catalog's explanations"):
        out = c.ok(["journalctl", "-x", "-u", "kinerjad.service", "--no-pager"])
        expect("kinerjad has migrated its database and listens on its control socket" in out, out[-2000:])
        expect("An online backup of the SQLite database was written" in out, "no catalog text for the backup entry")

    with s.step("journal: entries carry MESSAGE_ID, PRIORITY, CODE_FILE and KINERJA_* fields"):
        entries = [e for e in c.journal(None, "-u", "kinerjad.service") if "MESSAGE_ID" in e and e.get("_PID") != "1"]
        ours = [e for e in entries if "CODE_FILE" in e]
        expect(len(ours) >= 3, f"{len(ours)} entries of the daemon with MESSAGE_ID")
        expect(all("PRIORITY" in e and "CODE_FILE" in e for e in ours), "an entry lacks PRIORITY or CODE_FILE")
        ready = [e for e in ours if e["MESSAGE_ID"] == ID_READY]
        backup = [e for e in ours if e["MESSAGE_ID"] == ID_BACKUP]
        expect(ready and backup, "no ready or backup entry")
        expect(any(k.startswith("KINERJA_") for k in backup[0]), f"no KINERJA_ field: {sorted(backup[0])}")


def boot_watchdog(s, c):
    with s.step("watchdog: kill -STOP of the main PID gets it restarted (Result=watchdog) and it serves again"):
        c.ok(["mkdir", "-p", "/etc/systemd/system/kinerjad.service.d"])
        c.write("/etc/systemd/system/kinerjad.service.d/test-watchdog.conf",
                "[Service]\nWatchdogSec=3s\nTimeoutAbortSec=2s\nRestartSec=1s\n")
        c.ok(["systemctl", "daemon-reload"])
        pid = restart_and_wait(c)
        c.ok(["kinerjactl", "status"])
        cursor = c.cursor()
        c.ok(["kill", "-STOP", pid])
        c.wait_for("a new main PID", lambda: c.show("kinerjad.service", "MainPID") not in ("0", pid)
                   and c.show("kinerjad.service", "ActiveState") == "active", timeout=40)
        messages = "\n".join(e.get("MESSAGE", "") for e in c.journal(cursor, "-u", "kinerjad.service") if isinstance(e.get("MESSAGE"), str))
        expect("Watchdog timeout" in messages, messages[-1500:])
        expect("Failed with result 'watchdog'" in messages, messages[-1500:])
        c.ok(["kinerjactl", "status"])
        c.ok(["rm", "/etc/systemd/system/kinerjad.service.d/test-watchdog.conf"])
        c.ok(["systemctl", "daemon-reload"])
        restart_and_wait(c)


def boot_security(s, c):
    with s.step("security: `systemd-analyze security kinerjad.service` (online) is 1.0 or lower"):
        out = c.run(["systemd-analyze", "security", "--no-pager", "kinerjad.service"]).stdout
        score = exposure(out)
        log(f"      online exposure kinerjad.service: {score}; kinerjad-mail@.service: "
            f"{exposure(c.run(['systemd-analyze', 'security', '--no-pager', 'kinerjad-mail@x.service']).stdout)}")
        expect(score is not None and score <= 1.0, f"exposure {score}: {out[-1500:]}")


def boot_schedule(s, c):
    with s.step("schedule: the maintenance job fires from its calendar a few seconds away"):
        # A changed schedule takes effect at the next start (the reload entry says so in
        # KINERJA_RESTART_NEEDED=jobs), so restart with a slot 8 s ahead.
        now = int(c.ok(["date", "+%s"]).strip())
        at = c.ok(["date", "-u", "-d", f"@{now + 8}", "+%Y-%m-%d %H:%M:%S"]).strip()
        c.write("/etc/kinerjad/kinerjad.yaml", test_config(f"{at} UTC"), mode="0640")
        cursor = c.cursor()
        restart_and_wait(c)
        expect(int(c.ok(["date", "+%s"]).strip()) < now + 8, "the restart took longer than the slot is ahead")
        entries = c.wait_for("the job-finished entry of maintenance", lambda: [
            e for e in c.journal(cursor, "_SYSTEMD_UNIT=kinerjad.service", f"MESSAGE_ID={ID_JOB_FINISHED}")
            if e.get("KINERJA_JOB") == "maintenance"], timeout=40)
        expect(entries[0].get("KINERJA_TRIGGER") == "schedule", f"trigger {entries[0].get('KINERJA_TRIGGER')}")
        c.write("/etc/kinerjad/kinerjad.yaml", test_config("off"), mode="0640")
        restart_and_wait(c)


def boot_mail(s, c):
    with s.step("mail: reminders leave through kinerjad-mail@.service and msmtp-mta to an SMTP sink"):
        c.ok(["systemd-run", "--unit=smtp-sink", "--property=Type=exec", "python3", f"{MOUNT}/smtp-sink.py", "/run/smtp-sink"])
        port = c.wait_for("the sink's port", lambda: c.run(["cat", "/run/smtp-sink/port"]).stdout.strip(), timeout=15)
        c.write("/etc/msmtprc", f"defaults\nauth off\ntls off\naccount default\nhost 127.0.0.1\nport {port}\n"
                                "from kinerjad@localhost\n", mode="0644")
        cursor = c.cursor()
        out = c.ok(["kinerjactl", "--json", "reminders", "send-now"], user="alice", timeout=180)
        sent = json.loads(c.ok(["kinerjactl", "--json", "reminders", "list", "--status", "sent"]))["total"]
        expect(sent >= 10, f"{sent} reminders sent: {out}")
        received = c.wait_for(f"{sent} messages at the sink", lambda: (
            lambda n: n if len(n) >= sent else None)(c.sh("ls /run/smtp-sink | grep '\\.eml$' || true").split()), timeout=60)
        expect(len(received) == sent, f"{len(received)} messages at the sink, {sent} recorded as sent")
        mail_units = {e.get("_SYSTEMD_UNIT", e.get("UNIT", "")) for e in c.journal(cursor) if "kinerjad-mail@" in json.dumps(e)}
        expect(mail_units, "no kinerjad-mail@ instance ran")
        sample = c.ok(["cat", f"/run/smtp-sink/{received[0]}"])
        expect("Auto-Submitted: auto-generated" in sample, sample[:800])
        expect(c.journal(cursor, "_SYSTEMD_UNIT=kinerjad.service", f"MESSAGE_ID={ID_MAIL_SENT}"), "no mail-sent entry")


def boot_upgrade(s, c, old_deb, new_deb):
    before = {}
    with s.step("upgrade: the older package installs and holds data"):
        c.ok(["apt-get", "install", "-y", "-q", f"{MOUNT}/{os.path.basename(old_deb)}"], timeout=300)
        c.ok(["kinerjactl", "demo", "generate", "--employees", "40", "--periods", "1", "--seed", "7", "--out", "/root/demo"])
        c.ok(["kinerjactl", "import", "employees", "/root/demo/employees.csv"])
        c.ok(["kinerjactl", "cycles", "open", "2026-Q2", "--opened-at", "2026-04-01T00:00:00Z"])
        before.update(status=status_json(c), cycles=c.ok(["kinerjactl", "cycles", "list"]),
                      pid=c.show("kinerjad.service", "MainPID"))
        expect("2026-Q2" in before["cycles"], before["cycles"])

    with s.step("upgrade: the new package restarts the service, migrations run, data intact"):
        old_version = c.ok(["dpkg-query", "-W", "-f=${Version}", "kinerjad"])
        c.ok(["apt-get", "install", "-y", "-q", f"{MOUNT}/{os.path.basename(new_deb)}"], timeout=300)
        new_version = c.ok(["dpkg-query", "-W", "-f=${Version}", "kinerjad"])
        expect(new_version != old_version, f"still {old_version}")
        expect(c.show("kinerjad.service", "ActiveState") == "active", "not active after the upgrade")
        expect(c.show("kinerjad.service", "MainPID") not in ("0", before["pid"]), "the daemon was not restarted")
        after = status_json(c)
        old_schema, new_schema = before["status"].get("schema_version"), after.get("schema_version")
        expect(new_schema > old_schema, f"schema version {old_schema} -> {new_schema}")
        expect(c.ok(["kinerjactl", "cycles", "list"]) == before["cycles"], "the cycles changed")
        for key in ("active_employees", "units", "open_cycles"):
            was, now = before["status"]["counts"][key], after["counts"][key]
            expect(now == was, f"{key}: {was} -> {now}")
        expect(before["status"]["counts"]["active_employees"] >= 40, f"{before['status']['counts']}")
        log(f"      upgraded {old_version} -> {new_version}, schema {old_schema} -> {new_schema}")

    with s.step("upgrade: the web front's sockets are active after the upgrade, the restarted daemon got the Review socket, a page is served"):
        for unit in ("kinerjad-review.socket", "kinerja-web.socket"):
            expect(c.show(unit, "ActiveState") == "active", f"{unit} is {c.show(unit, 'ActiveState')}")
        # Started in the right order: never refused because the old daemon was still running.
        socket_log = c.ok(["journalctl", "--no-pager", "-u", "kinerjad-review.socket"])
        expect("refusing" not in socket_log and "Failed" not in socket_log, socket_log[-800:])
        pid = c.show("kinerjad.service", "MainPID")
        ready = [e for e in c.journal(None, "_SYSTEMD_UNIT=kinerjad.service", f"MESSAGE_ID={ID_READY}") if e.get("_PID") == pid]
        expect(ready and "socket activation" in ready[-1].get("KINERJA_REVIEW_SOCKET", ""), f"ready entries of {pid}: {ready}")
        page = http(c, "GET", "/")
        expect(page["status"] == 200 and "Penilaian Kinerja" in page["body"], f"GET / {page['status']}: {page['body'][:300]}")

    with s.step("remove: `apt remove` stops the service and keeps /var/lib/kinerjad and the config"):
        c.ok(["apt-get", "remove", "-y", "-q", "kinerjad"], timeout=300)
        expect(c.run(["test", "-s", "/var/lib/kinerjad/kinerja.sqlite"]).returncode == 0, "the database is gone")
        expect(c.run(["test", "-e", "/etc/kinerjad/kinerjad.yaml"]).returncode == 0, "the config is gone")
        expect(c.show("kinerjad.service", "ActiveState") in ("inactive", "failed"), "still running")
        expect(c.run(["test", "-e", "/run/kinerjad/admin.varlink"]).returncode != 0, "the socket is still there")

    with s.step("reinstall: the package finds the data again"):
        c.ok(["apt-get", "install", "-y", "-q", f"{MOUNT}/{os.path.basename(new_deb)}"], timeout=300)
        expect(c.ok(["kinerjactl", "cycles", "list"]) == before["cycles"], "the cycles differ after reinstalling")

    with s.step("purge: `apt purge` removes the state and the configuration"):
        c.ok(["apt-get", "purge", "-y", "-q", "kinerjad"], timeout=300)
        for path in ("/var/lib/kinerjad", "/etc/kinerjad/kinerjad.yaml", "/usr/bin/kinerjad"):
            expect(c.run(["test", "-e", path]).returncode != 0, f"{path} is still there")
        status = c.run(["dpkg-query", "-W", "-f=${Status}", "kinerjad"]).stdout
        expect("installed" not in status.replace("not-installed", ""), f"dpkg still has it: {status}")


def boot(s, tree, share, name, body):
    container = Container(tree, share, name)
    with s.step(f"boot {name}: systemd as PID 1 in the container reaches running"):
        state = container.start()
        expect(state in ("running", "degraded"), f"state {state!r}")
    try:
        if container.pid:
            body(container)
    finally:
        container.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deb", required=True)
    parser.add_argument("--cache", default="/var/cache/kinerjad-test-system")
    parser.add_argument("--old-commit", default=DEFAULT_OLD_COMMIT)
    arguments = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("system-test.py needs root (debootstrap, systemd-nspawn)")
    started = time.monotonic()
    os.makedirs(arguments.cache, exist_ok=True)
    new_deb = os.path.abspath(arguments.deb)
    old_deb = old_package(arguments.cache, arguments.old_commit)
    tree = prepare_tree(arguments.cache, [new_deb, old_deb])
    s = Steps()
    with tempfile.TemporaryDirectory(prefix="kinerjad-system-test-") as share:
        for deb in (new_deb, old_deb):
            shutil.copy(deb, share)
        shutil.copy(os.path.join(ROOT, "tools", "smtp-sink.py"), share)
        os.chmod(share, 0o755)

        def first(c):
            boot_install(s, c, new_deb)
            boot_admin(s, c)
            boot_reload(s, c)
            boot_journal(s, c)
            boot_watchdog(s, c)
            boot_security(s, c)
            boot_schedule(s, c)
            boot_mail(s, c)
            boot_web(s, c)
            boot_staging(s, c)

        boot(s, tree, share, "kinerjad-install", first)
        boot(s, tree, share, "kinerjad-upgrade", lambda c: boot_upgrade(s, c, old_deb, new_deb))
    log(f"system test took {time.monotonic() - started:.0f} s")
    log(f"{s.passed} passed, {s.failed} failed")
    return 1 if s.failed else 0


if __name__ == "__main__":
    sys.exit(main())
