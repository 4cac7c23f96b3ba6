/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bwctl: manages the VMs of a Bulwark system from a control VM, through the
 * management API of include/abi/bulwark/mgmt.h (docs/api.md).
 *
 * The command code lives here and speaks only through transport.h, so the
 * host unit tests run all of it against a fake hypervisor. Every command
 * prints a human-readable table or text by default and JSON with --json;
 * every failure is one line `bwctl: COMMAND: WHAT` on stderr and an exit
 * status of its class (enum bwctl_exit).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bulwark/mitig.h> /* the hypervisor's own parser of mitigation choices */

#include "bwctl.h"
#include "transport.h"

/* A status of the transport, not of the hypervisor: `ctx.why` says what. */
#define ST_TRANSPORT INT32_MIN

#define POLL_MS 100u           /* how often `stop` looks at the VM's state */
#define CONSOLE_POLL_MS 200u   /* how often `console --follow` reads */
#define FORCED_STOP_MS 5000u   /* how long a forced stop may take */
#define STOP_TIMEOUT_S 10u     /* `stop --timeout` default */
#define SEND_TIMEOUT_MS 5000u  /* how long `console --send` waits for a full input buffer */
/* CONSOLE_WRITE takes at most this many bytes a call (the emulated UART's
 * receive FIFO; the ABI does not name it yet, see docs/api.md). */
#define CONSOLE_WRITE_MAX 64u
#define MEM_MIN (6u << 20)     /* 2 MiB below the kernel, 2 for it, 2 for the devicetree */
#define LOAD_ALIGN 4096u       /* LOAD offsets are page multiples */

struct command;

struct ctx {
	FILE *out, *err;
	const struct command *cmd;
	bool json;
	bool opened;
	struct bwt_info ti;
	unsigned char *data;   /* response payloads, BWM_DATA_MAX bytes */
	char why[256];         /* the transport's message for ST_TRANSPORT */
	int why_exit;          /* and its exit status */
};

struct command {
	const char *name;
	int (*run)(struct ctx *c, int argc, char **argv);
	const char *args;      /* after `bwctl NAME` */
	const char *summary;
	const char *help;      /* the rest of `bwctl NAME --help` */
};

/* A VM named on the command line. */
struct vmref {
	uint32_t id;
	bool known;                /* `info` holds its LIST record */
	struct bwm_vm_info info;
	char label[BWM_NAME_LEN + 16]; /* "'name'" or "VM 3", for messages */
};

static int fail(struct ctx *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(c->err, "bwctl: %s: ", c->cmd != NULL ? c->cmd->name : "error");
	va_start(ap, fmt);
	vfprintf(c->err, fmt, ap);
	va_end(ap);
	fputc('\n', c->err);
	return code;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n != 0 ? n : 1);

	if (p == NULL) {
		fputs("bwctl: out of memory\n", stderr);
		exit(BWCTL_EXIT_FAIL);
	}
	return p;
}

/* A fixed-size field from the hypervisor as a C string, sanitised. */
static void field_str(char *dst, size_t dst_size, const char *src, size_t src_size)
{
	size_t n = 0;

	for (; n + 1 < dst_size && n < src_size && src[n] != '\0'; n++)
		dst[n] = (src[n] >= 0x20 && src[n] < 0x7f) ? src[n] : '?';
	dst[n] = '\0';
}

/* --- Calls ---------------------------------------------------------------- */

static int32_t call_req(struct ctx *c, const struct bwm_req *req, const void *payload,
			size_t len, struct bwm_resp *resp)
{
	int r;

	if (!c->opened) {
		r = bwt_open(&c->ti, c->why, sizeof(c->why));
		if (r < 0) {
			c->why_exit = r == -BWT_EACCES ? BWCTL_EXIT_PERM : BWCTL_EXIT_TRANSPORT;
			return ST_TRANSPORT;
		}
		c->opened = true;
	}
	r = bwt_call(req, payload, len, resp, c->data, BWM_DATA_MAX, c->why, sizeof(c->why));
	if (r < 0) {
		c->why_exit = BWCTL_EXIT_TRANSPORT;
		return ST_TRANSPORT;
	}
	if (resp->status > 0) {
		snprintf(c->why, sizeof(c->why), "the hypervisor answered status %d (statuses are 0 or negative)",
			 resp->status);
		c->why_exit = BWCTL_EXIT_TRANSPORT;
		return ST_TRANSPORT;
	}
	return resp->status;
}

static int32_t call(struct ctx *c, uint16_t op, uint32_t vm, uint64_t arg0, uint64_t arg1,
		    const void *payload, size_t len, struct bwm_resp *resp)
{
	struct bwm_req req = {
		.magic = BWM_REQ_MAGIC, .version = BWM_VERSION_MAJOR, .op = op, .vm = vm,
		.size = (uint32_t)len, .arg = { arg0, arg1 },
	};

	return call_req(c, &req, payload, len, resp);
}

static int32_t proto_error(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int32_t proto_error(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	c->why_exit = BWCTL_EXIT_TRANSPORT;
	return ST_TRANSPORT;
}

/* LIST into a new array (free it). */
static int32_t get_list(struct ctx *c, struct bwm_vm_info **vms, uint32_t *count)
{
	struct bwm_resp r;
	int32_t st = call(c, BWM_OP_LIST, 0, 0, 0, NULL, 0, &r);

	*vms = NULL;
	*count = 0;
	if (st != 0)
		return st;
	if ((uint64_t)r.count * sizeof(struct bwm_vm_info) != r.size)
		return proto_error(c, "LIST answered %u records in %u bytes", r.count, r.size);
	*vms = xmalloc(r.size);
	memcpy(*vms, c->data, r.size);
	*count = r.count;
	return 0;
}

static int32_t get_info(struct ctx *c, struct bwm_info *info)
{
	struct bwm_resp r;
	int32_t st = call(c, BWM_OP_INFO, 0, 0, 0, NULL, 0, &r);

	if (st != 0)
		return st;
	if (r.size < sizeof(*info))
		return proto_error(c, "INFO answered %u bytes, expected %zu", r.size, sizeof(*info));
	memcpy(info, c->data, sizeof(*info));
	return 0;
}

/* The VM's current LIST record, quietly; false when it cannot be had. */
static bool lookup(struct ctx *c, uint32_t id, struct bwm_vm_info *out)
{
	struct bwm_vm_info *vms;
	uint32_t n;
	bool found = false;

	if (get_list(c, &vms, &n) != 0)
		return false;
	for (uint32_t i = 0; i < n && !found; i++) {
		if (vms[i].id == id) {
			*out = vms[i];
			found = true;
		}
	}
	free(vms);
	return found;
}

static void set_label(struct vmref *v)
{
	char name[BWM_NAME_LEN];

	if (v->known) {
		field_str(name, sizeof(name), v->info.name, sizeof(v->info.name));
		snprintf(v->label, sizeof(v->label), "'%s'", name);
	} else {
		snprintf(v->label, sizeof(v->label), "VM %u", v->id);
	}
}

/*
 * Reports a failed call: one line naming the reason, and the exit status of
 * its class. @vm is the target (or NULL), @verb what was being done to it
 * ("stop", "create").
 */
static int report(struct ctx *c, int32_t st, const struct vmref *vm, const char *verb)
{
	struct bwm_info info;
	struct bwm_vm_info now;
	char a[64], b[64];
	const char *label = vm != NULL ? vm->label : "it";

	switch (st) {
	case ST_TRANSPORT:
		return fail(c, c->why_exit, "%s", c->why);
	case -BWM_EPERM:
		return fail(c, BWCTL_EXIT_PERM,
			    "permission denied: this VM (id %u) does not have the `control` capability (EPERM)",
			    c->ti.self);
	case -BWM_ESELF:
		return fail(c, BWCTL_EXIT_PERM, "refused: a VM may not %s itself (ESELF)", verb);
	case -BWM_ENOENT:
		return fail(c, BWCTL_EXIT_NOVM, "no VM with id %u (ENOENT)", vm != NULL ? vm->id : 0);
	case -BWM_ESTATE:
		if (vm != NULL && lookup(c, vm->id, &now))
			return fail(c, BWCTL_EXIT_STATE, "cannot %s %s: it is %s (ESTATE)", verb, label,
				    bwctl_state_name(now.state));
		return fail(c, BWCTL_EXIT_STATE, "cannot %s %s in its current state (ESTATE)", verb, label);
	case -BWM_ENOMEM:
		if (get_info(c, &info) == 0) {
			bwctl_format_size(info.mem_free, a, sizeof(a));
			return fail(c, BWCTL_EXIT_RESOURCE, "not enough free memory: %s free (ENOMEM)", a);
		}
		return fail(c, BWCTL_EXIT_RESOURCE, "not enough free memory (ENOMEM)");
	case -BWM_EBUSY:
		if (get_info(c, &info) == 0) {
			bwctl_format_cpus(info.cpu_free_mask, a, sizeof(a));
			return fail(c, BWCTL_EXIT_RESOURCE, "a CPU asked for is not free; free CPUs: %s (EBUSY)", a);
		}
		return fail(c, BWCTL_EXIT_RESOURCE, "a CPU asked for is not free (EBUSY)");
	case -BWM_ENOSPC:
		if (get_info(c, &info) == 0)
			return fail(c, BWCTL_EXIT_RESOURCE, "no free VM slot: %u of %u in use (ENOSPC)",
				    info.vm_count, info.vm_max);
		return fail(c, BWCTL_EXIT_RESOURCE, "no free VM slot (ENOSPC)");
	case -BWM_EINVAL:
		return fail(c, BWCTL_EXIT_INPUT, "the hypervisor refused to %s %s: invalid request (EINVAL)",
			    verb, label);
	case -BWM_EEXIST:
		return fail(c, BWCTL_EXIT_INPUT, "a VM named %s exists already (EEXIST)", label);
	case -BWM_EVERSION:
		return fail(c, BWCTL_EXIT_TRANSPORT,
			    "the hypervisor does not accept management API version %u (EVERSION)",
			    BWM_VERSION_MAJOR);
	default:
		snprintf(b, sizeof(b), "%d", st);
		return fail(c, BWCTL_EXIT_FAIL, "unexpected status %s from the hypervisor", b);
	}
}

/*
 * Finds the VM that @arg names: a name first, then a numeric id. A number
 * that is no VM's id is still used, so that the hypervisor answers it.
 */
static int resolve(struct ctx *c, const char *arg, struct vmref *v)
{
	struct bwm_vm_info *vms;
	uint32_t n;
	uint64_t id;
	bool numeric = bwctl_parse_u64(arg, &id) == 0 && id <= UINT32_MAX;
	int32_t st = get_list(c, &vms, &n);

	memset(v, 0, sizeof(*v));
	if (st == 0) {
		for (uint32_t i = 0; i < n && !v->known; i++) {
			if (strlen(arg) < BWM_NAME_LEN && strncmp(vms[i].name, arg, BWM_NAME_LEN) == 0) {
				v->known = true;
				v->info = vms[i];
			}
		}
		for (uint32_t i = 0; i < n && !v->known && numeric; i++) {
			if (vms[i].id == id) {
				v->known = true;
				v->info = vms[i];
			}
		}
		if (v->known) {
			v->id = v->info.id;
		} else if (!numeric) {
			char names[256] = "";
			size_t len = 0;

			for (uint32_t i = 0; i < n && len + BWM_NAME_LEN + 2 < sizeof(names); i++) {
				char name[BWM_NAME_LEN];
				field_str(name, sizeof(name), vms[i].name, sizeof(vms[i].name));
				len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
							i ? ", " : "", name);
			}
			free(vms);
			fail(c, BWCTL_EXIT_NOVM, "no VM named '%s' (VMs: %s)", arg, n ? names : "none");
			return BWCTL_EXIT_NOVM;
		}
		free(vms);
	} else if (!numeric || st == ST_TRANSPORT) {
		return report(c, st, NULL, "list the VMs");
	}
	if (!v->known)
		v->id = (uint32_t)id;
	set_label(v);
	return 0;
}

