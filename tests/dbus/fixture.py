# SPDX-License-Identifier: GPL-2.0-or-later
"""A private system bus with a real polkitd, for the helper service tests.

The machine has no system bus running (no systemd), and pkexec only talks to
/run/dbus/system_bus_socket, so the tests build their own:

- a dbus-daemon with a system-type configuration in a temp dir: the default
  policy of Debian's system.conf, the project's real bus policy
  (resources/org.httptap.Helper1.conf) and polkit's, a <servicedir> whose
  activation file Execs the build tree's helper as root (no <servicehelper>:
  the daemon runs it itself), and monitoring allowed for root;
- /usr/lib/polkit-1/polkitd on that bus, reading the project's action
  (copied to /usr/share/polkit-1/actions if ./x setup has not installed it)
  and a test rule in /etc/polkit-1/rules.d that grants org.httptap.capture to
  httptap-test-allowed and refuses it to httptap-test-denied (both users are
  created if missing). The rule is removed again at the end.

Everything runs as root; clients run as the test users through setpriv.
"""

import filecmp
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PYTHON = "/usr/bin/python3"
POLKITD = "/usr/lib/polkit-1/polkitd"
ALLOWED = "httptap-test-allowed"
DENIED = "httptap-test-denied"
RULE_PATH = "/etc/polkit-1/rules.d/49-httptap-test.rules"
ACTION_DIR = "/usr/share/polkit-1/actions"
SERVICE = "org.httptap.Helper1"
START_TIMEOUT = 10

RULE = """// Written by httptap's tests/dbus/fixture.py; removed when the tests end.
polkit.addRule(function(action, subject) {
    if (action.id == "org.httptap.capture") {
        if (subject.user == "%s") return polkit.Result.YES;
        if (subject.user == "%s") return polkit.Result.NO;
    }
});
""" % (ALLOWED, DENIED)

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{servicedir}</servicedir>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"
          send_member="UpdateActivationEnvironment"/>
  </policy>
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Monitoring"/>
    <!-- polkitd runs as root here (its own policy lets only user polkitd own the name) -->
    <allow own="org.freedesktop.PolicyKit1"/>
  </policy>
  <include>{polkit_conf}</include>
  <include>{helper_conf}</include>
