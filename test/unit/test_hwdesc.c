/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hardware discovery from the host devicetree, on QEMU's own virt DTB and on
 * variants of it, each broken in one place: every rejection must name the
 * node and property at fault.
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

#include <bulwark/hwdesc.h>

#define BASE_DTS "test/unit/data/qemu-virt-gicv3.dts"

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/* Returns the DTS text with the first `from` replaced by `to` (must exist). */
static char *replace(char *text, const char *from, const char *to)
{
	char *at = strstr(text, from);
	char *out;

	assert_non_null(at);
	out = malloc(strlen(text) - strlen(from) + strlen(to) + 1);
	memcpy(out, text, (size_t)(at - text));
	strcpy(out + (at - text), to);
	strcat(out, at + strlen(from));
	free(text);
	return out;
}

/* Compiles DTS text with dtc into a malloc'ed, 8-aligned blob. */
static void *compile(const char *dts, size_t *len)
{
	char src[] = "/tmp/bulwark-hwdesc-XXXXXX";
	char cmd[256];
	int fd = mkstemp(src);
	char dtb[64];
	void *blob;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, dts, strlen(dts)), (ssize_t)strlen(dts));
	close(fd);
	snprintf(dtb, sizeof(dtb), "%s.dtb", src);
	snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb -o %s %s", dtb, src);
	assert_int_equal(system(cmd), 0);
	char *raw = read_file(dtb, len);

	blob = aligned_alloc(8, (*len + 7) & ~(size_t)7);
	memcpy(blob, raw, *len);
	free(raw);
	unlink(src);
	unlink(dtb);
	return blob;
}

static int parse_text(char *dts, struct hw_desc *hw, const char **why)
{
	size_t len;
	void *blob = compile(dts, &len);
	int r = hwdesc_parse(hw, blob, len, why);

	free(blob);
	free(dts);
	return r;
}

static void expect_reject(const char *from, const char *to, const char *msg)
{
	struct hw_desc hw;
	const char *why = NULL;
	char *dts = replace(read_file(BASE_DTS, NULL), from, to);

	assert_int_equal(parse_text(dts, &hw, &why), -1);
	assert_non_null(why);
	if (!strstr(why, msg))
		fail_msg("expected '%s' in '%s'", msg, why);
}

static void test_qemu_virt(void **state)
{
	struct hw_desc hw;
	const char *why = NULL;

	(void)state;
	assert_int_equal(parse_text(read_file(BASE_DTS, NULL), &hw, &why), 0);
	assert_string_equal(hw.model, "linux,dummy-virt");
	assert_int_equal(hw.mem_count, 1);
	assert_int_equal(hw.mem[0].base, 0x40000000);
	assert_int_equal(hw.mem[0].size, 0x80000000);
	assert_int_equal(hw.cpu_count, 4);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(hw.cpu_hwid[i], i);
	assert_int_equal(hw.gic.dist.base, 0x8000000);
	assert_int_equal(hw.gic.dist.size, 0x10000);
	assert_int_equal(hw.gic.redist_count, 1);
	assert_int_equal(hw.gic.redist[0].base, 0x80a0000);
	assert_int_equal(hw.gic.redist[0].size, 0xf60000);
	assert_int_equal(hw.gic.maint_intid, 25);
	assert_int_equal(hw.uart.regs.base, 0x9000000);
	assert_int_equal(hw.uart.regs.size, 0x1000);
	assert_int_equal(hw.uart.intid, 33);
	assert_int_equal(hw.timer.sec_phys_intid, 29);
	assert_int_equal(hw.timer.phys_intid, 30);
	assert_int_equal(hw.timer.virt_intid, 27);
	assert_int_equal(hw.timer.hyp_phys_intid, 26);
	assert_int_equal(hw.psci, HW_PSCI_SMC);
	assert_int_equal(hw.rsv_count, 0);
	assert_string_equal(hw.bootargs, "");
}

static void test_bootargs_and_memreserve(void **state)
{
	struct hw_desc hw;
	const char *why = NULL;
	char *dts = read_file(BASE_DTS, NULL);
	char v[8];

	(void)state;
	dts = replace(dts, "/dts-v1/;", "/dts-v1/;\n/memreserve/ 0x50000000 0x1000;");
	dts = replace(dts, "stdout-path", "bootargs = \"a=1 bulwark.selftestX=no "
					  "bulwark.selftest=write-rodata quiet\";\n\t\tstdout-path");
	assert_int_equal(parse_text(dts, &hw, &why), 0);
	assert_int_equal(hw.rsv_count, 1);
	assert_int_equal(hw.rsv[0].base, 0x50000000);
	assert_int_equal(hw.rsv[0].size, 0x1000);
	assert_true(hwdesc_bootarg(&hw, "bulwark.selftest", v, sizeof(v)));
	assert_string_equal(v, "write-r"); /* truncated to the buffer */
	assert_true(hwdesc_bootarg(&hw, "quiet", v, sizeof(v)));
	assert_string_equal(v, "");
	assert_true(hwdesc_bootarg(&hw, "a", v, sizeof(v)));
	assert_string_equal(v, "1");
	assert_false(hwdesc_bootarg(&hw, "bulwark", v, sizeof(v)));
	assert_false(hwdesc_bootarg(&hw, "qui", v, sizeof(v)));
}

