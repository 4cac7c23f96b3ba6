/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Included first in every EL2 translation unit: the image is one static
 * position-independent executable, so every symbol is local to it and
 * needs no GOT indirection.
 */
#pragma GCC visibility push(hidden)
