/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exercises the management API (include/abi/bulwark/mgmt.h) from a
 * bare-metal VM: every operation, its errors, and a VM created and destroyed
 * at run time, many times over, with the hypervisor's free memory compared
 * before and after.
 *
 * bootargs: `mode=control` (this VM has the capability; a VM named `ticker`
 * running guest `hello` must exist and CPU `free-cpu=N` must be free) or
 * `mode=refused` (this VM lacks it: every call must fail with EPERM).
 * `cycles=N` create/destroy cycles (default 100).
 * Each check prints `mgmt: ok NAME` or `mgmt: FAIL NAME (...)`; the end is
 * `mgmt: done, N passed, N failed`.
 */
#include <guest/guest.h>

#include <abi/bulwark/mgmt.h>

extern const uint8_t payload_start[], payload_end[];

static unsigned passed, failed;

#define CHECK(name, cond, ...)                                         \
	do {                                                           \
		if (cond) {                                            \
			passed++;                                      \
			gprintf("mgmt: ok %s\n", name);                \
		} else {                                               \
			failed++;                                      \
			gprintf("mgmt: FAIL %s (", name);              \
			gprintf(__VA_ARGS__);                          \
			gprintf(")\n");                                \
		}                                                      \
	} while (0)

static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (memcmp(hay, needle, n) == 0)
			return true;
	return n == 0;
}

static uint32_t reg(unsigned off)
{
	return mmio_read32(BWM_REGS_IPA + off);
}

static volatile struct bwm_req *const req = (volatile struct bwm_req *)BWM_BUF_IPA;
static volatile struct bwm_resp *const resp = (volatile struct bwm_resp *)BWM_BUF_IPA;
static uint8_t *const data = (uint8_t *)(BWM_BUF_IPA + BWM_DATA_OFFSET);

/* One call; returns its status (also checks the register agrees). */
static int call(unsigned op, unsigned vm, uint64_t a0, uint64_t a1, const void *payload,
		uint32_t size)
{
	req->magic = BWM_REQ_MAGIC;
	req->version = BWM_VERSION_MAJOR;
	req->op = (uint16_t)op;
	req->vm = vm;
	req->size = size;
	for (unsigned i = 0; i < 6; i++)
		req->arg[i] = 0;
	req->arg[0] = a0;
	req->arg[1] = a1;
	if (payload && payload != data)
		memcpy(data, payload, size);
	mmio_write32(BWM_REGS_IPA + BWM_REG_DOORBELL, BWM_DOORBELL_CALL);
	int st = (int32_t)reg(BWM_REG_STATUS);

	if (st != resp->status || resp->magic != BWM_RESP_MAGIC)
		gprintf("mgmt: FAIL status register %d, response %d, magic %#x\n", st,
			(int)resp->status, (unsigned)resp->magic);
	return st;
}

/* A raw call with the request as given (for malformed ones). */
static int call_raw(const struct bwm_req *q)
{
	memcpy((void *)req, q, sizeof(*q));
	mmio_write32(BWM_REGS_IPA + BWM_REG_DOORBELL, BWM_DOORBELL_CALL);
	return (int32_t)reg(BWM_REG_STATUS);
}

static struct bwm_info info(void)
{
	struct bwm_info i;

	memset(&i, 0, sizeof(i));
	if (call(BWM_OP_INFO, 0, 0, 0, NULL, 0) == 0)
		memcpy(&i, data, sizeof(i));
	return i;
}

/* The VM called @name in the list, or -1; @out gets its entry. */
static int find_vm(const char *name, struct bwm_vm_info *out)
{
	if (call(BWM_OP_LIST, 0, 0, 0, NULL, 0) != 0)
		return -1;
	unsigned n = resp->count;

	for (unsigned i = 0; i < n; i++) {
		struct bwm_vm_info e;

		memcpy(&e, data + i * sizeof(e), sizeof(e));
		if (strcmp(e.name, name) == 0) {
			if (out)
				*out = e;
			return (int)e.id;
		}
	}
	return -1;
}

static uint32_t state_of(unsigned id)
{
	struct bwm_vm_info e;

	if (call(BWM_OP_LIST, 0, 0, 0, NULL, 0) != 0)
		return 99;
	for (unsigned i = 0; i < resp->count; i++) {
		memcpy(&e, data + i * sizeof(e), sizeof(e));
		if (e.id == id)
			return e.state;
	}
	return 98;
}