/* --- Command lines ---------------------------------------------------------- */

struct optspec {
	const char *name;      /* "--force" */
	bool takes_arg;
	const char **value;    /* for options with an argument */
	bool *set;             /* for flags (may be NULL for options with an argument) */
};

#define PARSED -1

static void print_help(const struct command *cmd, FILE *f)
{
	fprintf(f, "usage: bwctl %s%s%s\n\n%s\n%s", cmd->name, cmd->args[0] ? " " : "", cmd->args,
		cmd->summary, cmd->help);
}

/*
 * Splits a subcommand's arguments into options of @specs (plus --json and
 * --help, which every command takes) and positional arguments.
 * Returns PARSED, 0 after --help, or BWCTL_EXIT_USAGE after a message.
 */
static int parse_args(struct ctx *c, int argc, char **argv, const struct optspec *specs,
		      char **pos, int min_pos, int max_pos)
{
	int npos = 0;
	bool only_pos = false;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const struct optspec *o = NULL;
		const char *val = NULL;
		size_t nlen;

		if (only_pos || a[0] != '-' || a[1] == '\0') {
			if (npos == max_pos)
				return fail(c, BWCTL_EXIT_USAGE, "unexpected argument '%s' (see 'bwctl %s --help')",
					    a, c->cmd->name);
			pos[npos++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			print_help(c->cmd, c->out);
			return 0;
		}
		if (strcmp(a, "--json") == 0) {
			c->json = true;
			continue;
		}
		nlen = strcspn(a, "=");
		for (const struct optspec *s = specs; s != NULL && s->name != NULL; s++) {
			if (strlen(s->name) == nlen && strncmp(s->name, a, nlen) == 0)
				o = s;
		}
		if (o == NULL)
			return fail(c, BWCTL_EXIT_USAGE, "unknown option '%.*s' (see 'bwctl %s --help')",
				    (int)nlen, a, c->cmd->name);
		if (o->takes_arg) {
			if (a[nlen] == '=')
				val = a + nlen + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return fail(c, BWCTL_EXIT_USAGE, "%s needs a value", o->name);
			if (*o->value != NULL)
				return fail(c, BWCTL_EXIT_USAGE, "%s given twice", o->name);
			*o->value = val;
		} else {
			if (a[nlen] == '=')
				return fail(c, BWCTL_EXIT_USAGE, "%s takes no value", o->name);
			if (*o->set)
				return fail(c, BWCTL_EXIT_USAGE, "%s given twice", o->name);
			*o->set = true;
		}
		if (o->set != NULL && o->takes_arg)
			*o->set = true;
	}
	if (npos < min_pos)
		return fail(c, BWCTL_EXIT_USAGE, "missing %s (see 'bwctl %s --help')",
			    c->cmd->args[0] == 'N' ? "NAME" : "VM", c->cmd->name);
	return PARSED;
}

/* A number of seconds for --timeout. */
static int parse_seconds(struct ctx *c, const char *opt, const char *s, unsigned *out)
{
	uint64_t v;

	if (bwctl_parse_u64(s, &v) != 0 || v > 86400)
		return fail(c, BWCTL_EXIT_USAGE, "%s: '%s' is not a number of seconds from 0 to 86400",
			    opt, s);
	*out = (unsigned)v;
	return 0;
}

/* --- Output ------------------------------------------------------------------ */

struct table {
	size_t ncols, n, cap;
	char **cells;
};

static void table_addf(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void table_addf(struct table *t, const char *fmt, ...)
{
	va_list ap;
	char cell[160];

	va_start(ap, fmt);
	vsnprintf(cell, sizeof(cell), fmt, ap);
	va_end(ap);
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->cells = realloc(t->cells, t->cap * sizeof(*t->cells));
		if (t->cells == NULL) {
			fputs("bwctl: out of memory\n", stderr);
			exit(BWCTL_EXIT_FAIL);
		}
	}
	t->cells[t->n] = xmalloc(strlen(cell) + 1);
	strcpy(t->cells[t->n++], cell);
}

/* Left-aligned columns, two spaces apart; the last column is not padded. */
static void table_print(struct table *t, FILE *f)
{
	size_t width[16] = { 0 };

	for (size_t i = 0; i < t->n; i++) {
		size_t l = strlen(t->cells[i]);
		if (l > width[i % t->ncols])
			width[i % t->ncols] = l;
	}
	for (size_t i = 0; i < t->n; i++) {
		size_t col = i % t->ncols;
		if (col + 1 == t->ncols)
			fprintf(f, "%s\n", t->cells[i]);
		else
			fprintf(f, "%-*s  ", (int)width[col], t->cells[i]);
	}
	for (size_t i = 0; i < t->n; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->n = t->cap = 0;
}

static void caps_text(uint32_t caps, uint32_t flags, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", caps & BWM_CAP_CONTROL ? "control" : "",
		 (caps & BWM_CAP_CONTROL) && (flags & BWM_VM_FLAG_RUNTIME) ? "," : "",
		 flags & BWM_VM_FLAG_RUNTIME ? "runtime" : "");
	if (buf[0] == '\0')
		snprintf(buf, size, "-");
}

