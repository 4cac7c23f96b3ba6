# SPDX-License-Identifier: Apache-2.0
hyp-srcs += src/drivers/pl011.c src/drivers/gicv3.c
