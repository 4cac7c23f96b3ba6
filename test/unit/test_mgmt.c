/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The management API's request checks (src/core/mgmt_check.c): every way a
 * request or a CREATE description can be malformed, each with its status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bulwark/mgmt.h>

#define SELF 0u

/* With BULWARK_SEED_DIR set, every input checked is also saved there in the
 * layout of test/fuzz/fuzz_mgmt.c: the fuzzer's seed corpus. */
static void save_seed(unsigned self, uint32_t exists, uint64_t free_cpus,
		      const struct bwm_req *q, const struct bwm_create *c)
{
	static unsigned n;
	const char *dir = getenv("BULWARK_SEED_DIR");
	char path[512];
	uint8_t b = (uint8_t)self;
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/mgmt-%03u", dir, n++);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(&b, 1, 1, f);
	fwrite(&exists, 4, 1, f);
	fwrite(&free_cpus, 8, 1, f);
	fwrite(q, sizeof(*q), 1, f);
	fwrite(c, sizeof(*c), 1, f);
	fclose(f);
}

static int chk(const struct bwm_req *q, unsigned self, uint32_t exists)
{
	struct bwm_create c;

	memset(&c, 0, sizeof(c));
	save_seed(self, exists, 0, q, &c);
	return mgmt_check(q, self, exists);
}

static int chk_create(const struct bwm_create *c, uint64_t free_cpus)
{
	struct bwm_req q;

	memset(&q, 0, sizeof(q));
	q.magic = BWM_REQ_MAGIC;
	q.version = BWM_VERSION_MAJOR;
	q.op = BWM_OP_CREATE;
	q.size = sizeof(*c);
	save_seed(0, 1, free_cpus, &q, c);
	return mgmt_check_create(c, free_cpus);
}
#define ALL_VMS 0x7u /* slots 0 (the caller), 1 and 2 exist */

static struct bwm_req req(unsigned op, unsigned vm)
{
	struct bwm_req q;

	memset(&q, 0, sizeof(q));
	q.magic = BWM_REQ_MAGIC;
	q.version = BWM_VERSION_MAJOR;
	q.op = (uint16_t)op;
	q.vm = vm;
	return q;
}

static void test_valid_requests(void **state)
{
	struct bwm_req q;

	(void)state;
	q = req(BWM_OP_INFO, 0);
	assert_int_equal(chk(&q, SELF, ALL_VMS), 0);
	q = req(BWM_OP_LIST, 0);
	assert_int_equal(chk(&q, SELF, ALL_VMS), 0);
	q = req(BWM_OP_STATS, SELF); /* about itself: fine */
	assert_int_equal(chk(&q, SELF, ALL_VMS), 0);
	q = req(BWM_OP_STOP, 1);
	q.arg[0] = BWM_STOP_FORCE;
	assert_int_equal(chk(&q, SELF, ALL_VMS), 0);
	q = req(BWM_OP_CONSOLE_READ, 2);
	q.arg[0] = 12345;
	assert_int_equal(chk(&q, SELF, ALL_VMS), 0);
	q = req(BWM_OP_CONSOLE_WRITE, 2);
	q.size = 64;
	assert_int_equal(chk(&q, SELF, ALL_VMS), 0);
	q = req(BWM_OP_CREATE, 0);
	q.size = sizeof(struct bwm_create);
	assert_int_equal(chk(&q, SELF, ALL_VMS), 0);
	q = req(BWM_OP_LOAD, 1);
	q.arg[0] = BWM_IMAGE_DTB;
	q.arg[1] = 8192;
	q.size = (uint32_t)BWM_DATA_MAX;
	assert_int_equal(chk(&q, SELF, ALL_VMS), 0);
	for (unsigned op = BWM_OP_START; op <= BWM_OP_RESUME; op++) {
		q = req(op, 2);
		assert_int_equal(chk(&q, SELF, ALL_VMS), 0);
	}
	q = req(BWM_OP_DESTROY, 1);
	assert_int_equal(chk(&q, SELF, ALL_VMS), 0);
	q = req(BWM_OP_POSTURE, 0);
	assert_int_equal(chk(&q, SELF, ALL_VMS), 0);
}

