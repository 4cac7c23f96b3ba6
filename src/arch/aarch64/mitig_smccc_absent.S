/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "smccc" mitigation module compiled out: no workaround call is
 * offered to guests, every HVC but the version queries takes the full exit
 * (see mitig_smccc.S for the contract).
 */
	.text
	.global	mitig_hvc_fast
mitig_hvc_fast:
	mov	x1, #0				/* a synchronous exit */
	b	guest_exit
