-- nvd database, schema version 5: why a packet or connection could not be
-- judged; aggregated events; every IP protocol in conversations.
--
-- reason: set on the violations of what nvd could not judge with full
-- knowledge (nvd(8), UNJUDGED): tcp_ack, tcp_rst, tcp_seq, overlap,
-- ooo_limit, gap, midstream, app_state, undecided, inspect_state,
-- http_parser, sensor_limit, undecodable, ext_headers, icmp_unrelated,
-- ct_invalid.  NULL on every other event.
ALTER TABLE events ADD COLUMN reason TEXT;

-- count: the alike events a row stands for.  Violations are aggregated
-- over a second: alike but for the source port and the time, one row;
-- past 4 destination ports between two ends, one row for the pair whose
-- dst_port is NULL and whose message names the ports.  The counts add up
-- to every event that happened.
ALTER TABLE events ADD COLUMN count INTEGER NOT NULL DEFAULT 1;

-- Every IP protocol is judged: conversations of protocols other than tcp,
-- udp and icmp have proto 'proto/N' (N the protocol number) and port 0.
-- SQLite cannot change a CHECK constraint in place: the table is made
-- anew and its rows copied.
CREATE TABLE conversations_new (
	from_group	TEXT NOT NULL,
	to_group	TEXT NOT NULL,
	fqdn		TEXT NOT NULL DEFAULT '',
	app		TEXT NOT NULL,
	proto		TEXT NOT NULL CHECK (proto IN ('tcp', 'udp', 'icmp') OR
			    proto GLOB 'proto/[0-9]*'),
	port		INTEGER NOT NULL,	-- the server's; 0 for icmp and proto/N
	verdict		TEXT NOT NULL CHECK (verdict IN ('allow', 'alert', 'deny')),
	sessions	INTEGER NOT NULL DEFAULT 0,
	bytes		INTEGER NOT NULL DEFAULT 0,
	first_seen	INTEGER NOT NULL,
	last_seen	INTEGER NOT NULL,
	PRIMARY KEY (from_group, to_group, fqdn, app, proto, port, verdict)
);
INSERT INTO conversations_new SELECT * FROM conversations;
DROP TABLE conversations;
ALTER TABLE conversations_new RENAME TO conversations;
CREATE INDEX conversations_last_seen ON conversations(last_seen);
