-- nvd database, schema version 14: response rules and quarantine
-- (nvctl(8), RESPONSE RULES and QUARANTINE; nvd(8), RESPONSE).
-- Times are unix seconds (UTC).

-- What nvd does when an event is written: every enabled rule whose
-- category takes the event's type, whose group (NULL: any) has the
-- event's source or destination workload as a member, and whose criteria
-- all match fires; the actions of the rules that fire are done once each.
--
-- category: security-event (violation, threat, dlp, waf), event (nvd's
-- own: incident, quarantine), admission, cve-report, compliance (stored;
-- nvd has no such events yet).
-- criteria: "KEY=GLOB" joined by ",", at most one per key, AND-ed; keys
-- name, level, type, sensor, app; "" matches every event of the category.
-- actions: quarantine, webhook=URL, suppress-log, joined by ",".
-- fired: events the rule fired on; suppressed: of them, those not
-- written because of its suppress-log (counted by the writer thread).
CREATE TABLE response_rules (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,	-- never reused
	category	TEXT NOT NULL CHECK (category IN ('security-event', 'event',
			    'cve-report', 'compliance', 'admission')),
	group_name	TEXT REFERENCES groups(name) ON UPDATE CASCADE,
	criteria	TEXT NOT NULL DEFAULT '',
	actions		TEXT NOT NULL,
	enabled		INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
	fired		INTEGER NOT NULL DEFAULT 0,
	suppressed	INTEGER NOT NULL DEFAULT 0,
	last_fired	INTEGER,
	created		INTEGER NOT NULL,
	updated		INTEGER NOT NULL
);

-- Quarantined workloads: all their traffic is dropped, by the kernel
-- (sets quarantine4 and quarantine6 of nvd's table) and by the workers,
-- until `nvctl quarantine release`.  A workload is the container with
-- this id, or any container named name (a container made again under
-- its name, by compose say, stays quarantined); static workloads have
-- the id "static:NAME".  addresses: the workload's when it was
-- quarantined; rule_id and event_id: the response rule and the event
-- that quarantined it; reason: that event, in words.
CREATE TABLE quarantine (
	id		TEXT PRIMARY KEY,
	name		TEXT NOT NULL,
	image		TEXT NOT NULL DEFAULT '',
	addresses	TEXT NOT NULL DEFAULT '',
	rule_id		INTEGER,
	event_id	INTEGER,
	reason		TEXT NOT NULL DEFAULT '',
	since		INTEGER NOT NULL
);
CREATE INDEX quarantine_name ON quarantine(name);