static void test_header(void **state)
{
	struct bwm_req q;

	(void)state;
	q = req(BWM_OP_INFO, 0);
	q.magic = BWM_RESP_MAGIC;
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL);
	q = req(BWM_OP_INFO, 0);
	q.version = 0;
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EVERSION);
	q.version = BWM_VERSION_MAJOR + 1;
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EVERSION);
	q = req(0, 0);
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL);
	q = req(BWM_OP_COUNT_, 0);
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL);
	q = req(0xffff, 0);
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL);
}

static void test_unused_fields(void **state)
{
	struct bwm_req q;

	(void)state;
	for (unsigned i = 0; i < 6; i++) {
		q = req(BWM_OP_LIST, 0);
		q.arg[i] = 1ULL << 63;
		assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL);
	}
	for (unsigned i = 1; i < 6; i++) { /* STOP takes arg[0] only */
		q = req(BWM_OP_STOP, 1);
		q.arg[i] = 1;
		assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL);
	}
	for (unsigned i = 2; i < 6; i++) { /* LOAD takes arg[0] and arg[1] */
		q = req(BWM_OP_LOAD, 1);
		q.size = 1;
		q.arg[i] = 1;
		assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL);
	}
	q = req(BWM_OP_INFO, 1); /* no target */
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL);
	q = req(BWM_OP_CREATE, 2);
	q.size = sizeof(struct bwm_create);
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL);
}

static void test_sizes(void **state)
{
	struct bwm_req q;

	(void)state;
	q = req(BWM_OP_INFO, 0);
	q.size = 1;
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL);
	q = req(BWM_OP_CONSOLE_WRITE, 1);
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL); /* empty */
	q.size = BWM_CONSOLE_WRITE_MAX + 1;
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL);
	q = req(BWM_OP_CREATE, 0);
	q.size = sizeof(struct bwm_create) - 1;
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL);
	q.size = sizeof(struct bwm_create) + 1;
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL);
	q = req(BWM_OP_LOAD, 1);
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL); /* nothing to load */
	q.size = (uint32_t)BWM_DATA_MAX + 1;
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL);
	q.size = UINT32_MAX;
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL);
}

static void test_targets(void **state)
{
	struct bwm_req q;

	(void)state;
	q = req(BWM_OP_STATS, 3);
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_ENOENT);
	q = req(BWM_OP_STATS, MGMT_VM_SLOTS);
	assert_int_equal(chk(&q, SELF, 0xffffffffu), -BWM_ENOENT);
	q = req(BWM_OP_STATS, UINT32_MAX);
	assert_int_equal(chk(&q, SELF, 0xffffffffu), -BWM_ENOENT);
	static const unsigned not_self[] = { BWM_OP_START, BWM_OP_STOP, BWM_OP_RESET, BWM_OP_PAUSE,
					     BWM_OP_RESUME, BWM_OP_DESTROY };
	for (unsigned i = 0; i < sizeof(not_self) / sizeof(not_self[0]); i++) {
		q = req(not_self[i], 2);
		assert_int_equal(chk(&q, 2, ALL_VMS), -BWM_ESELF);
	}
	q = req(BWM_OP_LOAD, 2);
	q.size = 1;
	assert_int_equal(chk(&q, 2, ALL_VMS), -BWM_ESELF);
	q = req(BWM_OP_CONSOLE_READ, 2); /* reading its own console is fine */
	assert_int_equal(chk(&q, 2, ALL_VMS), 0);
}

static void test_op_arguments(void **state)
{
	struct bwm_req q;

	(void)state;
	q = req(BWM_OP_STOP, 1);
	q.arg[0] = 2;
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL);
	q = req(BWM_OP_LOAD, 1);
	q.size = 16;
	q.arg[0] = BWM_IMAGE_COUNT;
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL);
	q.arg[0] = BWM_IMAGE_KERNEL;
	q.arg[1] = 100; /* pieces start on 4 KiB boundaries */
	assert_int_equal(chk(&q, SELF, ALL_VMS), -BWM_EINVAL);
}

static struct bwm_create spec(void)
{
	struct bwm_create c;

	memset(&c, 0, sizeof(c));
	strcpy(c.name, "new-vm_1");
	c.vcpu_count = 2;
	c.cpu_mask = 0x30;
	c.mem_base = 1ULL << 30;
	c.mem_size = 64ULL << 20;
	c.image_size[BWM_IMAGE_KERNEL] = 20000;
	return c;
}