/* Reads a VM's console from sequence @from; true if @needle shows up. */
static bool console_has(unsigned id, uint64_t from, const char *needle, uint64_t *next)
{
	static char text[BWM_CONSOLE_RING + 1];

	if (call(BWM_OP_CONSOLE_READ, id, from, 0, NULL, 0) != 0)
		return false;
	uint32_t n = resp->size;

	if (next)
		*next = resp->val[0];
	memcpy(text, data, n);
	text[n] = '\0';
	return contains(text, needle);
}

static void sleep_ms(uint64_t ms)
{
	uint64_t end = timer_count() + timer_freq() * ms / 1000;

	while (timer_count() < end)
		;
}

static bool wait_console(unsigned id, const char *needle, unsigned ms)
{
	for (unsigned t = 0; t < ms; t += 50) {
		if (console_has(id, 0, needle, NULL))
			return true;
		sleep_ms(50);
	}
	return false;
}

static void refused(void)
{
	CHECK("regs-magic", reg(BWM_REG_MAGIC) == BWM_MAGIC, "%#x", reg(BWM_REG_MAGIC));
	CHECK("no-control-caps", reg(BWM_REG_CAPS) == 0 && reg(BWM_REG_BUF_SIZE) == 0,
	      "caps %#x size %#x", reg(BWM_REG_CAPS), reg(BWM_REG_BUF_SIZE));
	/* No buffer: the doorbell alone must refuse, for every operation. */
	for (unsigned op = 0; op < BWM_OP_COUNT_ + 2; op++) {
		mmio_write32(BWM_REGS_IPA + BWM_REG_DOORBELL, BWM_DOORBELL_CALL);
		int st = (int32_t)reg(BWM_REG_STATUS);
		char name[32];

		gsnprintf(name, sizeof(name), "refused-%u", op);
		CHECK(name, st == -BWM_EPERM, "status %d", st);
	}
}

static void errors(unsigned self, unsigned ticker)
{
	struct bwm_req q = { BWM_REQ_MAGIC, BWM_VERSION_MAJOR, BWM_OP_INFO, 0, 0, { 0 } };
	int st;

	q.magic = 0x12345678;
	CHECK("bad-magic", (st = call_raw(&q)) == -BWM_EINVAL, "%d", st);
	q.magic = BWM_REQ_MAGIC;
	q.version = 2;
	CHECK("bad-version", (st = call_raw(&q)) == -BWM_EVERSION, "%d", st);
	q.version = BWM_VERSION_MAJOR;
	q.op = 0;
	CHECK("op-zero", (st = call_raw(&q)) == -BWM_EINVAL, "%d", st);
	q.op = BWM_OP_COUNT_;
	CHECK("op-unknown", (st = call_raw(&q)) == -BWM_EINVAL, "%d", st);
	q.op = BWM_OP_INFO;
	q.arg[3] = 1;
	CHECK("unused-arg", (st = call_raw(&q)) == -BWM_EINVAL, "%d", st);
	q.arg[3] = 0;
	q.vm = 1;
	CHECK("info-with-target", (st = call_raw(&q)) == -BWM_EINVAL, "%d", st);
	q.vm = 0;
	q.size = 8;
	CHECK("info-with-payload", (st = call_raw(&q)) == -BWM_EINVAL, "%d", st);
	CHECK("doorbell-wrong-value", (mmio_write32(BWM_REGS_IPA + BWM_REG_DOORBELL, 1),
		(int32_t)reg(BWM_REG_STATUS) == -BWM_EINVAL), "%d", (int32_t)reg(BWM_REG_STATUS));
	CHECK("unknown-vm", (st = call(BWM_OP_STATS, 15, 0, 0, NULL, 0)) == -BWM_ENOENT, "%d", st);
	CHECK("vm-out-of-range", (st = call(BWM_OP_STATS, 0x10000, 0, 0, NULL, 0)) == -BWM_ENOENT,
	      "%d", st);
	CHECK("stop-self", (st = call(BWM_OP_STOP, self, BWM_STOP_FORCE, 0, NULL, 0)) == -BWM_ESELF,
	      "%d", st);
	CHECK("destroy-self", (st = call(BWM_OP_DESTROY, self, 0, 0, NULL, 0)) == -BWM_ESELF, "%d",
	      st);
	CHECK("stop-bad-flags", (st = call(BWM_OP_STOP, ticker, 2, 0, NULL, 0)) == -BWM_EINVAL,
	      "%d", st);
	CHECK("write-empty", (st = call(BWM_OP_CONSOLE_WRITE, ticker, 0, 0, NULL, 0)) == -BWM_EINVAL,
	      "%d", st);
	CHECK("write-oversized", (st = call(BWM_OP_CONSOLE_WRITE, ticker, 0, 0, NULL, 4096)) ==
	      -BWM_EINVAL, "%d", st);
	CHECK("start-running", (st = call(BWM_OP_START, ticker, 0, 0, NULL, 0)) == -BWM_ESTATE,
	      "%d", st);
	CHECK("resume-running", (st = call(BWM_OP_RESUME, ticker, 0, 0, NULL, 0)) == -BWM_ESTATE,
	      "%d", st);
	CHECK("load-into-boot-vm", (st = call(BWM_OP_LOAD, ticker, 0, 0, NULL, 16)) == -BWM_ESTATE,
	      "%d", st);
	CHECK("ticker-untouched", state_of(ticker) == BWM_VM_RUNNING, "state %u", state_of(ticker));
}

