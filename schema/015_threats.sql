-- nvd database, schema version 15: threat detectors (nvd.rules(5), THREAT
-- DETECTORS; nvctl(8), threat).  Times are unix seconds (UTC).

-- One row per detector, made at each start and reload from the rule files
-- of rules_dir: level, action, enabled and the parameters are what a file
-- sets (source: the file's name), or the built-in setting (source '').
-- `nvctl threat set` writes the user_ columns, which win over the file's
-- while they are not NULL (`--reset` clears them).  Detectors are the
-- code's: rows are never added but for those.
CREATE TABLE threats (
	name		TEXT PRIMARY KEY,
	level		TEXT NOT NULL CHECK (level IN ('info', 'warning', 'critical')),
	action		TEXT NOT NULL CHECK (action IN ('alert', 'deny')),
	enabled		INTEGER NOT NULL CHECK (enabled IN (0, 1)),
	source		TEXT NOT NULL DEFAULT '',
	user_action	TEXT CHECK (user_action IN ('alert', 'deny')),
	user_enabled	INTEGER CHECK (user_enabled IN (0, 1)),
	updated		INTEGER NOT NULL
);

-- A detector's thresholds: value is the file's or built in, user_value
-- nvctl's (NULL: none).
CREATE TABLE threat_params (
	threat		TEXT NOT NULL REFERENCES threats(name) ON DELETE CASCADE,
	name		TEXT NOT NULL,
	value		INTEGER NOT NULL,
	user_value	INTEGER,
	PRIMARY KEY (threat, name)
);

-- Per group (`nvctl threat set NAME --group G`): whether the detector runs,
-- and its action, for connections whose guarded end (the server, or the
-- client for tunnels) is in the group; NULL: as the detector says.  When
-- several groups of an end say, the strictest wins: enabled over
-- disabled, deny over alert.
CREATE TABLE threat_groups (
	group_name	TEXT NOT NULL REFERENCES groups(name) ON DELETE CASCADE ON UPDATE CASCADE,
	threat		TEXT NOT NULL REFERENCES threats(name) ON DELETE CASCADE,
	enabled		INTEGER CHECK (enabled IN (0, 1)),
	action		TEXT CHECK (action IN ('alert', 'deny')),
	created		INTEGER NOT NULL,
	PRIMARY KEY (group_name, threat)
);
CREATE INDEX threat_groups_threat ON threat_groups(threat);
