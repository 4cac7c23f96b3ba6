/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fake hypervisor behind bwctl's transport interface, for the host unit
 * tests: a table of VMs that answers every operation of the management API
 * the way docs/api.md says the hypervisor does (permission, states, CPUs,
 * memory, slots, image loading, the console ring), with virtual time, a
 * record of every request, and knobs to make it fail on purpose.
 */
#ifndef BWCTL_FAKE_TRANSPORT_H
#define BWCTL_FAKE_TRANSPORT_H

#include <stdbool.h>

#include "transport.h"

#define FAKE_VM_SLOTS 4
#define FAKE_CONSOLE 256      /* the fake's console ring, small to test losses */
#define FAKE_CALLS 512

struct fake_vm {
	bool exists;
	struct bwm_vm_info info;
	char console[FAKE_CONSOLE];
	uint64_t console_next;       /* sequence number after the last byte */
	char typed[256];             /* what CONSOLE_WRITE delivered */
	size_t typed_len;
	int stop_after_polls;        /* a graceful stop completes after this many LISTs; -1 never */
	uint64_t image_size[BWM_IMAGE_COUNT];
	uint32_t mitigations;              /* what CREATE asked for */
	unsigned char *image[BWM_IMAGE_COUNT];
	uint64_t loaded[BWM_IMAGE_COUNT];
};

struct fake_call {
	struct bwm_req req;
	uint32_t payload_len;
};

struct fake {
	int open_error;              /* bwt_open() returns -open_error when non-zero */
	uint32_t version;            /* BWM_REG_VERSION */
	bool control;
	uint32_t self;
	size_t data_max;
	uint64_t mem_total, mem_free, cpu_online, cpu_free;
	struct fake_vm vm[FAKE_VM_SLOTS];
	int32_t fail_op[BWM_OP_COUNT_]; /* a status to answer this op with, instead */
	bool bad_list_size;
	size_t typed_room;           /* what the console input takes before it is "full" */          /* LIST answers a size that does not match count */
	uint64_t now_ms;
	struct fake_call calls[FAKE_CALLS];
	size_t call_count;
	bool opened;
};

extern struct fake fake;

/* A system like the test scenarios': 'ctl' (id 0, control, CPUs 1-2, 256 MiB,
 * this VM), 'ticker' (id 1, CPU 3, 8 MiB), 4 CPUs, 1 GiB for VMs. */
void fake_reset(void);

/* Appends text to a VM's console. */
void fake_console_print(uint32_t id, const char *text);

/* How many recorded calls had operation @op. */
size_t fake_calls_of(uint16_t op);

#endif