static void lifecycle(unsigned ticker)
{
	uint64_t seq = 0, seq2 = 0;
	struct bwm_vm_info e;
	int st;

	CHECK("console-read", wait_console(ticker, "hello: tick 2", 5000), "no tick in its output");
	CHECK("stats", call(BWM_OP_STATS, ticker, 0, 0, NULL, 0) == 0 && resp->size ==
	      sizeof(struct bwm_vm_stats), "size %u", (unsigned)resp->size);
	struct bwm_vm_stats s;

	memcpy(&s, data, sizeof(s));
	CHECK("stats-values", s.id == ticker && s.vcpu_count == 1 && s.vcpu[0].exits > 0 &&
	      s.vcpu[0].injected > 0 && s.vcpu[0].cpu_time_ns > 0 && s.vcpu[0].on == 1 &&
	      s.console_bytes > 0, "exits %llu injected %llu time %llu",
	      (unsigned long long)s.vcpu[0].exits, (unsigned long long)s.vcpu[0].injected,
	      (unsigned long long)s.vcpu[0].cpu_time_ns);
	console_has(ticker, 0, "", &seq);
	CHECK("pause", (st = call(BWM_OP_PAUSE, ticker, 0, 0, NULL, 0)) == 0 &&
	      state_of(ticker) == BWM_VM_PAUSED, "%d", st);
	CHECK("pause-twice", (st = call(BWM_OP_PAUSE, ticker, 0, 0, NULL, 0)) == -BWM_ESTATE, "%d",
	      st);
	console_has(ticker, seq, "", &seq);
	sleep_ms(2500);
	console_has(ticker, seq, "", &seq2);
	CHECK("paused-is-silent", seq2 == seq, "%llu new bytes while paused",
	      (unsigned long long)(seq2 - seq));
	CHECK("resume", (st = call(BWM_OP_RESUME, ticker, 0, 0, NULL, 0)) == 0 &&
	      state_of(ticker) == BWM_VM_RUNNING, "%d", st);
	sleep_ms(2500);
	console_has(ticker, seq, "", &seq2);
	CHECK("resumed-ticks", seq2 > seq, "no output after resume");
	CHECK("stop-force", (st = call(BWM_OP_STOP, ticker, BWM_STOP_FORCE, 0, NULL, 0)) == 0 &&
	      find_vm("ticker", &e) >= 0 && e.state == BWM_VM_STOPPED &&
	      contains(e.stop_reason, "management"), "%d state %u", st, e.state);
	CHECK("stop-stopped", (st = call(BWM_OP_STOP, ticker, BWM_STOP_FORCE, 0, NULL, 0)) ==
	      -BWM_ESTATE, "%d", st);
	CHECK("start", (st = call(BWM_OP_START, ticker, 0, 0, NULL, 0)) == 0 &&
	      find_vm("ticker", &e) >= 0 && e.state == BWM_VM_RUNNING && e.boots == 2,
	      "%d boots %u", st, e.boots);
	CHECK("reset", (st = call(BWM_OP_RESET, ticker, 0, 0, NULL, 0)) == 0 &&
	      find_vm("ticker", &e) >= 0 && e.state == BWM_VM_RUNNING && e.boots == 3,
	      "%d boots %u", st, e.boots);
	/* A request that arrives while the guest boots is cleared by its GIC set-up:
	 * ask once it runs (it ticks). */
	console_has(ticker, 0, "", &seq);
	for (unsigned t = 0; t < 3000 && !console_has(ticker, seq, "hello: tick", NULL); t += 50)
		sleep_ms(50);
	CHECK("graceful-stop-request", (st = call(BWM_OP_STOP, ticker, 0, 0, NULL, 0)) == 0, "%d",
	      st);
	/* hello powers itself off when the shutdown request arrives. */
	for (unsigned t = 0; t < 3000 && state_of(ticker) != BWM_VM_STOPPED; t += 10)
		sleep_ms(10);
	CHECK("graceful-stop-done", find_vm("ticker", &e) >= 0 && e.state == BWM_VM_STOPPED &&
	      contains(e.stop_reason, "SYSTEM_OFF") &&
	      wait_console(ticker, "hello: shutdown requested", 1000), "state %u reason '%s'",
	      e.state, e.stop_reason);
	CHECK("start-again", call(BWM_OP_START, ticker, 0, 0, NULL, 0) == 0, "start");
	/* A guest that ignores the request: stopped by force (bwctl's timeout). */
	CHECK("pause-then-graceful", call(BWM_OP_PAUSE, ticker, 0, 0, NULL, 0) == 0 &&
	      call(BWM_OP_STOP, ticker, 0, 0, NULL, 0) == -BWM_ESTATE, "graceful stop of a paused VM");
	CHECK("forced-when-paused", call(BWM_OP_STOP, ticker, BWM_STOP_FORCE, 0, NULL, 0) == 0 &&
	      state_of(ticker) == BWM_VM_STOPPED, "state %u", state_of(ticker));
	CHECK("start-third", call(BWM_OP_START, ticker, 0, 0, NULL, 0) == 0, "start");
	CHECK("console-write", call(BWM_OP_CONSOLE_WRITE, ticker, 0, 0, "ab", 2) == 0 &&
	      resp->val[0] == 2, "accepted %llu", (unsigned long long)resp->val[0]);
}

