-- nvd database, schema version 4: DLP and WAF sensors (nvd.rules(5)).
-- Times are unix seconds (UTC).

-- builtin = 1: loaded from the rule file source (its name in rules_dir)
-- at each start and reload, which replaces its rules; nvctl cannot change
-- those.  builtin = 0: a user sensor (nvctl sensor add), which rule files
-- never touch.
CREATE TABLE sensors (
	name		TEXT PRIMARY KEY,
	type		TEXT NOT NULL CHECK (type IN ('dlp', 'waf')),
	builtin		INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
	source		TEXT NOT NULL DEFAULT '',
	created		INTEGER NOT NULL,
	updated		INTEGER NOT NULL
);

-- A rule fires when all its positive patterns match and no negated one
-- does; with a validator (none, luhn, ssn), when besides the match of its
-- first positive pattern passes it.  ord keeps the rules in the order of
-- their file, or of `nvctl sensor rule add`.
CREATE TABLE sensor_rules (
	sensor		TEXT NOT NULL REFERENCES sensors(name) ON DELETE CASCADE ON UPDATE CASCADE,
	name		TEXT NOT NULL,
	validator	TEXT NOT NULL DEFAULT 'none' CHECK (validator IN ('none', 'luhn', 'ssn')),
	ord		INTEGER NOT NULL,
	created		INTEGER NOT NULL,
	PRIMARY KEY (sensor, name)
);

-- The patterns of a rule, 1 to 8, in order: PCRE2 syntax, matched in one
-- context (packet: the raw stream; url, header, body: the parts of an
-- HTTP message).
CREATE TABLE sensor_patterns (
	sensor		TEXT NOT NULL,
	rule		TEXT NOT NULL,
	ord		INTEGER NOT NULL,
	context		TEXT NOT NULL CHECK (context IN ('packet', 'url', 'header', 'body')),
	negate		INTEGER NOT NULL DEFAULT 0 CHECK (negate IN (0, 1)),
	pattern		TEXT NOT NULL,
	PRIMARY KEY (sensor, rule, ord),
	FOREIGN KEY (sensor, rule) REFERENCES sensor_rules(sensor, name)
		ON DELETE CASCADE ON UPDATE CASCADE
);

-- Which groups a sensor inspects (nvctl sensor assign): deny drops a
-- connection that matches in protect mode; alert (and deny in other
-- modes) only records the event.
CREATE TABLE sensor_assignments (
	group_name	TEXT NOT NULL REFERENCES groups(name) ON DELETE CASCADE ON UPDATE CASCADE,
	sensor		TEXT NOT NULL REFERENCES sensors(name) ON DELETE CASCADE ON UPDATE CASCADE,
	action		TEXT NOT NULL CHECK (action IN ('alert', 'deny')),
	created		INTEGER NOT NULL,
	PRIMARY KEY (group_name, sensor)
);
CREATE INDEX sensor_assignments_sensor ON sensor_assignments(sensor);
