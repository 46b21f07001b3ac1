-- nvd database, schema version 12: admission control (nvd(8), ADMISSION
-- CONTROL).  Times are unix seconds (UTC).

-- Admission rules.  action: allow rules are exceptions, tried first;
-- deny rules say what may not start.  criteria: the canonical text of
-- `nvctl admission rule add --criteria` (adm_criteria_format()), AND-ed.
-- comment: the message a refusal gives (docker run prints it).
-- builtin = 1: read from a rule file in rules_dir (nvd.rules(5)) at each
-- start and reload, named there (name, unique among built-in rules) and
-- kept by that name: its id and whether it is enabled survive a change of
-- its criteria; nvctl may enable and disable it, not delete it.  Built-in
-- rules come disabled.  Rules are tried by id, allow rules first.
CREATE TABLE admission_rules (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,	-- never reused: events name rules by id
	action		TEXT NOT NULL CHECK (action IN ('allow', 'deny')),
	criteria	TEXT NOT NULL,
	comment		TEXT NOT NULL DEFAULT '',
	enabled		INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
	builtin		INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
	name		TEXT NOT NULL DEFAULT '',
	source		TEXT NOT NULL DEFAULT '',
	created		INTEGER NOT NULL,
	updated		INTEGER NOT NULL
);
CREATE UNIQUE INDEX admission_rules_builtin ON admission_rules(name) WHERE builtin = 1;

-- The admission mode (`nvctl admission mode`): monitor admits what a deny
-- rule matches, with an event; protect refuses it.
INSERT INTO meta VALUES ('admission_mode', 'monitor');
