/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The system description parser of bwpack (tools/bwpack/sysdesc.c) and the
 * guest devicetree it builds (tools/bwpack/guestdt.c).
 *
 * Most cases are one malformed description each, compiled from DTS text by
 * dtc, with the exact message the parser must give: every rejection names
 * the VM and the property at fault. Run from the repository root (the
 * sample descriptions are read from test/unit/data/sys-*.dts).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libfdt.h>

#include "../../tools/bwpack/guestdt.h"
#include "../../tools/bwpack/sysdesc.h"

#define MIB (1ULL << 20)

/* A description around a list of VM nodes. */
#define SYS(vms) "/dts-v1/; / { compatible = \"bulwark,system-v1\"; vms { " vms " }; };"
/* A valid VM body without cpus, to which a test adds its own. */
#define BODY "vcpus = <1>; memory-size = <0 0x800000>; kernel = \"k\";"
/* A valid VM body on CPU n. */
#define VMOK(name, n) name " { " BODY " cpus = <" #n ">; };"
/* One VM, on CPU 1, with extra properties or nodes. */
#define ONE(extra) SYS("x { " BODY " cpus = <1>; " extra " };")
/* A VM on CPU 1 with RAM at 1 GiB (the default) and one device node. */
#define DEV(node) ONE(node)

static const struct sysdesc_host default_host = { 8, 1024 };

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/*
 * With BULWARK_SEED_DIR set (test/fuzz/make_seeds.sh sysdesc), every
 * description compiled here is also saved there as a fuzzing seed.
 */
static void save_seed(const uint8_t *blob, size_t len)
{
	const char *dir = getenv("BULWARK_SEED_DIR");
	uint64_t hash = 0xcbf29ce484222325ULL; /* FNV-1a */
	char path[512];
	FILE *f;

	if (!dir)
		return;
	for (size_t i = 0; i < len; i++)
		hash = (hash ^ blob[i]) * 0x100000001b3ULL;
	snprintf(path, sizeof(path), "%s/unit-%016llx.dtb", dir, (unsigned long long)hash);
	f = fopen(path, "wb");
	if (f) {
		fwrite(blob, 1, len, f);
		fclose(f);
	}
}

/* Compiles DTS text with dtc into a malloc'ed blob of exactly *len bytes. */
static uint8_t *compile(const char *dts, size_t *len)
{
	char src[] = "/tmp/bulwark-sysdesc-XXXXXX";
	char dtb[64], cmd[256];
	int fd = mkstemp(src);
	uint8_t *blob;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, dts, strlen(dts)), (ssize_t)strlen(dts));
	close(fd);
	snprintf(dtb, sizeof(dtb), "%s.dtb", src);
	snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb -o %s %s", dtb, src);
	if (system(cmd) != 0) {
		unlink(src);
		fail_msg("dtc rejected the test's DTS:\n%s", dts);
	}
	blob = (uint8_t *)read_text(dtb, len);
	unlink(src);
	unlink(dtb);
	save_seed(blob, *len);
	return blob;
}

static int parse_blob(const uint8_t *blob, size_t len, const struct sysdesc_host *host,
		      struct sysdesc *sd, char *err)
{
	/* An exact-size, 8-aligned copy so ASan sees any read past the end. */
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, blob, len);
	r = sysdesc_parse(sd, copy, len, host, err, SYSDESC_ERR_MAX);
	free(copy);
	return r;
}

static int parse_dts(const char *dts, const struct sysdesc_host *host, struct sysdesc *sd,
		     char *err)
{
	size_t len;
	uint8_t *blob = compile(dts, &len);
	int r = parse_blob(blob, len, host, sd, err);

	free(blob);
	return r;
}

static struct sysdesc *new_sd(void)
{
	struct sysdesc *sd = malloc(sizeof(*sd));

	assert_non_null(sd);
	return sd;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i])
			return false;
	}
	return true;
}

static void expect_error(const char *dts, const struct sysdesc_host *host, const char *msg)
{
	struct sysdesc *sd = new_sd();
	char err[SYSDESC_ERR_MAX];

	if (parse_dts(dts, host ? host : &default_host, sd, err) == 0)
		fail_msg("accepted, expected \"%s\":\n%s", msg, dts);
	if (strcmp(err, msg) != 0)
		fail_msg("message\n  got:      \"%s\"\n  expected: \"%s\"", err, msg);
	/* Validate, then commit: a rejected description leaves nothing behind. */
	assert_true(all_zero(sd, sizeof(*sd)));
	free(sd);
}

static struct sysdesc *expect_ok(const char *dts, const struct sysdesc_host *host)
{
	struct sysdesc *sd = new_sd();
	char err[SYSDESC_ERR_MAX];

	if (parse_dts(dts, host ? host : &default_host, sd, err) != 0)
		fail_msg("rejected: \"%s\"", err);
	return sd;
}

/* --- Malformed descriptions, one per case ---------------------------------- */

struct err_case {
	const char *name;
	const char *dts;
	const char *msg;
	struct sysdesc_host host; /* zero: default_host */
};

