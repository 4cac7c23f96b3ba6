/* SPDX-License-Identifier: Apache-2.0 */
/* The image the mgmt guest hands to BWM_OP_CREATE: the `hello` guest, as built. */
	.section .rodata.payload, "a"
	.balign 16
	.global payload_start, payload_end
payload_start:
	.incbin PAYLOAD
payload_end:
