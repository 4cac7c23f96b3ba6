/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bwctl, the management CLI of a Bulwark control VM (docs/api.md): the
 * command code (bwctl.c) and its parsing and formatting helpers (util.c).
 * Nothing here touches the hardware; the transport (transport.h) does.
 */
#ifndef BWCTL_BWCTL_H
#define BWCTL_BWCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit status, one per class of failure (docs/api.md, `bwctl --help`). */
enum bwctl_exit {
	BWCTL_EXIT_OK = 0,
	BWCTL_EXIT_FAIL = 1,      /* anything else: an unexpected status, output failed */
	BWCTL_EXIT_USAGE = 2,     /* bad command line */
	BWCTL_EXIT_PERM = 3,      /* no `control` capability, not root, or a VM acting on itself */
	BWCTL_EXIT_NOVM = 4,      /* no such VM */
	BWCTL_EXIT_STATE = 5,     /* the VM is not in a state that allows it */
	BWCTL_EXIT_RESOURCE = 6,  /* not enough memory, a CPU not free, no VM slot */
	BWCTL_EXIT_INPUT = 7,     /* bad input: file, image, size, name, refused request */
	BWCTL_EXIT_TRANSPORT = 8, /* no Bulwark found, version mismatch, broken answer */
	BWCTL_EXIT_TIMEOUT = 9,   /* waited longer than --timeout */
};

/*
 * bwctl_main() - runs one bwctl command line.
 * @argc, @argv: as given to main() (argv[0] is ignored).
 * @out, @err: where results and error messages go.
 * Returns the exit status (enum bwctl_exit).
 */
int bwctl_main(int argc, char **argv, FILE *out, FILE *err);

/* --- util.c: pure helpers, each tested on the host --- */

/* A size: decimal or 0x hex, optionally followed by K, M, G or T (binary
 * multiples, case-insensitive, optionally with "iB"). 0 or -1. */
int bwctl_parse_size(const char *s, uint64_t *out);

/* An unsigned number: decimal or 0x hex, no suffix. 0 or -1. */
int bwctl_parse_u64(const char *s, uint64_t *out);

/* A CPU list such as "3" or "1-2,4" into a mask of CPUs 0..63.
 * 0, or -1 with a reason in @why. */
int bwctl_parse_cpus(const char *s, uint64_t *mask, char *why, size_t why_size);

/* "1-2,4" for a mask; "-" for none. */
void bwctl_format_cpus(uint64_t mask, char *buf, size_t size);

/* "256 MiB", "1 GiB", "12 KiB", "1536 B": exact, the largest unit that divides. */
void bwctl_format_size(uint64_t bytes, char *buf, size_t size);

/* Text given to `console --send`: \n \r \t \\ \e \xHH are decoded.
 * Writes at most strlen(s) bytes to @out, sets *@len.
 * 0, or -1 with a reason in @why. */
int bwctl_unescape(const char *s, char *out, size_t *len, char *why, size_t why_size);

/* A VM name as the API accepts it: 1 to 31 of [a-z0-9_-]. */
bool bwctl_name_valid(const char *s);

/* The name of a VM state, or "unknown". */
const char *bwctl_state_name(uint32_t state);

/* The symbolic name of a status ("OK", "EPERM", ...), or NULL. */
const char *bwctl_status_name(int32_t status);

/* A string of at most @n bytes (stopping at NUL) as a JSON string, quoted. */
void bwctl_json_str(FILE *f, const char *s, size_t n);

/* The same for a terminal: unprintable bytes as \xHH, no quotes. */
void bwctl_text_str(FILE *f, const char *s, size_t n);

#endif