static const struct err_case err_cases[] = {
	/* The root and /vms. */
	{ "root_compatible_missing", "/dts-v1/; / { vms { " VMOK("x", 1) " }; };",
	  "/: compatible: missing (must be \"bulwark,system-v1\")", { 0, 0 } },
	{ "root_compatible_other_version",
	  "/dts-v1/; / { compatible = \"bulwark,system-v2\"; vms { " VMOK("x", 1) " }; };",
	  "/: compatible: must be \"bulwark,system-v1\" (this bwpack reads version 1 only)", { 0, 0 } },
	{ "root_compatible_list",
	  "/dts-v1/; / { compatible = \"bulwark,system-v1\", \"x\"; vms { " VMOK("x", 1) " }; };",
	  "/: compatible: must be \"bulwark,system-v1\" (this bwpack reads version 1 only)", { 0, 0 } },
	{ "root_unknown_property",
	  "/dts-v1/; / { compatible = \"bulwark,system-v1\"; model = \"m\"; vms { " VMOK("x", 1)
	  " }; };",
	  "/: unknown property 'model'", { 0, 0 } },
	{ "root_unknown_node",
	  "/dts-v1/; / { compatible = \"bulwark,system-v1\"; chosen { }; vms { " VMOK("x", 1)
	  " }; };",
	  "/: unknown node 'chosen'", { 0, 0 } },
	{ "vms_missing", "/dts-v1/; / { compatible = \"bulwark,system-v1\"; };",
	  "/vms: missing (the VMs go under it)", { 0, 0 } },
	{ "vms_property",
	  "/dts-v1/; / { compatible = \"bulwark,system-v1\"; vms { count = <1>; " VMOK("x", 1)
	  " }; };",
	  "/vms: unknown property 'count'", { 0, 0 } },
	{ "vms_empty", SYS(""), "/vms: no VMs (at least one is needed)", { 0, 0 } },
	{ "vms_17",
	  SYS(VMOK("a0", 0) VMOK("a1", 1) VMOK("a2", 2) VMOK("a3", 3) VMOK("a4", 4) VMOK("a5", 5)
	      VMOK("a6", 6) VMOK("a7", 7) VMOK("a8", 8) VMOK("a9", 9) VMOK("b0", 10)
	      VMOK("b1", 11) VMOK("b2", 12) VMOK("b3", 13) VMOK("b4", 14) VMOK("b5", 15)
	      VMOK("b6", 16)),
	  "/vms: more than 16 VMs", { 64, 4096 } },
	{ "memreserve", "/dts-v1/; /memreserve/ 0x1000 0x1000; / { compatible = "
			"\"bulwark,system-v1\"; vms { " VMOK("x", 1) " }; };",
	  "/memreserve/: not used in a system description", { 0, 0 } },

	/* VM names. */
	{ "name_uppercase", SYS(VMOK("Linux0", 1)),
	  "vm 'Linux0': name: must be 1 to 31 characters from a-z, 0-9, '_' and '-'", { 0, 0 } },
	{ "name_unit_address", SYS(VMOK("vm@1", 1)),
	  "vm 'vm@1': name: must be 1 to 31 characters from a-z, 0-9, '_' and '-'", { 0, 0 } },
	{ "name_dot", SYS(VMOK("a.b", 1)),
	  "vm 'a.b': name: must be 1 to 31 characters from a-z, 0-9, '_' and '-'", { 0, 0 } },
	{ "name_32_chars", SYS(VMOK("abcdefghijklmnopqrstuvwxyz012345", 1)),
	  "vm 'abcdefghijklmnopqrstuvwxyz012345': name: must be 1 to 31 characters from a-z, "
	  "0-9, '_' and '-'", { 0, 0 } },

	/* Unknown things inside a VM. */
	{ "unknown_property", ONE("foo = <1>;"), "vm 'x': unknown property 'foo'", { 0, 0 } },
	{ "unknown_property_typo", ONE("memory_size = <0 0x800000>;"),
	  "vm 'x': unknown property 'memory_size'", { 0, 0 } },
	{ "unknown_node", ONE("foo { };"),
	  "vm 'x': unknown node 'foo' (devices are device@ADDR)", { 0, 0 } },
	{ "unknown_node_prefix", ONE("dev@c000000 { };"),
	  "vm 'x': unknown node 'dev@c000000' (devices are device@ADDR)", { 0, 0 } },

	/* vcpus and cpus. */
	{ "vcpus_missing", SYS("x { cpus = <1>; memory-size = <0 0x800000>; kernel = \"k\"; };"),
	  "vm 'x': vcpus: missing (required)", { 0, 0 } },
	{ "vcpus_two_cells",
	  SYS("x { vcpus = <0 1>; cpus = <1>; memory-size = <0 0x800000>; kernel = \"k\"; };"),
	  "vm 'x': vcpus: must be one cell <N> (got 8 bytes)", { 0, 0 } },
	{ "vcpus_string",
	  SYS("x { vcpus = \"1\"; cpus = <1>; memory-size = <0 0x800000>; kernel = \"k\"; };"),
	  "vm 'x': vcpus: must be one cell <N> (got 2 bytes)", { 0, 0 } },
	{ "vcpus_zero",
	  SYS("x { vcpus = <0>; cpus = <1>; memory-size = <0 0x800000>; kernel = \"k\"; };"),
	  "vm 'x': vcpus: must be at least 1", { 0, 0 } },
	{ "vcpus_9", SYS("x { vcpus = <9>; cpus = <0 1 2 3 4 5 6 7 8>; "
			 "memory-size = <0 0x800000>; kernel = \"k\"; };"),
	  "vm 'x': vcpus: 9 is more than the 8 vCPUs a VM can have", { 16, 1024 } },
	{ "vcpus_more_than_cpus",
	  SYS("x { vcpus = <3>; cpus = <1 2>; memory-size = <0 0x800000>; kernel = \"k\"; };"),
	  "vm 'x': vcpus: 3 vCPUs need at least as many CPUs, but cpus lists 2", { 0, 0 } },
	{ "cpus_missing", SYS("x { " BODY " };"), "vm 'x': cpus: missing (required)", { 0, 0 } },
	{ "cpus_empty", SYS("x { " BODY " cpus; };"),
	  "vm 'x': cpus: must be a list of CPU indices <c0 c1 ...> (got 0 bytes)", { 0, 0 } },
	{ "cpus_bytes", SYS("x { " BODY " cpus = [01 02]; };"),
	  "vm 'x': cpus: must be a list of CPU indices <c0 c1 ...> (got 2 bytes)", { 0, 0 } },
	{ "cpus_beyond_host", SYS("x { " BODY " cpus = <1 8>; };"),
	  "vm 'x': cpus: CPU 8 does not exist (the host has 8 CPUs, --host-cpus)", { 0, 0 } },
	{ "cpus_beyond_small_host", SYS("x { " BODY " cpus = <1>; };"),
	  "vm 'x': cpus: CPU 1 does not exist (the host has 1 CPU, --host-cpus)", { 1, 1024 } },
	{ "cpus_huge_index", SYS("x { " BODY " cpus = <0xffffffff>; };"),
	  "vm 'x': cpus: CPU 4294967295 does not exist (the host has 64 CPUs, --host-cpus)",
	  { 64, 1024 } },
	{ "cpus_listed_twice", SYS("x { " BODY " cpus = <1 2 1>; };"),
	  "vm 'x': cpus: CPU 1 is listed twice", { 0, 0 } },
	{ "cpus_shared", SYS(VMOK("bare0", 2) VMOK("linux0", 2)),
	  "vm 'linux0': cpus: CPU 2 is already given to vm 'bare0'", { 0, 0 } },
	{ "cpus_shared_third_vm",
	  SYS(VMOK("a", 0) "b { " BODY " cpus = <1 2>; };" "c { " BODY " cpus = <3 2>; };"),
	  "vm 'c': cpus: CPU 2 is already given to vm 'b'", { 0, 0 } },

	/* memory-size and memory-base. */
	{ "memory_size_missing", SYS("x { vcpus = <1>; cpus = <1>; kernel = \"k\"; };"),
	  "vm 'x': memory-size: missing (required)", { 0, 0 } },
	{ "memory_size_one_cell", SYS("x { vcpus = <1>; cpus = <1>; kernel = \"k\"; "
				      "memory-size = <0x800000>; };"),
	  "vm 'x': memory-size: must be two cells <hi lo> (got 4 bytes)", { 0, 0 } },
	{ "memory_size_zero", SYS("x { vcpus = <1>; cpus = <1>; kernel = \"k\"; "
				  "memory-size = <0 0>; };"),
	  "vm 'x': memory-size: must not be 0", { 0, 0 } },
	{ "memory_size_1mib", SYS("x { vcpus = <1>; cpus = <1>; kernel = \"k\"; "
				  "memory-size = <0 0x100000>; };"),
	  "vm 'x': memory-size: 0x100000 is not a multiple of 2 MiB", { 0, 0 } },
	{ "memory_size_4mib", SYS("x { vcpus = <1>; cpus = <1>; kernel = \"k\"; "
				  "memory-size = <0 0x400000>; };"),
	  "vm 'x': memory-size: 4 MiB is less than the 6 MiB a VM needs (2 MiB below the kernel, "
	  "2 MiB for it at least, 2 MiB for the devicetree)", { 0, 0 } },
	{ "memory_base_one_cell", ONE("memory-base = <0x40000000>;"),
	  "vm 'x': memory-base: must be two cells <hi lo> (got 4 bytes)", { 0, 0 } },
	{ "memory_base_unaligned", ONE("memory-base = <0 0x40100000>;"),
	  "vm 'x': memory-base: 0x40100000 is not 2 MiB aligned", { 0, 0 } },
	{ "memory_wraps", ONE("memory-base = <0xffffffff 0xffe00000>;"),
	  "vm 'x': memory-size: RAM at 0xffffffffffe00000 of 0x800000 bytes does not end within "
	  "the 39-bit guest-physical address space", { 0, 0 } },
	{ "memory_beyond_39_bits", ONE("memory-base = <0x7f 0xffe00000>;"),
	  "vm 'x': memory-size: RAM at 0x7fffe00000 of 0x800000 bytes does not end within "
	  "the 39-bit guest-physical address space", { 0, 0 } },
	{ "memory_overlaps_mmio_from_below", ONE("memory-base = <0 0x7e00000>;"),
	  "vm 'x': memory-base: RAM 0x7e00000-0x8600000 overlaps the emulated devices (GIC, "
	  "UART, management) at 0x8000000-0x10000000", { 0, 0 } },
	{ "memory_overlaps_mmio_inside", ONE("memory-base = <0 0x9000000>;"),
	  "vm 'x': memory-base: RAM 0x9000000-0x9800000 overlaps the emulated devices (GIC, "
	  "UART, management) at 0x8000000-0x10000000", { 0, 0 } },
	{ "memory_overlaps_mmio_around",
	  SYS("x { vcpus = <1>; cpus = <1>; kernel = \"k\"; memory-base = <0 0>; "
	      "memory-size = <0 0x20000000>; };"),
	  "vm 'x': memory-base: RAM 0x0-0x20000000 overlaps the emulated devices (GIC, UART, "
	  "management) at 0x8000000-0x10000000", { 0, 0 } },
	{ "memory_one_vm_too_big",
	  SYS("x { vcpus = <1>; cpus = <1>; kernel = \"k\"; memory-size = <0 0x3c200000>; };"),
	  "vm 'x': memory-size: the VMs need 962 MiB of RAM up to this one, more than the 960 "
	  "MiB the host has for VMs (--host-ram-mb 1024 less 64 MiB for the hypervisor)", { 0, 0 } },
	{ "memory_total_too_big",
	  SYS("a { vcpus = <1>; cpus = <1>; kernel = \"k\"; memory-size = <0 0x20000000>; };"
	      "b { vcpus = <1>; cpus = <2>; kernel = \"k\"; memory-size = <0 0x20000000>; };"),
	  "vm 'b': memory-size: the VMs need 1 GiB of RAM up to this one, more than the 960 MiB "
	  "the host has for VMs (--host-ram-mb 1024 less 64 MiB for the hypervisor)", { 0, 0 } },
	{ "memory_total_small_host",
	  SYS("a { vcpus = <1>; cpus = <1>; kernel = \"k\"; memory-size = <0 0x4000000>; };"
	      "b { vcpus = <1>; cpus = <2>; kernel = \"k\"; memory-size = <0 0x600000>; };"),
	  "vm 'b': memory-size: the VMs need 70 MiB of RAM up to this one, more than the 64 MiB "
	  "the host has for VMs (--host-ram-mb 128 less 64 MiB for the hypervisor)", { 8, 128 } },

	/* kernel, initrd, bootargs, linux. */
	{ "kernel_missing", SYS("x { vcpus = <1>; cpus = <1>; memory-size = <0 0x800000>; };"),
	  "vm 'x': kernel: missing (required)", { 0, 0 } },
	{ "kernel_empty", SYS("x { vcpus = <1>; cpus = <1>; memory-size = <0 0x800000>; "
			      "kernel = \"\"; };"),
	  "vm 'x': kernel: must not be empty", { 0, 0 } },
	{ "kernel_two_strings", SYS("x { vcpus = <1>; cpus = <1>; memory-size = <0 0x800000>; "
				    "kernel = \"a\", \"b\"; };"),
	  "vm 'x': kernel: must be one string", { 0, 0 } },
	{ "kernel_cells", SYS("x { vcpus = <1>; cpus = <1>; memory-size = <0 0x800000>; "
			      "kernel = <1>; };"),
	  "vm 'x': kernel: must be one string", { 0, 0 } },
	{ "kernel_flag", SYS("x { vcpus = <1>; cpus = <1>; memory-size = <0 0x800000>; "
			     "kernel; };"),
	  "vm 'x': kernel: must be one string", { 0, 0 } },
	{ "kernel_unterminated", SYS("x { vcpus = <1>; cpus = <1>; memory-size = <0 0x800000>; "
				     "kernel = [6b 6b]; };"),
	  "vm 'x': kernel: must be one string", { 0, 0 } },
	{ "initrd_empty", ONE("initrd = \"\";"), "vm 'x': initrd: must not be empty", { 0, 0 } },
	{ "initrd_two_strings", ONE("initrd = \"a\", \"\";"), "vm 'x': initrd: must be one string",
	  { 0, 0 } },
	{ "linux_with_value", ONE("linux = <1>;"), "vm 'x': linux: is a flag and takes no value",
	  { 0, 0 } },
	{ "bootargs_two_strings", ONE("linux; bootargs = \"a\", \"b\";"),
	  "vm 'x': bootargs: must be one string", { 0, 0 } },
	{ "bootargs_cells", ONE("linux; bootargs = <0>;"),
	  "vm 'x': bootargs: must be one string", { 0, 0 } },

	/* capabilities. */
	{ "capabilities_unknown", ONE("capabilities = \"control\", \"debug\";"),
	  "vm 'x': capabilities: unknown capability 'debug' (known: \"control\")", { 0, 0 } },
	{ "capabilities_twice", ONE("capabilities = \"control\", \"control\";"),
	  "vm 'x': capabilities: 'control' is listed twice", { 0, 0 } },
	{ "capabilities_empty_string", ONE("capabilities = \"\";"),
	  "vm 'x': capabilities: must be a list of strings", { 0, 0 } },
	{ "capabilities_empty_in_list", ONE("capabilities = \"control\", \"\";"),
	  "vm 'x': capabilities: empty string in the list", { 0, 0 } },
	{ "capabilities_flag", ONE("capabilities;"),
	  "vm 'x': capabilities: must be a list of strings", { 0, 0 } },
	{ "capabilities_cells", ONE("capabilities = <1>;"),
	  "vm 'x': capabilities: must be a list of strings", { 0, 0 } },
	{ "capabilities_case", ONE("capabilities = \"Control\";"),
	  "vm 'x': capabilities: unknown capability 'Control' (known: \"control\")", { 0, 0 } },

	/* mitigations (docs/mitigations.md): the hypervisor's own parser and messages. */
	{ "mitigations_profile", ONE("mitigations = \"paranoid\";"),
	  "vm 'x': mitigations: unknown profile 'paranoid' (known: hardened, balanced, throughput)",
	  { 0, 0 } },
	{ "mitigations_system_module", ONE("mitigations = \"+flush\";"),
	  "vm 'x': mitigations: 'flush' is the system's, not a VM's (set it in the root node's "
	  "mitigations)", { 0, 0 } },
	{ "mitigations_nospec", ONE("mitigations = \"hardened,-nospec\";"),
	  "vm 'x': mitigations: nospec is a build option only (MITIGATIONS=), not switched at boot",
	  { 0, 0 } },
	{ "mitigations_empty", ONE("mitigations = \"\";"),
	  "vm 'x': mitigations: empty (give a profile: hardened, balanced or throughput)",
	  { 0, 0 } },
	{ "mitigations_list", ONE("mitigations = \"hardened\", \"-bhb\";"),
	  "vm 'x': mitigations: must be one string", { 0, 0 } },
	{ "mitigations_cells", ONE("mitigations = <1>;"),
	  "vm 'x': mitigations: must be one string", { 0, 0 } },
	{ "mitigations_root_bad",
	  "/dts-v1/; / { compatible = \"bulwark,system-v1\"; mitigations = \"balanced,+bhb,-bhb\"; "
	  "vms { " VMOK("x", 1) " }; };",
	  "/: mitigations: module 'bhb' is given twice", { 0, 0 } },
	{ "mitigations_root_twice_order",
	  "/dts-v1/; / { compatible = \"bulwark,system-v1\"; mitigations = \"-bhb,hardened\"; "
	  "vms { " VMOK("x", 1) " }; };",
	  "/: mitigations: the profile 'hardened' must come first", { 0, 0 } },

	/* #address-cells and #size-cells. */
	{ "address_cells_1", ONE("#address-cells = <1>;"),
	  "vm 'x': #address-cells: must be <2> (two cells, as in device reg)", { 0, 0 } },
	{ "size_cells_wide", ONE("#size-cells = <0 2>;"),
	  "vm 'x': #size-cells: must be <2> (two cells, as in device reg)", { 0, 0 } },

	/* Devices: reg. */
	{ "device_reg_missing", DEV("device@c000000 { interrupts = <40>; };"),
	  "vm 'x': device@c000000: reg: missing (required)", { 0, 0 } },
	{ "device_reg_three_cells", DEV("device@c000000 { reg = <0 0xc000000 0x1000>; };"),
	  "vm 'x': device@c000000: reg: must be one range <base-hi base-lo size-hi size-lo> "
	  "(got 12 bytes)", { 0, 0 } },
	{ "device_reg_two_ranges",
	  DEV("device@c000000 { reg = <0 0xc000000 0 0x1000 0 0xd000000 0 0x1000>; };"),
	  "vm 'x': device@c000000: reg: must be one range <base-hi base-lo size-hi size-lo> "
	  "(got 32 bytes)", { 0, 0 } },
	{ "device_unit_address_mismatch", DEV("device@c001000 { reg = <0 0xc000000 0 0x1000>; };"),
	  "vm 'x': device@c001000: unit address does not match reg (name it device@c000000)", { 0, 0 } },
	{ "device_unit_address_leading_zero",
	  DEV("device@0c000000 { reg = <0 0xc000000 0 0x1000>; };"),
	  "vm 'x': device@0c000000: unit address does not match reg (name it device@c000000)", { 0, 0 } },
	{ "device_unit_address_uppercase", DEV("device@C000000 { reg = <0 0xc000000 0 0x1000>; };"),
	  "vm 'x': device@C000000: unit address does not match reg (name it device@c000000)", { 0, 0 } },
	{ "device_no_unit_address", DEV("device { reg = <0 0xc000000 0 0x1000>; };"),
	  "vm 'x': unknown node 'device' (devices are device@ADDR)", { 0, 0 } },
	{ "device_size_zero", DEV("device@c000000 { reg = <0 0xc000000 0 0>; };"),
	  "vm 'x': device@c000000: reg: size must not be 0", { 0, 0 } },
	{ "device_base_unaligned", DEV("device@c000800 { reg = <0 0xc000800 0 0x1000>; };"),
	  "vm 'x': device@c000800: reg: base 0xc000800 is not 4 KiB aligned", { 0, 0 } },
	{ "device_size_unaligned", DEV("device@c000000 { reg = <0 0xc000000 0 0x1800>; };"),
	  "vm 'x': device@c000000: reg: size 0x1800 is not a multiple of 4 KiB", { 0, 0 } },
	{ "device_beyond_39_bits",
	  DEV("device@7ffffff000 { reg = <0x7f 0xfffff000 0 0x2000>; };"),
	  "vm 'x': device@7ffffff000: reg: range does not end within the 39-bit guest-physical "
	  "address space", { 0, 0 } },
	{ "device_wraps",
	  DEV("device@fffffffffffff000 { reg = <0xffffffff 0xfffff000 0 0x2000>; };"),
	  "vm 'x': device@fffffffffffff000: reg: range does not end within the 39-bit "
	  "guest-physical address space", { 0, 0 } },
	{ "device_on_emulated_uart", DEV("device@9000000 { reg = <0 0x9000000 0 0x1000>; };"),
	  "vm 'x': device@9000000: reg: 0x9000000-0x9001000 overlaps an emulated device (GIC "
	  "distributor 0x8000000-0x8010000, redistributors 0x80a0000-0x81a0000, UART "
	  "0x9000000-0x9001000, management 0xf000000-0xf200000)", { 0, 0 } },
	{ "device_reaches_emulated_gic", DEV("device@7fff000 { reg = <0 0x7fff000 0 0x2000>; };"),
	  "vm 'x': device@7fff000: reg: 0x7fff000-0x8001000 overlaps an emulated device (GIC "
	  "distributor 0x8000000-0x8010000, redistributors 0x80a0000-0x81a0000, UART "
	  "0x9000000-0x9001000, management 0xf000000-0xf200000)", { 0, 0 } },
	{ "device_on_redistributor", DEV("device@8100000 { reg = <0 0x8100000 0 0x1000>; };"),
	  "vm 'x': device@8100000: reg: 0x8100000-0x8101000 overlaps an emulated device (GIC "
	  "distributor 0x8000000-0x8010000, redistributors 0x80a0000-0x81a0000, UART "
	  "0x9000000-0x9001000, management 0xf000000-0xf200000)", { 0, 0 } },
	{ "device_in_ram", DEV("device@407ff000 { reg = <0 0x407ff000 0 0x1000>; };"),
	  "vm 'x': device@407ff000: reg: 0x407ff000-0x40800000 overlaps the VM's RAM at "
	  "0x40000000-0x40800000", { 0, 0 } },
	{ "device_covers_ram", DEV("device@30000000 { reg = <0 0x30000000 0 0x20000000>; };"),
	  "vm 'x': device@30000000: reg: 0x30000000-0x50000000 overlaps the VM's RAM at "
	  "0x40000000-0x40800000", { 0, 0 } },
	{ "device_overlaps_own",
	  DEV("device@c000000 { reg = <0 0xc000000 0 0x2000>; };"
	      "device@c001000 { reg = <0 0xc001000 0 0x1000>; };"),
	  "vm 'x': device@c001000: reg: overlaps device@c000000 of the same VM", { 0, 0 } },
	{ "device_overlaps_other_vm",
	  SYS("bare0 { " BODY " cpus = <1>; device@c000000 { reg = <0 0xc000000 0 0x10000>; }; };"
	      "linux0 { " BODY " cpus = <2>; device@c00f000 { reg = <0 0xc00f000 0 0x1000>; }; };"),
	  "vm 'linux0': device@c00f000: reg: overlaps device@c000000, already given to vm "
	  "'bare0'", { 0, 0 } },
	{ "device_unknown_property",
	  DEV("device@c000000 { reg = <0 0xc000000 0 0x1000>; compatible = \"x\"; };"),
	  "vm 'x': device@c000000: unknown property 'compatible'", { 0, 0 } },
	{ "device_subnode", DEV("device@c000000 { reg = <0 0xc000000 0 0x1000>; sub { }; };"),
	  "vm 'x': device@c000000: unknown node 'sub'", { 0, 0 } },
	{ "device_9",
	  DEV("device@c000000 { reg = <0 0xc000000 0 0x1000>; };"
	      "device@c001000 { reg = <0 0xc001000 0 0x1000>; };"
	      "device@c002000 { reg = <0 0xc002000 0 0x1000>; };"
	      "device@c003000 { reg = <0 0xc003000 0 0x1000>; };"
	      "device@c004000 { reg = <0 0xc004000 0 0x1000>; };"
	      "device@c005000 { reg = <0 0xc005000 0 0x1000>; };"
	      "device@c006000 { reg = <0 0xc006000 0 0x1000>; };"
	      "device@c007000 { reg = <0 0xc007000 0 0x1000>; };"
	      "device@c008000 { reg = <0 0xc008000 0 0x1000>; };"),
	  "vm 'x': device@c008000: more than 8 devices", { 0, 0 } },

	/* Devices: interrupts. */
	{ "irq_empty", DEV("device@c000000 { reg = <0 0xc000000 0 0x1000>; interrupts; };"),
	  "vm 'x': device@c000000: interrupts: must be a list of SPI INTIDs <32 ...> (got 0 bytes)",
	  { 0, 0 } },
	{ "irq_bytes", DEV("device@c000000 { reg = <0 0xc000000 0 0x1000>; interrupts = [28]; };"),
	  "vm 'x': device@c000000: interrupts: must be a list of SPI INTIDs <32 ...> (got 1 bytes)",
	  { 0, 0 } },
	{ "irq_five",
	  DEV("device@c000000 { reg = <0 0xc000000 0 0x1000>; interrupts = <40 41 42 43 44>; };"),
	  "vm 'x': device@c000000: interrupts: 5 given, at most 4 per device", { 0, 0 } },
	{ "irq_ppi", DEV("device@c000000 { reg = <0 0xc000000 0 0x1000>; interrupts = <27>; };"),
	  "vm 'x': device@c000000: interrupts: INTID 27 is not an SPI (32..255)", { 0, 0 } },
	{ "irq_beyond_vgic", DEV("device@c000000 { reg = <0 0xc000000 0 0x1000>; interrupts = <256>; };"),
	  "vm 'x': device@c000000: interrupts: INTID 256 is not an SPI (32..255)", { 0, 0 } },
	{ "irq_special", DEV("device@c000000 { reg = <0 0xc000000 0 0x1000>; interrupts = <1020>; };"),
	  "vm 'x': device@c000000: interrupts: INTID 1020 is not an SPI (32..255)", { 0, 0 } },
	{ "irq_gic_specifier",
	  DEV("device@c000000 { reg = <0 0xc000000 0 0x1000>; interrupts = <0 8 4>; };"),
	  "vm 'x': device@c000000: interrupts: INTID 0 is not an SPI (32..255)", { 0, 0 } },
	{ "irq_shutdown", DEV("device@c000000 { reg = <0 0xc000000 0 0x1000>; interrupts = <250>; };"),
	  "vm 'x': device@c000000: interrupts: INTID 250 is the shutdown request's", { 0, 0 } },
	{ "irq_uart", DEV("device@c000000 { reg = <0 0xc000000 0 0x1000>; interrupts = <33>; };"),
	  "vm 'x': device@c000000: interrupts: INTID 33 is the emulated UART's", { 0, 0 } },
	{ "irq_listed_twice",
	  DEV("device@c000000 { reg = <0 0xc000000 0 0x1000>; interrupts = <40 41 40>; };"),
	  "vm 'x': device@c000000: interrupts: INTID 40 is listed twice", { 0, 0 } },
	{ "irq_two_devices",
	  DEV("device@c000000 { reg = <0 0xc000000 0 0x1000>; interrupts = <40>; };"
	      "device@c001000 { reg = <0 0xc001000 0 0x1000>; interrupts = <41 40>; };"),
	  "vm 'x': device@c001000: interrupts: INTID 40 is already given to device@c000000", { 0, 0 } },
	{ "irq_two_vms",
	  SYS("bare0 { " BODY " cpus = <1>; device@c000000 { reg = <0 0xc000000 0 0x1000>; "
	      "interrupts = <40>; }; };"
	      "linux0 { " BODY " cpus = <2>; device@d000000 { reg = <0 0xd000000 0 0x1000>; "
	      "interrupts = <40>; }; };"),
	  "vm 'linux0': device@d000000: interrupts: INTID 40 is already given to vm 'bare0' "
	  "(device@c000000)", { 0, 0 } },
};