</busconfig>
"""


def helper_binary():
    path = os.environ.get("HTTPTAP_HELPER") or os.path.join(REPO, "build", "bin", "httptap-helper")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"httptap-helper not found at {path}: build first (./x build)")
    return path


def record_binary():
    path = os.environ.get("HTTPTAP_RECORD") or os.path.join(REPO, "build", "bin", "httptap-record")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"httptap-record not found at {path}: build first (./x build)")
    return path


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def ensure_user(name):
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", name], check=True)
        return pwd.getpwnam(name)


class PrivateSystemBus:
    """The bus, polkitd and the test users; stop() undoes what start() did."""

    def __init__(self, idle_ms=3000):
        self.idle_ms = idle_ms
        self.dir = tempfile.mkdtemp(prefix="httptap-dbus-")
        os.chmod(self.dir, 0o755)  # the test users must reach the socket
        self.socket = os.path.join(self.dir, "system_bus_socket")
        self.address = f"unix:path={self.socket}"
        self.daemon = None
        self.polkitd = None
        self.users = {}

    def env(self, extra=None):
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
               "DBUS_SYSTEM_BUS_ADDRESS": self.address}
        env.update(extra or {})
        return env

    def start(self):
        for name in (ALLOWED, DENIED):
            self.users[name] = ensure_user(name)
        self._install_polkit_files()
        servicedir = os.path.join(self.dir, "services")
        os.mkdir(servicedir)
        with open(os.path.join(servicedir, f"{SERVICE}.service"), "w") as f:
            f.write(f"[D-BUS Service]\nName={SERVICE}\nExec={helper_binary()} --dbus\nUser=root\n")
        config = os.path.join(self.dir, "bus.conf")
        with open(config, "w") as f:
            f.write(BUS_CONFIG.format(
                socket=self.socket, servicedir=servicedir,
                polkit_conf="/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf",
                helper_conf=os.path.join(REPO, "resources", "org.httptap.Helper1.conf")))
        self.daemon_log = open(os.path.join(self.dir, "dbus-daemon.log"), "wb")
        # The activated helper inherits this environment (it reaches the bus
        # through DBUS_SYSTEM_BUS_ADDRESS and idles out quickly).
        daemon_env = self.env({"HTTPTAP_HELPER_IDLE_MS": str(self.idle_ms),
                               "QT_LOGGING_RULES": "httptap.helper.*.debug=true"})
        self.daemon = subprocess.Popen(["dbus-daemon", "--config-file", config, "--nofork", "--nopidfile"],
                                       env=daemon_env, stdin=subprocess.DEVNULL, stdout=self.daemon_log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: os.path.exists(self.socket) or self.daemon.poll() is not None, START_TIMEOUT,
                 "dbus-daemon's socket")
        if self.daemon.poll() is not None:
            raise AssertionError(f"dbus-daemon exited:\n{self.log()}")
        self.polkitd = subprocess.Popen([POLKITD, "--no-debug"], env=self.env(), stdin=subprocess.DEVNULL,
                                        stdout=self.daemon_log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: self.has_owner("org.freedesktop.PolicyKit1"), START_TIMEOUT, "polkitd on the bus")
        return self

    def _install_polkit_files(self):
        policy = os.path.join(REPO, "resources", "org.httptap.policy")
        target = os.path.join(ACTION_DIR, "org.httptap.policy")
        if not os.path.exists(target) or not filecmp.cmp(policy, target, shallow=False):
            # ./x setup installs it; a run from a fresh build tree puts it
            # there itself (and leaves it: it is the product's own file).
            shutil.copyfile(policy, target)
        os.makedirs(os.path.dirname(RULE_PATH), exist_ok=True)
        with open(RULE_PATH, "w") as f:
            f.write(RULE)

    def has_owner(self, name):
        out = subprocess.run(["dbus-send", f"--bus={self.address}", "--print-reply", "--dest=org.freedesktop.DBus",
                              "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", f"string:{name}"],
                             capture_output=True, text=True)
        return "boolean true" in out.stdout

    def owner_pid(self, name):
        out = subprocess.run(["dbus-send", f"--bus={self.address}", "--print-reply", "--dest=org.freedesktop.DBus",
                              "/org/freedesktop/DBus", "org.freedesktop.DBus.GetConnectionUnixProcessID",
                              f"string:{name}"], capture_output=True, text=True)
        for word in out.stdout.split():
            if word.isdigit():
                return int(word)
        return None

    def log(self):
        with open(os.path.join(self.dir, "dbus-daemon.log"), "rb") as f:
            return f.read().decode(errors="replace")

    def as_user(self, user):
        """argv prefix that runs a command as `user` with no supplementary groups."""
        pw = self.users[user]
        return ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--clear-groups", "--"]

    def stop(self):
        for proc in (self.polkitd, self.daemon):
            if proc and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        # The activated helper is the daemon's child in its session; it exits
        # when the bus goes, but do not leave one behind if it did not.
        if self.daemon:
            try:
                os.killpg(self.daemon.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if os.path.exists(RULE_PATH):
            os.unlink(RULE_PATH)
        self.daemon_log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def bpf_links():
    """The ids of every BPF link on the machine (bpftool link list)."""
    out = subprocess.run(["bpftool", "-j", "link", "list"], capture_output=True, text=True, check=True)
    return {link["id"] for link in json.loads(out.stdout or "[]")}


def links_held_by(pid):
    """The ids of the BPF links process `pid` holds open (from its fds' fdinfo:
    this bpftool cannot name link owners)."""
    ids = set()
    fd_dir = f"/proc/{pid}/fdinfo"
    try:
        fds = os.listdir(fd_dir)
    except FileNotFoundError:
        return ids
    for fd in fds:
        try:
            with open(os.path.join(fd_dir, fd)) as f:
                for line in f:
                    if line.startswith("link_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass
    return ids
