#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the initramfs of Bulwark's Linux guests: a byte-reproducible newc cpio.

  mkinitramfs.py --busybox PATH --init SCRIPT [--add SRC:DST ...] -o OUT.cpio

The archive holds a minimal root file system: / itself (mode 0755), the
usual top-level directories, /bin/busybox with symlinks for a fixed list of
applets, /dev/console (5,1) and /dev/null (1,3) so the console works before
devtmpfs is mounted, /init (the given script, mode 0755) and any --add
files. An --add source that is a directory is added with all it holds.

The same inputs always give the same bytes: entries are sorted by path,
inode numbers are assigned in that order, every mtime is 0, every owner is
root, and modes are normalised (0755 for directories and files with any
execute bit, 0644 for other files). Nothing outside Python 3 is needed.
"""
import argparse
import os
import stat
import sys

# Applets linked into /bin. A fixed list, not `busybox --install`: the host
# cannot run an aarch64 busybox, and a fixed list keeps the archive stable.
# Every name here is in Debian 12's busybox-static.
APPLETS = sorted("""
    [ ash awk basename bc cat chmod chown clear cp cttyhack cut date dc dd df
    dirname dmesg du echo env expr false find free grep halt head hexdump
    hostname id kill less ln ls mkdir mknod mount mv nproc od poweroff printf
    ps pwd readlink reboot rm rmdir sed seq setsid sh sleep sort stat stty
    sync tail tee test time top touch tr true tty umount uname uniq uptime vi
    watch wc which xargs yes
""".split())

DIRS = {  # path: mode
    "bin": 0o755, "sbin": 0o755, "proc": 0o755, "sys": 0o755, "dev": 0o755,
    "etc": 0o755, "tmp": 0o1777, "root": 0o700,
}
DEVICES = {  # path: (mode, major, minor)
    "dev/console": (stat.S_IFCHR | 0o600, 5, 1),
    "dev/null": (stat.S_IFCHR | 0o666, 1, 3),
}
MAX_FILE = 256 << 20  # newc sizes are 32-bit; anything near that is a mistake


class Error(Exception):
    pass


class Archive:
    """The entries of the archive, keyed by their path without a leading '/'."""

    def __init__(self):
        self.entries = {}  # path: dict(mode, data, rdev)

    def _put(self, path, mode, data=b"", rdev=(0, 0)):
        if path in self.entries:
            raise Error(f"/{path} is added twice")
        parent = os.path.dirname(path)
        if parent:
            self.dir(parent, 0o755, implicit=True)
        self.entries[path] = dict(mode=mode, data=data, rdev=rdev)

    def dir(self, path, perm, implicit=False):
        """Adds a directory; an implicit one (a parent) may later get its mode."""
        path = norm(path)
        old = self.entries.get(path)
        if old is None:
            self._put(path, stat.S_IFDIR | perm)
            self.entries[path]["implicit"] = implicit
        elif not stat.S_ISDIR(old["mode"]):
            raise Error(f"/{path} is both a file and a directory")
        elif old["implicit"] and not implicit:
            old.update(mode=stat.S_IFDIR | perm, implicit=False)

    def file(self, path, data, perm):
        path = norm(path)
        if len(data) > MAX_FILE:
            raise Error(f"/{path}: {len(data)} bytes is too large for an initramfs file")
        self._put(path, stat.S_IFREG | perm, data)

    def symlink(self, path, target):
        self._put(norm(path), stat.S_IFLNK | 0o777, target.encode())

    def device(self, path, mode, major, minor):
        self._put(norm(path), mode, rdev=(major, minor))

    def add_host(self, src, dst):
        """Adds host file or directory `src` at `dst`; directories recursively."""
        if os.path.islink(src) or not os.path.exists(src):
            raise Error(f"--add {src}: not a regular file or directory")
        if os.path.isdir(src):
            self.dir(dst, 0o755)
            for name in sorted(os.listdir(src)):
                self.add_host(os.path.join(src, name), dst.rstrip("/") + "/" + name)
        elif os.path.isfile(src):
            with open(src, "rb") as f:
                data = f.read()
            exe = os.stat(src).st_mode & 0o111
            self.file(dst, data, 0o755 if exe else 0o644)
        else:
            raise Error(f"--add {src}: not a regular file or directory")

    def newc(self):
        """The archive as bytes: entries in path order, then the trailer."""
        # "." first: without it the kernel leaves / at its default mode, 1777.
        out = bytearray(header(".", 1, stat.S_IFDIR | 0o755, 2, b"", (0, 0)))
        # Sorting on components puts every directory before what it holds.
        order = sorted(self.entries, key=lambda p: p.split("/"))
        for ino, path in enumerate(order, start=2):
            e = self.entries[path]
            nlink = 2 if stat.S_ISDIR(e["mode"]) else 1
            out += header(path, ino, e["mode"], nlink, e["data"], e["rdev"])
        out += header("TRAILER!!!", 0, 0, 1, b"", (0, 0))
        # Pad to 512 bytes as the cpio tool does; the kernel skips the zeros.
        out += bytes(-len(out) % 512)
        return bytes(out)


def norm(path):
    """`path` without leading '/', rejecting '..', '.' and empty parts."""
    parts = path.strip("/").split("/")
    if not path.strip("/") or any(p in ("", ".", "..") for p in parts):
        raise Error(f"bad archive path '{path}'")
    return "/".join(parts)


def header(name, ino, mode, nlink, data, rdev):
    """One newc entry: header, NUL-terminated name and data, each 4-byte aligned."""
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1],
              len(name_b), 0]  # ino mode uid gid nlink mtime size dev(2) rdev(2) namesize check
    h = b"070701" + b"".join(b"%08X" % f for f in fields) + name_b
    h += bytes(-len(h) % 4)
    return h + data + bytes(-len(data) % 4)


def build(busybox, init, adds):
    a = Archive()
    for path, perm in DIRS.items():
        a.dir(path, perm)
    for path, (mode, major, minor) in DEVICES.items():
        a.device(path, mode, major, minor)
    with open(busybox, "rb") as f:
        bb = f.read()
    if bb[:4] != b"\x7fELF":
        raise Error(f"--busybox {busybox}: not an ELF file")
    a.file("bin/busybox", bb, 0o755)
    for name in APPLETS:
        a.symlink("bin/" + name, "busybox")
    with open(init, "rb") as f:
        script = f.read()
    if not script.startswith(b"#!"):
        raise Error(f"--init {init}: not a script (no #! line)")
    a.file("init", script, 0o755)
    for spec in adds:
        src, sep, dst = spec.partition(":")
        if not sep or not src or not dst.startswith("/"):
            raise Error(f"--add '{spec}': expected SRC:/ABSOLUTE/DST")
        a.add_host(src, dst)
    return a.newc()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--busybox", required=True, help="static aarch64 busybox binary")
    ap.add_argument("--init", required=True, help="script to install as /init")
    ap.add_argument("--add", action="append", default=[], metavar="SRC:DST",
                    help="add host file or directory SRC at archive path DST")
    ap.add_argument("-o", "--output", required=True, help="cpio archive to write")
    a = ap.parse_args()
    try:
        data = build(a.busybox, a.init, a.add)
    except (Error, OSError) as e:
        sys.exit(f"mkinitramfs: error: {e}")
    tmp = a.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, a.output)


if __name__ == "__main__":
    main()
