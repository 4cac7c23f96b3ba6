/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a libFuzzer input as a stream of little-endian values. */
#ifndef BULWARK_TEST_FUZZ_INPUT_H
#define BULWARK_TEST_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct input {
	const uint8_t *p;
	size_t left;
};

/* The next @bytes bytes (fewer at the end, then zeros) as a number. */
static inline uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->left; i++, in->left--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

#endif
