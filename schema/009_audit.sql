-- nvd database, schema version 9: the evidence of an event, and indexes
-- for the queries people run on the audit log.
--
-- excerpt: the bytes a DLP or WAF rule matched, as much as fits in 95
-- characters, a DLP match's digits masked but for the last four.
-- pcap: the file in pcap_dir that holds the packet of the match
-- (nvd-TIME-qQUEUE-N.pcap), NULL when none was saved; the file may have
-- been deleted since (pcap_retention_files, pcap_retention_bytes).
ALTER TABLE events ADD COLUMN excerpt TEXT;
ALTER TABLE events ADD COLUMN pcap TEXT;

-- nvctl events filters by these, newest first (time, then id); so does
-- the auditor's SQL.  Each index ends with time, so that the rows of one
-- level, group or workload come out in time order.  The writer deletes
-- the oldest rows by time (event_retention_days) and by id
-- (event_retention_rows).
CREATE INDEX events_level ON events(level, time);
CREATE INDEX events_src_group ON events(src_group, time);
CREATE INDEX events_dst_group ON events(dst_group, time);
CREATE INDEX events_src_workload ON events(src_workload, time);
CREATE INDEX events_dst_workload ON events(dst_workload, time);