static struct bwm_create spec(const char *name, uint64_t cpus, uint64_t mem)
{
	struct bwm_create c;

	memset(&c, 0, sizeof(c));
	memcpy(c.name, name, strlen(name) + 1);
	c.vcpu_count = 0;
	for (uint64_t m = cpus; m; m &= m - 1)
		c.vcpu_count++;
	c.cpu_mask = cpus;
	c.mem_base = 0x40000000;
	c.mem_size = mem;
	c.image_size[BWM_IMAGE_KERNEL] = (uint64_t)(payload_end - payload_start);
	return c;
}

/* CREATE + LOAD (+ START); returns the id or a negated status. */
static int create(const struct bwm_create *c, bool start)
{
	int st = call(BWM_OP_CREATE, 0, 0, 0, c, sizeof(*c));

	if (st)
		return st;
	unsigned id = (unsigned)resp->val[0];
	uint64_t size = c->image_size[BWM_IMAGE_KERNEL];

	for (uint64_t off = 0; off < size; off += BWM_DATA_MAX) {
		uint64_t n = size - off < BWM_DATA_MAX ? size - off : BWM_DATA_MAX;

		memcpy(data, payload_start + off, n);
		st = call(BWM_OP_LOAD, id, BWM_IMAGE_KERNEL, off, data, (uint32_t)n);
		if (st)
			return st;
	}
	if (start && (st = call(BWM_OP_START, id, 0, 0, NULL, 0)))
		return st;
	return (int)id;
}

