/* preset.c - finding data files, loading and applying presets. */
#include "preset.h"
#include "cli.h"
#include "record.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool file_readable(const char *path)
{
	return access(path, R_OK) == 0;
}

static bool name_is_safe(const char *name)
{
	return *name != '\0' && strstr(name, "..") == NULL && strchr(name, '/') == NULL;
}

/* Try DIR/NAME.json; true (and path filled) when it is readable. */
static bool try_directory(const char *dir, size_t dirlen, const char *name,
			  char *path, size_t pathlen)
{
	if (dirlen == 0)
		return false;
	size_t namelen = strlen(name);
	const char *suffix = namelen > 5 && strcmp(name + namelen - 5, ".json") == 0 ? "" : ".json";
	int n = snprintf(path, pathlen, "%.*s/%s%s", (int)dirlen, dir, name, suffix);
	return n > 0 && (size_t)n < pathlen && file_readable(path);
}

#define MAX_DATA_NAMES 256
#define DATA_NAME_MAX 128

/* Names (without .json) of the data files, in search order, first of each. */
struct data_names {
	size_t n;
	char name[MAX_DATA_NAMES][DATA_NAME_MAX];
	char path[MAX_DATA_NAMES][PATH_MAX];
	const char *ptr[MAX_DATA_NAMES];
};

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool known_name(const struct data_names *dn, const char *name)
{
	for (size_t i = 0; i < dn->n; i++)
		if (strcmp(dn->name[i], name) == 0)
			return true;
	return false;
}

/* Add DIR's *.json files, sorted, to dn. */
static void scan_directory(const char *dir, size_t dirlen, struct data_names *dn)
{
	char dirname[PATH_MAX];
	const char *found[MAX_DATA_NAMES];
	char names[MAX_DATA_NAMES][DATA_NAME_MAX];
	size_t n = 0;
	if (dirlen == 0 || dirlen >= sizeof dirname)
		return;
	snprintf(dirname, sizeof dirname, "%.*s", (int)dirlen, dir);
	DIR *d = opendir(dirname);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) && n < MAX_DATA_NAMES) {
		size_t len = strlen(e->d_name);
		if (len > 5 && len - 5 < DATA_NAME_MAX && strcmp(e->d_name + len - 5, ".json") == 0 &&
		    e->d_name[0] != '.') {
			snprintf(names[n], DATA_NAME_MAX, "%.*s", (int)(len - 5), e->d_name);
			found[n] = names[n];
			n++;
		}
	}
	closedir(d);
	qsort(found, n, sizeof *found, compare_strings);
	for (size_t i = 0; i < n && dn->n < MAX_DATA_NAMES; i++) {
		if (known_name(dn, found[i]))
			continue;
		int w = snprintf(dn->path[dn->n], PATH_MAX, "%s/%s.json", dirname, found[i]);
		if (w < 0 || w >= PATH_MAX)
			continue;
		snprintf(dn->name[dn->n], DATA_NAME_MAX, "%s", found[i]);
		dn->ptr[dn->n] = dn->name[dn->n];
		dn->n++;
	}
}

/* Every data file in search order: $SOAKKIT_PRESET_PATH, then the installed ones. */
static void scan_data_files(struct data_names *dn)
{
	const char *search = getenv("SOAKKIT_PRESET_PATH");
	dn->n = 0;
	while (search && *search) {
		const char *colon = strchr(search, ':');
		size_t len = colon ? (size_t)(colon - search) : strlen(search);
		scan_directory(search, len, dn);
		search = colon ? colon + 1 : NULL;
	}
	const char *installed = SOAK_PKGDATADIR "/presets";
	scan_directory(installed, strlen(installed), dn);
}

/* The format of a data file, by its top-level members. */
static const char *data_kind(const char *path)
{
	char err[SOAK_ERR_MAX];
	cJSON *obj = soak_load_json_file(path, err);
	const char *kind = !obj ? "?"
			 : soak_get(obj, "changes") ? "preset"
			 : soak_get(obj, "confidence") ? "compare"
			 : soak_get(obj, "iteration") || soak_get(obj, "window") ? "thresholds"
			 : soak_get(obj, "rules") ? "rules"
			 : soak_get(obj, "mid") ? "market" : "?";
	cJSON_Delete(obj);
	return kind;
}

