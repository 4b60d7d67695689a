#!/usr/bin/python3
"""Run a command under the sandbox that systemd/kinerjad.service asks systemd for, so the tests can
check the real binary against it without systemd as PID 1:

  SystemCallFilter=@system-service + ~@privileged @resources + setpriority, SystemCallErrorNumber=EPERM
  (the groups are expanded by this machine's `systemd-analyze syscall-filter`), and
  MemoryDenyWriteExecute=yes (through prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN), the kernel
  mechanism newer systemd uses for it).

Usage: seccomp-exec.py COMMAND [ARG...]     (needs Debian's python3-seccomp)
"""
import ctypes
import errno
import os
import subprocess
import sys

import seccomp


def syscall_groups():
    out = subprocess.run(["systemd-analyze", "syscall-filter"], check=True, capture_output=True, text=True).stdout
    groups, current = {}, None
    for line in out.splitlines():
        if line.startswith("@"):
            current = line.strip()
            groups[current] = []
        elif current and line.strip() and not line.strip().startswith("#"):
            groups[current].append(line.strip())
    return groups


def expand(groups, name):
    result = set()
    for member in groups.get(name, []):
        result |= expand(groups, member) if member.startswith("@") else {member}
    return result


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: seccomp-exec.py COMMAND [ARG...]")
    groups = syscall_groups()
    allowed = (expand(groups, "@system-service") - expand(groups, "@privileged") - expand(groups, "@resources")) | {"setpriority"}
    flt = seccomp.SyscallFilter(defaction=seccomp.ERRNO(errno.EPERM))
    for name in sorted(allowed):
        try:
            flt.add_rule(seccomp.ALLOW, name)
        except (RuntimeError, ValueError):
            pass  # not a system call on this architecture
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 1
    if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
        sys.exit("prctl(PR_SET_MDWE) failed: %s" % os.strerror(ctypes.get_errno()))
    flt.load()
    os.execv(sys.argv[1], sys.argv[1:])


if __name__ == "__main__":
    main()
