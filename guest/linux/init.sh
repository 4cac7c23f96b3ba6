#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# /init of Bulwark's Linux guests: a busybox initramfs around an unmodified
# Debian kernel (built by guest/linux/linux.mk).
#
# Prints `BULWARK-LINUX: userspace up`, then, from the kernel command line:
#   bulwark.script=NAME   runs /etc/bulwark/scripts/NAME (guest/linux/scripts/)
#   bulwark.poweroff=1    powers the VM off once that script has ended
# Without a script, or after one without poweroff, it starts a shell on the
# console with job control; leaving that shell powers the VM off.
#
# Lines starting with `BULWARK-LINUX:` are what tests match: keep them stable.

export PATH=/bin:/sbin HOME=/root
export PS1='bulwark-guest:$PWD# '
set -f # the command line is split into words below: no globbing

mark() { echo "BULWARK-LINUX: $*"; }

off() {
	mark "powering off"
	sync
	poweroff -f
	mark "poweroff failed"
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
# The archive's /dev/console serves until here; devtmpfs brings the rest.
mount -t devtmpfs devtmpfs /dev
hostname bulwark-guest

mark "userspace up"
uname -a
mark "cpus online $(nproc) ($(cat /sys/devices/system/cpu/online))"

script=""
poweroff=0
for arg in $(cat /proc/cmdline); do
	case $arg in
	bulwark.script=*) script=${arg#bulwark.script=} ;;
	bulwark.poweroff=*) poweroff=${arg#bulwark.poweroff=} ;;
	esac
done

if [ -n "$script" ]; then
	case $script in
	*[!A-Za-z0-9_-]*)
		mark "bad script name '$script'" ;;
	*)
		if [ -f "/etc/bulwark/scripts/$script" ]; then
			mark "script $script start"
			sh "/etc/bulwark/scripts/$script"
			mark "script $script exit $?"
		else
			mark "no script '$script' (have: $(ls /etc/bulwark/scripts | tr '\n' ' '))"
		fi ;;
	esac
	[ "$poweroff" = 1 ] && off
fi

mark "shell on the console; 'exit' powers off"
# cttyhack opens the console's real tty (ttyAMA0) as the controlling
# terminal of a new session, which gives the shell job control and Ctrl-C;
# /dev/console itself cannot be one.
setsid cttyhack sh -i
off
