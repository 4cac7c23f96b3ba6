/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host unit tests of bwctl (cmocka, ASan, UBSan): its parsers and
 * formatters, then every command run whole against the fake hypervisor of
 * fake_transport.c, checking the exact output, error message, exit status
 * and the requests it sent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bwctl.h"
#include "fake_transport.h"

/* --- Running bwctl ------------------------------------------------------- */

struct run {
	int rc;
	char *out, *err;
};

static struct run last;

static void run_free(void)
{
	free(last.out);
	free(last.err);
	memset(&last, 0, sizeof(last));
}

/* Runs `bwctl ARGS...` (a NULL-terminated list) against the fake. */
static int bwctl(const char *first, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	size_t olen, elen;
	FILE *out, *err;

	run_free();
	argv[argc++] = (char *)"bwctl";
	va_start(ap, first);
	for (const char *a = first; a != NULL; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	out = open_memstream(&last.out, &olen);
	err = open_memstream(&last.err, &elen);
	assert_non_null(out);
	assert_non_null(err);
	last.rc = bwctl_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
	return last.rc;
}

#define assert_out(s) assert_string_equal(last.out, (s))
#define assert_err(s) assert_string_equal(last.err, (s))
#define assert_out_has(s) assert_non_null(strstr(last.out, (s)))
#define assert_err_has(s) assert_non_null(strstr(last.err, (s)))

static int setup(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	run_free();
	fake_reset();
	return 0;
}

/* A temporary file with @len bytes; an arm64 Image header when @image. */
static char *temp_file(size_t len, bool image, unsigned char first)
{
	static char path[64];
	unsigned char *data = calloc(1, len ? len : 1);
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_bwctl_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	for (size_t i = 0; i < len; i++)
		data[i] = (unsigned char)(i * 7 + 1);
	if (len > 0)
		data[0] = first;
	if (image && len >= 64)
		memcpy(data + 56, "ARM\x64", 4);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	free(data);
	return path;
}

/* --- Parsers and formatters ---------------------------------------------- */

static void test_parse_size(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(bwctl_parse_size("8M", &v), 0);
	assert_int_equal(v, 8u << 20);
	assert_int_equal(bwctl_parse_size("256m", &v), 0);
	assert_int_equal(v, 256u << 20);
	assert_int_equal(bwctl_parse_size("1G", &v), 0);
	assert_int_equal(v, 1u << 30);
	assert_int_equal(bwctl_parse_size("2GiB", &v), 0);
	assert_int_equal(v, 2ull << 30);
	assert_int_equal(bwctl_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(bwctl_parse_size("0x800000", &v), 0);
	assert_int_equal(v, 0x800000);
	assert_int_equal(bwctl_parse_size("1K", &v), 0);
	assert_int_equal(v, 1024);
	assert_int_equal(bwctl_parse_size("", &v), -1);
	assert_int_equal(bwctl_parse_size("M", &v), -1);
	assert_int_equal(bwctl_parse_size("8Q", &v), -1);
	assert_int_equal(bwctl_parse_size("8MB", &v), -1);
	assert_int_equal(bwctl_parse_size("8 M", &v), -1);
	assert_int_equal(bwctl_parse_size("-8M", &v), -1);
	assert_int_equal(bwctl_parse_size("16777216T", &v), -1); /* 2^64: overflow */
	assert_int_equal(bwctl_parse_size("99999999999999999999", &v), -1);
	assert_int_equal(bwctl_parse_u64("0x", &v), -1);
	assert_int_equal(bwctl_parse_u64("12x", &v), -1);
	assert_int_equal(bwctl_parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
}

static void test_parse_cpus(void **state)
{
	uint64_t m;
	char why[128];

	(void)state;
	assert_int_equal(bwctl_parse_cpus("3", &m, why, sizeof(why)), 0);
	assert_int_equal(m, 0x8);
	assert_int_equal(bwctl_parse_cpus("1-2,4", &m, why, sizeof(why)), 0);
	assert_int_equal(m, 0x16);
	assert_int_equal(bwctl_parse_cpus("0-63", &m, why, sizeof(why)), 0);
	assert_true(m == UINT64_MAX);
	assert_int_equal(bwctl_parse_cpus("", &m, why, sizeof(why)), -1);
	assert_string_equal(why, "empty CPU list");
	assert_int_equal(bwctl_parse_cpus("1,1", &m, why, sizeof(why)), -1);
	assert_string_equal(why, "CPU 1 is listed twice");
	assert_int_equal(bwctl_parse_cpus("3-1", &m, why, sizeof(why)), -1);
	assert_string_equal(why, "range 3-1 goes backwards");
	assert_int_equal(bwctl_parse_cpus("64", &m, why, sizeof(why)), -1);
	assert_string_equal(why, "CPU 64 does not exist (CPUs are 0 to 63)");
	assert_int_equal(bwctl_parse_cpus("1;2", &m, why, sizeof(why)), -1);
	assert_string_equal(why, "unexpected ';' (a list looks like 1-2,4)");
	assert_int_equal(bwctl_parse_cpus("1,", &m, why, sizeof(why)), -1);
	assert_string_equal(why, "expected a CPU number at ''");
	assert_int_equal(bwctl_parse_cpus("a", &m, why, sizeof(why)), -1);
	assert_string_equal(why, "expected a CPU number at 'a'");
}

static void test_format(void **state)
{
	char buf[64];

	(void)state;
	bwctl_format_cpus(0x16, buf, sizeof(buf));
	assert_string_equal(buf, "1-2,4");
	bwctl_format_cpus(0, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	bwctl_format_cpus(0x8000000000000001ull, buf, sizeof(buf));
	assert_string_equal(buf, "0,63");
	bwctl_format_cpus(UINT64_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "0-63");
	bwctl_format_cpus(0x5555, buf, 8); /* truncated, still terminated */
	assert_string_equal(buf, "0,2,4,6");
	bwctl_format_size(256u << 20, buf, sizeof(buf));
	assert_string_equal(buf, "256 MiB");
	bwctl_format_size(1u << 30, buf, sizeof(buf));
	assert_string_equal(buf, "1 GiB");
	bwctl_format_size(1536, buf, sizeof(buf));
	assert_string_equal(buf, "1536 B");
	bwctl_format_size(0, buf, sizeof(buf));
	assert_string_equal(buf, "0 B");
	assert_string_equal(bwctl_state_name(BWM_VM_PAUSED), "paused");
	assert_string_equal(bwctl_state_name(99), "unknown");
	assert_string_equal(bwctl_status_name(-BWM_EEXIST), "EEXIST");
	assert_null(bwctl_status_name(-11));
	assert_null(bwctl_status_name(1));
}

static void test_unescape_and_names(void **state)
{
	char out[64], why[128];
	size_t len;

	(void)state;
	assert_int_equal(bwctl_unescape("ls\\n", out, &len, why, sizeof(why)), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(out, "ls\n", 3);
	assert_int_equal(bwctl_unescape("a\\x41\\t\\\\\\r\\e", out, &len, why, sizeof(why)), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(out, "aA\t\\\r\033", 6);
	assert_int_equal(bwctl_unescape("\\x4", out, &len, why, sizeof(why)), -1);
	assert_string_equal(why, "\\x needs two hex digits");
	assert_int_equal(bwctl_unescape("\\q", out, &len, why, sizeof(why)), -1);
	assert_string_equal(why, "unknown escape '\\q' (known: \\n \\r \\t \\e \\\\ \\xHH)");
	assert_int_equal(bwctl_unescape("x\\", out, &len, why, sizeof(why)), -1);
	assert_string_equal(why, "a lone '\\' at the end");
	assert_true(bwctl_name_valid("demo2"));
	assert_true(bwctl_name_valid("a_b-c"));
	assert_false(bwctl_name_valid(""));
	assert_false(bwctl_name_valid("Demo"));
	assert_false(bwctl_name_valid("a b"));
	assert_false(bwctl_name_valid("0123456789012345678901234567890123"));
	assert_true(bwctl_name_valid("0123456789012345678901234567890")); /* 31 */
}

static void test_json_str(void **state)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	bwctl_json_str(f, "a\"b\\c\nd\x01\xff", 100);
	bwctl_json_str(f, "abcdef", 3);
	fclose(f);
	assert_string_equal(buf, "\"a\\\"b\\\\c\\nd\\u0001\\u00ff\"\"abc\"");
	free(buf);
}

/* --- Command line -------------------------------------------------------- */

static void test_help(void **state)
{
	static const char *const cmds[] = { "list", "info", "stats", "start", "stop", "reset",
					    "pause", "resume", "destroy", "console", "create",
					    "posture", "raw" };
	(void)state;
	assert_int_equal(bwctl("--help", NULL), 0);
	assert_out_has("usage: bwctl [--json] COMMAND [ARGS]");
	assert_out_has("  9  timeout\n");
	assert_out_has("  3  permission: no `control` capability");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char want[64];

		assert_int_equal(bwctl(cmds[i], "--help", NULL), 0);
		snprintf(want, sizeof(want), "usage: bwctl %s", cmds[i]);
		assert_true(strncmp(last.out, want, strlen(want)) == 0);
		assert_non_null(strstr(last.out, "\n\n")); /* a summary follows */
		assert_int_equal(bwctl("help", cmds[i], NULL), 0);
		assert_true(strncmp(last.out, want, strlen(want)) == 0);
	}
	assert_int_equal(bwctl("create", "--help", NULL), 0);
	assert_out_has("--memory SIZE");
	assert_out_has("--no-start");
	/* --help was not a request to the hypervisor. */
	assert_int_equal(fake.call_count, 0);
	assert_int_equal(bwctl("--version", NULL), 0);
	assert_out("bwctl, Bulwark management API 1.1\n");
}

static void test_usage_errors(void **state)
{
	(void)state;
	assert_int_equal(bwctl(NULL), BWCTL_EXIT_USAGE);
	assert_err("bwctl: missing command (see 'bwctl --help')\n");
	assert_int_equal(bwctl("frobnicate", NULL), BWCTL_EXIT_USAGE);
	assert_err("bwctl: unknown command 'frobnicate' (see 'bwctl --help')\n");
	assert_int_equal(bwctl("--bogus", "list", NULL), BWCTL_EXIT_USAGE);
	assert_err("bwctl: unknown option '--bogus' (see 'bwctl --help')\n");
	assert_int_equal(bwctl("stop", NULL), BWCTL_EXIT_USAGE);
	assert_err("bwctl: stop: missing VM (see 'bwctl stop --help')\n");
	assert_int_equal(bwctl("create", "--kernel", "x", NULL), BWCTL_EXIT_USAGE);
	assert_err("bwctl: create: missing NAME (see 'bwctl create --help')\n");
	assert_int_equal(bwctl("stop", "ticker", "--bogus", NULL), BWCTL_EXIT_USAGE);
	assert_err("bwctl: stop: unknown option '--bogus' (see 'bwctl stop --help')\n");
	assert_int_equal(bwctl("stop", "ticker", "extra", NULL), BWCTL_EXIT_USAGE);
	assert_err("bwctl: stop: unexpected argument 'extra' (see 'bwctl stop --help')\n");
	assert_int_equal(bwctl("stop", "ticker", "--timeout", NULL), BWCTL_EXIT_USAGE);
	assert_err("bwctl: stop: --timeout needs a value\n");
	assert_int_equal(bwctl("stop", "ticker", "--timeout", "soon", NULL), BWCTL_EXIT_USAGE);
	assert_err("bwctl: stop: --timeout: 'soon' is not a number of seconds from 0 to 86400\n");
	assert_int_equal(bwctl("stop", "ticker", "--force", "--force", NULL), BWCTL_EXIT_USAGE);
	assert_err("bwctl: stop: --force given twice\n");
	assert_int_equal(bwctl("stop", "ticker", "--force=yes", NULL), BWCTL_EXIT_USAGE);
	assert_err("bwctl: stop: --force takes no value\n");
	assert_int_equal(bwctl("list", "extra", NULL), BWCTL_EXIT_USAGE);
	assert_int_equal(bwctl("create", "x", "--memory", "8M", "--cpus", "3", NULL), BWCTL_EXIT_USAGE);
	assert_err("bwctl: create: missing --kernel FILE (see 'bwctl create --help')\n");
	assert_int_equal(bwctl("console", "ticker", "--send", "a\\q", NULL), BWCTL_EXIT_USAGE);
	assert_err("bwctl: console: --send: unknown escape '\\q' (known: \\n \\r \\t \\e \\\\ \\xHH)\n");
	assert_int_equal(bwctl("console", "ticker", "--timeout", "3", NULL), BWCTL_EXIT_USAGE);
	assert_err("bwctl: console: --timeout needs --follow or --until\n");
	/* None of these reached the hypervisor. */
	assert_int_equal(fake.call_count, 0);
}

/* --- Commands against the fake ------------------------------------------ */

static void test_list(void **state)
{
	(void)state;
	assert_int_equal(bwctl("list", NULL), 0);
	assert_out("ID  NAME    STATE    VCPUS  CPUS  MEMORY   BASE        BOOTS  FLAGS    LAST STOP\n"
		   "0   ctl     running  2      1-2   256 MiB  0x40000000  1      control  -\n"
		   "1   ticker  running  1      3     8 MiB    0x40000000  1      -        -\n");
	assert_err("");
	assert_int_equal(bwctl("--json", "list", NULL), 0);
	assert_out("{\"vms\": [\n"
		   "  {\"id\": 0, \"name\": \"ctl\", \"state\": \"running\", \"vcpus\": 2, \"cpus\": \"1-2\", "
		   "\"cpu_mask\": 6, \"mem_base\": 1073741824, \"mem_size\": 268435456, \"boots\": 1, "
		   "\"control\": true, \"runtime\": false, \"stop_reason\": \"\"},\n"
		   "  {\"id\": 1, \"name\": \"ticker\", \"state\": \"running\", \"vcpus\": 1, \"cpus\": \"3\", "
		   "\"cpu_mask\": 8, \"mem_base\": 1073741824, \"mem_size\": 8388608, \"boots\": 1, "
		   "\"control\": false, \"runtime\": false, \"stop_reason\": \"\"}\n"
		   "]}\n");
	/* --json after the command works the same. */
	assert_int_equal(bwctl("list", "--json", NULL), 0);
	assert_out_has("{\"vms\": [\n");
}

static void test_info(void **state)
{
	(void)state;
	assert_int_equal(bwctl("info", NULL), 0);
	assert_out("hypervisor  Bulwark 0.1.0\n"
		   "build       fake build\n"
		   "API         1.1 (bwctl speaks 1.1)\n"
		   "CPUs        4 online (0-3), free: -\n"
		   "VMs         2 of 4 slots used\n"
		   "memory      1 GiB for VMs, 760 MiB free (796917760 bytes)\n"
		   "page tables 492 KiB free in the hypervisor's pool (503808 bytes)\n"
		   "this VM     0 'ctl'\n");
	assert_int_equal(bwctl("info", "--json", NULL), 0);
	assert_out_has("\n  \"mem_free\": 796917760,\n  \"table_mem_free\": 503808,\n");
	assert_out_has("\n  \"cpus_free\": \"-\",\n");
	assert_out_has("\n  \"self_name\": \"ctl\"\n}\n");
}

static void test_resolve(void **state)
{
	(void)state;
	assert_int_equal(bwctl("pause", "ticker", NULL), 0);
	assert_out("'ticker': paused\n");
	assert_int_equal(fake.vm[1].info.state, BWM_VM_PAUSED);
	assert_int_equal(bwctl("resume", "1", NULL), 0);
	assert_out("'ticker': resumed\n");
	assert_int_equal(fake.vm[1].info.state, BWM_VM_RUNNING);
	assert_int_equal(bwctl("pause", "nosuch", NULL), BWCTL_EXIT_NOVM);
	assert_err("bwctl: pause: no VM named 'nosuch' (VMs: ctl, ticker)\n");
	/* An unknown id goes to the hypervisor, which answers ENOENT. */
	assert_int_equal(bwctl("pause", "42", NULL), BWCTL_EXIT_NOVM);
	assert_err("bwctl: pause: no VM with id 42 (ENOENT)\n");
	assert_int_equal(fake.calls[fake.call_count - 1].req.vm, 42);
	assert_int_equal(bwctl("--json", "pause", "ticker", NULL), 0);
	assert_out("{\"id\": 1, \"name\": \"ticker\", \"result\": \"paused\"}\n");
}

static void test_states(void **state)
{
	(void)state;
	fake.vm[1].info.state = BWM_VM_STOPPED;
	assert_int_equal(bwctl("pause", "ticker", NULL), BWCTL_EXIT_STATE);
	assert_err("bwctl: pause: cannot pause 'ticker': it is stopped (ESTATE)\n");
	assert_int_equal(bwctl("resume", "ticker", NULL), BWCTL_EXIT_STATE);
	assert_int_equal(bwctl("stop", "ticker", NULL), BWCTL_EXIT_STATE);
	assert_err("bwctl: stop: cannot stop 'ticker': it is stopped (ESTATE)\n");
	assert_int_equal(bwctl("start", "ticker", NULL), 0);
	assert_out("'ticker': started\n");
	assert_int_equal(fake.vm[1].info.boots, 2);
	assert_int_equal(bwctl("reset", "ticker", NULL), 0);
	assert_out("'ticker': reset\n");
	assert_int_equal(fake.vm[1].info.boots, 3);
	/* A VM may not act on itself. */
	assert_int_equal(bwctl("stop", "ctl", "--force", NULL), BWCTL_EXIT_PERM);
	assert_err("bwctl: stop: refused: a VM may not stop itself (ESELF)\n");
	assert_int_equal(bwctl("destroy", "ctl", NULL), BWCTL_EXIT_PERM);
	assert_err("bwctl: destroy: refused: a VM may not destroy itself (ESELF)\n");
	assert_int_equal(fake.vm[0].info.state, BWM_VM_RUNNING);
}

static void test_stop(void **state)
{
	size_t before;

	(void)state;
	/* Graceful: the VM powers itself off after two looks. */
	assert_int_equal(bwctl("stop", "ticker", NULL), 0);
	assert_out("'ticker': stopped\n");
	assert_int_equal(fake_calls_of(BWM_OP_STOP), 1);
	for (size_t i = 0; i < fake.call_count; i++)
		if (fake.calls[i].req.op == BWM_OP_STOP)
			assert_int_equal(fake.calls[i].req.arg[0], 0);
	/* A VM that ignores the request is stopped by force after --timeout. */
	fake_reset();
	fake.vm[1].stop_after_polls = -1;
	before = fake.now_ms;
	assert_int_equal(bwctl("stop", "ticker", "--timeout", "2", NULL), 0);
	assert_out("'ticker': stopped (forced after 2 s)\n");
	assert_true(fake.now_ms - before >= 2000 && fake.now_ms - before < 2500);
	assert_int_equal(fake_calls_of(BWM_OP_STOP), 2);
	assert_int_equal(fake.calls[fake.call_count - 2].req.arg[0], BWM_STOP_FORCE);
	assert_int_equal(fake.vm[1].info.state, BWM_VM_STOPPED);
	/* The default timeout is 10 s. */
	fake_reset();
	fake.vm[1].stop_after_polls = -1;
	before = fake.now_ms;
	assert_int_equal(bwctl("--json", "stop", "ticker", NULL), 0);
	assert_out("{\"id\": 1, \"name\": \"ticker\", \"result\": \"stopped\", \"forced\": true}\n");
	assert_true(fake.now_ms - before >= 10000 && fake.now_ms - before < 10500);
	/* --force: one forced request, no wait. */
	fake_reset();
	assert_int_equal(bwctl("stop", "ticker", "--force", NULL), 0);
	assert_out("'ticker': stopped\n");
	assert_int_equal(fake_calls_of(BWM_OP_STOP), 1);
	assert_int_equal(fake.calls[1].req.arg[0], BWM_STOP_FORCE);
	assert_int_equal(bwctl("stop", "ticker", "--force", "--timeout", "3", NULL), BWCTL_EXIT_USAGE);
}

static void test_no_control(void **state)
{
	static const char *const lines[][4] = {
		{ "list" }, { "info" }, { "posture" }, { "stats", "ticker" }, { "stats", "1" },
		{ "start", "1" }, { "stop", "1" }, { "stop", "1", "--force" }, { "reset", "1" },
		{ "pause", "1" }, { "resume", "1" }, { "destroy", "1" }, { "console", "1" },
		{ "console", "1", "--send", "x" },
	};

	(void)state;
	fake.control = false;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		assert_int_equal(bwctl(lines[i][0], lines[i][1], lines[i][2], lines[i][3], NULL),
				 BWCTL_EXIT_PERM);
		assert_err_has("permission denied: this VM (id 0) does not have the `control` "
			       "capability (EPERM)\n");
		assert_out("");
	}
	/* A numeric id skips the refused LIST: the operation itself is refused. */
	assert_int_equal(fake.calls[fake.call_count - 1].req.op, BWM_OP_CONSOLE_READ);
	assert_int_equal(bwctl("raw", "stop", "--vm", "1", NULL), BWCTL_EXIT_PERM);
	assert_out("status -1 (EPERM), size 0, count 0, val 0x0 0x0 0x0 0x0 0x0 0x0\n");
	assert_int_equal(fake.vm[1].info.state, BWM_VM_RUNNING);
	{
		char *k = temp_file(4096, true, 0);
		assert_int_equal(bwctl("create", "x", "--kernel", k, "--memory", "8M", "--cpus", "3", NULL),
				 BWCTL_EXIT_PERM);
		unlink(k);
	}
}

static void test_transport_errors(void **state)
{
	(void)state;
	fake.open_error = BWT_ENODEV;
	assert_int_equal(bwctl("list", NULL), BWCTL_EXIT_TRANSPORT);
	assert_err("bwctl: list: cannot open /dev/mem: No such file or directory (fake)\n");
	fake.open_error = BWT_EACCES;
	assert_int_equal(bwctl("list", NULL), BWCTL_EXIT_PERM);
	fake.open_error = 0;
	fake.version = 2 << 16;
	assert_int_equal(bwctl("info", NULL), BWCTL_EXIT_TRANSPORT);
	assert_err("bwctl: info: the hypervisor speaks management API 2.0, bwctl speaks 1.1\n");
	fake.version = 1 << 16 | 7; /* a newer minor version is fine */
	assert_int_equal(bwctl("list", NULL), 0);
	fake.bad_list_size = true;
	assert_int_equal(bwctl("list", NULL), BWCTL_EXIT_TRANSPORT);
	assert_err("bwctl: list: LIST answered 2 records in 356 bytes\n");
	fake.bad_list_size = false;
	fake.fail_op[BWM_OP_LIST] = -BWM_EVERSION;
	assert_int_equal(bwctl("list", NULL), BWCTL_EXIT_TRANSPORT);
	assert_err("bwctl: list: the hypervisor does not accept management API version 1 (EVERSION)\n");
	fake.fail_op[BWM_OP_LIST] = -77;
	assert_int_equal(bwctl("list", NULL), BWCTL_EXIT_FAIL);
	assert_err("bwctl: list: unexpected status -77 from the hypervisor\n");
}

static void test_stats_posture(void **state)
{
	(void)state;
	assert_int_equal(bwctl("stats", "ctl", NULL), 0);
	assert_out("VM 0 'ctl': 2 vCPUs; console: 0 bytes written, 0 lines dropped\n"
		   "VCPU  CPU  ON   EXITS  HVC  SYSREG  MMIO  IRQ  ABORTS  INJECTED  CPU TIME\n"
		   "0     1    yes  100    3    0       0     50   0       0         1.234 s\n"
		   "1     2    no   101    3    0       0     50   0       0         1.234 s\n");
	assert_int_equal(bwctl("stats", "ticker", "--json", NULL), 0);
	assert_out("{\"id\": 1, \"name\": \"ticker\", \"vcpu_count\": 1, \"console_bytes\": 0, "
		   "\"console_dropped\": 0, \"vcpus\": [\n"
		   "  {\"vcpu\": 0, \"pcpu\": 3, \"on\": true, \"exits\": 100, \"hvc\": 3, \"sysreg\": 0, "
		   "\"mmio\": 0, \"irq\": 50, \"aborts\": 0, \"injected\": 0, \"cpu_time_ns\": 1234567890}\n"
		   "]}\n");
	assert_int_equal(bwctl("posture", NULL), 0);
	assert_out("CPU  ISSUE       AFFECTED  MITIGATION               CHOSEN BY\n"
		   "0    spectre-v2  yes       smccc-arch-workaround-1  profile:default\n"
		   "1    spectre-v2  no        none                     profile:default\n");
	assert_int_equal(bwctl("posture", "--json", NULL), 0);
	assert_out_has("  {\"cpu\": 1, \"issue\": \"spectre-v2\", \"affected\": \"no\", \"mitigation\": \"none\", "
		       "\"chosen_by\": \"profile:default\"}\n]}\n");
	fake.fail_op[BWM_OP_POSTURE] = -BWM_EINVAL;
	assert_int_equal(bwctl("posture", NULL), BWCTL_EXIT_INPUT);
}

static void test_console(void **state)
{
	(void)state;
	fake_console_print(1, "hello: tick 1\nhello: tick 2\n");
	assert_int_equal(bwctl("console", "ticker", NULL), 0);
	assert_out("hello: tick 1\nhello: tick 2\n");
	assert_int_equal(bwctl("console", "ticker", "--json", NULL), 0);
	assert_out("{\"id\": 1, \"name\": \"ticker\", \"oldest\": 0, \"next\": 28, "
		   "\"data\": \"hello: tick 1\\nhello: tick 2\\n\"}\n");
	/* --send types the decoded text, and shows nothing without --follow. */
	assert_int_equal(bwctl("console", "ticker", "--send", "ls\\n", NULL), 0);
	assert_out("");
	assert_int_equal(fake.vm[1].typed_len, 3);
	assert_memory_equal(fake.vm[1].typed, "ls\n", 3);
	/* Longer text goes 64 bytes a call. */
	fake.vm[1].typed_len = 0;
	{
		char text[101];
		memset(text, 'a', 100);
		text[100] = '\0';
		assert_int_equal(bwctl("console", "ticker", "--send", text, NULL), 0);
		assert_int_equal(fake.vm[1].typed_len, 100);
		assert_int_equal(fake.calls[fake.call_count - 2].req.size, 64);
		assert_int_equal(fake.calls[fake.call_count - 1].req.size, 36);
		/* A guest that stops reading: what fits is typed, then a timeout. */
		fake.vm[1].typed_len = 0;
		fake.typed_room = 70;
		assert_int_equal(bwctl("console", "ticker", "--send", text, NULL), BWCTL_EXIT_TIMEOUT);
		assert_err("bwctl: console: 'ticker' does not read its console: 70 of 100 bytes typed in 5 s\n");
		assert_int_equal(fake.vm[1].typed_len, 70);
	}
	/* --until: found in the kept output. */
	assert_int_equal(bwctl("console", "ticker", "--until", "tick 2", NULL), 0);
	/* --until with --timeout: not found, exit 9 after about that long. */
	assert_int_equal(bwctl("console", "ticker", "--until", "tick 9", "--timeout", "2", NULL),
			 BWCTL_EXIT_TIMEOUT);
	assert_err("bwctl: console: 'tick 9' did not appear on 'ticker' within 2 s\n");
	/* A ring that wrapped: only the newest FAKE_CONSOLE bytes are kept. */
	for (int i = 0; i < 40; i++)
		fake_console_print(1, "0123456789");
	assert_int_equal(bwctl("console", "ticker", "--json", NULL), 0);
	assert_out_has("\"oldest\": 172, \"next\": 428, ");
	/* Destroyed meanwhile: a numeric id the hypervisor no longer knows. */
	assert_int_equal(bwctl("console", "7", NULL), BWCTL_EXIT_NOVM);
	assert_err("bwctl: console: no VM with id 7 (ENOENT)\n");
}

static void test_create(void **state)
{
	char kernel[64], initrd[64];
	uint64_t mem_free = fake.mem_free;

	(void)state;
	fake.cpu_free |= 1;
	fake.data_max = 5000; /* small, so that loading takes several page-sized chunks */
	snprintf(kernel, sizeof(kernel), "%s", temp_file(10000, true, 0));
	snprintf(initrd, sizeof(initrd), "%s", temp_file(1000, false, 0));
	assert_int_equal(bwctl("create", "demo2", "--kernel", kernel, "--initrd", initrd, "--memory", "8M",
			       "--cpus", "0", NULL), 0);
	assert_out("'demo2': created as VM 2 (1 vCPU on CPU 0, 8 MiB at 0x40000000), started\n");
	assert_int_equal(fake.vm[2].info.state, BWM_VM_RUNNING);
	assert_int_equal(fake.vm[2].info.flags, BWM_VM_FLAG_RUNTIME);
	assert_int_equal(fake.mem_free, mem_free - (8u << 20));
	/* CREATE, three kernel chunks and one initrd chunk, START. */
	assert_int_equal(fake_calls_of(BWM_OP_LOAD), 4);
	{
		size_t k = 0;
		static const uint64_t want[4][3] = { { 0, 0, 4096 }, { 0, 4096, 4096 }, { 0, 8192, 1808 },
						     { 1, 0, 1000 } };
		for (size_t i = 0; i < fake.call_count; i++) {
			const struct fake_call *fc = &fake.calls[i];
			if (fc->req.op != BWM_OP_LOAD)
				continue;
			assert_int_equal(fc->req.vm, 2);
			assert_int_equal(fc->req.arg[0], want[k][0]);
			assert_int_equal(fc->req.arg[1], want[k][1]);
			assert_int_equal(fc->req.size, want[k][2]);
			assert_int_equal(fc->payload_len, want[k][2]);
			k++;
		}
	}
	/* What arrived is the file, byte for byte. */
	{
		FILE *f = fopen(kernel, "rb");
		unsigned char buf[10000];
		assert_int_equal(fread(buf, 1, sizeof(buf), f), sizeof(buf));
		fclose(f);
		assert_memory_equal(fake.vm[2].image[0], buf, sizeof(buf));
	}
	assert_int_equal(bwctl("destroy", "demo2", NULL), 0);
	assert_out("'demo2': destroyed\n");
	assert_int_equal(fake.mem_free, mem_free);
	/* --no-start, --json, --mem-base. */
	assert_int_equal(bwctl("--json", "create", "demo3", "--kernel", kernel, "--memory", "6M", "--cpus",
			       "0", "--no-start", "--mem-base", "0x80000000", NULL), 0);
	assert_out("{\"id\": 2, \"name\": \"demo3\", \"result\": \"created\"}\n");
	assert_int_equal(fake.vm[2].info.state, BWM_VM_CREATED);
	assert_true(fake.vm[2].info.mem_base == 0x80000000);
	assert_int_equal(bwctl("start", "demo3", NULL), 0);
	assert_int_equal(fake.vm[2].mitigations, 0); /* the system's */
	assert_int_equal(bwctl("destroy", "demo3", NULL), 0);
	/* --mitigations: packed as the system description packs a VM's. */
	fake.cpu_free |= 1;
	assert_int_equal(bwctl("create", "demo4", "--kernel", kernel, "--memory", "6M", "--cpus", "0",
			       "--mitigations", "hardened,-bhb", NULL), 0);
	assert_out("'demo4': created as VM 2 (1 vCPU on CPU 0, 6 MiB at 0x40000000, mitigations "
		   "hardened,-bhb), started\n");
	assert_int_equal(fake.vm[2].mitigations, BWM_MITIG_SET | 1 | 1u << (16 + 1));
	assert_int_equal(bwctl("destroy", "demo4", NULL), 0);
	fake.cpu_free |= 1;
	assert_int_equal(bwctl("create", "demo5", "--kernel", kernel, "--memory", "6M", "--cpus", "0",
			       "--mitigations", "+ssbd", NULL), 0);
	assert_int_equal(fake.vm[2].mitigations, BWM_MITIG_SET | 1u << (8 + 2));
	unlink(kernel);
	unlink(initrd);
}

static void test_create_errors(void **state)
{
	char kernel[64], notimage[64], bad[64];
	uint64_t mem_free = fake.mem_free;
	size_t calls;

	(void)state;
	snprintf(kernel, sizeof(kernel), "%s", temp_file(4096, true, 0));
	snprintf(notimage, sizeof(notimage), "%s", temp_file(4096, false, 0x7f));
	snprintf(bad, sizeof(bad), "%s", temp_file(4096, true, 0xee));
	assert_int_equal(bwctl("create", "Demo", "--kernel", kernel, "--memory", "8M", "--cpus", "0", NULL),
			 BWCTL_EXIT_INPUT);
	assert_err("bwctl: create: bad name 'Demo': 1 to 31 characters from a-z, 0-9, '_' and '-'\n");
	assert_int_equal(bwctl("create", "x", "--kernel", kernel, "--memory", "8Q", "--cpus", "0", NULL),
			 BWCTL_EXIT_INPUT);
	assert_err("bwctl: create: --memory: bad size '8Q' (e.g. 8M, 256M, 1G)\n");
	assert_int_equal(bwctl("create", "x", "--kernel", kernel, "--memory", "5M", "--cpus", "0", NULL),
			 BWCTL_EXIT_INPUT);
	assert_err("bwctl: create: --memory: 5M must be a multiple of 2 MiB, at least 6 MiB\n");
	assert_int_equal(bwctl("create", "x", "--kernel", kernel, "--memory", "4M", "--cpus", "0", NULL),
			 BWCTL_EXIT_INPUT);
	assert_int_equal(bwctl("create", "x", "--kernel", kernel, "--memory", "8M", "--cpus", "1,1", NULL),
			 BWCTL_EXIT_INPUT);
	assert_err("bwctl: create: --cpus: CPU 1 is listed twice\n");
	assert_int_equal(bwctl("create", "x", "--kernel", kernel, "--memory", "8M", "--cpus", "0-8", NULL),
			 BWCTL_EXIT_INPUT);
	assert_err("bwctl: create: --cpus: 9 CPUs, but a VM has at most 8 vCPUs\n");
	assert_int_equal(bwctl("create", "x", "--kernel", kernel, "--memory", "8M", "--cpus", "0",
			       "--mem-base", "0x40100000", NULL), BWCTL_EXIT_INPUT);
	assert_err("bwctl: create: --mem-base: 0x40100000 must be 2 MiB aligned and at least 1 GiB\n");
	assert_int_equal(bwctl("create", "x", "--kernel", "/nonexistent/k", "--memory", "8M", "--cpus", "0",
			       NULL), BWCTL_EXIT_INPUT);
	assert_err("bwctl: create: cannot read kernel '/nonexistent/k': No such file or directory\n");
	assert_int_equal(bwctl("create", "x", "--kernel", "/tmp", "--memory", "8M", "--cpus", "0", NULL),
			 BWCTL_EXIT_INPUT);
	assert_err("bwctl: create: kernel '/tmp' is not a regular file\n");
	assert_int_equal(bwctl("create", "x", "--kernel", notimage, "--memory", "8M", "--cpus", "0", NULL),
			 BWCTL_EXIT_INPUT);
	assert_err_has("is not an arm64 Image (no \"ARM\\x64\" magic at offset 56)\n");
	assert_int_equal(bwctl("create", "x", "--kernel", kernel, "--dtb", kernel, "--memory", "8M",
			       "--cpus", "0", NULL), BWCTL_EXIT_INPUT);
	assert_err_has("is not a devicetree blob (no magic 0xd00dfeed)\n");
	assert_int_equal(bwctl("create", "x", "--kernel", kernel, "--memory", "8M", "--cpus", "0",
			       "--mitigations", "paranoid", NULL), BWCTL_EXIT_INPUT);
	assert_err("bwctl: create: --mitigations: unknown profile 'paranoid' (known: hardened, "
		   "balanced, throughput)\n");
	assert_int_equal(bwctl("create", "x", "--kernel", kernel, "--memory", "8M", "--cpus", "0",
			       "--mitigations", "hardened,+flush", NULL), BWCTL_EXIT_INPUT);
	assert_err("bwctl: create: --mitigations: 'flush' is the system's, not a VM's\n");
	/* None of these reached the hypervisor. */
	assert_int_equal(fake.call_count, 0);

	/* The hypervisor's refusals, each with its class and the VMs unchanged. */
	fake.cpu_free |= 1;
	assert_int_equal(bwctl("create", "x", "--kernel", kernel, "--memory", "4G", "--cpus", "0", NULL),
			 BWCTL_EXIT_RESOURCE);
	assert_err("bwctl: create: not enough free memory: 760 MiB free (ENOMEM)\n");
	assert_int_equal(bwctl("create", "x", "--kernel", kernel, "--memory", "8M", "--cpus", "3", NULL),
			 BWCTL_EXIT_RESOURCE);
	assert_err("bwctl: create: a CPU asked for is not free; free CPUs: 0 (EBUSY)\n");
	assert_int_equal(bwctl("create", "ticker", "--kernel", kernel, "--memory", "8M", "--cpus", "0", NULL),
			 BWCTL_EXIT_INPUT);
	assert_err("bwctl: create: a VM named 'ticker' exists already (EEXIST)\n");
	fake.cpu_free |= 1;
	assert_int_equal(bwctl("create", "a", "--kernel", kernel, "--memory", "8M", "--cpus", "0",
			       "--no-start", NULL), 0);
	assert_int_equal(bwctl("create", "b", "--kernel", kernel, "--memory", "8M", "--cpus", "0", NULL),
			 BWCTL_EXIT_RESOURCE); /* CPU 0 is a's now */
	fake.cpu_online = 0x1f;
	fake.cpu_free |= 0x10;
	assert_int_equal(bwctl("create", "b", "--kernel", kernel, "--memory", "8M", "--cpus", "4", NULL), 0);
	fake.cpu_free |= 0x20;
	assert_int_equal(bwctl("create", "c", "--kernel", kernel, "--memory", "8M", "--cpus", "5", NULL),
			 BWCTL_EXIT_RESOURCE);
	assert_err("bwctl: create: no free VM slot: 4 of 4 in use (ENOSPC)\n");
	assert_int_equal(bwctl("destroy", "a", NULL), 0);
	assert_int_equal(bwctl("destroy", "b", NULL), 0);
	assert_int_equal(fake.mem_free, mem_free);

	/* Refused at START: the half-made VM is destroyed again, nothing leaks. */
	calls = fake.call_count;
	assert_int_equal(bwctl("create", "x", "--kernel", bad, "--memory", "8M", "--cpus", "0", NULL),
			 BWCTL_EXIT_INPUT);
	assert_err("bwctl: create: the hypervisor refused to start 'x': invalid request (EINVAL)\n"
		   "bwctl: create: 'x' (VM 2) destroyed again\n");
	assert_int_equal(fake.calls[fake.call_count - 1].req.op, BWM_OP_DESTROY);
	assert_true(fake.call_count > calls);
	assert_false(fake.vm[2].exists);
	assert_int_equal(fake.mem_free, mem_free);
	/* Refused at LOAD. */
	fake.fail_op[BWM_OP_LOAD] = -BWM_EINVAL;
	assert_int_equal(bwctl("create", "x", "--kernel", kernel, "--memory", "8M", "--cpus", "0", NULL),
			 BWCTL_EXIT_INPUT);
	assert_err("bwctl: create: the hypervisor refused to load the kernel (offset 0) into 'x': "
		   "invalid request (EINVAL)\nbwctl: create: 'x' (VM 2) destroyed again\n");
	assert_int_equal(fake.mem_free, mem_free);
	assert_int_equal(fake.vm[1].info.state, BWM_VM_RUNNING);
	unlink(kernel);
	unlink(notimage);
	unlink(bad);
}

static void test_raw(void **state)
{
	char payload[64];

	(void)state;
	assert_int_equal(bwctl("raw", "info", NULL), 0);
	assert_out_has("status 0 (OK), size 192, count 0, val 0x0");
	assert_int_equal(bwctl("raw", "list", "--size", "1044481", NULL), BWCTL_EXIT_INPUT);
	assert_out("status -2 (EINVAL), size 0, count 0, val 0x0 0x0 0x0 0x0 0x0 0x0\n");
	assert_int_equal(bwctl("raw", "99", NULL), BWCTL_EXIT_INPUT);
	assert_int_equal(bwctl("raw", "list", "--version", "2", NULL), BWCTL_EXIT_TRANSPORT);
	assert_out_has("(EVERSION)");
	assert_int_equal(bwctl("raw", "list", "--magic", "0", NULL), BWCTL_EXIT_INPUT);
	assert_int_equal(bwctl("raw", "stop", "--vm", "1", "--arg0", "2", NULL), BWCTL_EXIT_INPUT);
	assert_int_equal(bwctl("--json", "raw", "stop", "--vm", "1", "--arg0", "1", NULL), 0);
	assert_out("{\"status\": 0, \"status_name\": \"OK\", \"size\": 0, \"count\": 0, "
		   "\"val\": [0, 0, 0, 0, 0, 0]}\n");
	assert_int_equal(fake.vm[1].info.state, BWM_VM_STOPPED);
	/* A truncated CREATE payload. */
	snprintf(payload, sizeof(payload), "%s", temp_file(88, false, 'z'));
	assert_int_equal(bwctl("raw", "create", "--payload", payload, "--size", "87", NULL),
			 BWCTL_EXIT_INPUT);
	assert_int_equal(fake.calls[fake.call_count - 1].req.size, 87);
	assert_int_equal(fake.calls[fake.call_count - 1].payload_len, 88);
	assert_int_equal(bwctl("raw", "bogus", NULL), BWCTL_EXIT_USAGE);
	assert_err("bwctl: raw: unknown operation 'bogus' (a number or info, list, ...)\n");
	unlink(payload);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_cpus),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_unescape_and_names),
		cmocka_unit_test(test_json_str),
		cmocka_unit_test_setup_teardown(test_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_control, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transport_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_posture, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