static void run_err_case(void **state)
{
	const struct err_case *c = *state;

	expect_error(c->dts, c->host.cpu_count ? &c->host : NULL, c->msg);
}

/* --- Cases built at run time ------------------------------------------------ */

static uint8_t *sample(const char *name, size_t *len)
{
	char path[128];
	char *dts;
	uint8_t *blob;

	snprintf(path, sizeof(path), "test/unit/data/%s.dts", name);
	dts = read_text(path, NULL);
	blob = compile(dts, len);
	free(dts);
	return blob;
}

static void test_not_a_blob(void **state)
{
	static const uint8_t junk[64] = "this is not a devicetree";
	struct sysdesc *sd = new_sd();
	char err[SYSDESC_ERR_MAX];

	(void)state;
	assert_int_equal(parse_blob(junk, sizeof(junk), &default_host, sd, err), -1);
	assert_string_equal(err, "system: not a valid devicetree blob (FDT_ERR_BADMAGIC)");
	assert_int_equal(parse_blob(junk, 3, &default_host, sd, err), -1);
	assert_string_equal(err, "system: not a devicetree blob (only 3 bytes)");
	assert_int_equal(parse_blob(junk, 0, &default_host, sd, err), -1);
	assert_string_equal(err, "system: not a devicetree blob (only 0 bytes)");
	free(sd);
}