void soak_list_data_files(FILE *out)
{
	static struct data_names dn;
	scan_data_files(&dn);
	for (size_t i = 0; i < dn.n; i++)
		fprintf(out, "%s\t%s\t%s\n", dn.name[i], data_kind(dn.path[i]), dn.path[i]);
}

/* " (did you mean 'X'?)" and "; './NAME' is a file here" for a name not found. */
static void not_found_hints(const char *arg, char *hint, size_t size)
{
	static struct data_names dn;
	char base[DATA_NAME_MAX], json[PATH_MAX];
	size_t n = strlen(arg);
	snprintf(base, sizeof base, "%.*s", (int)(n > 5 && strcmp(arg + n - 5, ".json") == 0
					       ? n - 5 : n), arg);
	scan_data_files(&dn);
	soak_did_you_mean(hint, size, base, dn.ptr, dn.n);
	snprintf(json, sizeof json, "%s.json", arg);
	const char *here = file_readable(arg) ? arg : file_readable(json) ? json : NULL;
	size_t used = strlen(hint);
	if (here && used < size)
		snprintf(hint + used, size - used, "; '%.100s' is a file in the working directory: "
			 "give it as './%.100s'", here, here);
}

bool soak_find_data_file(const char *arg, char *path, size_t pathlen, char *err)
{
	if (strchr(arg, '/')) {
		if ((size_t)snprintf(path, pathlen, "%s", arg) >= pathlen)
			return soak_errorf(err, "file name too long: '%s'", arg);
		return true;
	}
	if (!name_is_safe(arg))
		return soak_errorf(err, "'%s' is not a valid name (use ./FILE for a file)", arg);
	const char *search = getenv("SOAKKIT_PRESET_PATH");
	while (search && *search) {
		const char *colon = strchr(search, ':');
		size_t len = colon ? (size_t)(colon - search) : strlen(search);
		if (try_directory(search, len, arg, path, pathlen))
			return true;
		search = colon ? colon + 1 : NULL;
	}
	const char *installed = SOAK_PKGDATADIR "/presets";
	if (try_directory(installed, strlen(installed), arg, path, pathlen))
		return true;
	size_t n = strlen(arg);
	bool has_suffix = n > 5 && strcmp(arg + n - 5, ".json") == 0;
	char hint[400];
	not_found_hints(arg, hint, sizeof hint);
	return soak_errorf(err, "no '%s%s' in $SOAKKIT_PRESET_PATH or %s%s", arg,
			   has_suffix ? "" : ".json", installed, hint);
}

static bool parse_opcode(const char *s, enum soak_preset_opcode *op)
{
	if (strcmp(s, "add") == 0)
		*op = SOAK_OP_ADD;
	else if (strcmp(s, "mul") == 0)
		*op = SOAK_OP_MUL;
	else if (strcmp(s, "set") == 0)
		*op = SOAK_OP_SET;
	else
		return false;
	return true;
}

