/*
 * rules_load.c: rules_dir's rule files into the database (rules_load.h).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "admission/adm_rules.h"
#include "base/log.h"
#include "sensor/crs.h"
#include "sensor/rules_file.h"
#include "store/rules_load.h"
#include "store/store.h"
#include "store/store_admission.h"

/* --- loading rules_dir ----------------------------------------------------- */

#define DIR_FILES_MAX	256

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
is_rules_file(const char *dir, const char *name)
{
	size_t len = strlen(name), sl = strlen(RULES_SUFFIX);
	char path[PATH_MAX];
	struct stat st;

	if (name[0] == '.' || len <= sl || strcmp(name + len - sl, RULES_SUFFIX) != 0)
		return 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return 0;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The *.rules files of dir by name into *names (each and the array malloc'ed). */
static int
dir_files(const char *dir, char ***names, int *n, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v;

	*n = 0;
	if (d == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if ((*names = v = calloc(DIR_FILES_MAX, sizeof(*v))) == NULL)
		goto nomem;
	while ((e = readdir(d)) != NULL) {
		if (!is_rules_file(dir, e->d_name))
			continue;
		if (*n == DIR_FILES_MAX) {
			snprintf(err, errlen, "more than %d rule files", DIR_FILES_MAX);
			goto fail;
		}
		if ((v[*n] = strdup(e->d_name)) == NULL)
			goto nomem;
		(*n)++;
	}
	closedir(d);
	qsort(v, (size_t)*n, sizeof(*v), name_cmp);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	closedir(d);
	for (int i = 0; v != NULL && i < *n; i++)
		free(v[i]);
	free(v);
	*names = NULL;
	*n = 0;
	return -1;
}

/*
 * The first reason file i (path) cannot be loaded besides its syntax: a
 * threat an earlier file loaded sets, a sensor one defines, or a user
 * sensor's name.  0, or
 * -1 with the error logged; -2 on a database error (err).
 */
static int
file_conflict(sqlite3 *db, const char *path, const struct rules_file *rf,
    const struct store_sensor_file *sf, int i, char *err, size_t errlen)
{
	for (int k = 0; k < rf[i].nthreats; k++)
		for (int j = 0; j < i; j++)
			for (int m = 0; !sf[j].skipped && m < rf[j].nthreats; m++)
				if (rf[j].threats[m].id == rf[i].threats[k].id) {
					log_warnx("%s:%d: threat '%s' is set in %s already", path,
					    rf[i].threats[k].line,
					    threat_defs[rf[i].threats[k].id].name, sf[j].name);
					return -1;
				}
	for (int k = 0; k < rf[i].nsensors; k++) {
		const char *name = rf[i].sensors[k].name;
		struct store_sensor s;
		int rc;

		for (int j = 0; j < i; j++)
			for (int m = 0; !sf[j].skipped && m < sf[j].nsensors; m++)
				if (strcmp(sf[j].sensors[m].name, name) == 0) {
					log_warnx("%s:%d: sensor '%s' is defined in %s already",
					    path, rf[i].line[k], name, sf[j].name);
					return -1;
				}
		if ((rc = store_sensor_get(db, name, &s, NULL, err, errlen)) == -1)
			return -2;
		if (rc == 0 && !s.builtin) {
			log_warnx("%s:%d: sensor '%s' is a user sensor (nvctl sensor add); rename "
			    "one of them", path, rf[i].line[k], name);
			return -1;
		}
	}
	return 0;
}

/*
 * The admission rules of file i (path): criteria nvd knows, names no
 * earlier file took.  0, or -1 with the error logged.
 */
static int
admission_check(const char *path, const struct rules_file *rf, const struct store_sensor_file *sf,
    int i)
{
	for (int k = 0; k < rf[i].nadm; k++) {
		const struct rules_admission *a = &rf[i].adm[k];
		struct adm_crit c[ADM_MAX_CRITERIA];
		char err[256];

		if (adm_criteria_parse(a->criteria, c, ADM_MAX_CRITERIA, err, sizeof(err)) < 0) {
			log_warnx("%s:%d: admission rule '%s': %s", path, a->line, a->name, err);
			return -1;
		}
		for (int j = 0; j < i; j++)
			for (int m = 0; !sf[j].skipped && m < rf[j].nadm; m++)
				if (strcmp(rf[j].adm[m].name, a->name) == 0) {
					log_warnx("%s:%d: admission rule '%s' is defined in %s already",
					    path, a->line, a->name, sf[j].name);
					return -1;
				}
	}
	return 0;
}

/* Reads file i of dir into rf[i] and sf[i]; 1 if it is skipped, -1 on a database error. */
static int
load_one(sqlite3 *db, const char *dir, struct rules_file *rf, struct store_sensor_file *sf,
    int i, char *err, size_t errlen)
{
	static struct rules_errors errs;	/* main thread only */
	char path[PATH_MAX];
	int nerr, rc;

	snprintf(path, sizeof(path), "%s/%s", dir, sf[i].name);
	errs.count = 0;
	if ((nerr = rules_read(path, &rf[i], &errs)) > 0) {
		for (int e = 0; e < errs.count; e++)
			log_warnx("%s", errs.msg[e]);
		if (nerr > errs.count)
			log_warnx("%s: %d more errors", path, nerr - errs.count);
	} else if ((rc = file_conflict(db, path, rf, sf, i, err, errlen)) < 0 ||
	    (rc = admission_check(path, rf, sf, i)) < 0) {
		rules_free(&rf[i]);
		if (rc == -2)
			return -1;
		nerr = 1;
	}
	if (nerr > 0) {
		log_warnx("%s: skipped; the sensors, admission rules and threat settings stored from "
		    "it stay as they were", path);
		sf[i].skipped = 1;
		return 1;
	}
	sf[i].sensors = rf[i].sensors;
	sf[i].nsensors = rf[i].nsensors;
	return 0;
}

/* The admission rules of the files read, into the database. */
static int
admission_sync(sqlite3 *db, const struct rules_file *rf, const struct store_sensor_file *sf,
    int n, char *err, size_t errlen)
{
	struct store_adm_file *af = calloc((size_t)n + 1, sizeof(*af));
	int rc, nrules = 0;

	if (af == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		af[i].name = sf[i].name;
		af[i].skipped = sf[i].skipped;
		af[i].rules = rf[i].adm;
		af[i].n = sf[i].skipped ? 0 : rf[i].nadm;
		nrules += af[i].n;
	}
	if ((rc = store_adm_builtin_sync(db, af, n, err, errlen)) == 0)
		log_info("admission: %d built-in rule%s from the rule files", nrules,
		    nrules == 1 ? "" : "s");
	free(af);
	return rc;
}

int
sensors_load_dir(sqlite3 *db, const char *dir, char *err, size_t errlen)
{
	struct store_sensor_file *sf = NULL;
	struct store_threat_file *tf = NULL;
	struct rules_file *rf = NULL;
	char **names;
	int n, rc = 0, skipped = 0, nsensors = 0, nthreats = 0;

	if (dir_files(dir, &names, &n, err, errlen) < 0)
		return -1;
	if ((rf = calloc((size_t)n + 1, sizeof(*rf))) == NULL ||
	    (sf = calloc((size_t)n + 1, sizeof(*sf))) == NULL ||
	    (tf = calloc((size_t)n + 1, sizeof(*tf))) == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	for (int i = 0; rc == 0 && i < n; i++) {
		sf[i].name = names[i];
		if ((rc = load_one(db, dir, rf, sf, i, err, errlen)) > 0)
			skipped++;
		nsensors += sf[i].nsensors;
		rc = rc < 0 ? -1 : 0;
	}
	/* sensor.crs has no rule of nvd's: the CRS's are crs_rules'. */
	if (rc == 0 && crs_available()) {
		static const struct sensor_spec crs = { .name = CRS_SENSOR, .type = SENSOR_WAF };

		sf[n].name = "crs_rules";
		sf[n].sensors = &crs;
		sf[n].nsensors = 1;
	}
	for (int i = 0; rc == 0 && i < n; i++) {
		tf[i].name = sf[i].name;
		tf[i].skipped = sf[i].skipped;
		tf[i].threats = rf[i].threats;
		tf[i].nthreats = sf[i].skipped ? 0 : rf[i].nthreats;
		nthreats += tf[i].nthreats;
	}
	if (rc == 0)
		rc = store_sensor_builtin_sync(db, sf, n + crs_available(), err, errlen);
	if (rc == 0)
		rc = store_threat_sync(db, tf, n, err, errlen);
	if (rc == 0)
		log_info("sensors: %d built in, threats: %d set, from %d rule file%s in %s "
		    "(%d skipped)", nsensors, nthreats, n - skipped, n - skipped == 1 ? "" : "s", dir,
		    skipped);
	if (rc == 0)
		rc = admission_sync(db, rf, sf, n, err, errlen);
	for (int i = 0; i < n; i++) {
		if (rf != NULL)
			rules_free(&rf[i]);
		free(names[i]);
	}
	free(names);
	free(rf);
	free(sf);
	free(tf);
	return rc < 0 ? -1 : skipped;
}