static void json_vm(FILE *f, const struct bwm_vm_info *v)
{
	char cpus[200];

	bwctl_format_cpus(v->cpu_mask, cpus, sizeof(cpus));
	fprintf(f, "{\"id\": %u, \"name\": ", v->id);
	bwctl_json_str(f, v->name, sizeof(v->name));
	fprintf(f, ", \"state\": \"%s\", \"vcpus\": %u, \"cpus\": \"%s\", \"cpu_mask\": %llu, "
		"\"mem_base\": %llu, \"mem_size\": %llu, \"boots\": %u, \"control\": %s, "
		"\"runtime\": %s, \"stop_reason\": ",
		bwctl_state_name(v->state), v->vcpu_count, cpus, (unsigned long long)v->cpu_mask,
		(unsigned long long)v->mem_base, (unsigned long long)v->mem_size, v->boots,
		v->caps & BWM_CAP_CONTROL ? "true" : "false",
		v->flags & BWM_VM_FLAG_RUNTIME ? "true" : "false");
	bwctl_json_str(f, v->stop_reason, sizeof(v->stop_reason));
	fputc('}', f);
}

/* What the simple commands print when they worked. */
static void done(struct ctx *c, const struct vmref *v, const char *result, const char *note)
{
	if (c->json) {
		fprintf(c->out, "{\"id\": %u, \"name\": ", v->id);
		bwctl_json_str(c->out, v->known ? v->info.name : "", BWM_NAME_LEN);
		fprintf(c->out, ", \"result\": \"%s\"}\n", result);
	} else {
		fprintf(c->out, "%s: %s%s\n", v->label, result, note);
	}
}

/* --- Commands ------------------------------------------------------------------ */

static int cmd_list(struct ctx *c, int argc, char **argv)
{
	struct bwm_vm_info *vms;
	uint32_t n;
	int32_t st;
	int r = parse_args(c, argc, argv, NULL, NULL, 0, 0);

	if (r != PARSED)
		return r;
	st = get_list(c, &vms, &n);
	if (st != 0)
		return report(c, st, NULL, "list the VMs");
	if (c->json) {
		fputs("{\"vms\": [", c->out);
		for (uint32_t i = 0; i < n; i++) {
			fputs(i ? ",\n  " : "\n  ", c->out);
			json_vm(c->out, &vms[i]);
		}
		fputs("\n]}\n", c->out);
	} else {
		struct table t = { .ncols = 10 };
		static const char *const head[] = { "ID", "NAME", "STATE", "VCPUS", "CPUS", "MEMORY",
						    "BASE", "BOOTS", "FLAGS", "LAST STOP" };

		for (size_t i = 0; i < 10; i++)
			table_addf(&t, "%s", head[i]);
		for (uint32_t i = 0; i < n; i++) {
			const struct bwm_vm_info *v = &vms[i];
			char name[BWM_NAME_LEN], reason[BWM_REASON_LEN], cpus[200], mem[32], flags[32];

			field_str(name, sizeof(name), v->name, sizeof(v->name));
			field_str(reason, sizeof(reason), v->stop_reason, sizeof(v->stop_reason));
			bwctl_format_cpus(v->cpu_mask, cpus, sizeof(cpus));
			bwctl_format_size(v->mem_size, mem, sizeof(mem));
			caps_text(v->caps, v->flags, flags, sizeof(flags));
			table_addf(&t, "%u", v->id);
			table_addf(&t, "%s", name);
			table_addf(&t, "%s", bwctl_state_name(v->state));
			table_addf(&t, "%u", v->vcpu_count);
			table_addf(&t, "%s", cpus);
			table_addf(&t, "%s", mem);
			table_addf(&t, "0x%llx", (unsigned long long)v->mem_base);
			table_addf(&t, "%u", v->boots);
			table_addf(&t, "%s", flags);
			table_addf(&t, "%s", reason[0] ? reason : "-");
		}
		table_print(&t, c->out);
	}
	free(vms);
	return 0;
}

static int cmd_info(struct ctx *c, int argc, char **argv)
{
	struct bwm_info info;
	struct bwm_vm_info self_vm;
	char version[sizeof(info.version)], build[sizeof(info.build)], self_name[BWM_NAME_LEN] = "";
	char online[200], freecpus[200], total[32], freemem[32], tables[32];
	int32_t st;
	int r = parse_args(c, argc, argv, NULL, NULL, 0, 0);

	if (r != PARSED)
		return r;
	st = get_info(c, &info);
	if (st != 0)
		return report(c, st, NULL, "read the hypervisor's information");
	if (lookup(c, info.self, &self_vm))
		field_str(self_name, sizeof(self_name), self_vm.name, sizeof(self_vm.name));
	field_str(version, sizeof(version), info.version, sizeof(info.version));
	field_str(build, sizeof(build), info.build, sizeof(info.build));
	bwctl_format_cpus(info.cpu_online_mask, online, sizeof(online));
	bwctl_format_cpus(info.cpu_free_mask, freecpus, sizeof(freecpus));
	bwctl_format_size(info.mem_total, total, sizeof(total));
	bwctl_format_size(info.mem_free, freemem, sizeof(freemem));
	bwctl_format_size(info.table_mem_free, tables, sizeof(tables));
	if (c->json) {
		fputs("{\n  \"version\": ", c->out);
		bwctl_json_str(c->out, info.version, sizeof(info.version));
		fputs(",\n  \"build\": ", c->out);
		bwctl_json_str(c->out, info.build, sizeof(info.build));
		fprintf(c->out, ",\n  \"api_major\": %u,\n  \"api_minor\": %u,\n"
			"  \"cpu_count\": %u,\n  \"cpus_online\": \"%s\",\n  \"cpu_online_mask\": %llu,\n"
			"  \"cpus_free\": \"%s\",\n  \"cpu_free_mask\": %llu,\n"
			"  \"vm_count\": %u,\n  \"vm_max\": %u,\n"
			"  \"mem_total\": %llu,\n  \"mem_free\": %llu,\n  \"table_mem_free\": %llu,\n"
			"  \"self\": %u,\n  \"self_name\": ",
			info.api_major, info.api_minor, info.cpu_count, online,
			(unsigned long long)info.cpu_online_mask, freecpus,
			(unsigned long long)info.cpu_free_mask, info.vm_count, info.vm_max,
			(unsigned long long)info.mem_total, (unsigned long long)info.mem_free,
			(unsigned long long)info.table_mem_free, info.self);
		bwctl_json_str(c->out, self_name, sizeof(self_name));
		fputs("\n}\n", c->out);
	} else {
		fprintf(c->out,
			"hypervisor  Bulwark %s\n"
			"build       %s\n"
			"API         %u.%u (bwctl speaks %u.%u)\n"
			"CPUs        %u online (%s), free: %s\n"
			"VMs         %u of %u slots used\n"
			"memory      %s for VMs, %s free (%llu bytes)\n"
			"page tables %s free in the hypervisor's pool (%llu bytes)\n"
			"this VM     %u '%s'\n",
			version, build, info.api_major, info.api_minor, BWM_VERSION_MAJOR,
			BWM_VERSION_MINOR, info.cpu_count, online, freecpus, info.vm_count, info.vm_max,
			total, freemem, (unsigned long long)info.mem_free, tables,
			(unsigned long long)info.table_mem_free, info.self, self_name);
	}
	return 0;
}

/* A command whose only argument is one VM: parses it and finds the VM.
 * PARSED when the command goes on, else the exit status (help, an error). */
static int one_vm_arg(struct ctx *c, int argc, char **argv, struct vmref *v)
{
	char *pos[1];
	int r = parse_args(c, argc, argv, NULL, pos, 1, 1);

	if (r != PARSED)
		return r;
	r = resolve(c, pos[0], v);
	return r == 0 ? PARSED : r;
}