/* One changes.<section>.<param> entry. */
static bool read_change(const cJSON *entry, const char *section, struct soak_preset *p,
			char *err)
{
	char pathname[256];
	snprintf(pathname, sizeof pathname, "%s.%s", section, entry->string);
	int id = soak_param_by_path(pathname);
	char hint[160];
	if (id < 0)
		return soak_errorf(err, "unknown parameter '%s'%s", pathname,
				   soak_param_suggest(pathname, true, hint));
	if (!cJSON_IsObject(entry))
		return soak_errorf(err, "'changes.%s' is not an object", pathname);
	for (int i = 0; i < p->n_ops; i++)
		if (p->ops[i].param == id)
			return soak_errorf(err, "'%s' is changed twice", pathname);
	const cJSON *op = soak_get(entry, "op"), *value = soak_get(entry, "value");
	const cJSON *reason = soak_get(entry, "reason");
	struct soak_preset_op *o = &p->ops[p->n_ops];
	if (!cJSON_IsString(op))
		return soak_errorf(err, "'changes.%s.op' is missing or not a string", pathname);
	if (!parse_opcode(op->valuestring, &o->op))
		return soak_errorf(err, "unknown op '%s' for '%s' (add, mul or set)",
				   op->valuestring, pathname);
	if (!cJSON_IsNumber(value) || !isfinite(value->valuedouble))
		return soak_errorf(err, "'changes.%s.value' is missing or not a finite number", pathname);
	if (reason && !cJSON_IsString(reason))
		return soak_errorf(err, "'changes.%s.reason' is not a string", pathname);
	for (const cJSON *c = entry->child; c; c = c->next)
		if (strcmp(c->string, "op") && strcmp(c->string, "value") && strcmp(c->string, "reason"))
			return soak_errorf(err, "unknown field '%s' in 'changes.%s'", c->string, pathname);
	if (o->op == SOAK_OP_MUL && value->valuedouble <= 0)
		return soak_errorf(err, "'changes.%s': mul by %s (must be positive)", pathname,
				   value->valuestring);
	if (o->op == SOAK_OP_MUL && value->valuedouble > 100)
		return soak_errorf(err, "'changes.%s': mul by %s (at most 100)", pathname,
				   value->valuestring);
	double range = soak_param_defs[id].max - soak_param_defs[id].min;
	if (o->op == SOAK_OP_ADD && fabs(value->valuedouble) > range)
		return soak_errorf(err, "'changes.%s': add %s is larger than the parameter's whole "
				   "range %g", pathname, value->valuestring, range);
	o->param = id;
	o->value = value->valuedouble;
	p->n_ops++;
	return true;
}

static bool read_changes(const cJSON *changes, struct soak_preset *p, char *err)
{
	if (!cJSON_IsObject(changes))
		return soak_errorf(err, "'changes' is missing or not an object");
	for (const cJSON *section = changes->child; section; section = section->next) {
		if (!cJSON_IsObject(section))
			return soak_errorf(err, "'changes.%s' is not an object", section->string);
		for (const cJSON *entry = section->child; entry; entry = entry->next)
			if (!read_change(entry, section->string, p, err))
				return false;
	}
	return true;
}

void soak_data_file_name(const char *path, char *name, size_t size)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".json") == 0)
		n -= 5;
	if (n >= size)
		n = size - 1;
	memcpy(name, base, n);
	name[n] = '\0';
}

bool soak_preset_load(const char *arg, struct soak_preset *out, char *err)
{
	char why[SOAK_ERR_MAX];
	memset(out, 0, sizeof *out);
	if (!soak_find_data_file(arg, out->path, sizeof out->path, why))
		return soak_errorf(err, "unknown preset: %s", why);
	if (access(out->path, R_OK) != 0)
		return soak_errorf(err, "cannot open preset '%s': %s", out->path, strerror(errno));
	cJSON *root = soak_load_json_file(out->path, why);
	if (!root)
		return soak_errorf(err, "preset %s", why);
	bool ok = read_changes(soak_get(root, "changes"), out, why);
	cJSON_Delete(root);
	if (!ok)
		return soak_errorf(err, "preset '%s': %s", out->path, why);
	soak_data_file_name(out->path, out->name, sizeof out->name);
	return true;
}

static double apply_op(const struct soak_preset_op *o, double v)
{
	switch (o->op) {
	case SOAK_OP_ADD: return v + o->value;
	case SOAK_OP_MUL: return v * o->value;
	case SOAK_OP_SET: return o->value;
	}
	return v;
}

void soak_preset_apply(const struct soak_preset *p, const struct soak_params *params,
		       double weight, struct soak_params *out)
{
	*out = *params;
	for (int i = 0; i < p->n_ops; i++) {
		const struct soak_preset_op *o = &p->ops[i];
		double from = params->value[o->param];
		double to = soak_param_clamp(o->param, apply_op(o, from));
		out->value[o->param] = from + weight * (to - from);
	}
	soak_params_clamp(out);
}
