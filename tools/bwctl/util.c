/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bwctl's parsing and formatting helpers: sizes, CPU lists, escapes, names,
 * JSON strings. Pure functions, tested on the host (test_bwctl.c).
 */
#include <stdarg.h>
#include <string.h>

#include <bulwark/mgmt.h>

#include "bwctl.h"

static int digit_value(char c, unsigned base)
{
	unsigned d;

	if (c >= '0' && c <= '9')
		d = (unsigned)(c - '0');
	else if (c >= 'a' && c <= 'f')
		d = (unsigned)(c - 'a' + 10);
	else if (c >= 'A' && c <= 'F')
		d = (unsigned)(c - 'A' + 10);
	else
		return -1;
	return d < base ? (int)d : -1;
}

/* Parses the number at *s, advancing it; no sign, no spaces. */
static int parse_number(const char **s, uint64_t *out)
{
	const char *p = *s;
	unsigned base = 10;
	uint64_t v = 0;
	int d, n = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	while ((d = digit_value(*p, base)) >= 0) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -1;
		v = v * base + (uint64_t)d;
		p++;
		n++;
	}
	if (n == 0)
		return -1;
	*s = p;
	*out = v;
	return 0;
}

int bwctl_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v;

	if (parse_number(&s, &v) != 0 || *s != '\0')
		return -1;
	*out = v;
	return 0;
}

int bwctl_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	const char *u;
	uint64_t v;
	unsigned shift = 0;

	if (parse_number(&s, &v) != 0)
		return -1;
	if (*s != '\0') {
		char c = *s;

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		u = strchr(units, c);
		if (u == NULL || c == '\0')
			return -1;
		shift = 10u * (unsigned)(u - units + 1);
		s++;
		if (strcmp(s, "iB") != 0 && strcmp(s, "") != 0)
			return -1;
	}
	if (shift != 0 && v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

static void why_printf(char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void why_printf(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (size == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
}

int bwctl_parse_cpus(const char *s, uint64_t *mask, char *why, size_t why_size)
{
	uint64_t m = 0;

	if (*s == '\0') {
		why_printf(why, why_size, "empty CPU list");
		return -1;
	}
	for (;;) {
		uint64_t lo, hi;

		if (parse_number(&s, &lo) != 0) {
			why_printf(why, why_size, "expected a CPU number at '%s'", s);
			return -1;
		}
		hi = lo;
		if (*s == '-') {
			s++;
			if (parse_number(&s, &hi) != 0) {
				why_printf(why, why_size, "expected a CPU number at '%s'", s);
				return -1;
			}
			if (hi < lo) {
				why_printf(why, why_size, "range %llu-%llu goes backwards",
					   (unsigned long long)lo, (unsigned long long)hi);
				return -1;
			}
		}
		if (hi > 63) {
			why_printf(why, why_size, "CPU %llu does not exist (CPUs are 0 to 63)",
				   (unsigned long long)hi);
			return -1;
		}
		for (uint64_t c = lo; c <= hi; c++) {
			if (m & (1ULL << c)) {
				why_printf(why, why_size, "CPU %llu is listed twice",
					   (unsigned long long)c);
				return -1;
			}
			m |= 1ULL << c;
		}
		if (*s == '\0')
			break;
		if (*s != ',') {
			why_printf(why, why_size, "unexpected '%c' (a list looks like 1-2,4)", *s);
			return -1;
		}
		s++;
	}
	*mask = m;
	return 0;
}

void bwctl_format_cpus(uint64_t mask, char *buf, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (mask == 0) {
		snprintf(buf, size, "-");
		return;
	}
	for (unsigned c = 0; c < 64; c++) {
		unsigned end = c;
		int w;

		if (!(mask & (1ULL << c)))
			continue;
		while (end + 1 < 64 && (mask & (1ULL << (end + 1))))
			end++;
		if (end == c)
			w = snprintf(buf + n, size - n, "%s%u", n ? "," : "", c);
		else
			w = snprintf(buf + n, size - n, "%s%u-%u", n ? "," : "", c, end);
		if (w < 0 || (size_t)w >= size - n)
			return; /* truncated, still NUL-terminated */
		n += (size_t)w;
		c = end;
	}
}

void bwctl_format_size(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;

	while (u < 4 && bytes != 0 && (bytes & 1023) == 0) {
		bytes >>= 10;
		u++;
	}
	snprintf(buf, size, "%llu %s", (unsigned long long)bytes, units[u]);
}

int bwctl_unescape(const char *s, char *out, size_t *len, char *why, size_t why_size)
{
	size_t n = 0;

	while (*s != '\0') {
		char c = *s++;

		if (c != '\\') {
			out[n++] = c;
			continue;
		}
		c = *s++;
		switch (c) {
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'e': out[n++] = '\033'; break;
		case '\\': out[n++] = '\\'; break;
		case 'x': {
			int hi = digit_value(s[0], 16), lo = hi < 0 ? -1 : digit_value(s[1], 16);

			if (hi < 0 || lo < 0) {
				why_printf(why, why_size, "\\x needs two hex digits");
				return -1;
			}
			out[n++] = (char)(hi * 16 + lo);
			s += 2;
			break;
		}
		case '\0':
			why_printf(why, why_size, "a lone '\\' at the end");
			return -1;
		default:
			why_printf(why, why_size,
				   "unknown escape '\\%c' (known: \\n \\r \\t \\e \\\\ \\xHH)", c);
			return -1;
		}
	}
	*len = n;
	return 0;
}

bool bwctl_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= BWM_NAME_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

const char *bwctl_state_name(uint32_t state)
{
	switch (state) {
	case BWM_VM_STOPPED: return "stopped";
	case BWM_VM_RUNNING: return "running";
	case BWM_VM_RESETTING: return "resetting";
	case BWM_VM_PAUSED: return "paused";
	case BWM_VM_STOPPING: return "stopping";
	case BWM_VM_CREATED: return "created";
	default: return "unknown";
	}
}

const char *bwctl_status_name(int32_t status)
{
	static const char *const names[] = {
		[BWM_OK] = "OK", [BWM_EPERM] = "EPERM", [BWM_EINVAL] = "EINVAL",
		[BWM_ENOENT] = "ENOENT", [BWM_ESTATE] = "ESTATE", [BWM_ENOMEM] = "ENOMEM",
		[BWM_EBUSY] = "EBUSY", [BWM_ENOSPC] = "ENOSPC", [BWM_EVERSION] = "EVERSION",
		[BWM_ESELF] = "ESELF", [BWM_EEXIST] = "EEXIST",
	};

	if (status > 0 || status < -(int32_t)(sizeof(names) / sizeof(names[0]) - 1))
		return NULL;
	return names[-status];
}

void bwctl_json_str(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c); /* bytes, not UTF-8: one code point each */
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void bwctl_text_str(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || c == '\\')
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}