static void test_stdout_alias(void **state)
{
	struct hw_desc hw;
	const char *why = NULL;
	char *dts = read_file(BASE_DTS, NULL);

	(void)state;
	dts = replace(dts, "stdout-path = \"/pl011@9000000\";",
		      "stdout-path = \"serial0:115200n8\";\n\t};\n\taliases {\n"
		      "\t\tserial0 = \"/pl011@9000000\";");
	assert_int_equal(parse_text(dts, &hw, &why), 0);
	assert_int_equal(hw.uart.regs.base, 0x9000000);
}

static void test_rejects_gicv2(void **state)
{
	struct hw_desc hw;
	const char *why = NULL;

	(void)state;
	assert_int_equal(parse_text(read_file("test/unit/data/qemu-virt-gicv2.dts", NULL), &hw, &why),
			 -1);
	assert_non_null(strstr(why, "GICv2 found"));
}

static void test_rejects_hvc_psci(void **state)
{
	(void)state;
	expect_reject("method = \"smc\"", "method = \"hvc\"", "psci: method is \"hvc\"");
}

static void test_rejects_no_psci(void **state)
{
	(void)state;
	expect_reject("\"arm,psci-1.0\\0arm,psci-0.2\\0arm,psci\"", "\"arm,psci\"", "psci: no node");
}

static void test_rejects_no_memory(void **state)
{
	(void)state;
	expect_reject("device_type = \"memory\"", "device_type = \"nomem\"", "/memory: no node");
}

static void test_rejects_wrapping_memory(void **state)
{
	(void)state;
	expect_reject("reg = <0x00 0x40000000 0x00 0x80000000>",
		      "reg = <0xffffffff 0x40000000 0x00 0xc0000000>", "/memory: malformed reg");
}

static void test_rejects_duplicate_cpu(void **state)
{
	(void)state;
	expect_reject("reg = <0x01>;", "reg = <0x00>;", "two CPUs with the same reg");
}

static void test_rejects_bad_mpidr(void **state)
{
	(void)state;
	expect_reject("reg = <0x01>;", "reg = <0x80000001>;", "outside the MPIDR affinity");
}

static void test_rejects_no_cpus(void **state)
{
	(void)state;
	expect_reject("\tcpus {", "\tnocpus {", "/cpus: node missing");
}

static void test_rejects_short_timer(void **state)
{
	(void)state;
	expect_reject("<0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04 0x01 0x0a 0x04>",
		      "<0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04>", "timer: interrupts must list 4");
}

static void test_rejects_bad_timer_irq(void **state)
{
	(void)state;
	expect_reject("<0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04 0x01 0x0a 0x04>",
		      "<0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x1b 0x04 0x01 0x0a 0x04>",
		      "timer: interrupts has a malformed specifier");
}

static void test_rejects_no_uart(void **state)
{
	(void)state;
	expect_reject("\"arm,pl011\\0arm,primecell\"", "\"arm,primecell\"", "serial: no node");
}

static void test_rejects_small_uart(void **state)
{
	(void)state;
	expect_reject("reg = <0x00 0x9000000 0x00 0x1000>", "reg = <0x00 0x9000000 0x00 0x100>",
		      "serial (pl011): reg missing or smaller");
}

static void test_rejects_missing_redist(void **state)
{
	(void)state;
	expect_reject("reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0xf60000>",
		      "reg = <0x00 0x8000000 0x00 0x10000>", "redistributor region");
}

static void test_rejects_bad_interrupt_cells(void **state)
{
	(void)state;
	expect_reject("#interrupt-cells = <0x03>;", "#interrupt-cells = <0x02>;",
		      "#interrupt-cells must be 3");
}

static void test_rejects_garbage(void **state)
{
	struct hw_desc hw;
	const char *why = NULL;
	uint64_t junk[16] = { 0 };

	(void)state;
	assert_int_equal(hwdesc_parse(&hw, junk, sizeof(junk), &why), -1);
	assert_non_null(why);
	assert_int_equal(hw.uart.regs.base, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_virt),
		cmocka_unit_test(test_bootargs_and_memreserve),
		cmocka_unit_test(test_stdout_alias),
		cmocka_unit_test(test_rejects_gicv2),
		cmocka_unit_test(test_rejects_hvc_psci),
		cmocka_unit_test(test_rejects_no_psci),
		cmocka_unit_test(test_rejects_no_memory),
		cmocka_unit_test(test_rejects_wrapping_memory),
		cmocka_unit_test(test_rejects_duplicate_cpu),
		cmocka_unit_test(test_rejects_bad_mpidr),
		cmocka_unit_test(test_rejects_no_cpus),
		cmocka_unit_test(test_rejects_short_timer),
		cmocka_unit_test(test_rejects_bad_timer_irq),
		cmocka_unit_test(test_rejects_no_uart),
		cmocka_unit_test(test_rejects_small_uart),
		cmocka_unit_test(test_rejects_missing_redist),
		cmocka_unit_test(test_rejects_bad_interrupt_cells),
		cmocka_unit_test(test_rejects_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
