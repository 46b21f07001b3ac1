-- nvd database, schema version 2: workloads, groups, network rules.
-- Times are unix seconds (UTC).

-- Every workload nvd has seen: containers from Docker (static = 0) and
-- workloads declared with `nvctl workload add` (static = 1).  Docker
-- workloads are kept after they stop, with running = 0, for the audit.
CREATE TABLE workloads (
	id		TEXT PRIMARY KEY,	-- container id, or "static:NAME"
	name		TEXT NOT NULL,
	image		TEXT NOT NULL DEFAULT '',
	labels		TEXT NOT NULL DEFAULT '{}',	-- JSON object
	addresses	TEXT NOT NULL DEFAULT '',	-- comma-separated
	service		TEXT NOT NULL DEFAULT '',	-- compose service label
	project		TEXT NOT NULL DEFAULT '',	-- compose project label
	learned_group	TEXT NOT NULL DEFAULT '',
	static		INTEGER NOT NULL DEFAULT 0,
	running		INTEGER NOT NULL DEFAULT 1,
	first_seen	INTEGER NOT NULL,
	last_seen	INTEGER NOT NULL
);
CREATE UNIQUE INDEX workloads_static_name ON workloads(name) WHERE static = 1;

-- kind: builtin (containers, host, external), learned (nv.*), user.
-- criteria: the text `nvctl group add --criteria` took, comma-separated.
CREATE TABLE groups (
	name		TEXT PRIMARY KEY,
	kind		TEXT NOT NULL CHECK (kind IN ('builtin', 'learned', 'user')),
	criteria	TEXT NOT NULL DEFAULT '',
	mode		TEXT NOT NULL CHECK (mode IN ('discover', 'monitor', 'protect')),
	created		INTEGER NOT NULL,
	updated		INTEGER NOT NULL
);
INSERT INTO groups VALUES ('containers', 'builtin', '', 'discover', strftime('%s'), strftime('%s'));
INSERT INTO groups VALUES ('host', 'builtin', '', 'discover', strftime('%s'), strftime('%s'));
INSERT INTO groups VALUES ('external', 'builtin', '', 'discover', strftime('%s'), strftime('%s'));

-- Network rules.  User rules are evaluated first, by ascending ord (the
-- position `--before` chooses); learned rules after them.  First match wins.
-- ports: the canonical text of ports_format() ("tcp/80,udp/53",
-- "tcp/8000-8100", "any"); apps: "any" or a comma-separated list.
-- A learned rule is unique by (from, to, ports, apps): learning the same
-- connection again adds to hits and moves last_seen.
CREATE TABLE rules (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,	-- never reused: events name rules by id
	from_group	TEXT NOT NULL REFERENCES groups(name) ON UPDATE CASCADE,
	to_group	TEXT NOT NULL REFERENCES groups(name) ON UPDATE CASCADE,
	apps		TEXT NOT NULL DEFAULT 'any',
	ports		TEXT NOT NULL DEFAULT 'any',
	action		TEXT NOT NULL CHECK (action IN ('allow', 'deny')),
	type		TEXT NOT NULL CHECK (type IN ('learned', 'user')),
	ord		REAL NOT NULL DEFAULT 0,
	hits		INTEGER NOT NULL DEFAULT 0,
	last_seen	INTEGER,
	created		INTEGER NOT NULL,
	updated		INTEGER NOT NULL
);
CREATE UNIQUE INDEX rules_learned ON rules(from_group, to_group, ports, apps) WHERE type = 'learned';
CREATE INDEX rules_order ON rules(type, ord);
