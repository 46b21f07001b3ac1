-- nvd database, schema version 1.
-- Each file in schema/ is one migration, applied in order of its number
-- inside one transaction; PRAGMA user_version holds the last one applied.

CREATE TABLE meta (
	key	TEXT PRIMARY KEY,
	value	TEXT NOT NULL
);

-- The audit log.  One row per event; the columns are the event fields of
-- `nvctl --json events` (see nvd.conf(5), DATABASE).
CREATE TABLE events (
	id		INTEGER PRIMARY KEY,
	time		TEXT NOT NULL,		-- RFC 3339, UTC
	type		TEXT NOT NULL,		-- violation threat dlp waf incident quarantine
	name		TEXT,
	level		TEXT NOT NULL DEFAULT 'info',	-- info warning critical
	action		TEXT NOT NULL,		-- allow alert deny quarantine
	proto		TEXT,			-- tcp udp icmp
	src_ip		TEXT,
	src_port	INTEGER,
	src_workload	TEXT,
	src_group	TEXT,
	dst_ip		TEXT,
	dst_port	INTEGER,
	dst_workload	TEXT,
	dst_group	TEXT,
	fqdn		TEXT,
	app		TEXT,
	rule_id		INTEGER,
	sensor		TEXT,
	message		TEXT
);
CREATE INDEX events_time ON events(time);
CREATE INDEX events_type ON events(type, time);