static void runtime_vms(unsigned free_cpu, unsigned cycles)
{
	struct bwm_info before = info(), after;
	uint64_t cpu = 1ULL << free_cpu;
	struct bwm_create c;
	int id, st;

	CHECK("cpu-free", before.cpu_free_mask & cpu, "free mask %#llx",
	      (unsigned long long)before.cpu_free_mask);
	c = spec("tiny", cpu, 8 << 20);
	id = create(&c, false);
	CHECK("create", id >= 0 && state_of((unsigned)id) == BWM_VM_CREATED, "%d", id);
	if (id < 0)
		return;
	CHECK("create-same-name", (st = call(BWM_OP_CREATE, 0, 0, 0, &c, sizeof(c))) == -BWM_EEXIST,
	      "%d", st);
	c = spec("tiny2", cpu, 8 << 20);
	CHECK("create-cpu-in-use", (st = call(BWM_OP_CREATE, 0, 0, 0, &c, sizeof(c))) == -BWM_EBUSY,
	      "%d", st);
	CHECK("start", (st = call(BWM_OP_START, (unsigned)id, 0, 0, NULL, 0)) == 0, "%d", st);
	CHECK("created-vm-runs", wait_console((unsigned)id, "hello: tick 1", 3000),
	      "no tick from the new VM");
	CHECK("load-after-start", (st = call(BWM_OP_LOAD, (unsigned)id, 0, 0, NULL, 16)) ==
	      -BWM_ESTATE, "%d", st);
	CHECK("destroy", (st = call(BWM_OP_DESTROY, (unsigned)id, 0, 0, NULL, 0)) == 0 &&
	      find_vm("tiny", NULL) < 0, "%d", st);
	after = info();
	CHECK("memory-back", after.mem_free == before.mem_free &&
	      after.table_mem_free == before.table_mem_free && after.cpu_free_mask ==
	      before.cpu_free_mask, "free %llu -> %llu, tables %llu -> %llu",
	      (unsigned long long)before.mem_free, (unsigned long long)after.mem_free,
	      (unsigned long long)before.table_mem_free, (unsigned long long)after.table_mem_free);

	/* Bad creations change nothing. */
	c = spec("huge", cpu, 1ULL << 38);
	CHECK("create-too-much-memory", (st = call(BWM_OP_CREATE, 0, 0, 0, &c, sizeof(c))) ==
	      -BWM_ENOMEM, "%d", st);
	c = spec("Bad Name", cpu, 8 << 20);
	CHECK("create-bad-name", (st = call(BWM_OP_CREATE, 0, 0, 0, &c, sizeof(c))) == -BWM_EINVAL,
	      "%d", st);
	c = spec("small", cpu, 4 << 20);
	CHECK("create-too-small", (st = call(BWM_OP_CREATE, 0, 0, 0, &c, sizeof(c))) == -BWM_EINVAL,
	      "%d", st);
	c = spec("novcpu", cpu, 8 << 20);
	c.vcpu_count = 2;
	CHECK("create-vcpus-mismatch", (st = call(BWM_OP_CREATE, 0, 0, 0, &c, sizeof(c))) ==
	      -BWM_EINVAL, "%d", st);
	c = spec("lowram", cpu, 8 << 20);
	c.mem_base = 0x0f000000;
	CHECK("create-ram-over-devices", (st = call(BWM_OP_CREATE, 0, 0, 0, &c, sizeof(c))) ==
	      -BWM_EINVAL, "%d", st);
	c = spec("short", cpu, 8 << 20);
	CHECK("create-short-payload", (st = call(BWM_OP_CREATE, 0, 0, 0, &c, sizeof(c) - 1)) ==
	      -BWM_EINVAL, "%d", st);
	c = spec("partial", cpu, 8 << 20);
	st = call(BWM_OP_CREATE, 0, 0, 0, &c, sizeof(c));
	id = st ? -1 : (int)resp->val[0];
	CHECK("start-incomplete", id >= 0 && (st = call(BWM_OP_START, (unsigned)id, 0, 0, NULL,
	      0)) == -BWM_ESTATE, "%d", st);
	CHECK("load-out-of-order", id >= 0 && (st = call(BWM_OP_LOAD, (unsigned)id, 0, 4096, data,
	      16)) == -BWM_EINVAL, "%d", st);
	CHECK("load-past-end", id >= 0 && (st = call(BWM_OP_LOAD, (unsigned)id, 0, 0, data,
	      (uint32_t)c.image_size[0] + 1)) == -BWM_EINVAL, "%d", st);
	CHECK("destroy-created", id >= 0 && call(BWM_OP_DESTROY, (unsigned)id, 0, 0, NULL, 0) == 0,
	      "destroy");
	after = info();
	CHECK("memory-back-after-errors", after.mem_free == before.mem_free &&
	      after.table_mem_free == before.table_mem_free, "free %llu -> %llu",
	      (unsigned long long)before.mem_free, (unsigned long long)after.mem_free);

	unsigned ok = 0;

	for (unsigned i = 0; i < cycles; i++) {
		c = spec("cycle", cpu, 16 << 20);
		id = create(&c, true);
		if (id < 0) {
			gprintf("mgmt: cycle %u: create: %d\n", i, id);
			break;
		}
		if ((st = call(BWM_OP_DESTROY, (unsigned)id, 0, 0, NULL, 0)) != 0) {
			gprintf("mgmt: cycle %u: destroy: %d\n", i, st);
			break;
		}
		ok++;
	}
	after = info();
	CHECK("create-destroy-cycles", ok == cycles, "%u of %u", ok, cycles);
	CHECK("memory-after-cycles", after.mem_free == before.mem_free &&
	      after.table_mem_free == before.table_mem_free && after.vm_count == before.vm_count,
	      "free %llu -> %llu, tables %llu -> %llu, VMs %u -> %u",
	      (unsigned long long)before.mem_free, (unsigned long long)after.mem_free,
	      (unsigned long long)before.table_mem_free, (unsigned long long)after.table_mem_free,
	      before.vm_count, after.vm_count);
	gprintf("mgmt: free memory %llu bytes, page-table pool %llu bytes, before and after %u "
		"cycles\n", (unsigned long long)after.mem_free,
		(unsigned long long)after.table_mem_free, ok);
}

