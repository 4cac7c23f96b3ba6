/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bwctl's real transport: the management register page (BWM_REGS_IPA) and
 * the shared buffer (BWM_BUF_IPA) mapped from /dev/mem (docs/api.md).
 *
 * Neither range is RAM and no driver claims them, so a stock kernel with
 * STRICT_DEVMEM and IO_STRICT_DEVMEM lets root map them; arm64 Linux maps
 * such pages as Device memory. Device memory faults on unaligned accesses,
 * and the register page is emulated by the hypervisor, which decodes only
 * single loads and stores without writeback. Hence:
 *   - registers: one 32-bit `ldr`/`str` from a plain base register, in
 *     inline assembly so that the compiler cannot choose another form;
 *   - buffer: aligned 64-bit volatile accesses only, never memcpy/memset;
 *     a payload's last partial word is padded with zeros in the buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"

#define DEVMEM "/dev/mem"

static int mem_fd = -1;
static volatile uint32_t *regs;
static volatile uint64_t *buf;
static size_t buf_size;
static struct bwt_info opened;

static uint32_t reg_read(unsigned off)
{
	volatile uint32_t *p = regs + off / 4;
	uint32_t v;

#if defined(__aarch64__)
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(p) : "memory");
#else
	v = *p;
#endif
	return v;
}

static void reg_write(unsigned off, uint32_t v)
{
	volatile uint32_t *p = regs + off / 4;

#if defined(__aarch64__)
	__asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(p) : "memory");
#else
	*p = v;
#endif
}