static void test_size_mismatch(void **state)
{
	struct sysdesc *sd = new_sd();
	char err[SYSDESC_ERR_MAX], want[128];
	size_t len;
	uint8_t *blob = sample("sys-minimal", &len);
	uint8_t *bigger = calloc(1, len + 8);

	(void)state;
	memcpy(bigger, blob, len);
	assert_int_equal(parse_blob(bigger, len + 8, &default_host, sd, err), -1);
	snprintf(want, sizeof(want), "system: the blob says it has %zu bytes, but it has %zu", len,
		 len + 8);
	assert_string_equal(err, want);
	assert_int_equal(parse_blob(blob, len - 1, &default_host, sd, err), -1);
	assert_string_equal(err, "system: not a valid devicetree blob (FDT_ERR_TRUNCATED)");
	free(bigger);
	free(blob);
	free(sd);
}

/*
 * Found by fuzz_sysdesc: a blob claiming devicetree version 11 makes libfdt
 * 1.6.1's fdt_check_full() dereference NULL. The parser refuses versions
 * below 17 before libfdt sees the blob.
 */
static void test_old_version_libfdt_crash(void **state)
{
	static const uint8_t crash[] = {
		0xd0, 0x0d, 0xfe, 0xed, 0x00, 0x00, 0x00, 0xd8, 0x00, 0x00, 0x00, 0x38,
		0x00, 0x00, 0x00, 0xb4, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x0b,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x24,
		0x00, 0x00, 0x00, 0x7c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x12,
		0x00, 0x00, 0x00, 0x00, 0x62, 0x75, 0x6c, 0x77, 0x61, 0x72, 0x6b, 0x2c,
		0x73, 0x79, 0x73, 0x74, 0x65, 0x6d, 0x2d, 0x76, 0x31, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x01, 0x76, 0x6d, 0x73, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x6b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x09, 0x63, 0x6f, 0x6d, 0x70,
		0x61, 0x74, 0x69, 0x62, 0x6c, 0x65, 0x00, 0x76, 0x63, 0x70, 0x75, 0x73,
		0x00, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x2d, 0x73, 0x69, 0x7a, 0x65,
		0x00, 0x6b, 0x00, 0x1d, 0x6b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x09,
		0x63, 0x6f, 0x6d, 0x70, 0x61, 0x74, 0x69, 0x62, 0x6c, 0x65, 0x00, 0x76,
		0x63, 0x70, 0x75, 0x73, 0x00, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x2d,
		0x73, 0x69, 0x7a, 0x65, 0x00, 0x6b, 0x00, 0x00, 0x00, 0x00, 0x6c, 0x00,
	};
	struct sysdesc *sd = new_sd();
	char err[SYSDESC_ERR_MAX];
	size_t len;
	uint8_t *blob = sample("sys-minimal", &len);

	(void)state;
	assert_int_equal(parse_blob(crash, sizeof(crash), &default_host, sd, err), -1);
	assert_string_equal(err, "system: devicetree version 11 is too old (dtc writes 17)");
	blob[23] = 16;
	assert_int_equal(parse_blob(blob, len, &default_host, sd, err), -1);
	assert_string_equal(err, "system: devicetree version 16 is too old (dtc writes 17)");
	free(blob);
	free(sd);
}

