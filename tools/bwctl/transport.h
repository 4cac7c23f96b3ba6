/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How bwctl reaches the hypervisor's management API (docs/api.md).
 *
 * One interface, two implementations chosen by linking:
 *   transport_devmem.c  the real one: the register page and the shared
 *                       buffer mapped from /dev/mem in a control VM;
 *   fake_transport.c    an in-process model of the hypervisor for the host
 *                       unit tests (test_bwctl.c).
 * The command code (bwctl.c) only ever speaks through these functions.
 */
#ifndef BWCTL_TRANSPORT_H
#define BWCTL_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include <bulwark/mgmt.h>

/* What the register page says about this VM, read once by bwt_open(). */
struct bwt_info {
	uint32_t version;   /* BWM_REG_VERSION: major << 16 | minor */
	uint32_t caps;      /* BWM_REG_CAPS */
	uint32_t buf_size;  /* BWM_REG_BUF_SIZE: 0 without `control` */
	uint32_t self;      /* BWM_REG_SELF */
};

/* Transport failures (negative returns); a call that reached the hypervisor
 * returns 0 and its outcome is in `resp->status`. */
enum bwt_error {
	BWT_ENODEV = 1,   /* no /dev/mem, or no Bulwark register page behind it */
	BWT_EACCES = 2,   /* /dev/mem may not be opened (not root) */
	BWT_EVERSION = 3, /* the hypervisor speaks another major version */
	BWT_EPROTO = 4,   /* the hypervisor's answer breaks the ABI */
};

/*
 * bwt_open() - find the register page, check BWM_REG_MAGIC and the major
 * version, map the shared buffer when BWM_REG_BUF_SIZE says there is one.
 * @info: filled on success (and as far as read on BWT_EVERSION).
 * @err, @err_size: a one-line reason on failure, without a prefix.
 * Returns 0 or -BWT_*. Calling it again after success does nothing.
 */
int bwt_open(struct bwt_info *info, char *err, size_t err_size);

/*
 * bwt_data_max() - the largest payload a call may carry or return: the
 * buffer's size less BWM_DATA_OFFSET (0 without a buffer).
 */
size_t bwt_data_max(void);

/*
 * bwt_call() - one synchronous call.
 * @req: the request header, sent as given (`req->size` included, even when
 *       it disagrees with @payload_len: the tests send bad sizes on purpose).
 * @payload, @payload_len: bytes written at BWM_DATA_OFFSET; @payload_len is
 *       at most bwt_data_max().
 * @resp: the response header. Without a buffer only the status register
 *       can be read: `resp` then holds the magic, that status and zeros.
 * @out, @out_size: receive min(resp->size, @out_size) payload bytes.
 * Returns 0 when the hypervisor answered, or -BWT_* with @err filled when
 * the answer breaks the ABI (bad response magic, a status register that
 * disagrees with the response, a size past the buffer).
 * Calls from several bwctl processes are serialised (one buffer per VM).
 */
int bwt_call(const struct bwm_req *req, const void *payload, size_t payload_len,
	     struct bwm_resp *resp, void *out, size_t out_size, char *err, size_t err_size);

/* bwt_close() - unmap and close; bwt_open() may be called again. */
void bwt_close(void);

/* Monotonic milliseconds and sleeping, for polling (the fake's are virtual). */
uint64_t bwt_now_ms(void);
void bwt_sleep_ms(unsigned ms);

#endif
