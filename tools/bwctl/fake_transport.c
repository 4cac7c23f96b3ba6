/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fake hypervisor of bwctl's host unit tests (fake_transport.h): the
 * transport interface answered from a table of VMs, in process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_transport.h"

struct fake fake;

static void add_vm(uint32_t id, const char *name, uint32_t state, uint64_t cpus, uint64_t mem,
		   uint32_t caps)
{
	struct fake_vm *v = &fake.vm[id];

	memset(v, 0, sizeof(*v));
	v->exists = true;
	v->info.id = id;
	v->info.state = state;
	snprintf(v->info.name, sizeof(v->info.name), "%s", name);
	v->info.vcpu_count = (uint32_t)__builtin_popcountll(cpus);
	v->info.caps = caps;
	v->info.cpu_mask = cpus;
	v->info.mem_base = 0x40000000;
	v->info.mem_size = mem;
	v->info.boots = state == BWM_VM_RUNNING ? 1 : 0;
	v->stop_after_polls = 2;
	fake.cpu_free &= ~cpus;
	fake.mem_free -= mem;
}

void fake_reset(void)
{
	for (int i = 0; i < FAKE_VM_SLOTS; i++)
		for (int k = 0; k < BWM_IMAGE_COUNT; k++)
			free(fake.vm[i].image[k]);
	memset(&fake, 0, sizeof(fake));
	fake.version = BWM_VERSION_MAJOR << 16 | BWM_VERSION_MINOR;
	fake.control = true;
	fake.data_max = BWM_DATA_MAX;
	fake.mem_total = fake.mem_free = 1ull << 30;
	fake.cpu_online = fake.cpu_free = 0xf;
	fake.cpu_free &= ~1ull; /* CPU 0 runs only the hypervisor */
	fake.now_ms = 1000;
	fake.typed_room = 1000;
	add_vm(0, "ctl", BWM_VM_RUNNING, 0x6, 256u << 20, BWM_CAP_CONTROL);
	add_vm(1, "ticker", BWM_VM_RUNNING, 0x8, 8u << 20, 0);
}

void fake_console_print(uint32_t id, const char *text)
{
	struct fake_vm *v = &fake.vm[id];

	for (const char *p = text; *p != '\0'; p++)
		v->console[v->console_next++ % FAKE_CONSOLE] = *p;
}

size_t fake_calls_of(uint16_t op)
{
	size_t n = 0;

	for (size_t i = 0; i < fake.call_count && i < FAKE_CALLS; i++)
		n += fake.calls[i].req.op == op;
	return n;
}

int bwt_open(struct bwt_info *info, char *err, size_t err_size)
{
	if (fake.open_error == BWT_ENODEV) {
		snprintf(err, err_size, "cannot open /dev/mem: No such file or directory (fake)");
		return -BWT_ENODEV;
	}
	if (fake.open_error != 0) {
		snprintf(err, err_size, "fake transport error %d", fake.open_error);
		return -fake.open_error;
	}
	info->version = fake.version;
	info->caps = fake.control ? BWM_CAP_CONTROL : 0;
	info->buf_size = fake.control ? (uint32_t)(fake.data_max + BWM_DATA_OFFSET) : 0;
	info->self = fake.self;
	if (info->version >> 16 != BWM_VERSION_MAJOR) {
		snprintf(err, err_size, "the hypervisor speaks management API %u.%u, bwctl speaks %u.%u",
			 info->version >> 16, info->version & 0xffff, BWM_VERSION_MAJOR,
			 BWM_VERSION_MINOR);
		return -BWT_EVERSION;
	}
	fake.opened = true;
	return 0;
}

size_t bwt_data_max(void)
{
	return fake.control ? fake.data_max : 0;
}

void bwt_close(void)
{
	fake.opened = false;
}

uint64_t bwt_now_ms(void)
{
	return fake.now_ms;
}

void bwt_sleep_ms(unsigned ms)
{
	fake.now_ms += ms;
}

static int32_t target(const struct bwm_req *req, struct fake_vm **v)
{
	if (req->vm >= FAKE_VM_SLOTS || !fake.vm[req->vm].exists)
		return -BWM_ENOENT;
	*v = &fake.vm[req->vm];
	return 0;
}