/* Renames, in the blob, every `from` (same length as `to`) to `to`. */
static void patch(uint8_t *blob, size_t len, const char *from, const char *to)
{
	size_t n = strlen(from);
	int hits = 0;

	assert_int_equal(strlen(to), n);
	for (size_t i = 0; i + n <= len; i++) {
		if (memcmp(blob + i, from, n) == 0) {
			memcpy(blob + i, to, n);
			hits++;
		}
	}
	assert_true(hits > 0);
}

/* Duplicates dtc refuses to write, made by editing a compiled blob. */
static void test_duplicates_in_blob(void **state)
{
	struct sysdesc *sd = new_sd();
	char err[SYSDESC_ERR_MAX];
	size_t len;
	uint8_t *blob;

	(void)state;
	blob = compile(SYS(VMOK("vmaa", 1) VMOK("vmab", 2)), &len);
	patch(blob, len, "vmab", "vmaa");
	assert_int_equal(parse_blob(blob, len, &default_host, sd, err), -1);
	assert_string_equal(err, "vm 'vmaa': name: used by two VMs");
	free(blob);

	/* "initrd" and "kernel" have the same length: rename the former in the strings block. */
	blob = compile(ONE("initrd = \"i\";"), &len);
	patch(blob, len, "initrd", "kernel");
	assert_int_equal(parse_blob(blob, len, &default_host, sd, err), -1);
	assert_string_equal(err, "vm 'x': property 'kernel' appears twice");
	free(blob);

	blob = compile("/dts-v1/; / { compatible = \"bulwark,system-v1\"; vms { " VMOK("x", 1)
		       " }; smv { " VMOK("y", 2) " }; };", &len);
	patch(blob, len, "smv", "vms");
	assert_int_equal(parse_blob(blob, len, &default_host, sd, err), -1);
	assert_string_equal(err, "/: node 'vms' appears twice");
	free(blob);

	blob = compile(DEV("device@c000000 { reg = <0 0xc000000 0 0x1000>; xeg = <1>; };"), &len);
	patch(blob, len, "xeg", "reg");
	assert_int_equal(parse_blob(blob, len, &default_host, sd, err), -1);
	assert_string_equal(err, "vm 'x': device@c000000: property 'reg' appears twice");
	free(blob);
	free(sd);
}

/* Names from the blob are printed escaped and truncated. */
static void test_unprintable_names(void **state)
{
	struct sysdesc *sd = new_sd();
	char err[SYSDESC_ERR_MAX];
	size_t len;
	uint8_t *blob;

	(void)state;
	blob = compile(ONE("fooXbar = <1>;"), &len);
	patch(blob, len, "fooXbar", "foo\033bar");
	assert_int_equal(parse_blob(blob, len, &default_host, sd, err), -1);
	assert_string_equal(err, "vm 'x': unknown property 'foo\\x1bbar'");
	free(blob);

	blob = compile(ONE("a123456789b123456789c123456789d123456789e123456789f123456789g12345 "
			   "= <1>;"), &len);
	assert_int_equal(parse_blob(blob, len, &default_host, sd, err), -1);
	assert_string_equal(err, "vm 'x': unknown property "
				 "'a123456789b123456789c123456789d123456789e123456789f123456789g123...'");
	free(blob);
	free(sd);
}

static void test_long_strings(void **state)
{
	char *dts = malloc(8192);
	char *big = malloc(SYSDESC_BOOTARGS_MAX + 1);

	(void)state;
	memset(big, 'a', SYSDESC_PATH_MAX);
	big[SYSDESC_PATH_MAX] = '\0';
	snprintf(dts, 8192, SYS("x { " BODY " cpus = <1>; initrd = \"%s\"; };"), big);
	expect_error(dts, NULL, "vm 'x': initrd: longer than 1023 bytes");
	big[SYSDESC_PATH_MAX - 1] = '\0'; /* 1023 bytes fit */
	snprintf(dts, 8192, SYS("x { " BODY " cpus = <1>; initrd = \"%s\"; };"), big);
	free(expect_ok(dts, NULL));

	memset(big, 'b', SYSDESC_BOOTARGS_MAX);
	big[SYSDESC_BOOTARGS_MAX] = '\0';
	snprintf(dts, 8192, SYS("x { " BODY " cpus = <1>; linux; bootargs = \"%s\"; };"), big);
	expect_error(dts, NULL, "vm 'x': bootargs: longer than 2047 bytes");
	big[SYSDESC_BOOTARGS_MAX - 1] = '\0';
	snprintf(dts, 8192, SYS("x { " BODY " cpus = <1>; linux; bootargs = \"%s\"; };"), big);
	free(expect_ok(dts, NULL));
	free(big);
	free(dts);
}

static void test_bad_host(void **state)
{
	struct sysdesc *sd = new_sd();
	char err[SYSDESC_ERR_MAX];
	size_t len;
	uint8_t *blob = sample("sys-minimal", &len);
	const struct sysdesc_host zero_cpus = { 0, 1024 }, many_cpus = { 65, 1024 },
				  small_ram = { 8, 64 };

	(void)state;
	assert_int_equal(parse_blob(blob, len, &zero_cpus, sd, err), -1);
	assert_string_equal(err, "host: CPU count 0 is not 1..64");
	assert_int_equal(parse_blob(blob, len, &many_cpus, sd, err), -1);
	assert_string_equal(err, "host: CPU count 65 is not 1..64");
	assert_int_equal(parse_blob(blob, len, &small_ram, sd, err), -1);
	assert_string_equal(err, "host: 64 MiB of RAM leaves nothing for VMs (the hypervisor "
				 "keeps 64 MiB)");
	free(blob);
	free(sd);
}

/* A short message buffer truncates, never overflows. */
static void test_small_err_buffer(void **state)
{
	struct sysdesc *sd = new_sd();
	char err[12];
	size_t len;
	uint8_t *blob = compile(ONE("foo = <1>;"), &len);

	(void)state;
	memset(err, 'z', sizeof(err));
	assert_int_equal(sysdesc_parse(sd, blob, len, &default_host, err, 8), -1);
	assert_string_equal(err, "vm 'x':");
	assert_int_equal(err[8], 'z');
	assert_int_equal(sysdesc_parse(sd, blob, len, &default_host, err, 0), -1);
	free(blob);
	free(sd);
}

/* --- Valid descriptions ----------------------------------------------------- */

static void test_sample_minimal(void **state)
{
	struct sysdesc *sd = new_sd();
	char err[SYSDESC_ERR_MAX];
	size_t len;
	uint8_t *blob = sample("sys-minimal", &len);
	const struct sysdesc_vm *vm = &sd->vms[0];

	(void)state;
	assert_int_equal(parse_blob(blob, len, &default_host, sd, err), 0);
	assert_int_equal(sd->vm_count, 1);
	assert_string_equal(vm->name, "bare0");
	assert_int_equal(vm->vcpu_count, 1);
	assert_int_equal(vm->cpu_mask, 0x2);
	assert_int_equal(vm->cpu_count, 1);
	assert_int_equal(vm->mem_base, SYSDESC_DEFAULT_MEM_BASE);
	assert_int_equal(vm->mem_size, 8 * MIB);
	assert_string_equal(vm->kernel, "bare0.bin");
	assert_string_equal(vm->initrd, "");
	assert_false(vm->has_bootargs);
	assert_false(vm->is_linux);
	assert_int_equal(vm->caps, 0);
	assert_int_equal(vm->dev_count, 0);
	assert_int_equal(sd->mem_total, 8 * MIB);
	free(blob);
	free(sd);
}

static void test_sample_full(void **state)
{
	struct sysdesc *sd = new_sd();
	char err[SYSDESC_ERR_MAX];
	size_t len;
	uint8_t *blob = sample("sys-full", &len);
	const struct sysdesc_vm *l = &sd->vms[0], *b = &sd->vms[1];

	(void)state;
	assert_int_equal(parse_blob(blob, len, &default_host, sd, err), 0);
	assert_int_equal(sd->vm_count, 2);
	assert_string_equal(l->name, "linux0");
	assert_int_equal(l->vcpu_count, 2);
	assert_int_equal(l->cpu_mask, 0xe);
	assert_int_equal(l->cpu_count, 3);
	assert_int_equal(l->mem_base, 0x40000000);
	assert_int_equal(l->mem_size, 256 * MIB);
	assert_string_equal(l->kernel, "Image");
	assert_string_equal(l->initrd, "rootfs.cpio.gz");
	assert_true(l->has_bootargs);
	assert_string_equal(l->bootargs, "console=ttyAMA0 earlycon");
	assert_true(l->is_linux);
	assert_int_equal(l->caps, BWPKG_CAP_CONTROL);
	assert_int_equal(l->dev_count, 0);

	assert_string_equal(b->name, "bare0");
	assert_int_equal(b->cpu_mask, 0x10);
	assert_int_equal(b->mem_base, 0x100000000ULL);
	assert_int_equal(b->mem_size, 64 * MIB);
	assert_string_equal(b->kernel, "guests/bare0.bin");
	assert_false(b->is_linux);
	assert_int_equal(b->caps, 0);
	assert_int_equal(b->dev_count, 2);
	assert_int_equal(b->devs[0].base, 0xc000000);
	assert_int_equal(b->devs[0].size, 0x1000);
	assert_int_equal(b->devs[0].irq_count, 2);
	assert_int_equal(b->devs[0].irqs[0], 40);
	assert_int_equal(b->devs[0].irqs[1], 41);
	assert_int_equal(b->devs[0].irqs[2], 0);
	assert_int_equal(b->devs[1].base, 0xa000000);
	assert_int_equal(b->devs[1].size, 0x4000);
	assert_int_equal(b->devs[1].irq_count, 1);
	assert_int_equal(b->devs[1].irqs[0], 48);
	assert_int_equal(sd->mem_total, 320 * MIB);
	free(blob);
	free(sd);
}