static void test_create(void **state)
{
	struct bwm_create c;

	(void)state;
	c = spec();
	assert_int_equal(chk_create(&c, 0xff), 0);
	assert_int_equal(chk_create(&c, 0x1f), -BWM_EBUSY); /* CPU 5 taken */
	c = spec();
	memset(c.name, 0, sizeof(c.name));
	assert_int_equal(chk_create(&c, 0xff), -BWM_EINVAL);
	c = spec();
	memset(c.name, 'a', sizeof(c.name)); /* not terminated */
	assert_int_equal(chk_create(&c, 0xff), -BWM_EINVAL);
	c = spec();
	c.name[0] = 'A';
	assert_int_equal(chk_create(&c, 0xff), -BWM_EINVAL);
	c = spec();
	c.name[20] = 'x'; /* a byte hidden after the terminator */
	assert_int_equal(chk_create(&c, 0xff), -BWM_EINVAL);
	/* Mitigations: a VM's packed choice, or 0 for the system's. */
	static const uint32_t bad_mitig[] = {
		1,                                  /* no BWM_MITIG_SET */
		BWM_MITIG_SET | 4,                  /* no such profile */
		BWM_MITIG_SET | 1u << (8 + 3),      /* +flush: the system's */
		BWM_MITIG_SET | 1u << (16 + 4),     /* -nospec: a build option */
		BWM_MITIG_SET | 1u << 9 | 1u << 17, /* bhb on and off */
		BWM_MITIG_SET | 1u << 24,           /* bits that mean nothing */
	};
	for (unsigned i = 0; i < sizeof(bad_mitig) / sizeof(bad_mitig[0]); i++) {
		c = spec();
		c.mitigations = bad_mitig[i];
		assert_int_equal(chk_create(&c, 0xff), -BWM_EINVAL);
	}
	c = spec();
	c.mitigations = BWM_MITIG_SET | 1 | 1u << (16 + 1); /* hardened,-bhb */
	assert_int_equal(chk_create(&c, 0xff), 0);
	c = spec();
	c.vcpu_count = 3; /* two CPUs */
	assert_int_equal(chk_create(&c, 0xff), -BWM_EINVAL);
	c = spec();
	c.vcpu_count = 0;
	c.cpu_mask = 0;
	assert_int_equal(chk_create(&c, 0xff), -BWM_EINVAL);
	c = spec();
	c.vcpu_count = 9;
	c.cpu_mask = 0x1ff;
	assert_int_equal(chk_create(&c, 0xfff), -BWM_EINVAL);
	c = spec();
	c.mem_size = 4ULL << 20;
	assert_int_equal(chk_create(&c, 0xff), -BWM_EINVAL);
	c = spec();
	c.mem_size += 4096;
	assert_int_equal(chk_create(&c, 0xff), -BWM_EINVAL);
	c = spec();
	c.mem_base = 0x0f000000; /* over the device window */
	assert_int_equal(chk_create(&c, 0xff), -BWM_EINVAL);
	c = spec();
	c.mem_base = (1ULL << 39) - (32ULL << 20); /* runs past 39 bits */
	assert_int_equal(chk_create(&c, 0xff), -BWM_EINVAL);
	c = spec();
	c.mem_base = 0xffffffffffe00000ULL; /* wraps */
	assert_int_equal(chk_create(&c, 0xff), -BWM_EINVAL);
	c = spec();
	c.image_size[BWM_IMAGE_KERNEL] = 0;
	assert_int_equal(chk_create(&c, 0xff), -BWM_EINVAL);
	c = spec();
	c.image_size[BWM_IMAGE_DTB] = (2ULL << 20) + 1;
	assert_int_equal(chk_create(&c, 0xff), -BWM_EINVAL);
	c = spec();
	c.image_size[BWM_IMAGE_INITRD] = c.mem_size + 1;
	assert_int_equal(chk_create(&c, 0xff), -BWM_EINVAL);
	c = spec();
	c.image_size[BWM_IMAGE_INITRD] = UINT64_MAX;
	assert_int_equal(chk_create(&c, 0xff), -BWM_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_requests), cmocka_unit_test(test_header),
		cmocka_unit_test(test_unused_fields), cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_targets), cmocka_unit_test(test_op_arguments),
		cmocka_unit_test(test_create),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