static int cmd_stats(struct ctx *c, int argc, char **argv)
{
	struct vmref v;
	struct bwm_resp resp;
	struct bwm_vm_stats s;
	int32_t st;
	int r = one_vm_arg(c, argc, argv, &v);

	if (r != PARSED)
		return r;
	st = call(c, BWM_OP_STATS, v.id, 0, 0, NULL, 0, &resp);
	if (st != 0)
		return report(c, st, &v, "read the statistics of");
	if (resp.size < sizeof(s))
		return report(c, proto_error(c, "STATS answered %u bytes, expected %zu", resp.size,
					     sizeof(s)), &v, "");
	memcpy(&s, c->data, sizeof(s));
	if (s.vcpu_count > BWM_VCPU_MAX)
		return report(c, proto_error(c, "STATS says %u vCPUs, at most %u", s.vcpu_count,
					     BWM_VCPU_MAX), &v, "");
	if (c->json) {
		fprintf(c->out, "{\"id\": %u, \"name\": ", s.id);
		bwctl_json_str(c->out, v.known ? v.info.name : "", BWM_NAME_LEN);
		fprintf(c->out, ", \"vcpu_count\": %u, \"console_bytes\": %llu, \"console_dropped\": %llu, "
			"\"vcpus\": [", s.vcpu_count, (unsigned long long)s.console_bytes,
			(unsigned long long)s.console_dropped);
		for (uint32_t i = 0; i < s.vcpu_count; i++) {
			const struct bwm_vcpu_stats *p = &s.vcpu[i];
			fprintf(c->out, "%s\n  {\"vcpu\": %u, \"pcpu\": %u, \"on\": %s, \"exits\": %llu, "
				"\"hvc\": %llu, \"sysreg\": %llu, \"mmio\": %llu, \"irq\": %llu, "
				"\"aborts\": %llu, \"injected\": %llu, \"cpu_time_ns\": %llu}",
				i ? "," : "", i, p->pcpu, p->on ? "true" : "false",
				(unsigned long long)p->exits, (unsigned long long)p->hvc,
				(unsigned long long)p->sysreg, (unsigned long long)p->mmio,
				(unsigned long long)p->irq, (unsigned long long)p->aborts,
				(unsigned long long)p->injected, (unsigned long long)p->cpu_time_ns);
		}
		fputs("\n]}\n", c->out);
	} else {
		struct table t = { .ncols = 11 };
		static const char *const head[] = { "VCPU", "CPU", "ON", "EXITS", "HVC", "SYSREG", "MMIO",
						    "IRQ", "ABORTS", "INJECTED", "CPU TIME" };

		fprintf(c->out, "VM %u %s: %u vCPU%s; console: %llu bytes written, %llu lines dropped\n",
			s.id, v.label, s.vcpu_count, s.vcpu_count == 1 ? "" : "s",
			(unsigned long long)s.console_bytes, (unsigned long long)s.console_dropped);
		for (size_t i = 0; i < 11; i++)
			table_addf(&t, "%s", head[i]);
		for (uint32_t i = 0; i < s.vcpu_count; i++) {
			const struct bwm_vcpu_stats *p = &s.vcpu[i];
			table_addf(&t, "%u", i);
			table_addf(&t, "%u", p->pcpu);
			table_addf(&t, "%s", p->on ? "yes" : "no");
			table_addf(&t, "%llu", (unsigned long long)p->exits);
			table_addf(&t, "%llu", (unsigned long long)p->hvc);
			table_addf(&t, "%llu", (unsigned long long)p->sysreg);
			table_addf(&t, "%llu", (unsigned long long)p->mmio);
			table_addf(&t, "%llu", (unsigned long long)p->irq);
			table_addf(&t, "%llu", (unsigned long long)p->aborts);
			table_addf(&t, "%llu", (unsigned long long)p->injected);
			table_addf(&t, "%llu.%03llu s", (unsigned long long)(p->cpu_time_ns / 1000000000u),
				   (unsigned long long)(p->cpu_time_ns / 1000000u % 1000u));
		}
		table_print(&t, c->out);
	}
	return 0;
}

/* start, pause, resume, reset, destroy: one call on one VM. */
static int simple_op(struct ctx *c, int argc, char **argv, uint16_t op, const char *verb,
		     const char *result)
{
	struct vmref v;
	struct bwm_resp resp;
	int32_t st;
	int r = one_vm_arg(c, argc, argv, &v);

	if (r != PARSED)
		return r;
	st = call(c, op, v.id, 0, 0, NULL, 0, &resp);
	if (st != 0)
		return report(c, st, &v, verb);
	done(c, &v, result, "");
	return 0;
}

static int cmd_start(struct ctx *c, int argc, char **argv)
{
	return simple_op(c, argc, argv, BWM_OP_START, "start", "started");
}

static int cmd_reset(struct ctx *c, int argc, char **argv)
{
	return simple_op(c, argc, argv, BWM_OP_RESET, "reset", "reset");
}

static int cmd_pause(struct ctx *c, int argc, char **argv)
{
	return simple_op(c, argc, argv, BWM_OP_PAUSE, "pause", "paused");
}

static int cmd_resume(struct ctx *c, int argc, char **argv)
{
	return simple_op(c, argc, argv, BWM_OP_RESUME, "resume", "resumed");
}

static int cmd_destroy(struct ctx *c, int argc, char **argv)
{
	return simple_op(c, argc, argv, BWM_OP_DESTROY, "destroy", "destroyed");
}

/*
 * Polls the VM's state until it is BWM_VM_STOPPED or @ms have passed.
 * Returns 0 when stopped, -1 on time out, or an exit status after a message.
 */
static int wait_stopped(struct ctx *c, const struct vmref *v, unsigned ms)
{
	uint64_t deadline = bwt_now_ms() + ms;

	for (;;) {
		struct bwm_vm_info *vms;
		uint32_t n;
		int32_t st = get_list(c, &vms, &n);
		bool found = false, stopped = false;

		if (st != 0)
			return report(c, st, NULL, "list the VMs");
		for (uint32_t i = 0; i < n; i++) {
			if (vms[i].id == v->id) {
				found = true;
				stopped = vms[i].state == BWM_VM_STOPPED;
			}
		}
		free(vms);
		if (!found)
			return fail(c, BWCTL_EXIT_NOVM, "%s disappeared while stopping (destroyed?)", v->label);
		if (stopped)
			return 0;
		if (bwt_now_ms() >= deadline)
			return -1;
		bwt_sleep_ms(POLL_MS);
	}
}

static int cmd_stop(struct ctx *c, int argc, char **argv)
{
	char *pos[1], note[64] = "";
	const char *timeout_s = NULL;
	bool force = false, timed_out = false;
	unsigned timeout = STOP_TIMEOUT_S;
	const struct optspec specs[] = {
		{ "--force", false, NULL, &force },
		{ "--timeout", true, &timeout_s, NULL },
		{ NULL, false, NULL, NULL },
	};
	struct vmref v;
	struct bwm_resp resp;
	int32_t st;
	int r = parse_args(c, argc, argv, specs, pos, 1, 1);

	if (r != PARSED)
		return r;
	if (timeout_s != NULL && parse_seconds(c, "--timeout", timeout_s, &timeout) != 0)
		return BWCTL_EXIT_USAGE;
	if (timeout_s != NULL && force)
		return fail(c, BWCTL_EXIT_USAGE, "--timeout is for a graceful stop, not with --force");
	r = resolve(c, pos[0], &v);
	if (r != 0)
		return r;
	if (!force) {
		/* Someone asked already: wait for that request. */
		if (!(v.known && v.info.state == BWM_VM_STOPPING)) {
			st = call(c, BWM_OP_STOP, v.id, 0, 0, NULL, 0, &resp);
			if (st != 0)
				return report(c, st, &v, "stop");
		}
		r = wait_stopped(c, &v, timeout * 1000u);
		if (r > 0)
			return r;
		if (r < 0) {
			force = true;
			timed_out = true;
			snprintf(note, sizeof(note), " (forced after %u s)", timeout);
		}
	}
	if (force) {
		st = call(c, BWM_OP_STOP, v.id, BWM_STOP_FORCE, 0, NULL, 0, &resp);
		if (st != 0) {
			struct bwm_vm_info now;
			/* It may have stopped on its own between the last look and now. */
			if (!(st == -BWM_ESTATE && timed_out && lookup(c, v.id, &now) &&
			      now.state == BWM_VM_STOPPED))
				return report(c, st, &v, "stop");
			note[0] = '\0';
			force = false;
		}
		r = wait_stopped(c, &v, FORCED_STOP_MS);
		if (r > 0)
			return r;
		if (r < 0)
			return fail(c, BWCTL_EXIT_TIMEOUT, "%s was not stopped %u s after a forced stop",
				    v.label, FORCED_STOP_MS / 1000);
	}
	if (c->json) {
		fprintf(c->out, "{\"id\": %u, \"name\": ", v.id);
		bwctl_json_str(c->out, v.known ? v.info.name : "", BWM_NAME_LEN);
		fprintf(c->out, ", \"result\": \"stopped\", \"forced\": %s}\n", force ? "true" : "false");
	} else {
		fprintf(c->out, "%s: stopped%s\n", v.label, note);
	}
	return 0;
}

