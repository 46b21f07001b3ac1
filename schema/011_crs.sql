-- nvd database, schema version 11: sensor.crs, the OWASP Core Rule Set
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
