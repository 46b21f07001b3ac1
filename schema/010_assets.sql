-- nvd database, schema version 10: assets, conversations by workload, and
-- rules by group.
--
-- What Docker says of each container besides who it is (nvctl workload
-- list, the dashboard), as the Docker thread read it from its inspect
-- document at its last change; '' and 0 for static workloads.
--   state       Docker's State.Status: running, paused ...; 'exited' once
--               the container stopped or went
--   privileged  1: HostConfig.Privileged
--   root        1: it runs as root by its configuration (Config.User unset,
--               root or uid 0)
--   run_as      Config.User as given ('' unset)
--   ports       published ports as docker ps writes them, comma-separated:
--               '0.0.0.0:8080->80/tcp,[::]:8080->80/tcp'
--   networks    the Docker networks it is on: 'bridge,front'
ALTER TABLE workloads ADD COLUMN state TEXT NOT NULL DEFAULT '';
ALTER TABLE workloads ADD COLUMN privileged INTEGER NOT NULL DEFAULT 0;
ALTER TABLE workloads ADD COLUMN root INTEGER NOT NULL DEFAULT 0;
ALTER TABLE workloads ADD COLUMN run_as TEXT NOT NULL DEFAULT '';
ALTER TABLE workloads ADD COLUMN ports TEXT NOT NULL DEFAULT '';
ALTER TABLE workloads ADD COLUMN networks TEXT NOT NULL DEFAULT '';

-- The conversations of workloads (nvctl graph --workloads): the rows of
-- conversations (schema 3 and 5), told apart by the workloads at their
-- ends, by name ('' for an end that is no workload: this host, an address
-- group, external).  Only connections with a workload at one end at
-- least.  The sums over a group pair's rows are that pair's row in
-- conversations.
CREATE TABLE workload_conversations (
	from_workload	TEXT NOT NULL,
	to_workload	TEXT NOT NULL,
	from_group	TEXT NOT NULL,
	to_group	TEXT NOT NULL,
	fqdn		TEXT NOT NULL DEFAULT '',
	app		TEXT NOT NULL,
	proto		TEXT NOT NULL,
	port		INTEGER NOT NULL,
	verdict		TEXT NOT NULL CHECK (verdict IN ('allow', 'alert', 'deny')),
	sessions	INTEGER NOT NULL DEFAULT 0,
	bytes		INTEGER NOT NULL DEFAULT 0,
	first_seen	INTEGER NOT NULL,
	last_seen	INTEGER NOT NULL,
	PRIMARY KEY (from_workload, to_workload, from_group, to_group, fqdn, app, proto, port,
	    verdict)
);
-- nvctl graph --since reads the pairs seen since a time.
CREATE INDEX workload_conversations_last_seen ON workload_conversations(last_seen);

-- The rules at each end of a group (nvctl group list and show, the
-- dashboard, policy export and import count and find a group's rules by
-- them): without them each group read every rule.
CREATE INDEX rules_from ON rules(from_group);
CREATE INDEX rules_to ON rules(to_group);
