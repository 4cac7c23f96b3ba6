/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The input format of test/fuzz/fuzz_pack.c, shared with the unit test that
 * writes its seeds (test/unit/test_pack.c). All numbers little-endian.
 *
 *   u8  host: CPU count 1 + (host & 63); RAM 1024, 4096, 65536 or 2^20 MiB
 *       by host >> 6
 *   u8  hypervisor: an Image of 1 + (hyp & 7) pages, its file 16 * (hyp >> 3)
 *       bytes shorter
 *   u8  how: bit 0 set: a raw description follows (u16 length, then the
 *       blob); clear: bytes that generate one (see generate())
 *   per VM of the description, in order:
 *     u8  kernel mode: bit 0: a raw 64-byte header follows the body size;
 *         clear: the "ARM\x64" magic with, if bit 1, a u16 text_offset / 256
 *         and, if bit 2, a u24 image_size / 4096; bits 6:4: body size shift;
 *         bit 3: the file is larger than the VM's RAM (u16 more bytes) and
 *         only its header was read
 *     u16 body size (bytes after the header, shifted left by bits 6:4)
 *     ... the header fields the mode asks for, then, with bit 3, the u16
 *     if the VM has an initrd: u24 size, u8 shift (size << (shift & 3)),
 *         at most 8 MiB
 */
#ifndef BULWARK_TEST_FUZZ_PACK_H
#define BULWARK_TEST_FUZZ_PACK_H

#define FUZZ_PACK_KERNEL_MAX (64u + (0xffffu << 7))

#define FUZZ_PACK_RAW_DESC 1u
#define FUZZ_PACK_KERNEL_RAW_HEADER 1u
#define FUZZ_PACK_KERNEL_TEXT_OFFSET 2u
#define FUZZ_PACK_KERNEL_IMAGE_SIZE 4u
#define FUZZ_PACK_KERNEL_OVERSIZE 8u

#endif