/* The first occurrence of @needle in @hay, or NULL. */
static const unsigned char *find_bytes(const unsigned char *hay, size_t hlen,
				       const unsigned char *needle, size_t nlen)
{
	if (nlen == 0)
		return hay;
	for (size_t i = 0; i + nlen <= hlen; i++) {
		if (hay[i] == needle[0] && memcmp(hay + i, needle, nlen) == 0)
			return hay + i;
	}
	return NULL;
}

/*
 * Types @len bytes on the VM's console, CONSOLE_WRITE_MAX at a time; the
 * hypervisor takes what its receive FIFO has room for (resp.val[0]) and the
 * rest is sent again once the guest has read some.
 */
static int console_send(struct ctx *c, const struct vmref *v, const char *text, size_t len)
{
	uint64_t deadline = bwt_now_ms() + SEND_TIMEOUT_MS;
	size_t sent = 0;

	while (sent < len) {
		size_t n = len - sent < CONSOLE_WRITE_MAX ? len - sent : CONSOLE_WRITE_MAX;
		struct bwm_resp resp;
		int32_t st = call(c, BWM_OP_CONSOLE_WRITE, v->id, 0, 0, text + sent, n, &resp);

		if (st != 0)
			return report(c, st, v, "type into the console of");
		if (resp.val[0] > n)
			return report(c, proto_error(c, "CONSOLE_WRITE took %llu of %zu bytes",
						     (unsigned long long)resp.val[0], n), v, "");
		sent += (size_t)resp.val[0];
		if (resp.val[0] == n)
			continue;
		if (bwt_now_ms() >= deadline)
			return fail(c, BWCTL_EXIT_TIMEOUT, "%s does not read its console: %zu of %zu bytes "
				    "typed in %u s", v->label, sent, len, SEND_TIMEOUT_MS / 1000);
		bwt_sleep_ms(20);
	}
	return 0;
}

static int cmd_console(struct ctx *c, int argc, char **argv)
{
	char *pos[1], why[128];
	const char *send = NULL, *until = NULL, *timeout_s = NULL;
	bool follow = false;
	const struct optspec specs[] = {
		{ "--follow", false, NULL, &follow },
		{ "--send", true, &send, NULL },
		{ "--until", true, &until, NULL },
		{ "--timeout", true, &timeout_s, NULL },
		{ NULL, false, NULL, NULL },
	};
	char *text = NULL, *want = NULL;
	size_t text_len = 0, want_len = 0, tail_len = 0;
	unsigned char *window = NULL, *json_data = NULL;
	size_t json_len = 0;
	unsigned timeout = 0;
	uint64_t seq = 0, oldest = 0, deadline = 0;
	struct vmref v;
	struct bwm_resp resp;
	int32_t st;
	int rc = 0, r = parse_args(c, argc, argv, specs, pos, 1, 1);

	if (r != PARSED)
		return r;
	if (timeout_s != NULL && parse_seconds(c, "--timeout", timeout_s, &timeout) != 0)
		return BWCTL_EXIT_USAGE;
	if (until != NULL)
		follow = true;
	if (timeout_s != NULL && !follow)
		return fail(c, BWCTL_EXIT_USAGE, "--timeout needs --follow or --until");
	if (send != NULL) {
		text = xmalloc(strlen(send) + 1);
		if (bwctl_unescape(send, text, &text_len, why, sizeof(why)) != 0) {
			free(text);
			return fail(c, BWCTL_EXIT_USAGE, "--send: %s", why);
		}
		if (text_len == 0) {
			free(text);
			return fail(c, BWCTL_EXIT_USAGE, "--send: empty text");
		}
	}
	if (until != NULL) {
		want = xmalloc(strlen(until) + 1);
		if (bwctl_unescape(until, want, &want_len, why, sizeof(why)) != 0 || want_len == 0) {
			free(text);
			free(want);
			return fail(c, BWCTL_EXIT_USAGE, "--until: %s", want_len ? why : "empty text");
		}
		window = xmalloc(want_len + BWM_DATA_MAX);
	}
	r = resolve(c, pos[0], &v);
	if (r != 0)
		goto out_rc;
	if (text != NULL) {
		/* Show only what follows the typed text: find where the output is now. */
		st = call(c, BWM_OP_CONSOLE_READ, v.id, 0, 0, NULL, 0, &resp);
		if (st != 0)
			goto out_st;
		seq = resp.val[0];
		rc = console_send(c, &v, text, text_len);
		if (rc != 0)
			goto out;
		if (!follow) {
			if (c->json) {
				fprintf(c->out, "{\"id\": %u, \"name\": ", v.id);
				bwctl_json_str(c->out, v.known ? v.info.name : "", BWM_NAME_LEN);
				fprintf(c->out, ", \"sent\": %zu}\n", text_len);
			}
			goto out;
		}
	}
	if (timeout_s != NULL)
		deadline = bwt_now_ms() + timeout * 1000ull;
	for (unsigned reads = 0;; reads++) {
		size_t n;

		st = call(c, BWM_OP_CONSOLE_READ, v.id, seq, 0, NULL, 0, &resp);
		if (st != 0)
			goto out_st;
		n = resp.size;
		if (resp.val[1] > seq) {
			/* The ring dropped bytes we had not read: say so once we follow. */
			if (reads > 0 || text != NULL)
				fprintf(c->err, "bwctl: console: %llu bytes lost (the VM printed faster than "
					"bwctl read)\n", (unsigned long long)(resp.val[1] - seq));
			seq = resp.val[1];
		}
		if (reads == 0)
			oldest = seq;
		if (resp.val[0] != seq + n) {
			rc = report(c, proto_error(c, "CONSOLE_READ from %llu returned %zu bytes but next %llu",
						   (unsigned long long)seq, n, (unsigned long long)resp.val[0]),
				    &v, "");
			goto out;
		}
		if (c->json && !follow) {
			json_data = realloc(json_data, json_len + n + 1);
			if (json_data == NULL)
				exit(BWCTL_EXIT_FAIL);
			memcpy(json_data + json_len, c->data, n);
			json_len += n;
		} else if (c->json && n != 0) {
			fprintf(c->out, "{\"seq\": %llu, \"data\": ", (unsigned long long)seq);
			bwctl_json_str(c->out, (const char *)c->data, n); /* stops at a NUL byte */
			fputs("}\n", c->out);
		} else if (n != 0) {
			fwrite(c->data, 1, n, c->out);
		}
		fflush(c->out);
		seq = resp.val[0];
		if (want != NULL && n != 0) {
			memcpy(window + tail_len, c->data, n);
			if (find_bytes(window, tail_len + n, (unsigned char *)want, want_len) != NULL)
				goto out;
			/* Keep the last want_len - 1 bytes: a match may span reads. */
			if (tail_len + n >= want_len) {
				memmove(window, window + tail_len + n - (want_len - 1), want_len - 1);
				tail_len = want_len - 1;
			} else {
				tail_len += n;
			}
		}
		if (!follow) {
			if (n == 0 || reads >= 16)
				break;
			continue;
		}
		if (deadline != 0 && bwt_now_ms() >= deadline) {
			if (want != NULL)
				rc = fail(c, BWCTL_EXIT_TIMEOUT, "'%s' did not appear on %s within %u s",
					  until, v.label, timeout);
			goto out;
		}
		bwt_sleep_ms(CONSOLE_POLL_MS);
	}
	if (c->json) {
		fprintf(c->out, "{\"id\": %u, \"name\": ", v.id);
		bwctl_json_str(c->out, v.known ? v.info.name : "", BWM_NAME_LEN);
		fprintf(c->out, ", \"oldest\": %llu, \"next\": %llu, \"data\": ",
			(unsigned long long)oldest, (unsigned long long)seq);
		if (json_data != NULL)
			json_data[json_len] = '\0';
		bwctl_json_str(c->out, json_data != NULL ? (const char *)json_data : "", json_len);
		fputs("}\n", c->out);
	}
	goto out;
out_st:
	rc = report(c, st, &v, "read the console of");
	goto out;
out_rc:
	rc = r;
out:
	free(text);
	free(want);
	free(window);
	free(json_data);
	return rc;
}

