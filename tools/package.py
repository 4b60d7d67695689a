#!/usr/bin/env python3
"""kinerjad's installed files, in one list, and the Debian package built from them.

    tools/package.py stage --bin DIR --destdir DIR [--prefix /usr] [--unitdir DIR] [--man DIR] [--keep-config]
    tools/package.py deb   --bin DIR --out DIR [--man DIR] [--source DIR] [--config FILE]

`stage` copies what an installation holds into DESTDIR (`make install` uses it with DESTDIR empty);
`deb` stages into a temporary root, strips the binaries, computes Depends with dpkg-shlibdeps, writes
the control file, md5sums and conffiles, and builds `OUT/kinerjad_<version>_<arch>.deb` with
dpkg-deb. The maintainer scripts, copyright and the control template are in packaging/deb/.

--source names the git tree the binaries were built from (default: this one): it gives the version
(`<KinerjaVersion>+git<commit time>.<commit>`), the changelog, the README and the reference config.
The units, sysusers/tmpfiles/catalog files and maintainer scripts always come from this tree, so an
older tree (the system test's upgrade source) is packaged the way this tree packages itself.
"""
import argparse
import datetime
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGING = os.path.join(ROOT, "packaging", "deb")

# The units and the files systemd reads at install time: (file in systemd/, directory, name there).
SYSTEMD_FILES = [
    ("kinerjad.service", "UNITDIR", "kinerjad.service"),
    ("kinerjad.socket", "UNITDIR", "kinerjad.socket"),
    ("kinerjad-mail.socket", "UNITDIR", "kinerjad-mail.socket"),
    ("kinerjad-mail@.service", "UNITDIR", "kinerjad-mail@.service"),
    ("kinerjad.sysusers.conf", "PREFIX/lib/sysusers.d", "kinerjad.conf"),
    ("kinerjad.tmpfiles.conf", "PREFIX/lib/tmpfiles.d", "kinerjad.conf"),
    ("kinerjad.catalog", "PREFIX/lib/systemd/catalog", "kinerjad.catalog"),
    ("kinerjad-review.socket", "UNITDIR", "kinerjad-review.socket"),
]
# The web front's units, installed with its binary (an older tree packaged for the upgrade test has none).
WEB_FILES = [
    ("kinerja-web.socket", "UNITDIR", "kinerja-web.socket"),
    ("kinerja-web.service", "UNITDIR", "kinerja-web.service"),
]
CONFIG = "/etc/kinerjad/kinerjad.yaml"


def run(argv, **kwargs):
    return subprocess.run(argv, check=True, **kwargs)


def install(source, target, mode):
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copyfile(source, target)
    os.chmod(target, mode)


def write(target, data, mode=0o644):
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as f:
        f.write(data)
    os.chmod(target, mode)