static void barrier(void)
{
#if defined(__aarch64__)
	__asm__ volatile("dsb sy" ::: "memory");
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/* Copies @len bytes to the buffer at @off (a multiple of 8), a word at a time. */
static void buf_put(size_t off, const void *src, size_t len)
{
	volatile uint64_t *d = buf + off / 8;
	const unsigned char *s = src;

	for (; len >= 8; len -= 8, s += 8) {
		uint64_t w;
		memcpy(&w, s, 8); /* into a local: ordinary memory */
		*d++ = w;
	}
	if (len != 0) {
		uint64_t w = 0;
		memcpy(&w, s, len);
		*d = w;
	}
}

/* Copies @len bytes from the buffer at @off (a multiple of 8), a word at a time. */
static void buf_get(size_t off, void *dst, size_t len)
{
	const volatile uint64_t *p = buf + off / 8;
	unsigned char *o = dst;

	for (; len >= 8; len -= 8, o += 8) {
		uint64_t w = *p++;
		memcpy(o, &w, 8);
	}
	if (len != 0) {
		uint64_t w = *p;
		memcpy(o, &w, len);
	}
}

/* The first read of the register page may fault when there is no Bulwark
 * (bare QEMU: an unassigned address); that becomes an error, not a crash. */
static sigjmp_buf probe_env;
static volatile sig_atomic_t probing;

static void probe_fault(int sig)
{
	(void)sig;
	if (probing)
		siglongjmp(probe_env, 1);
}

static int probe_magic(uint32_t *magic)
{
	struct sigaction sa, old_bus, old_segv;
	int faulted;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = probe_fault;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	faulted = sigsetjmp(probe_env, 1);
	if (!faulted) {
		probing = 1;
		*magic = reg_read(BWM_REG_MAGIC);
	}
	probing = 0;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return faulted ? -1 : 0;
}

static int fail(int code, char *err, size_t err_size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(int code, char *err, size_t err_size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_size, fmt, ap);
	va_end(ap);
	bwt_close();
	return -code;
}

int bwt_open(struct bwt_info *info, char *err, size_t err_size)
{
	void *p;
	uint32_t magic;

	if (mem_fd >= 0) {
		*info = opened;
		return 0;
	}
	mem_fd = open(DEVMEM, O_RDWR | O_SYNC | O_CLOEXEC);
	if (mem_fd < 0) {
		int e = errno;
		if (e == EACCES || e == EPERM)
			return fail(BWT_EACCES, err, err_size,
				    "cannot open " DEVMEM ": %s (bwctl must run as root)", strerror(e));
		return fail(BWT_ENODEV, err, err_size,
			    "cannot open " DEVMEM ": %s (not a Bulwark VM, or a kernel without CONFIG_DEVMEM)",
			    strerror(e));
	}
	p = mmap(NULL, BWM_REGS_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mem_fd, (off_t)BWM_REGS_IPA);
	if (p == MAP_FAILED)
		return fail(BWT_ENODEV, err, err_size,
			    "cannot map the register page at 0x%llx from " DEVMEM ": %s",
			    (unsigned long long)BWM_REGS_IPA, strerror(errno));
	regs = p;
	if (probe_magic(&magic) != 0)
		return fail(BWT_ENODEV, err, err_size,
			    "no Bulwark management registers at 0x%llx (reading them faulted): "
			    "not running under Bulwark?", (unsigned long long)BWM_REGS_IPA);
	if (magic != BWM_MAGIC)
		return fail(BWT_ENODEV, err, err_size,
			    "no Bulwark management registers at 0x%llx (magic 0x%08x, expected 0x%08x): "
			    "not running under Bulwark?", (unsigned long long)BWM_REGS_IPA, magic,
			    BWM_MAGIC);
	info->version = reg_read(BWM_REG_VERSION);
	info->caps = reg_read(BWM_REG_CAPS);
	info->buf_size = reg_read(BWM_REG_BUF_SIZE);
	info->self = reg_read(BWM_REG_SELF);
	if (info->version >> 16 != BWM_VERSION_MAJOR)
		return fail(BWT_EVERSION, err, err_size,
			    "the hypervisor speaks management API %u.%u, bwctl speaks %u.%u",
			    info->version >> 16, info->version & 0xffff, BWM_VERSION_MAJOR,
			    BWM_VERSION_MINOR);
	if (info->buf_size != 0) {
		if (info->buf_size > BWM_BUF_SIZE || info->buf_size <= BWM_DATA_OFFSET ||
		    info->buf_size % 4096 != 0)
			return fail(BWT_EPROTO, err, err_size,
				    "BWM_REG_BUF_SIZE is 0x%x: not a page multiple from 0x%x to 0x%llx",
				    info->buf_size, BWM_DATA_OFFSET + 4096, (unsigned long long)BWM_BUF_SIZE);
		p = mmap(NULL, info->buf_size, PROT_READ | PROT_WRITE, MAP_SHARED, mem_fd,
			 (off_t)BWM_BUF_IPA);
		if (p == MAP_FAILED)
			return fail(BWT_ENODEV, err, err_size,
				    "cannot map the shared buffer at 0x%llx from " DEVMEM ": %s",
				    (unsigned long long)BWM_BUF_IPA, strerror(errno));
		buf = p;
		buf_size = info->buf_size;
	}
	opened = *info;
	return 0;
}

size_t bwt_data_max(void)
{
	return buf_size != 0 ? buf_size - BWM_DATA_OFFSET : 0;
}

int bwt_call(const struct bwm_req *req, const void *payload, size_t payload_len,
	     struct bwm_resp *resp, void *out, size_t out_size, char *err, size_t err_size)
{
	int32_t status;
	int ret = 0;

	if (mem_fd < 0) {
		snprintf(err, err_size, "the transport is not open");
		return -BWT_ENODEV;
	}
	/* One buffer per VM: another bwctl must not write it mid-call. */
	while (flock(mem_fd, LOCK_EX) != 0 && errno == EINTR)
		;
	if (buf != NULL) {
		buf_put(0, req, sizeof(*req));
		if (payload_len > bwt_data_max())
			payload_len = bwt_data_max();
		if (payload_len != 0)
			buf_put(BWM_DATA_OFFSET, payload, payload_len);
	}
	barrier(); /* the request is in memory before the doorbell traps */
	reg_write(BWM_REG_DOORBELL, BWM_DOORBELL_CALL);
	barrier();
	status = (int32_t)reg_read(BWM_REG_STATUS);
	memset(resp, 0, sizeof(*resp));
	if (buf == NULL) {
		/* No buffer: the status register is the whole answer. */
		resp->magic = BWM_RESP_MAGIC;
		resp->status = status;
		if (status == BWM_OK) {
			snprintf(err, err_size, "the hypervisor reported success for a call "
				 "made without a shared buffer");
			ret = -BWT_EPROTO;
		}
		goto out;
	}
	buf_get(0, resp, sizeof(*resp));
	if (resp->magic != BWM_RESP_MAGIC) {
		snprintf(err, err_size, "bad response magic 0x%08x (expected 0x%08x; status register %d)",
			 resp->magic, BWM_RESP_MAGIC, status);
		ret = -BWT_EPROTO;
	} else if (resp->status != status) {
		snprintf(err, err_size, "the response says status %d, the status register %d",
			 resp->status, status);
		ret = -BWT_EPROTO;
	} else if (resp->size > bwt_data_max()) {
		snprintf(err, err_size, "response payload of %u bytes is larger than the buffer",
			 resp->size);
		ret = -BWT_EPROTO;
	} else if (out_size != 0 && resp->size != 0) {
		buf_get(BWM_DATA_OFFSET, out, resp->size < out_size ? resp->size : out_size);
	}
out:
	flock(mem_fd, LOCK_UN);
	return ret;
}

void bwt_close(void)
{
	if (buf != NULL)
		munmap((void *)(uintptr_t)buf, buf_size);
	if (regs != NULL)
		munmap((void *)(uintptr_t)regs, BWM_REGS_SIZE);
	if (mem_fd >= 0)
		close(mem_fd);
	buf = NULL;
	regs = NULL;
	buf_size = 0;
	mem_fd = -1;
}

uint64_t bwt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void bwt_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