/* Reads a whole file for `create` or `raw`; @what names it in messages. */
static int read_file(struct ctx *c, const char *path, const char *what, uint64_t max,
		     unsigned char **data, size_t *len)
{
	struct stat sb;
	FILE *f = fopen(path, "rb");
	char a[32], b[32];

	if (f == NULL)
		return fail(c, BWCTL_EXIT_INPUT, "cannot read %s '%s': %s", what, path, strerror(errno));
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fclose(f);
		return fail(c, BWCTL_EXIT_INPUT, "%s '%s' is not a regular file", what, path);
	}
	if (sb.st_size == 0) {
		fclose(f);
		return fail(c, BWCTL_EXIT_INPUT, "%s '%s' is empty", what, path);
	}
	if ((uint64_t)sb.st_size > max) {
		fclose(f);
		bwctl_format_size((uint64_t)sb.st_size, a, sizeof(a));
		bwctl_format_size(max, b, sizeof(b));
		return fail(c, BWCTL_EXIT_INPUT, "%s '%s' (%s) is larger than %s", what, path, a, b);
	}
	*len = (size_t)sb.st_size;
	*data = xmalloc(*len);
	if (fread(*data, 1, *len, f) != *len) {
		fclose(f);
		free(*data);
		*data = NULL;
		return fail(c, BWCTL_EXIT_INPUT, "cannot read %s '%s': short read", what, path);
	}
	fclose(f);
	return 0;
}

static int cmd_create(struct ctx *c, int argc, char **argv)
{
	static const char *const image_what[BWM_IMAGE_COUNT] = { "kernel", "initrd", "dtb" };
	char *pos[1], why[128], cpus_text[200], mem_text[32];
	const char *path[BWM_IMAGE_COUNT] = { NULL }, *memory = NULL, *cpus = NULL, *base = NULL;
	const char *mitig = NULL;
	bool no_start = false;
	const struct optspec specs[] = {
		{ "--kernel", true, &path[BWM_IMAGE_KERNEL], NULL },
		{ "--initrd", true, &path[BWM_IMAGE_INITRD], NULL },
		{ "--dtb", true, &path[BWM_IMAGE_DTB], NULL },
		{ "--memory", true, &memory, NULL },
		{ "--cpus", true, &cpus, NULL },
		{ "--mem-base", true, &base, NULL },
		{ "--no-start", false, NULL, &no_start },
		{ "--mitigations", true, &mitig, NULL },
		{ NULL, false, NULL, NULL },
	};
	unsigned char *image[BWM_IMAGE_COUNT] = { NULL };
	size_t image_len[BWM_IMAGE_COUNT] = { 0 };
	struct bwm_create cr;
	struct bwm_resp resp;
	struct vmref v;
	uint64_t total = 0;
	size_t chunk;
	int32_t st;
	int rc = 0, r = parse_args(c, argc, argv, specs, pos, 1, 1);

	if (r != PARSED)
		return r;
	if (path[BWM_IMAGE_KERNEL] == NULL)
		return fail(c, BWCTL_EXIT_USAGE, "missing --kernel FILE (see 'bwctl create --help')");
	if (memory == NULL)
		return fail(c, BWCTL_EXIT_USAGE, "missing --memory SIZE (see 'bwctl create --help')");
	if (cpus == NULL)
		return fail(c, BWCTL_EXIT_USAGE, "missing --cpus LIST (see 'bwctl create --help')");
	memset(&cr, 0, sizeof(cr));
	if (!bwctl_name_valid(pos[0]))
		return fail(c, BWCTL_EXIT_INPUT, "bad name '%s': 1 to %u characters from a-z, 0-9, '_' and '-'",
			    pos[0], BWM_NAME_LEN - 1);
	memcpy(cr.name, pos[0], strlen(pos[0]));
	if (bwctl_parse_size(memory, &cr.mem_size) != 0)
		return fail(c, BWCTL_EXIT_INPUT, "--memory: bad size '%s' (e.g. 8M, 256M, 1G)", memory);
	if (cr.mem_size < MEM_MIN || cr.mem_size % (2u << 20) != 0)
		return fail(c, BWCTL_EXIT_INPUT, "--memory: %s must be a multiple of 2 MiB, at least 6 MiB",
			    memory);
	if (bwctl_parse_cpus(cpus, &cr.cpu_mask, why, sizeof(why)) != 0)
		return fail(c, BWCTL_EXIT_INPUT, "--cpus: %s", why);
	cr.vcpu_count = (uint32_t)__builtin_popcountll(cr.cpu_mask);
	if (cr.vcpu_count > BWM_VCPU_MAX)
		return fail(c, BWCTL_EXIT_INPUT, "--cpus: %u CPUs, but a VM has at most %u vCPUs",
			    cr.vcpu_count, BWM_VCPU_MAX);
	cr.mem_base = 0x40000000;
	if (base != NULL && bwctl_parse_size(base, &cr.mem_base) != 0)
		return fail(c, BWCTL_EXIT_INPUT, "--mem-base: bad address '%s'", base);
	if (cr.mem_base < (1ull << 30) || cr.mem_base % (2u << 20) != 0)
		return fail(c, BWCTL_EXIT_INPUT, "--mem-base: 0x%llx must be 2 MiB aligned and at least 1 GiB",
			    (unsigned long long)cr.mem_base);
	if (mitig != NULL) {
		struct mitig_choice mc = { .profile = MITIG_PROFILE_SYSTEM };
		uint32_t other;

		if (mitig_parse(mitig, strlen(mitig), &mc, why, sizeof(why)) != 0)
			return fail(c, BWCTL_EXIT_INPUT, "--mitigations: %s", why);
		other = (mc.force_on | mc.force_off) & ~(uint32_t)MITIG_MOD_PER_VM;
		if (other != 0)
			return fail(c, BWCTL_EXIT_INPUT, "--mitigations: '%s' is the system's, not a VM's",
				    mitig_module_name((enum mitig_module)__builtin_ctz(other)));
		cr.mitigations = mitig_choice_encode(&mc);
	}
	for (int i = 0; i < BWM_IMAGE_COUNT; i++) {
		if (path[i] == NULL)
			continue;
		rc = read_file(c, path[i], image_what[i], cr.mem_size, &image[i], &image_len[i]);
		if (rc != 0)
			goto out;
		cr.image_size[i] = image_len[i];
		total += image_len[i];
	}
	if (image_len[BWM_IMAGE_KERNEL] < 64 || memcmp(image[BWM_IMAGE_KERNEL] + 56, "ARM\x64", 4) != 0) {
		rc = fail(c, BWCTL_EXIT_INPUT, "kernel '%s' is not an arm64 Image (no \"ARM\\x64\" magic "
			  "at offset 56)", path[BWM_IMAGE_KERNEL]);
		goto out;
	}
	if (image[BWM_IMAGE_DTB] != NULL &&
	    (image_len[BWM_IMAGE_DTB] < 4 || memcmp(image[BWM_IMAGE_DTB], "\xd0\x0d\xfe\xed", 4) != 0)) {
		rc = fail(c, BWCTL_EXIT_INPUT, "dtb '%s' is not a devicetree blob (no magic 0xd00dfeed)",
			  path[BWM_IMAGE_DTB]);
		goto out;
	}
	if (total > cr.mem_size) {
		bwctl_format_size(cr.mem_size, mem_text, sizeof(mem_text));
		rc = fail(c, BWCTL_EXIT_INPUT, "the images (%llu bytes) do not fit in --memory %s",
			  (unsigned long long)total, mem_text);
		goto out;
	}

	memset(&v, 0, sizeof(v));
	snprintf(v.label, sizeof(v.label), "'%s'", cr.name);
	st = call(c, BWM_OP_CREATE, 0, 0, 0, &cr, sizeof(cr), &resp);
	if (st != 0) {
		rc = report(c, st, &v, "create");
		goto out;
	}
	if (resp.val[0] > UINT32_MAX) {
		rc = report(c, proto_error(c, "CREATE answered VM id %llu", (unsigned long long)resp.val[0]),
			    &v, "");
		goto out;
	}
	v.id = (uint32_t)resp.val[0];
	v.known = true;
	memcpy(v.info.name, cr.name, sizeof(cr.name));
	chunk = (bwt_data_max() != 0 ? bwt_data_max() : BWM_DATA_MAX) / LOAD_ALIGN * LOAD_ALIGN;
	for (int i = 0; i < BWM_IMAGE_COUNT; i++) {
		for (size_t off = 0; off < image_len[i]; off += chunk) {
			size_t n = image_len[i] - off < chunk ? image_len[i] - off : chunk;

			st = call(c, BWM_OP_LOAD, v.id, (uint64_t)i, off, image[i] + off, n, &resp);
			if (st != 0) {
				snprintf(why, sizeof(why), "load the %s (offset %zu) into", image_what[i], off);
				goto undo;
			}
		}
	}
	if (!no_start) {
		st = call(c, BWM_OP_START, v.id, 0, 0, NULL, 0, &resp);
		if (st != 0) {
			snprintf(why, sizeof(why), "start");
			goto undo;
		}
	}
	bwctl_format_cpus(cr.cpu_mask, cpus_text, sizeof(cpus_text));
	bwctl_format_size(cr.mem_size, mem_text, sizeof(mem_text));
	if (c->json) {
		fprintf(c->out, "{\"id\": %u, \"name\": ", v.id);
		bwctl_json_str(c->out, cr.name, sizeof(cr.name));
		fprintf(c->out, ", \"result\": \"%s\"}\n", no_start ? "created" : "started");
	} else {
		fprintf(c->out, "%s: created as VM %u (%u vCPU%s on CPU%s %s, %s at 0x%llx%s%s), %s\n",
			v.label, v.id, cr.vcpu_count, cr.vcpu_count == 1 ? "" : "s",
			cr.vcpu_count == 1 ? "" : "s", cpus_text, mem_text,
			(unsigned long long)cr.mem_base, mitig ? ", mitigations " : "", mitig ? mitig : "",
			no_start ? "not started (--no-start)" : "started");
	}
	goto out;
undo:
	/* Leave nothing half-made behind: the VM goes again, its memory with it. */
	rc = report(c, st, &v, why);
	if (call(c, BWM_OP_DESTROY, v.id, 0, 0, NULL, 0, &resp) == 0)
		fprintf(c->err, "bwctl: create: %s (VM %u) destroyed again\n", v.label, v.id);
	else
		fprintf(c->err, "bwctl: create: %s (VM %u) could not be destroyed: 'bwctl destroy %u'\n",
			v.label, v.id, v.id);
out:
	for (int i = 0; i < BWM_IMAGE_COUNT; i++)
		free(image[i]);
	return rc;
}

