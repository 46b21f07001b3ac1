-- nvd database, schema version 13: sensor.crs, the OWASP Core Rule Set
-- run by libmodsecurity (nvd.conf(5), crs_setup and crs_rules).
--
-- paranoia: the CRS paranoia level of an assignment of sensor.crs, 1 to
-- 4; threshold: the inbound anomaly score at which it takes its action
-- (the CRS's default is 5).  Other sensors' assignments keep 1 and 5,
-- which mean nothing to them.
ALTER TABLE sensor_assignments ADD COLUMN paranoia INTEGER NOT NULL DEFAULT 1
	CHECK (paranoia BETWEEN 1 AND 4);
ALTER TABLE sensor_assignments ADD COLUMN threshold INTEGER NOT NULL DEFAULT 5
	CHECK (threshold BETWEEN 1 AND 10000);

-- A pattern's context may be args (nvd.rules(5)): each argument of a
-- request, by name and value.  SQLite cannot change a CHECK constraint in
-- place: the table is made anew with the patterns it held.
CREATE TABLE sensor_patterns_013 (
	sensor		TEXT NOT NULL,
	rule		TEXT NOT NULL,
	ord		INTEGER NOT NULL,
	context		TEXT NOT NULL CHECK (context IN ('packet', 'url', 'header', 'body', 'args')),
	negate		INTEGER NOT NULL DEFAULT 0 CHECK (negate IN (0, 1)),
	pattern		TEXT NOT NULL,
	PRIMARY KEY (sensor, rule, ord),
	FOREIGN KEY (sensor, rule) REFERENCES sensor_rules(sensor, name)
		ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO sensor_patterns_013 SELECT sensor, rule, ord, context, negate, pattern
	FROM sensor_patterns;
DROP TABLE sensor_patterns;
ALTER TABLE sensor_patterns_013 RENAME TO sensor_patterns;
