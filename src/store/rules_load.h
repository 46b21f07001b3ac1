/*
 * rules_load.h: rules_dir's rule files (sensor/rules_file.h) into the
 * database, as the built-in sensors and admission rules.
 */
#ifndef NVD_RULES_LOAD_H
#define NVD_RULES_LOAD_H

#include <sqlite3.h>
#include <stddef.h>

#define RULES_SUFFIX		".rules"	/* what sensors_load_dir() reads */

/*
 * Loads the *.rules files of dir (in name order) into the database as
 * built-in sensors, in one transaction, at start and reload:
 *
 * - a file with an error is skipped, each error logged (log_warnx) as
 *   "FILE:LINE: message"; the sensors stored from it stay as they were;
 * - so is a file that defines a sensor an earlier file did, or one that
 *   is a user sensor (nvctl sensor add): user sensors are never touched;
 * - each sensor of the other files is stored as built in, its rules
 *   replaced when they changed (its assignments kept);
 * - a built-in sensor that came from one of those files, or from a file
 *   no longer in dir, and that no file defines any more is deleted with
 *   its assignments (logged);
 * - admission rules likewise (store_adm_builtin_sync()): a file whose
 *   admission rule has criteria nvd does not know, or a name an earlier
 *   file took, is skipped whole;
 * - sensor.crs (crs.h), of no file and no rule, is built in with source
 *   "crs_rules" when nvd has libmodsecurity;
 * - the threat detectors take the settings of the files' threat blocks
 *   (store_threat_sync()); a file that sets a detector an earlier file
 *   set is skipped.
 *
 * Returns the number of files skipped, or -1 with err when dir cannot be
 * read ("No such file or directory": the caller names dir), the database
 * fails or the sensors would be more than SENSOR_MAX; then nothing
 * changes.
 */
int sensors_load_dir(sqlite3 *db, const char *dir, char *err, size_t errlen);

#endif