static int cmd_posture(struct ctx *c, int argc, char **argv)
{
	static const char *const affected[] = { "no", "yes", "unknown" };
	struct bwm_resp resp;
	const struct bwm_posture_entry *e;
	int32_t st;
	int r = parse_args(c, argc, argv, NULL, NULL, 0, 0);

	if (r != PARSED)
		return r;
	st = call(c, BWM_OP_POSTURE, 0, 0, 0, NULL, 0, &resp);
	if (st != 0)
		return report(c, st, NULL, "read the mitigation posture of");
	if ((uint64_t)resp.count * sizeof(*e) != resp.size)
		return report(c, proto_error(c, "POSTURE answered %u records in %u bytes", resp.count,
					     resp.size), NULL, "");
	e = (const struct bwm_posture_entry *)(const void *)c->data;
	if (c->json) {
		fputs("{\"entries\": [", c->out);
		for (uint32_t i = 0; i < resp.count; i++) {
			fprintf(c->out, "%s\n  {\"cpu\": %u, \"issue\": ", i ? "," : "", e[i].cpu);
			bwctl_json_str(c->out, e[i].issue, sizeof(e[i].issue));
			fprintf(c->out, ", \"affected\": \"%s\", \"mitigation\": ",
				e[i].affected < 3 ? affected[e[i].affected] : "?");
			bwctl_json_str(c->out, e[i].mitigation, sizeof(e[i].mitigation));
			fputs(", \"chosen_by\": ", c->out);
			bwctl_json_str(c->out, e[i].chosen_by, sizeof(e[i].chosen_by));
			fputc('}', c->out);
		}
		fputs("\n]}\n", c->out);
	} else {
		struct table t = { .ncols = 5 };

		table_addf(&t, "CPU");
		table_addf(&t, "ISSUE");
		table_addf(&t, "AFFECTED");
		table_addf(&t, "MITIGATION");
		table_addf(&t, "CHOSEN BY");
		for (uint32_t i = 0; i < resp.count; i++) {
			char issue[sizeof(e->issue) + 1], mit[sizeof(e->mitigation) + 1];
			char by[sizeof(e->chosen_by) + 1];

			field_str(issue, sizeof(issue), e[i].issue, sizeof(e[i].issue));
			field_str(mit, sizeof(mit), e[i].mitigation, sizeof(e[i].mitigation));
			field_str(by, sizeof(by), e[i].chosen_by, sizeof(e[i].chosen_by));
			table_addf(&t, "%u", e[i].cpu);
			table_addf(&t, "%s", issue);
			table_addf(&t, "%s", e[i].affected < 3 ? affected[e[i].affected] : "?");
			table_addf(&t, "%s", mit);
			table_addf(&t, "%s", by);
		}
		table_print(&t, c->out);
	}
	return 0;
}

static const char *const op_names[BWM_OP_COUNT_] = {
	[BWM_OP_INFO] = "info", [BWM_OP_LIST] = "list", [BWM_OP_STATS] = "stats",
	[BWM_OP_START] = "start", [BWM_OP_STOP] = "stop", [BWM_OP_RESET] = "reset",
	[BWM_OP_PAUSE] = "pause", [BWM_OP_RESUME] = "resume",
	[BWM_OP_CONSOLE_READ] = "console-read", [BWM_OP_CONSOLE_WRITE] = "console-write",
	[BWM_OP_CREATE] = "create", [BWM_OP_LOAD] = "load", [BWM_OP_DESTROY] = "destroy",
	[BWM_OP_POSTURE] = "posture",
};

static int cmd_raw(struct ctx *c, int argc, char **argv)
{
	char *pos[1];
	const char *vm = NULL, *size = NULL, *payload = NULL, *magic = NULL, *version = NULL;
	const char *arg[6] = { NULL };
	const struct optspec specs[] = {
		{ "--vm", true, &vm, NULL }, { "--size", true, &size, NULL },
		{ "--payload", true, &payload, NULL }, { "--magic", true, &magic, NULL },
		{ "--version", true, &version, NULL },
		{ "--arg0", true, &arg[0], NULL }, { "--arg1", true, &arg[1], NULL },
		{ "--arg2", true, &arg[2], NULL }, { "--arg3", true, &arg[3], NULL },
		{ "--arg4", true, &arg[4], NULL }, { "--arg5", true, &arg[5], NULL },
		{ NULL, false, NULL, NULL },
	};
	struct bwm_req req = { .magic = BWM_REQ_MAGIC, .version = BWM_VERSION_MAJOR };
	struct bwm_resp resp;
	unsigned char *data = NULL;
	size_t len = 0;
	uint64_t v;
	int32_t st;
	const char *name;
	int r = parse_args(c, argc, argv, specs, pos, 1, 1);

	if (r != PARSED)
		return r;
	for (unsigned i = 1; i < BWM_OP_COUNT_; i++) {
		if (strcmp(pos[0], op_names[i]) == 0)
			req.op = (uint16_t)i;
	}
	if (req.op == 0) {
		if (bwctl_parse_u64(pos[0], &v) != 0 || v > UINT16_MAX)
			return fail(c, BWCTL_EXIT_USAGE, "unknown operation '%s' (a number or info, list, ...)",
				    pos[0]);
		req.op = (uint16_t)v;
	}
#define RAW_NUM(str, field, max, what)                                                         \
	do {                                                                                   \
		if ((str) != NULL) {                                                           \
			if (bwctl_parse_u64((str), &v) != 0 || v > (max))                      \
				return fail(c, BWCTL_EXIT_USAGE, "%s: bad number '%s'", what, (str)); \
			(field) = v;                                                           \
		}                                                                              \
	} while (0)
	RAW_NUM(vm, req.vm, UINT32_MAX, "--vm");
	RAW_NUM(magic, req.magic, UINT32_MAX, "--magic");
	RAW_NUM(version, req.version, UINT16_MAX, "--version");
	for (int i = 0; i < 6; i++)
		RAW_NUM(arg[i], req.arg[i], UINT64_MAX, "--argN");
	if (payload != NULL) {
		r = read_file(c, payload, "payload", bwt_data_max() ? bwt_data_max() : BWM_DATA_MAX, &data, &len);
		if (r != 0)
			return r;
	}
	req.size = (uint32_t)len;
	RAW_NUM(size, req.size, UINT32_MAX, "--size");
#undef RAW_NUM
	st = call_req(c, &req, data, len, &resp);
	free(data);
	if (st == ST_TRANSPORT)
		return report(c, st, NULL, "");
	name = bwctl_status_name(resp.status);
	if (c->json) {
		fprintf(c->out, "{\"status\": %d, \"status_name\": \"%s\", \"size\": %u, \"count\": %u, "
			"\"val\": [", resp.status, name != NULL ? name : "?", resp.size, resp.count);
		for (int i = 0; i < 6; i++)
			fprintf(c->out, "%s%llu", i ? ", " : "", (unsigned long long)resp.val[i]);
		fputs("]}\n", c->out);
	} else {
		fprintf(c->out, "status %d (%s), size %u, count %u, val", resp.status,
			name != NULL ? name : "?", resp.size, resp.count);
		for (int i = 0; i < 6; i++)
			fprintf(c->out, " 0x%llx", (unsigned long long)resp.val[i]);
		fputc('\n', c->out);
	}
	switch (-resp.status) {
	case BWM_OK: return BWCTL_EXIT_OK;
	case BWM_EPERM: case BWM_ESELF: return BWCTL_EXIT_PERM;
	case BWM_ENOENT: return BWCTL_EXIT_NOVM;
	case BWM_ESTATE: return BWCTL_EXIT_STATE;
	case BWM_ENOMEM: case BWM_EBUSY: case BWM_ENOSPC: return BWCTL_EXIT_RESOURCE;
	case BWM_EINVAL: case BWM_EEXIST: return BWCTL_EXIT_INPUT;
	case BWM_EVERSION: return BWCTL_EXIT_TRANSPORT;
	default: return BWCTL_EXIT_FAIL;
	}
}