/* Graceful stops in progress advance each time the VMs are listed. */
static void advance_stops(void)
{
	for (int i = 0; i < FAKE_VM_SLOTS; i++) {
		struct fake_vm *v = &fake.vm[i];
		if (v->exists && v->info.state == BWM_VM_STOPPING && v->stop_after_polls >= 0 &&
		    v->stop_after_polls-- == 0)
			v->info.state = BWM_VM_STOPPED;
	}
}

static void free_vm(struct fake_vm *v)
{
	fake.cpu_free |= v->info.cpu_mask;
	fake.mem_free += v->info.mem_size;
	for (int k = 0; k < BWM_IMAGE_COUNT; k++)
		free(v->image[k]);
	memset(v, 0, sizeof(*v));
}

static int32_t op_create(const void *payload, uint32_t size, struct bwm_resp *resp)
{
	struct bwm_create cr;
	int slot = -1;

	if (size != sizeof(cr))
		return -BWM_EINVAL;
	memcpy(&cr, payload, sizeof(cr));
	if (cr.name[0] == '\0' || memchr(cr.name, '\0', sizeof(cr.name)) == NULL ||
	    (cr.mitigations != 0 && !(cr.mitigations & BWM_MITIG_SET)) ||
	    cr.vcpu_count != (uint32_t)__builtin_popcountll(cr.cpu_mask) || cr.vcpu_count == 0 ||
	    cr.mem_size % (2u << 20) != 0 || cr.mem_size < (6u << 20) ||
	    cr.image_size[BWM_IMAGE_KERNEL] == 0)
		return -BWM_EINVAL;
	for (int i = 0; i < FAKE_VM_SLOTS; i++) {
		if (fake.vm[i].exists && strcmp(fake.vm[i].info.name, cr.name) == 0)
			return -BWM_EEXIST;
		if (!fake.vm[i].exists && slot < 0)
			slot = i;
	}
	if (cr.cpu_mask & ~fake.cpu_free)
		return -BWM_EBUSY;
	if (cr.mem_size > fake.mem_free)
		return -BWM_ENOMEM;
	if (slot < 0)
		return -BWM_ENOSPC;
	add_vm((uint32_t)slot, cr.name, BWM_VM_CREATED, cr.cpu_mask, cr.mem_size, 0);
	fake.vm[slot].info.mem_base = cr.mem_base;
	fake.vm[slot].mitigations = cr.mitigations;
	fake.vm[slot].info.flags = BWM_VM_FLAG_RUNTIME;
	for (int k = 0; k < BWM_IMAGE_COUNT; k++) {
		fake.vm[slot].image_size[k] = cr.image_size[k];
		fake.vm[slot].image[k] = calloc(1, cr.image_size[k] ? cr.image_size[k] : 1);
	}
	resp->val[0] = (uint64_t)slot;
	return 0;
}

static int32_t answer(const struct bwm_req *req, const void *payload, unsigned char *out,
		      struct bwm_resp *resp)
{
	struct fake_vm *v = NULL;
	int32_t st;

