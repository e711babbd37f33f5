#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks an installed httptap tree, the way a distribution would see it.

  check_layout.py install BUILD_DIR   cmake --install with --prefix and DESTDIR into a temp dir
  check_layout.py deb BUILD_DIR       cpack -G DEB from the built tree, then dpkg -x into a temp dir
  check_layout.py options HTTPTAP_RECORD SOURCE_DIR
                                      every option of --help is in the man page and the completion

Both tree checks look for every file at its freedesktop / Debian place, run the
validators (desktop-file-validate, appstreamcli, xmllint, groff) on the
installed copies rather than the sources, and run each binary's --version.
Nothing is written outside the temp dir: the system files (/usr/share/dbus-1,
polkit-1) are absolute destinations, so DESTDIR is always set.
"""
import gzip
import os
import re
import subprocess
import sys
import tempfile

ICON_SIZES = [16, 22, 24, 32, 48, 64, 128, 256, 512]
# Runtime packages the .deb must declare (Debian 12 names; see cmake/Packaging.cmake).
DEPENDS = ["libqt6core6", "libqt6gui6", "libqt6widgets6", "libqt6charts6", "libqt6dbus6", "libbpf1", "libnghttp2-14",
           "libelf1", "libzydis4.0", "zlib1g", "libbrotli1", "libzstd1", "libyaml-cpp0.7",
           "libprometheus-cpp-core1.0", "libprometheus-cpp-pull1.0", "procps", "polkitd", "dbus"]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def validate(cmd, what):
    r = run(cmd)
    # appstreamcli prints pedantic hints even on success; only the status matters.
    check(r.returncode == 0, f"{what}: {' '.join(cmd)} failed:\n{r.stdout}{r.stderr}")


def check_tree(root, prefix, system_datadir="/usr/share"):
    """root: the DESTDIR; prefix: the install prefix inside it."""
    p = lambda *parts: os.path.join(root + prefix, *parts)
    sysdata = lambda *parts: os.path.join(root + system_datadir, *parts)
    helper = os.path.join(prefix, "libexec/httptap/httptap-helper")

    executables = [p("bin/httptap"), p("bin/httptap-record"), root + helper]
    files = executables + [
        p("share/applications/org.httptap.Httptap.desktop"),
        p("share/metainfo/org.httptap.Httptap.metainfo.xml"),
        p("share/icons/hicolor/scalable/apps/org.httptap.Httptap.svg"),
        p("share/man/man1/httptap.1.gz"),
        p("share/man/man1/httptap-record.1.gz"),
        p("share/bash-completion/completions/httptap-record"),
        sysdata("dbus-1/system.d/org.httptap.Helper1.conf"),
        sysdata("dbus-1/system-services/org.httptap.Helper1.service"),
        sysdata("polkit-1/actions/org.httptap.policy"),
        p("lib/systemd/system/httptap-record.service"),
        p("share/doc/httptap/examples/prometheus-httptap.yml"),
    ] + [p(f"share/icons/hicolor/{s}x{s}/apps/org.httptap.Httptap.png") for s in ICON_SIZES]
    for f in files:
        check(os.path.isfile(f), f"missing {f[len(root):]}")
    for f in executables:
        check(os.path.isfile(f) and os.access(f, os.X_OK), f"not executable: {f[len(root):]}")
    for f in files[len(executables):]:
        check(not os.path.isfile(f) or not os.access(f, os.X_OK), f"data file is executable: {f[len(root):]}")
    if failures:
        return

    service = open(sysdata("dbus-1/system-services/org.httptap.Helper1.service")).read()
    check(re.search(r"^Exec=" + re.escape(helper) + r" --dbus$", service, re.M) is not None,
          f"service file's Exec= is not {helper} --dbus:\n{service}")
    check(re.search(r"^User=root$", service, re.M) is not None, "service file lacks User=root")
    unit = open(p("lib/systemd/system/httptap-record.service")).read()
    record = os.path.join(prefix, "bin/httptap-record")
    check(re.search(r"^ExecStart=/bin/sh -c .*; exec " + re.escape(record) + " --metrics-listen ", unit, re.M)
          is not None, f"httptap-record.service does not run {record}:\n{unit}")

    for s in ICON_SIZES:
        png = open(p(f"share/icons/hicolor/{s}x{s}/apps/org.httptap.Httptap.png"), "rb").read(24)
        size = (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big"))
        check(png[:8] == b"\x89PNG\r\n\x1a\n" and size == (s, s), f"{s}x{s} icon is not a {s}x{s} PNG: {size}")

    validate(["desktop-file-validate", p("share/applications/org.httptap.Httptap.desktop")], "desktop file")
    validate(["appstreamcli", "validate", "--no-net", p("share/metainfo/org.httptap.Httptap.metainfo.xml")],
             "metainfo")
    validate(["xmllint", "--noout", "--nonet", p("share/icons/hicolor/scalable/apps/org.httptap.Httptap.svg")],
             "icon")
    dtd = "/usr/share/polkit-1/policyconfig-1.dtd"  # polkitd ships its DTD; validate against it
    validate(["xmllint", "--noout", "--nonet", "--dtdvalid", dtd, sysdata("polkit-1/actions/org.httptap.policy")],
             "polkit policy")
    validate(["xmllint", "--noout", "--nonet", sysdata("dbus-1/system.d/org.httptap.Helper1.conf")], "bus policy")
    for page in ("httptap.1.gz", "httptap-record.1.gz"):
        text = gzip.open(p("share/man/man1", page), "rt").read()
        r = run(["groff", "-man", "-ww", "-z"], input=text, env=dict(os.environ, LC_ALL="C.UTF-8"))
        check(r.returncode == 0 and not r.stderr.strip(), f"groff warns about {page}: {r.stderr}")
    validate(["bash", "-n", p("share/bash-completion/completions/httptap-record")], "bash completion")

    # The installed binaries run (shared libraries resolve) and know their version.
    for exe in executables:
        name = os.path.basename(exe)
        r = run([exe, "--version"], env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
        check(r.returncode == 0 and re.fullmatch(re.escape(name) + r" \d+\.\d+\.\d+\n", r.stdout) is not None,
              f"{name} --version: status {r.returncode}, {r.stdout!r} {r.stderr!r}")


def install_tree(build):
    with tempfile.TemporaryDirectory(prefix="httptap-install-") as root:
        prefix = "/opt/httptap"  # not the configured one: --prefix must win, Exec= included
        r = run(["cmake", "--install", build, "--prefix", prefix], env=dict(os.environ, DESTDIR=root))
        check(r.returncode == 0, f"cmake --install failed:\n{r.stdout}{r.stderr}")
        check_tree(root, prefix)
        stray = [d for d in os.listdir(root) if d not in ("opt", "usr")]
        check(not stray, f"files outside the prefix and /usr/share: {stray}")


def deb(build):
    with tempfile.TemporaryDirectory(prefix="httptap-deb-") as tmp:
        out = os.path.join(tmp, "out")
        r = run(["cpack", "-G", "DEB", "--config", os.path.join(build, "CPackConfig.cmake"), "-B", out])
        check(r.returncode == 0, f"cpack failed:\n{r.stdout}{r.stderr}")
        debs = [f for f in os.listdir(out) if f.endswith(".deb")] if os.path.isdir(out) else []
        check(len(debs) == 1 and re.fullmatch(r"httptap_[0-9.]+_[a-z0-9]+\.deb", debs[0] if debs else ""),
              f"expected one httptap_VERSION_ARCH.deb, got {debs}")
        if failures:
            return
        package = os.path.join(out, debs[0])
        info = run(["dpkg-deb", "-I", package]).stdout
        print(info)
        m = re.search(r"^ Depends: (.*)$", info, re.M)
        declared = {d.strip().split()[0] for d in m.group(1).split(",")} if m else set()
        for dep in DEPENDS:
            check(dep in declared, f"Depends lacks {dep}: {m.group(1) if m else '(no Depends)'}")
        # apt resolves every declared dependency from the configured archive (a
        # misspelt or non-Debian-12 name fails here); -s changes nothing.
        r = run(["apt-get", "install", "-s", "-q", "-o", "Debug::NoLocking=1", package])
        check(r.returncode == 0 and re.search(r"^Inst httptap ", r.stdout, re.M) is not None,
              f"apt-get install -s cannot install the package:\n{r.stdout}{r.stderr}")
        contents = run(["dpkg-deb", "-c", package]).stdout
        check(all(" ./usr/" in line or line.endswith(" ./") for line in contents.splitlines()),
              "the package installs outside /usr:\n" + contents)
        root = os.path.join(tmp, "root")
        r = run(["dpkg", "-x", package, root])
        check(r.returncode == 0, f"dpkg -x failed: {r.stderr}")
        check_tree(root, "/usr")


def options(record, source):
    text = run([record, "--help"]).stdout
    opts = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", text))
    check("--help" in opts and "--version" in opts, f"--help lists no --help/--version:\n{text}")
    man = open(os.path.join(source, "resources/man/httptap-record.1")).read().replace("\\-", "-")
    completion = open(os.path.join(source, "resources/completion/httptap-record")).read()
    for o in sorted(opts):
        check(re.search(re.escape(o) + r"(?![\w-])", man) is not None, f"man page lacks {o}")
        check(re.search(re.escape(o) + r"(?![\w-])", completion) is not None, f"bash completion lacks {o}")
    # The completion works: option names, and the fixed values of --format and --via.
    script = os.path.join(source, "resources/completion/httptap-record")
    for words, expected in ((["--form"], ["--format"]), (["--format", ""], ["jsonl", "har", "curl", "appview"]),
                            (["--via", "d"], ["direct", "dbus"])):
        line = " ".join(f"'{w}'" for w in words)
        r = run(["bash", "-c", f'source "$1"; COMP_WORDS=(httptap-record {line}); COMP_CWORD={len(words)}; '
                 '_httptap_record; printf "%s\\n" "${COMPREPLY[@]}"', "bash", script])
        check(r.stdout.split() == expected, f"completing {words}: {r.stdout.split()} {r.stderr}, expected {expected}")


if __name__ == "__main__":
    mode = sys.argv[1]
    {"install": lambda: install_tree(sys.argv[2]), "deb": lambda: deb(sys.argv[2]),
     "options": lambda: options(sys.argv[2], sys.argv[3])}[mode]()
    print(f"{len(failures)} failure(s)" if failures else "all checks passed")
    sys.exit(1 if failures else 0)
