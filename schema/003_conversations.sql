-- nvd database, schema version 3: conversations.
-- Times are unix seconds (UTC).

-- Who talks to whom, by application: one row per (from group, to group or
-- FQDN, application, protocol, port, verdict).  A connection is counted as
-- one session once its application is known (app: "HTTP", "PostgreSQL",
-- ..., "unknown" when no probe recognised it); bytes are those nvd saw
-- (IP packets, both directions): a flow bypassed to the kernel after its
-- application was identified adds no more.  Rows outlive the groups they
-- name, for the audit.
CREATE TABLE conversations (
	from_group	TEXT NOT NULL,
	to_group	TEXT NOT NULL,
	fqdn		TEXT NOT NULL DEFAULT '',
	app		TEXT NOT NULL,
	proto		TEXT NOT NULL CHECK (proto IN ('tcp', 'udp', 'icmp')),
	port		INTEGER NOT NULL,	-- the server's; 0 for icmp
	verdict		TEXT NOT NULL CHECK (verdict IN ('allow', 'alert', 'deny')),
	sessions	INTEGER NOT NULL DEFAULT 0,
	bytes		INTEGER NOT NULL DEFAULT 0,
	first_seen	INTEGER NOT NULL,
	last_seen	INTEGER NOT NULL,
	PRIMARY KEY (from_group, to_group, fqdn, app, proto, port, verdict)
);
CREATE INDEX conversations_last_seen ON conversations(last_seen);