static void test_sample_max(void **state)
{
	struct sysdesc *sd = new_sd();
	char err[SYSDESC_ERR_MAX];
	size_t len;
	uint8_t *blob = sample("sys-max", &len);
	const struct sysdesc_host big = { 64, 2048 };
	const struct sysdesc_vm *vm = &sd->vms[15];

	(void)state;
	assert_int_equal(parse_blob(blob, len, &big, sd, err), 0);
	assert_int_equal(sd->vm_count, BWPKG_MAX_VMS);
	assert_string_equal(vm->name, "vm_15_low-ram_and_63_cpus_named");
	assert_int_equal(vm->cpu_mask, (1ULL << 63) | (1ULL << 18));
	assert_int_equal(vm->mem_base, 0);
	assert_int_equal(vm->dev_count, BWPKG_MAX_DEVS);
	assert_int_equal(vm->devs[7].base, 0x7ffffff000ULL);
	assert_int_equal(vm->devs[7].irqs[0], 255);
	assert_true(vm->has_bootargs);
	assert_string_equal(vm->bootargs, "");
	assert_int_equal(sd->mem_total, 1088 * MIB);

	/* On the default host (8 CPUs), the sixth VM asks for CPU 8. */
	assert_int_equal(parse_blob(blob, len, &default_host, sd, err), -1);
	assert_string_equal(err, "vm 'vm-05': cpus: CPU 8 does not exist (the host has 8 CPUs, "
				 "--host-cpus)");
	free(blob);
	free(sd);
}

static void test_edges(void **state)
{
	struct sysdesc *sd;

	(void)state;
	/* RAM ending exactly at 2^39; devices touching the window and RAM without overlap. */
	sd = expect_ok(ONE("memory-base = <0x7f 0xff800000>;"
			   "device@a000000 { reg = <0 0xa000000 0 0x1000>; interrupts = <32 255>; };"
			   "device@7fff000 { reg = <0 0x7fff000 0 0x1000>; };"),
		       NULL);
	assert_int_equal(sd->vms[0].mem_base + sd->vms[0].mem_size, 1ULL << 39);
	assert_int_equal(sd->vms[0].dev_count, 2);
	free(sd);
	sd = expect_ok(DEV("device@3ffff000 { reg = <0 0x3ffff000 0 0x1000>; };"
			   "device@40800000 { reg = <0 0x40800000 0 0x1000>; };"),
		       NULL);
	free(sd);
	/* Exactly the host's RAM for VMs; two VMs may use the same guest-physical RAM. */
	sd = expect_ok(SYS("a { vcpus = <1>; cpus = <0>; kernel = \"k\"; "
			   "memory-size = <0 0x3c000000>; };"),
		       NULL);
	assert_int_equal(sd->mem_total, 960 * MIB);
	free(sd);
	/* Empty bootargs; 8 vCPUs, the most, on every CPU of a 64-CPU host; 6 MiB of RAM, the least. */
	sd = expect_ok(SYS("a { vcpus = <8>; kernel = \"/abs/k\"; memory-size = <0 0x600000>; "
			   "linux; bootargs = \"\"; cpus = <0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 "
			   "16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 "
			   "39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 "
			   "62 63>; };"),
		       &(const struct sysdesc_host){ 64, 1024 });
	assert_int_equal(sd->vms[0].cpu_mask, UINT64_MAX);
	assert_int_equal(sd->vms[0].vcpu_count, 8);
	assert_true(sd->vms[0].has_bootargs);
	assert_string_equal(sd->vms[0].kernel, "/abs/k");
	free(sd);
}

/* The system's and a VM's mitigation choices, packed as the package carries them. */
static void test_mitigations(void **state)
{
	struct sysdesc *sd;

	(void)state;
	sd = expect_ok(SYS(VMOK("a", 0) VMOK("b", 1)), NULL);
	assert_int_equal(sd->mitigations, 0);
	assert_int_equal(sd->vms[0].mitigations, 0);
	free(sd);
	sd = expect_ok("/dts-v1/; / { compatible = \"bulwark,system-v1\"; "
		       "mitigations = \"hardened,-flush\"; vms { "
		       "a { " BODY " cpus = <0>; mitigations = \"throughput,+ssbd\"; }; "
		       "b { " BODY " cpus = <1>; mitigations = \"-bhb,-bpi\"; }; "
		       VMOK("c", 2) " }; };", NULL);
	assert_int_equal(sd->mitigations, bwpkg_mitig(1, 0, 1u << MITIG_MOD_FLUSH));
	assert_int_equal(sd->vms[0].mitigations, bwpkg_mitig(3, 1u << MITIG_MOD_SSBD, 0));
	assert_int_equal(sd->vms[1].mitigations,
			 bwpkg_mitig(0, 0, 1u << MITIG_MOD_BHB | 1u << MITIG_MOD_BPI));
	assert_int_equal(sd->vms[2].mitigations, 0);
	free(sd);
	/* Only overrides at the root: on top of balanced, the default. */
	sd = expect_ok("/dts-v1/; / { compatible = \"bulwark,system-v1\"; mitigations = \"+flush\"; "
		       "vms { " VMOK("a", 0) " }; };", NULL);
	assert_int_equal(sd->mitigations, bwpkg_mitig(2, 1u << MITIG_MOD_FLUSH, 0));
	free(sd);
}

/* Every prefix and every single-bit flip of a valid blob: no crash, and a reason. */
static void test_truncations_and_flips(void **state)
{
	struct sysdesc *sd = new_sd();
	char err[SYSDESC_ERR_MAX];
	size_t len;
	uint8_t *blob = sample("sys-full", &len);

	(void)state;
	for (size_t n = 0; n < len; n++) {
		assert_int_equal(parse_blob(blob, n, &default_host, sd, err), -1);
		assert_true(err[0] != '\0');
	}
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			blob[i] ^= (uint8_t)(1u << bit);
			if (parse_blob(blob, len, &default_host, sd, err) != 0)
				assert_true(err[0] != '\0');
			else
				assert_true(sd->vm_count >= 1);
			blob[i] ^= (uint8_t)(1u << bit);
		}
	}
	free(blob);
	free(sd);
}

/* --- Image placement --------------------------------------------------------- */

static void make_header(uint8_t h[64], uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	memset(h, 0, 64);
	for (int i = 0; i < 8; i++) {
		h[8 + i] = (uint8_t)(text_offset >> (8 * i));
		h[16 + i] = (uint8_t)(image_size >> (8 * i));
		h[24 + i] = (uint8_t)(flags >> (8 * i));
	}
	memcpy(h + 56, "ARM\x64", 4);
}

static struct sysdesc_vm *image_vm(uint64_t mem_size, bool initrd)
{
	struct sysdesc_vm *vm = calloc(1, sizeof(*vm));

	strcpy(vm->name, "linux0");
	vm->vcpu_count = 1;
	vm->mem_base = 0x40000000;
	vm->mem_size = mem_size;
	strcpy(vm->kernel, "Image");
	if (initrd)
		strcpy(vm->initrd, "initrd");
	return vm;
}

static void expect_image_error(const struct sysdesc_vm *vm, const uint8_t *h, size_t hlen,
			       uint64_t ksize, uint64_t isize, const char *msg)
{
	struct sysdesc_layout l;
	char err[SYSDESC_ERR_MAX];

	assert_int_equal(sysdesc_check_images(vm, h, hlen, ksize, isize, &l, err, sizeof(err)), -1);
	if (strcmp(err, msg) != 0)
		fail_msg("message\n  got:      \"%s\"\n  expected: \"%s\"", err, msg);
}

static void test_image_placement(void **state)
{
	struct sysdesc_vm *vm = image_vm(256 * MIB, true);
	struct sysdesc_layout l;
	uint8_t h[64];
	char err[SYSDESC_ERR_MAX];

	(void)state;
	make_header(h, 0, 0x2000000, 0xa);
	assert_int_equal(sysdesc_check_images(vm, h, 64, 0x1234567, 0x300001, &l, err,
					      sizeof(err)), 0);
	assert_int_equal(l.kernel_addr, 0x40200000);
	assert_int_equal(l.kernel_end, 0x42200000); /* image_size, larger than the file */
	assert_int_equal(l.dtb_addr, 0x4fe00000);
	assert_int_equal(l.initrd_addr, 0x4faff000);
	assert_int_equal(l.initrd_addr, bwpkg_initrd_addr(vm->mem_base, vm->mem_size, 0x300001));
	assert_int_equal(l.initrd_end, 0x4faff000 + 0x300001);
	assert_true(l.initrd_end <= l.dtb_addr);

	/* image_size 0: the file's size counts; text_offset moves the kernel. */
	make_header(h, 0x80000, 0, 0);
	assert_int_equal(sysdesc_check_images(vm, h, 64, 0x1000, 0x1000, &l, err, sizeof(err)), 0);
	assert_int_equal(l.kernel_addr, 0x40280000);
	assert_int_equal(l.kernel_end, 0x40281000);
	/* ...and the text_offset is 0x80000, whatever the header says (the boot
	 * protocol for kernels before 3.17; the hypervisor loads them there). */
	make_header(h, 0, 0, 0);
	assert_int_equal(sysdesc_check_images(vm, h, 64, 0x1000, 0x1000, &l, err, sizeof(err)), 0);
	assert_int_equal(l.kernel_addr, 0x40280000);
	make_header(h, 0x200000, 0, 0);
	assert_int_equal(sysdesc_check_images(vm, h, 64, 0x1000, 0x1000, &l, err, sizeof(err)), 0);
	assert_int_equal(l.kernel_addr, 0x40280000);
	free(vm);

	/* No initrd: the initrd fields stay 0 whatever size is passed. */
	vm = image_vm(8 * MIB, false);
	make_header(h, 0, 4 * MIB, 0);
	assert_int_equal(sysdesc_check_images(vm, h, 64, 64, 0, &l, err, sizeof(err)), 0);
	assert_int_equal(l.kernel_end, 0x40600000);
	assert_int_equal(l.initrd_addr, 0);
	assert_int_equal(l.initrd_end, 0);
	free(vm);
}

