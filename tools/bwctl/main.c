/* SPDX-License-Identifier: Apache-2.0 */
/* bwctl's entry point: the command code with the /dev/mem transport. */
#include <stdio.h>

#include "bwctl.h"

int main(int argc, char **argv)
{
	return bwctl_main(argc, argv, stdout, stderr);
}
