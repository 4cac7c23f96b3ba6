# SPDX-License-Identifier: Apache-2.0
hyp-srcs += src/vdev/vuart.c