static void test_image_errors(void **state)
{
	struct sysdesc_vm *vm = image_vm(32 * MIB, true);
	uint8_t h[64];

	(void)state;
	make_header(h, 0, 0, 0);
	h[56] = 'X';
	expect_image_error(vm, h, 64, 4096, 4096,
			   "vm 'linux0': kernel: not an arm64 Image (no \"ARM\\x64\" magic at offset 56)");
	make_header(h, 0, 0, 0);
	expect_image_error(vm, h, 10, 10, 4096, "vm 'linux0': kernel: not an arm64 Image (only 10 bytes)");
	/* The header length is capped at the file size. */
	expect_image_error(vm, h, 64, 63, 4096, "vm 'linux0': kernel: not an arm64 Image (only 63 bytes)");
	make_header(h, 0, 0, 1);
	expect_image_error(vm, h, 64, 4096, 4096,
			   "vm 'linux0': kernel: big-endian image (Image header flags bit 0); guests "
			   "run little-endian");

	make_header(h, 0, 30 * MIB, 0);
	expect_image_error(vm, h, 64, 4096, 4096,
			   "vm 'linux0': kernel: image (30 MiB) is larger than the VM's memory allows "
			   "(28 MiB: memory-size less 2 MiB below the kernel and 2 MiB for the "
			   "devicetree)");
	make_header(h, 0, 0, 0);
	expect_image_error(vm, h, 64, 27 * MIB + 512 * 1024 + 1, 4096,
			   "vm 'linux0': kernel: image (27.6 MiB at text_offset 0x80000) is larger "
			   "than the VM's memory allows (27.5 MiB: memory-size less 2 MiB + "
			   "text_offset below the kernel and 2 MiB for the devicetree)");
	make_header(h, 0x80000, 28 * MIB, 0);
	expect_image_error(vm, h, 64, 4096, 4096,
			   "vm 'linux0': kernel: image (28 MiB at text_offset 0x80000) is larger than "
			   "the VM's memory allows (27.5 MiB: memory-size less 2 MiB + text_offset "
			   "below the kernel and 2 MiB for the devicetree)");
	make_header(h, 1ULL << 63, 4096, 0);
	expect_image_error(vm, h, 64, 4096, 4096,
			   "vm 'linux0': kernel: image (4 KiB at text_offset 0x8000000000000000) is "
			   "larger than the VM's memory allows (0 bytes: memory-size less 2 MiB + "
			   "text_offset below the kernel and 2 MiB for the devicetree)");
	make_header(h, 0x1000, UINT64_MAX, 0);
	expect_image_error(vm, h, 64, 4096, 4096,
			   "vm 'linux0': kernel: image (17179869184.0 GiB at text_offset 0x1000) is "
			   "larger than the VM's memory allows (28668 KiB: memory-size less 2 MiB + "
			   "text_offset below the kernel and 2 MiB for the devicetree)");

	make_header(h, 0, 20 * MIB, 0);
	expect_image_error(vm, h, 64, 4096, 0, "vm 'linux0': initrd: the file is empty");
	expect_image_error(vm, h, 64, 4096, 8 * MIB + 1,
			   "vm 'linux0': initrd: 8.1 MiB does not fit between the kernel (ends at "
			   "0x41600000) and the devicetree area (at 0x41e00000): 8 MiB free");
	free(vm);

	/* The smallest RAM has no room at all. */
	vm = image_vm(2 * MIB, false);
	make_header(h, 0, 64, 0);
	expect_image_error(vm, h, 64, 64, 0,
			   "vm 'linux0': kernel: image (64 bytes) is larger than the VM's memory "
			   "allows (0 bytes: memory-size less 2 MiB below the kernel and 2 MiB for the "
			   "devicetree)");
	free(vm);
}

/* The initrd fits exactly, or by one page less, around a kernel with a partial last page. */
static void test_initrd_boundary(void **state)
{
	struct sysdesc_vm *vm = image_vm(32 * MIB, true);
	struct sysdesc_layout l;
	uint8_t h[64];
	char err[SYSDESC_ERR_MAX];

	(void)state;
	make_header(h, 0, 20 * MIB + 1, 0); /* ends 1 byte into a page */
	/* Free: 0x41e00000 - ALIGN_UP(0x41600001) = 8 MiB - 4 KiB. */
	assert_int_equal(sysdesc_check_images(vm, h, 64, 4096, 8 * MIB - 4096, &l, err,
					      sizeof(err)), 0);
	assert_int_equal(l.initrd_addr, 0x41601000);
	assert_int_equal(l.initrd_end, 0x41e00000);
	expect_image_error(vm, h, 64, 4096, 8 * MIB - 4095,
			   "vm 'linux0': initrd: 8.0 MiB does not fit between the kernel (ends at "
			   "0x41600001) and the devicetree area (at 0x41e00000): 8188 KiB free");
	free(vm);
}