int main(void)
{
	char mode[16] = "control";

	boot_arg("mode", mode, sizeof(mode));
	if (strcmp(mode, "refused") == 0) {
		refused();
	} else {
		unsigned self = reg(BWM_REG_SELF);
		struct bwm_info i;
		int ticker;

		CHECK("regs", reg(BWM_REG_MAGIC) == BWM_MAGIC && reg(BWM_REG_VERSION) ==
		      (BWM_VERSION_MAJOR << 16 | BWM_VERSION_MINOR) && reg(BWM_REG_CAPS) ==
		      BWM_CAP_CONTROL && reg(BWM_REG_BUF_SIZE) == BWM_BUF_SIZE, "magic %#x caps %#x",
		      reg(BWM_REG_MAGIC), reg(BWM_REG_CAPS));
		i = info();
		CHECK("info", i.api_major == BWM_VERSION_MAJOR && i.self == self && i.vm_count >= 2 &&
		      i.mem_free > 0 && i.mem_free <= i.mem_total && i.cpu_count >= 2 &&
		      i.version[0] != '\0', "self %u/%u VMs %u", i.self, self, i.vm_count);
		gprintf("mgmt: bulwark %s, %u CPUs (free 0x%llx), %u VMs\n", i.version, i.cpu_count,
			(unsigned long long)i.cpu_free_mask, i.vm_count);
		CHECK("posture", call(BWM_OP_POSTURE, 0, 0, 0, NULL, 0) == 0 && resp->count > 0 &&
		      resp->count % i.cpu_count == 0 && resp->size == resp->count *
		      sizeof(struct bwm_posture_entry) && contains(((const struct bwm_posture_entry *)
		      (const void *)data)->issue, "spectre"), "count %u", (unsigned)resp->count);
		ticker = find_vm("ticker", NULL);
		CHECK("list", ticker >= 0 && find_vm("ctl", NULL) == (int)self, "ticker %d", ticker);
		if (ticker >= 0) {
			errors(self, (unsigned)ticker);
			lifecycle((unsigned)ticker);
		}
		runtime_vms((unsigned)boot_arg_u64("free-cpu", 0),
			    (unsigned)boot_arg_u64("cycles", 100));
	}
	gprintf("mgmt: done, %u passed, %u failed\n", passed, failed);
	return 0;
}