def stage(bin_dir, destdir, prefix="/usr", unitdir=None, man_dir=None, source=ROOT, config=None, keep_config=True,
          compress_man=False):
    """Copies the installation into destdir; returns the paths written, relative to destdir."""
    unitdir = unitdir or prefix + "/lib/systemd/system"
    config = config or os.path.join(source, "config", "kinerjad.yaml")
    root = lambda path: os.path.join(destdir, path.lstrip("/"))
    web = os.path.exists(os.path.join(bin_dir, "kinerja-web"))
    for name in ("kinerjad", "kinerjactl") + (("kinerja-web",) if web else ()):
        install(os.path.join(bin_dir, name), root(f"{prefix}/bin/{name}"), 0o755)
    helper = os.path.join(bin_dir, "kinerjad-sendmail")
    if os.path.exists(helper):
        install(helper, root(f"{prefix}/libexec/kinerjad/kinerjad-sendmail"), 0o755)
    for name in ("kinerjactl", "kinerjad", "kinerja-web"):
        page = os.path.join(man_dir, f"{name}.1") if man_dir else None
        if page and os.path.exists(page):
            target = root(f"{prefix}/share/man/man1/{name}.1")
            with open(page, "rb") as f:
                # generate-manual leaves blank lines between paragraphs of a discussion; in mdoc a
                # paragraph break is .Pp (groff warns about empty input lines). A text line that
                # starts with ' (a quoted command name) would be read as a request: \& keeps it text.
                text = b"\n".join(b".Pp" if not line.strip() else b"\\&" + line if line.startswith(b"'") else line
                                   for line in f.read().split(b"\n")[:-1]) + b"\n"
            if compress_man:
                write(target + ".gz", gzip.compress(text, 9, mtime=0))
            else:
                write(target, text)
    kinerjactl = os.path.join(bin_dir, "kinerjactl")
    for shell, path in (("bash", "share/bash-completion/completions/kinerjactl"),
                        ("zsh", "share/zsh/vendor-completions/_kinerjactl"),
                        ("fish", "share/fish/vendor_completions.d/kinerjactl.fish")):
        script = run([kinerjactl, "--generate-completion-script", shell], stdout=subprocess.PIPE).stdout
        if shell == "bash" and script.startswith(b"#!"):
            script = script.split(b"\n", 1)[1]  # sourced by bash-completion, never executed
        write(root(f"{prefix}/{path}"), script)
    for name, directory, target in SYSTEMD_FILES + (WEB_FILES if web else []):
        directory = directory.replace("UNITDIR", unitdir).replace("PREFIX", prefix)
        install(os.path.join(ROOT, "systemd", name), root(f"{directory}/{target}"), 0o644)
    docs = root(f"{prefix}/share/doc/kinerjad")
    for name in ("README.md", "RELIABILITY.md"):
        if os.path.exists(os.path.join(source, name)):
            install(os.path.join(source, name), os.path.join(docs, name), 0o644)
    install(os.path.join(ROOT, "docs", "packaging.md"), os.path.join(docs, "packaging.md"), 0o644)
    install(config, os.path.join(docs, "kinerjad.yaml"), 0o644)
    if web:
        install(os.path.join(ROOT, "config", "nginx-kinerja-web.conf"), os.path.join(docs, "examples", "nginx-kinerja-web.conf"), 0o644)
    # Readable by the service through its group; systemd-tmpfiles (kinerjad.tmpfiles.conf) sets
    # root:kinerjad once the group exists.
    if keep_config and os.path.exists(root(CONFIG)):
        print(f"keeping existing {root(CONFIG)}; reference copy in {prefix}/share/doc/kinerjad/")
    else:
        install(config, root(CONFIG), 0o640)
    os.chmod(os.path.dirname(root(CONFIG)), 0o750)


def git(source, *arguments):
    return run(["git", "-C", source, *arguments], stdout=subprocess.PIPE, text=True).stdout.strip()


def version_of(source):
    """`<KinerjaVersion>+git<commit time, UTC>.<commit>`: later commits sort later for dpkg."""
    with open(os.path.join(source, "Sources", "KinerjaDomain", "KinerjaVersion.swift")) as f:
        release = re.search(r'string = "([^"]+)"', f.read()).group(1)
    stamp = datetime.datetime.fromtimestamp(int(git(source, "log", "-1", "--format=%ct")), datetime.timezone.utc)
    return f"{release}+git{stamp:%Y%m%d%H%M%S}.{git(source, 'rev-parse', '--short=7', 'HEAD')}"


def changelog(source, version):
    """A Debian changelog (native package) with one entry: the commits that went into this build."""
    lines = git(source, "log", "--no-merges", "-n", "25", "--format=%h %s").splitlines()
    entries = "\n".join(textwrap.fill(line, width=78, initial_indent="  * ", subsequent_indent="    ") for line in lines)
    date = git(source, "log", "-1", "--format=%cD")
    with open(os.path.join(PACKAGING, "control.in")) as f:
        maintainer = re.search(r"^Maintainer: (.+)$", f.read(), re.M).group(1)
    return (f"kinerjad ({version}) bookworm; urgency=medium\n\n"
            f"  Built from commit {git(source, 'rev-parse', 'HEAD')};\n  its latest changes:\n\n"
            f"{entries}\n\n -- {maintainer}  {date}\n").encode()


def shlib_depends(root, binaries):
    """Depends of the binaries from dpkg-shlibdeps: Debian packages with the versions on this host."""
    work = os.path.dirname(os.path.dirname(root))  # root is WORK/debian/kinerjad, as dpkg-shlibdeps expects
    with open(os.path.join(work, "debian", "control"), "w") as f:
        f.write("Source: kinerjad\n\nPackage: kinerjad\nArchitecture: any\n")
    out = run(["dpkg-shlibdeps", "-O", *[os.path.join(root, b.lstrip("/")) for b in binaries]],
              cwd=work, stdout=subprocess.PIPE, text=True).stdout
    return re.search(r"^shlibs:Depends=(.*)$", out, re.M).group(1)