static void test_package_fit(void **state)
{
	struct sysdesc *sd = expect_ok(SYS("a { vcpus = <1>; cpus = <0>; kernel = \"k\"; "
					   "memory-size = <0 0x3b000000>; };"), NULL);
	char err[SYSDESC_ERR_MAX];

	(void)state;
	assert_int_equal(sysdesc_check_package(sd, &default_host, 16 * MIB, err, sizeof(err)), 0);
	assert_int_equal(sysdesc_check_package(sd, &default_host, 16 * MIB + 1, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "package: the packed images (16.1 MiB) and the VMs' RAM (944 MiB) "
				 "need more than the 960 MiB the host has for them (--host-ram-mb "
				 "1024 less 64 MiB for the hypervisor)");
	free(sd);
}

static void test_format_size(void **state)
{
	char b[24];

	(void)state;
	assert_string_equal(sysdesc_format_size(b, sizeof(b), 0), "0 bytes");
	assert_string_equal(sysdesc_format_size(b, sizeof(b), 1023), "1023 bytes");
	assert_string_equal(sysdesc_format_size(b, sizeof(b), 1024), "1 KiB");
	assert_string_equal(sysdesc_format_size(b, sizeof(b), 1025), "1.1 KiB");
	assert_string_equal(sysdesc_format_size(b, sizeof(b), 30 * MIB), "30 MiB");
	assert_string_equal(sysdesc_format_size(b, sizeof(b), 30 * MIB + 4096), "30724 KiB");
	assert_string_equal(sysdesc_format_size(b, sizeof(b), 30 * MIB + 1), "30.1 MiB");
	assert_string_equal(sysdesc_format_size(b, sizeof(b), 2 * MIB - 1), "2.0 MiB");
	assert_string_equal(sysdesc_format_size(b, sizeof(b), 1ULL << 30), "1 GiB");
	assert_string_equal(sysdesc_format_size(b, sizeof(b), 27 * MIB + MIB / 2), "27.5 MiB");
	assert_string_equal(sysdesc_format_size(b, sizeof(b), 1536), "1.5 KiB");
	assert_string_equal(sysdesc_format_size(b, sizeof(b), 8188 * 1024), "8188 KiB");
	assert_string_equal(sysdesc_format_size(b, sizeof(b), UINT64_MAX), "17179869184.0 GiB");
}

/* --- The guest devicetree ---------------------------------------------------- */

static const void *getprop(const void *fdt, const char *path, const char *name, int *len)
{
	int node = fdt_path_offset(fdt, path);
	const void *p;

	if (node < 0)
		fail_msg("%s: %s", path, fdt_strerror(node));
	p = fdt_getprop(fdt, node, name, len);
	if (!p)
		fail_msg("%s: no property %s", path, name);
	return p;
}

static void expect_cells(const void *fdt, const char *path, const char *name,
			 const uint32_t *cells, int count)
{
	int len;
	const fdt32_t *p = getprop(fdt, path, name, &len);

	assert_int_equal(len, count * 4);
	for (int i = 0; i < count; i++)
		assert_int_equal(fdt32_to_cpu(p[i]), cells[i]);
}

static void expect_bytes(const void *fdt, const char *path, const char *name, const char *val,
			 int len)
{
	int got;
	const void *p = getprop(fdt, path, name, &got);

	assert_int_equal(got, len);
	assert_memory_equal(p, val, (size_t)len);
}

#define EXPECT_STR(fdt, path, name, lit) expect_bytes(fdt, path, name, lit, sizeof(lit))

static void *build_dt(const char *dts, uint64_t initrd_size, int *size)
{
	struct sysdesc *sd = expect_ok(dts, NULL);
	void *buf = malloc(BWPKG_DTB_MAX);

	*size = guestdt_build(&sd->vms[0], initrd_size, buf, BWPKG_DTB_MAX);
	if (*size < 0)
		fail_msg("guestdt_build: %s", fdt_strerror(*size));
	assert_int_equal(fdt_check_full(buf, (size_t)*size), 0);
	assert_int_equal(fdt_totalsize(buf), (uint32_t)*size);
	free(sd);
	return buf;
}

static void test_guest_dt_linux(void **state)
{
	static const uint32_t root_cells[1] = { 2 };
	static const uint32_t mem_reg[4] = { 0, 0x40000000, 0, 0x10000000 };
	static const uint32_t gic_reg[8] = { 0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0, 0x60000 };
	static const uint32_t timer[12] = { 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4 };
	static const uint32_t uart_reg[4] = { 0, 0x09000000, 0, 0x1000 };
	static const uint32_t uart_irq[3] = { 0, 1, 4 };
	static const uint32_t one[1] = { 1 }, three[1] = { 3 }, zero[1] = { 0 };
	static const uint32_t initrd_start[2] = { 0, 0x4faff000 };
	static const uint32_t initrd_end[2] = { 0, 0x4faff000 + 0x300001 };
	int size, len;
	void *dt = build_dt(SYS("linux0 { vcpus = <3>; cpus = <1 2 3>; memory-size = "
				"<0 0x10000000>; kernel = \"Image\"; initrd = \"i\"; linux; "
				"bootargs = \"console=ttyAMA0\"; };"),
			    0x300001, &size);
	const fdt32_t *p;
	uint32_t gic_phandle, clk_phandle;

	(void)state;
	assert_true(size <= (int)BWPKG_DTB_MAX);
	expect_cells(dt, "/", "#address-cells", root_cells, 1);
	expect_cells(dt, "/", "#size-cells", root_cells, 1);
	EXPECT_STR(dt, "/", "compatible", "linux,dummy-virt");
	EXPECT_STR(dt, "/", "model", "bulwark,vm");

	EXPECT_STR(dt, "/memory@40000000", "device_type", "memory");
	expect_cells(dt, "/memory@40000000", "reg", mem_reg, 4);

	for (int i = 0; i < 3; i++) {
		char path[32];
		uint32_t reg = (uint32_t)i;

		snprintf(path, sizeof(path), "/cpus/cpu@%x", i);
		EXPECT_STR(dt, path, "device_type", "cpu");
		EXPECT_STR(dt, path, "compatible", "arm,armv8");
		EXPECT_STR(dt, path, "enable-method", "psci");
		expect_cells(dt, path, "reg", &reg, 1);
	}
	assert_true(fdt_path_offset(dt, "/cpus/cpu@3") < 0);
	expect_cells(dt, "/cpus", "#address-cells", one, 1);
	expect_cells(dt, "/cpus", "#size-cells", zero, 1);

	EXPECT_STR(dt, "/psci", "compatible", "arm,psci-1.0\0arm,psci-0.2");
	EXPECT_STR(dt, "/psci", "method", "hvc");

	EXPECT_STR(dt, "/intc@8000000", "compatible", "arm,gic-v3");
	expect_cells(dt, "/intc@8000000", "#interrupt-cells", three, 1);
	expect_cells(dt, "/intc@8000000", "reg", gic_reg, 8);
	expect_cells(dt, "/intc@8000000", "#redistributor-regions", one, 1);
	getprop(dt, "/intc@8000000", "interrupt-controller", &len);
	assert_int_equal(len, 0);
	p = getprop(dt, "/intc@8000000", "phandle", &len);
	gic_phandle = fdt32_to_cpu(*p);
	expect_cells(dt, "/", "interrupt-parent", &gic_phandle, 1);

	EXPECT_STR(dt, "/timer", "compatible", "arm,armv8-timer");
	expect_cells(dt, "/timer", "interrupts", timer, 12);
	getprop(dt, "/timer", "always-on", &len);
	assert_int_equal(len, 0);

	EXPECT_STR(dt, "/pl011@9000000", "compatible", "arm,pl011\0arm,primecell");
	expect_cells(dt, "/pl011@9000000", "reg", uart_reg, 4);
	expect_cells(dt, "/pl011@9000000", "interrupts", uart_irq, 3);
	EXPECT_STR(dt, "/pl011@9000000", "clock-names", "uartclk\0apb_pclk");
	p = getprop(dt, "/apb-pclk", "phandle", &len);
	clk_phandle = fdt32_to_cpu(*p);
	assert_int_not_equal(clk_phandle, gic_phandle);
	{
		const uint32_t clocks[2] = { clk_phandle, clk_phandle };
		const uint32_t freq[1] = { 24000000 };

		expect_cells(dt, "/pl011@9000000", "clocks", clocks, 2);
		expect_cells(dt, "/apb-pclk", "clock-frequency", freq, 1);
		expect_cells(dt, "/apb-pclk", "#clock-cells", zero, 1);
		EXPECT_STR(dt, "/apb-pclk", "compatible", "fixed-clock");
	}

	EXPECT_STR(dt, "/chosen", "stdout-path", "/pl011@9000000");
	EXPECT_STR(dt, "/chosen", "bootargs", "console=ttyAMA0");
	expect_cells(dt, "/chosen", "linux,initrd-start", initrd_start, 2);
	expect_cells(dt, "/chosen", "linux,initrd-end", initrd_end, 2);
	free(dt);
}

static void test_guest_dt_bare(void **state)
{
	static const uint32_t gic_reg[8] = { 0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0, 0x20000 };
	static const uint32_t mem_reg[4] = { 0x1, 0x0, 0, 0x800000 };
	int size, chosen;
	void *dt = build_dt(ONE("memory-base = <1 0>; "
				"device@c000000 { reg = <0 0xc000000 0 0x1000>; interrupts = <40>; };"),
			    0, &size);

	(void)state;
	expect_cells(dt, "/intc@8000000", "reg", gic_reg, 8);
	expect_cells(dt, "/memory@100000000", "reg", mem_reg, 4);
	chosen = fdt_path_offset(dt, "/chosen");
	assert_true(chosen >= 0);
	assert_null(fdt_getprop(dt, chosen, "bootargs", NULL));
	assert_null(fdt_getprop(dt, chosen, "linux,initrd-start", NULL));
	assert_null(fdt_getprop(dt, chosen, "linux,initrd-end", NULL));
	/* Passed-through devices are not described to the guest (yet). */
	assert_true(fdt_path_offset(dt, "/device@c000000") < 0);
	free(dt);
}

/* dtc reads the generated blob back without a warning. */
static void test_guest_dt_dtc_clean(void **state)
{
	char path[] = "/tmp/bulwark-guestdt-XXXXXX";
	char cmd[256];
	int size, fd;
	void *dt = build_dt(SYS("l { vcpus = <2>; cpus = <1 2>; memory-size = <0 0x10000000>; "
				"kernel = \"k\"; initrd = \"i\"; linux; bootargs = \"quiet\"; };"),
			    4096, &size);

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, dt, (size_t)size), size);
	close(fd);
	snprintf(cmd, sizeof(cmd), "dtc -I dtb -O dts -o /dev/null %s 2>&1 | grep -q . && exit 1; "
		 "exit 0", path);
	assert_int_equal(system(cmd), 0);
	unlink(path);
	free(dt);
}

static void test_guest_dt_no_space(void **state)
{
	struct sysdesc *sd = expect_ok(ONE(""), NULL);
	uint8_t buf[256];

	(void)state;
	assert_int_equal(guestdt_build(&sd->vms[0], 0, buf, sizeof(buf)), -FDT_ERR_NOSPACE);
	free(sd);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_not_a_blob),
		cmocka_unit_test(test_size_mismatch),
		cmocka_unit_test(test_old_version_libfdt_crash),
		cmocka_unit_test(test_duplicates_in_blob),
		cmocka_unit_test(test_unprintable_names),
		cmocka_unit_test(test_long_strings),
		cmocka_unit_test(test_bad_host),
		cmocka_unit_test(test_small_err_buffer),
		cmocka_unit_test(test_sample_minimal),
		cmocka_unit_test(test_sample_full),
		cmocka_unit_test(test_sample_max),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_mitigations),
		cmocka_unit_test(test_truncations_and_flips),
		cmocka_unit_test(test_image_placement),
		cmocka_unit_test(test_image_errors),
		cmocka_unit_test(test_initrd_boundary),
		cmocka_unit_test(test_package_fit),
		cmocka_unit_test(test_format_size),
		cmocka_unit_test(test_guest_dt_linux),
		cmocka_unit_test(test_guest_dt_bare),
		cmocka_unit_test(test_guest_dt_dtc_clean),
		cmocka_unit_test(test_guest_dt_no_space),
	};
	const size_t n_err = ARRAY_SIZE(err_cases), n_fixed = ARRAY_SIZE(fixed);
	struct CMUnitTest *tests = calloc(n_err + n_fixed, sizeof(*tests));
	int failed;

	for (size_t i = 0; i < n_err; i++) {
		tests[i].name = err_cases[i].name;
		tests[i].test_func = run_err_case;
		tests[i].initial_state = (void *)&err_cases[i];
	}
	memcpy(tests + n_err, fixed, sizeof(fixed));
	failed = _cmocka_run_group_tests("sysdesc", tests, n_err + n_fixed, NULL, NULL);
	free(tests);
	return failed;
}
