/* SPDX-License-Identifier: Apache-2.0 */
#include <bulwark/fmt.h>
#include <bulwark/types.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

static void out_str(struct out *o, const char *s, int width, int prec, bool left)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while ((prec < 0 || n < prec) && s[n])
		n++;
	if (!left)
		out_pad(o, ' ', width - n);
	for (int i = 0; i < n; i++)
		out_char(o, s[i]);
	if (left)
		out_pad(o, ' ', width - n);
}

static void out_num(struct out *o, unsigned long long v, bool neg, unsigned base,
		    bool upper, int width, bool zero, bool left, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, plen = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	while (prefix && prefix[plen])
		plen++;
	int len = n + plen + (neg ? 1 : 0);

	if (!left && !zero)
		out_pad(o, ' ', width - len);
	if (neg)
		out_char(o, '-');
	for (int i = 0; i < plen; i++)
		out_char(o, prefix[i]);
	if (!left && zero)
		out_pad(o, '0', width - len);
	while (n)
		out_char(o, tmp[--n]);
	if (left)
		out_pad(o, ' ', width - len);
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			out_char(&o, *p);
			continue;
		}
		bool left = false, zero = false, alt = false;
		int width = 0, prec = -1, lng = 0;

		for (;; p++) {
			if (p[1] == '-')
				left = true;
			else if (p[1] == '0')
				zero = true;
			else if (p[1] == '#')
				alt = true;
			else
				break;
		}
		p++;
		if (*p == '*') {
			width = va_arg(ap, int);
			p++;
		} else {
			while (*p >= '0' && *p <= '9' && width < 4096)
				width = width * 10 + (*p++ - '0');
		}
		if (*p == '.') {
			p++;
			prec = 0;
			if (*p == '*') {
				prec = va_arg(ap, int);
				p++;
			} else {
				while (*p >= '0' && *p <= '9' && prec < 4096)
					prec = prec * 10 + (*p++ - '0');
			}
		}
		while (*p == 'l' || *p == 'h' || *p == 'z') {
			if (*p == 'l' || *p == 'z')
				lng++;
			else
				lng--;
			p++;
		}

		unsigned long long u;
		long long s;

		switch (*p) {
		case 'd':
		case 'i':
			if (lng >= 2)
				s = va_arg(ap, long long);
			else if (lng == 1)
				s = va_arg(ap, long);
			else
				s = va_arg(ap, int);
			if (lng == -1)
				s = (short)s;
			else if (lng <= -2)
				s = (signed char)s;
			u = s < 0 ? 0ULL - (unsigned long long)s : (unsigned long long)s;
			out_num(&o, u, s < 0, 10, false, width, zero, left, NULL);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (lng >= 2)
				u = va_arg(ap, unsigned long long);
			else if (lng == 1)
				u = va_arg(ap, unsigned long);
			else
				u = va_arg(ap, unsigned int);
			if (lng == -1)
				u = (unsigned short)u;
			else if (lng <= -2)
				u = (unsigned char)u;
			out_num(&o, u, false, *p == 'u' ? 10 : *p == 'o' ? 8 : 16,
				*p == 'X', width, zero, left,
				alt && (*p == 'x' || *p == 'X') ? "0x" : NULL);
			break;
		case 'p':
			out_num(&o, (uintptr_t)va_arg(ap, void *), false, 16, false, width,
				zero, left, "0x");
			break;
		case 'c':
			out_char(&o, (char)va_arg(ap, int));
			break;
		case 's':
			out_str(&o, va_arg(ap, const char *), width, prec, left);
			break;
		case '%':
			out_char(&o, '%');
			break;
		case '\0':
			p--; /* a lone '%' at the end */
			break;
		default:
			out_char(&o, '%');
			out_char(&o, *p);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > 0x7fffffff ? 0x7fffffff : (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