	if (!fake.control)
		return -BWM_EPERM;
	if (req->magic != BWM_REQ_MAGIC || req->size > fake.data_max)
		return -BWM_EINVAL;
	if (req->version != BWM_VERSION_MAJOR)
		return -BWM_EVERSION;
	if (req->op == 0 || req->op >= BWM_OP_COUNT_)
		return -BWM_EINVAL;
	if (fake.fail_op[req->op] != 0)
		return fake.fail_op[req->op];
	switch (req->op) {
	case BWM_OP_INFO: {
		struct bwm_info info;
		uint32_t count = 0;

		memset(&info, 0, sizeof(info));
		snprintf(info.version, sizeof(info.version), "0.1.0");
		snprintf(info.build, sizeof(info.build), "fake build");
		info.api_major = BWM_VERSION_MAJOR;
		info.api_minor = BWM_VERSION_MINOR;
		info.cpu_count = 4;
		info.vm_max = FAKE_VM_SLOTS;
		info.cpu_online_mask = fake.cpu_online;
		info.cpu_free_mask = fake.cpu_free;
		info.mem_total = fake.mem_total;
		info.mem_free = fake.mem_free;
		info.table_mem_free = 123 * 4096;
		for (int i = 0; i < FAKE_VM_SLOTS; i++)
			count += fake.vm[i].exists;
		info.vm_count = count;
		info.self = fake.self;
		memcpy(out, &info, sizeof(info));
		resp->size = sizeof(info);
		return 0;
	}
	case BWM_OP_LIST:
		advance_stops();
		for (int i = 0; i < FAKE_VM_SLOTS; i++) {
			if (fake.vm[i].exists) {
				memcpy(out + resp->size, &fake.vm[i].info, sizeof(struct bwm_vm_info));
				resp->size += sizeof(struct bwm_vm_info);
				resp->count++;
			}
		}
		if (fake.bad_list_size)
			resp->size += 4;
		return 0;
	case BWM_OP_POSTURE: {
		struct bwm_posture_entry e[2];

		memset(e, 0, sizeof(e));
		e[0].cpu = 0;
		e[0].affected = 1;
		snprintf(e[0].issue, sizeof(e[0].issue), "spectre-v2");
		snprintf(e[0].mitigation, sizeof(e[0].mitigation), "smccc-arch-workaround-1");
		snprintf(e[0].chosen_by, sizeof(e[0].chosen_by), "profile:default");
		e[1] = e[0];
		e[1].cpu = 1;
		e[1].affected = 0;
		snprintf(e[1].mitigation, sizeof(e[1].mitigation), "none");
		memcpy(out, e, sizeof(e));
		resp->size = sizeof(e);
		resp->count = 2;
		return 0;
	}
	case BWM_OP_CREATE:
		return op_create(payload, req->size, resp);
	default:
		break;
	}
	st = target(req, &v);
	if (st != 0)
		return st;
	if (req->vm == fake.self && req->op != BWM_OP_STATS && req->op != BWM_OP_CONSOLE_READ &&
	    req->op != BWM_OP_CONSOLE_WRITE)
		return -BWM_ESELF;
	switch (req->op) {
	case BWM_OP_STATS: {
		struct bwm_vm_stats s;

		memset(&s, 0, sizeof(s));
		s.id = v->info.id;
		s.vcpu_count = v->info.vcpu_count;
		s.console_bytes = v->console_next;
		for (uint32_t i = 0; i < s.vcpu_count; i++) {
			s.vcpu[i].pcpu = (uint32_t)__builtin_ctzll(v->info.cpu_mask) + i;
			s.vcpu[i].on = i == 0;
			s.vcpu[i].exits = 100 + i;
			s.vcpu[i].hvc = 3;
			s.vcpu[i].irq = 50;
			s.vcpu[i].cpu_time_ns = 1234567890;
		}
		memcpy(out, &s, sizeof(s));
		resp->size = sizeof(s);
		return 0;
	}
	case BWM_OP_START:
		if (v->info.state != BWM_VM_STOPPED && v->info.state != BWM_VM_CREATED)
			return -BWM_ESTATE;
		for (int k = 0; k < BWM_IMAGE_COUNT; k++)
			if (v->loaded[k] != v->image_size[k])
				return -BWM_ESTATE; /* an image is incomplete */
		for (int k = 0; k < BWM_IMAGE_COUNT; k++)
			if (v->image[k] != NULL && v->image_size[k] != 0 && v->image[k][0] == 0xee)
				return -BWM_EINVAL; /* the tests' "bad image" */
		v->info.state = BWM_VM_RUNNING;
		v->info.boots++;
		return 0;
	case BWM_OP_STOP:
		if (req->arg[0] & ~(uint64_t)BWM_STOP_FORCE)
			return -BWM_EINVAL;
		if (v->info.state != BWM_VM_RUNNING && v->info.state != BWM_VM_PAUSED &&
		    v->info.state != BWM_VM_STOPPING)
			return -BWM_ESTATE;
		if (!(req->arg[0] & BWM_STOP_FORCE) && v->info.state == BWM_VM_PAUSED)
			return -BWM_ESTATE; /* a paused VM cannot act on a request */
		if (req->arg[0] & BWM_STOP_FORCE) {
			v->info.state = BWM_VM_STOPPED;
			snprintf(v->info.stop_reason, sizeof(v->info.stop_reason), "stopped by VM %u", fake.self);
		} else if (v->info.state == BWM_VM_STOPPING) {
			return -BWM_ESTATE;
		} else {
			v->info.state = BWM_VM_STOPPING;
		}
		return 0;
	case BWM_OP_RESET:
		if (v->info.state != BWM_VM_RUNNING && v->info.state != BWM_VM_PAUSED)
			return -BWM_ESTATE;
		v->info.state = BWM_VM_RUNNING;
		v->info.boots++;
		return 0;
	case BWM_OP_PAUSE:
		if (v->info.state != BWM_VM_RUNNING)
			return -BWM_ESTATE;
		v->info.state = BWM_VM_PAUSED;
		return 0;
	case BWM_OP_RESUME:
		if (v->info.state != BWM_VM_PAUSED)
			return -BWM_ESTATE;
		v->info.state = BWM_VM_RUNNING;
		return 0;
	case BWM_OP_CONSOLE_READ: {
		uint64_t oldest = v->console_next > FAKE_CONSOLE ? v->console_next - FAKE_CONSOLE : 0;
		uint64_t from = req->arg[0] < oldest ? oldest : req->arg[0];

		if (from > v->console_next)
			return -BWM_EINVAL;
		for (uint64_t s = from; s < v->console_next; s++)
			out[resp->size++] = (unsigned char)v->console[s % FAKE_CONSOLE];
		resp->val[0] = v->console_next;
		resp->val[1] = oldest;
		return 0;
	}
	case BWM_OP_CONSOLE_WRITE: {
		/* Like the UART's 64-byte FIFO: takes what fits, says how much. */
		size_t room = fake.typed_room < sizeof(v->typed) - v->typed_len ?
			      fake.typed_room : sizeof(v->typed) - v->typed_len;
		size_t n = req->size < room ? req->size : room;

		if (req->size == 0 || req->size > 64)
			return -BWM_EINVAL;
		memcpy(v->typed + v->typed_len, payload, n);
		v->typed_len += n;
		fake.typed_room -= n;
		resp->val[0] = n;
		return 0;
	}
	case BWM_OP_LOAD:
		if (v->info.state != BWM_VM_CREATED)
			return -BWM_ESTATE;
		/* In order and page-aligned, within the declared size. */
		if (req->arg[0] >= BWM_IMAGE_COUNT || req->arg[1] % 4096 != 0 || req->size == 0 ||
		    req->arg[1] != v->loaded[req->arg[0]] ||
		    req->size > v->image_size[req->arg[0]] - req->arg[1])
			return -BWM_EINVAL;
		memcpy(v->image[req->arg[0]] + req->arg[1], payload, req->size);
		v->loaded[req->arg[0]] += req->size;
		return 0;
	case BWM_OP_DESTROY:
		free_vm(v);
		return 0;
	default:
		return -BWM_EINVAL;
	}
}

int bwt_call(const struct bwm_req *req, const void *payload, size_t payload_len,
	     struct bwm_resp *resp, void *out, size_t out_size, char *err, size_t err_size)
{
	static unsigned char buffer[BWM_DATA_MAX];
	static unsigned char in[BWM_DATA_MAX];
	struct fake_call *rec = &fake.calls[fake.call_count % FAKE_CALLS];

	(void)err;
	(void)err_size;
	if (!fake.opened)
		return -BWT_ENODEV;
	rec->req = *req;
	rec->payload_len = (uint32_t)payload_len;
	fake.call_count++;
	/* Like the hypervisor: the payload is copied out of the buffer first. */
	memset(in, 0, sizeof(in));
	if (fake.control && payload_len != 0)
		memcpy(in, payload, payload_len < fake.data_max ? payload_len : fake.data_max);
	memset(resp, 0, sizeof(*resp));
	resp->magic = BWM_RESP_MAGIC;
	resp->status = answer(req, in, buffer, resp);
	if (resp->status != 0) {
		resp->size = resp->count = 0;
		memset(resp->val, 0, sizeof(resp->val));
	}
	memcpy(out, buffer, resp->size < out_size ? resp->size : out_size);
	return 0;
}
