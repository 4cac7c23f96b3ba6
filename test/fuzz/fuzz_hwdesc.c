/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer harness: hardware discovery over arbitrary devicetree blobs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bulwark/hwdesc.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size, 8-aligned copy so ASan sees any read past the end. */
	uint64_t *blob = malloc(size ? size : 1);
	struct hw_desc hw;
	const char *why = NULL;
	char value[16];

	if (!blob)
		return 0;
	memcpy(blob, data, size);
	if (hwdesc_parse(&hw, blob, size, &why) == 0) {
		if (hw.mem_count == 0 || hw.cpu_count == 0 || hw.psci != HW_PSCI_SMC)
			abort(); /* accepted a description boot could not use */
		hwdesc_bootarg(&hw, "bulwark.selftest", value, sizeof(value));
		hwdesc_bootarg(&hw, "a", value, 1);
	} else if (!why) {
		abort(); /* every rejection must say why */
	}
	free(blob);
	return 0;
}