static const struct command commands[] = {
	{ "list", cmd_list, "", "Lists every VM: id, name, state, CPUs, memory, boots, flags.",
	  "\nWith --json: {\"vms\": [...]}, one VM object a line.\n" },
	{ "info", cmd_info, "", "Shows the hypervisor: version, build, API version, CPUs, VM slots, memory.",
	  "\nThe free memory is also given in bytes (exact, for comparisons).\n" },
	{ "stats", cmd_stats, "VM", "Shows a VM's counters: console bytes, and per vCPU its exits and time.",
	  "" },
	{ "start", cmd_start, "VM", "Starts a stopped VM: it boots again from its images.", "" },
	{ "stop", cmd_stop, "VM [--force] [--timeout SECONDS]",
	  "Stops a running VM.",
	  "\nWithout --force, asks the VM to power itself off (its shutdown-request\n"
	  "interrupt), waits until it has stopped, and stops it by force after\n"
	  "--timeout seconds (default 10). --force stops it at once.\n" },
	{ "reset", cmd_reset, "VM", "Resets a VM: stopped, its images reloaded, started again.", "" },
	{ "pause", cmd_pause, "VM", "Pauses a running VM: its vCPUs stop running, their state kept.", "" },
	{ "resume", cmd_resume, "VM", "Resumes a paused VM.", "" },
	{ "destroy", cmd_destroy, "VM",
	  "Destroys a VM: stopped by force, its memory scrubbed and freed, its CPUs freed.", "" },
	{ "console", cmd_console, "VM [--follow] [--send TEXT] [--until TEXT] [--timeout SECONDS]",
	  "Prints the output the hypervisor kept of a VM's console (the last 8 KiB).",
	  "\n  --follow         keep printing new output until interrupted\n"
	  "  --send TEXT      type TEXT on the VM's console; escapes \\n \\r \\t \\e \\\\ \\xHH.\n"
	  "                   Then only what it prints afterwards is shown (with --follow\n"
	  "                   or --until), or nothing\n"
	  "  --until TEXT     follow until TEXT appears (same escapes), then exit 0\n"
	  "  --timeout S      stop following after S seconds: exit 0, or with --until\n"
	  "                   exit 9 (timeout) if TEXT has not appeared\n"
	  "With --json: one object with the text; when following, one object per read.\n" },
	{ "create", cmd_create,
	  "NAME --kernel FILE [--initrd FILE] [--dtb FILE] --memory SIZE --cpus LIST [--mem-base ADDR]\n"
	  "       [--mitigations CHOICE] [--no-start]",
	  "Creates a VM from image files, loads them and starts it.",
	  "\n  NAME             1 to 31 characters from a-z, 0-9, '_' and '-', unique\n"
	  "  --kernel FILE    an arm64 Image (Linux or bare metal)\n"
	  "  --initrd FILE    an initial ramdisk, placed below the devicetree\n"
	  "  --dtb FILE       the VM's devicetree, given to it in x0 (without one, x0 = 0)\n"
	  "  --memory SIZE    its RAM: a multiple of 2 MiB, at least 6 MiB (8M, 256M, 1G)\n"
	  "  --cpus LIST      the free physical CPUs it will own, one vCPU each (3, 1-2,4)\n"
	  "  --mem-base ADDR  guest-physical base of its RAM (default 0x40000000)\n"
	  "  --mitigations CHOICE  its deviation from the system's mitigation choice on its\n"
	  "                   CPUs, as in a system description: a profile (hardened,\n"
	  "                   balanced, throughput) and/or +MOD/-MOD of bpi, bhb, ssbd,\n"
	  "                   smccc, e.g. hardened or -bhb,-bpi (default: the system's)\n"
	  "  --no-start       leave it created but not started ('bwctl start' later)\n"
	  "If loading or starting fails, the new VM is destroyed again.\n" },
	{ "posture", cmd_posture, "", "Shows, per CPU, each CPU vulnerability and the mitigation active.",
	  "" },
	{ "raw", cmd_raw,
	  "OP [--vm ID] [--argN VALUE] [--payload FILE] [--size N] [--magic N] [--version N]",
	  "Sends one raw request and prints the response header (for testing the API).",
	  "\nOP is a number or an operation name (info, list, stats, start, stop, reset,\n"
	  "pause, resume, console-read, console-write, create, load, destroy, posture).\n"
	  "--size sets the request's size field, whatever the payload's length. The exit\n"
	  "status is the class of the status the hypervisor answered.\n" },
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static void print_main_help(FILE *f)
{
	fprintf(f,
		"usage: bwctl [--json] COMMAND [ARGS]\n"
		"       bwctl COMMAND --help\n\n"
		"Manages the VMs of a Bulwark system from a control VM (management API %u.%u,\n"
		"docs/api.md). Must run as root in a VM with the `control` capability. A VM is\n"
		"named by its name or its numeric id.\n\nCommands:\n",
		BWM_VERSION_MAJOR, BWM_VERSION_MINOR);
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"\nOptions: --json (machine-readable output, on every command), --help, --version.\n\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  unexpected failure\n"
		"  2  usage: bad command line\n"
		"  3  permission: no `control` capability, not root, or a VM acting on itself\n"
		"  4  no such VM\n"
		"  5  wrong state: the VM's state does not allow it\n"
		"  6  no resources: not enough memory, a CPU not free, no VM slot\n"
		"  7  bad input: unreadable or invalid file, bad size, name taken, request refused\n"
		"  8  transport: no Bulwark found (/dev/mem, register magic), API version mismatch\n"
		"  9  timeout\n"
		"Errors are printed as 'bwctl: COMMAND: WHAT' on standard error.\n");
}

int bwctl_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct ctx c = { .out = out, .err = err };
	const struct command *cmd = NULL;
	int i = 1, rc;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			c.json = true;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			print_main_help(out);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			fprintf(out, "bwctl, Bulwark management API %u.%u\n", BWM_VERSION_MAJOR,
				BWM_VERSION_MINOR);
			return 0;
		} else {
			fprintf(err, "bwctl: unknown option '%s' (see 'bwctl --help')\n", argv[i]);
			return BWCTL_EXIT_USAGE;
		}
	}
	if (i == argc) {
		fprintf(err, "bwctl: missing command (see 'bwctl --help')\n");
		return BWCTL_EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		if (i + 1 == argc) {
			print_main_help(out);
			return 0;
		}
		i++;
		for (size_t k = 0; k < COMMAND_COUNT; k++) {
			if (strcmp(argv[i], commands[k].name) == 0) {
				print_help(&commands[k], out);
				return 0;
			}
		}
		fprintf(err, "bwctl: help: unknown command '%s'\n", argv[i]);
		return BWCTL_EXIT_USAGE;
	}
	for (size_t k = 0; k < COMMAND_COUNT; k++) {
		if (strcmp(argv[i], commands[k].name) == 0)
			cmd = &commands[k];
	}
	if (cmd == NULL) {
		fprintf(err, "bwctl: unknown command '%s' (see 'bwctl --help')\n", argv[i]);
		return BWCTL_EXIT_USAGE;
	}
	c.cmd = cmd;
	c.data = xmalloc(BWM_DATA_MAX);
	rc = cmd->run(&c, argc - i - 1, argv + i + 1);
	if ((fflush(out) != 0 || ferror(out)) && rc == 0)
		rc = fail(&c, BWCTL_EXIT_FAIL, "writing the output failed");
	if (c.opened)
		bwt_close();
	free(c.data);
	return rc;
}