def build_deb(bin_dir, out_dir, man_dir=None, source=ROOT, config=None, compression="xz"):
    version = version_of(source)
    arch = run(["dpkg", "--print-architecture"], stdout=subprocess.PIPE, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as work:
        root = os.path.join(work, "debian", "kinerjad")
        # /lib/systemd/system: Debian 12 packages ship units there (the usr-merge moratorium).
        stage(bin_dir, root, prefix="/usr", unitdir="/lib/systemd/system", man_dir=man_dir, source=source,
              config=config, keep_config=False, compress_man=True)
        binaries = [path for path in ("/usr/bin/kinerjad", "/usr/bin/kinerjactl", "/usr/bin/kinerja-web",
                                      "/usr/libexec/kinerjad/kinerjad-sendmail")
                    if os.path.exists(os.path.join(root, path.lstrip("/")))]
        for binary in binaries:
            run(["strip", "--remove-section=.comment", "--remove-section=.note", os.path.join(root, binary.lstrip("/"))])
        docs = os.path.join(root, "usr/share/doc/kinerjad")
        install(os.path.join(PACKAGING, "copyright"), os.path.join(docs, "copyright"), 0o644)
        write(os.path.join(docs, "changelog.gz"), gzip.compress(changelog(source, version), 9, mtime=0))
        install(os.path.join(PACKAGING, "lintian-overrides"), os.path.join(root, "usr/share/lintian/overrides/kinerjad"), 0o644)
        debian = os.path.join(root, "DEBIAN")
        os.makedirs(debian)
        depends = shlib_depends(root, binaries)
        for script in ("postinst", "prerm", "postrm"):
            install(os.path.join(PACKAGING, script), os.path.join(debian, script), 0o755)
        write(os.path.join(debian, "conffiles"), (CONFIG + "\n").encode())
        sums = []
        size = 0
        for directory, _, files in sorted(os.walk(root)):
            if directory.startswith(debian):
                continue
            for name in sorted(files):
                path = os.path.join(directory, name)
                relative = os.path.relpath(path, root)
                size += os.lstat(path).st_size
                if not relative.startswith("etc/"):
                    with open(path, "rb") as f:
                        sums.append(f"{hashlib.md5(f.read()).hexdigest()}  {relative}\n")
        write(os.path.join(debian, "md5sums"), "".join(sums).encode())
        with open(os.path.join(PACKAGING, "control.in")) as f:
            control = f.read()
        control = (control.replace("@VERSION@", version).replace("@ARCH@", arch)
                   .replace("@DEPENDS@", depends).replace("@INSTALLED_SIZE@", str((size + 1023) // 1024)))
        write(os.path.join(debian, "control"), control.encode())
        os.makedirs(out_dir, exist_ok=True)
        target = os.path.join(out_dir, f"kinerjad_{version}_{arch}.deb")
        run(["dpkg-deb", "--root-owner-group", f"-Z{compression}", "--build", root, target], stdout=subprocess.DEVNULL)
    print(target)
    return target


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    s = commands.add_parser("stage")
    s.add_argument("--bin", required=True)
    s.add_argument("--destdir", default="")
    s.add_argument("--prefix", default="/usr")
    s.add_argument("--unitdir")
    s.add_argument("--man")
    d = commands.add_parser("deb")
    d.add_argument("--bin", required=True)
    d.add_argument("--out", required=True)
    d.add_argument("--man")
    d.add_argument("--source", default=ROOT)
    d.add_argument("--config")
    d.add_argument("--compression", default="xz", help="dpkg-deb -Z: xz (the default), gzip is faster to build")
    arguments = parser.parse_args()
    if arguments.command == "stage":
        stage(arguments.bin, arguments.destdir or "/", prefix=arguments.prefix, unitdir=arguments.unitdir,
              man_dir=arguments.man)
    else:
        build_deb(arguments.bin, arguments.out, man_dir=arguments.man, source=os.path.abspath(arguments.source),
                  config=arguments.config, compression=arguments.compression)


if __name__ == "__main__":
    sys.exit(main())
