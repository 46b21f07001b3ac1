-- nvd database, schema version 5: why a packet or connection could not be
-- judged, and aggregated events.
--
-- reason: set on the violations of what nvd could not judge with full
-- knowledge (nvd(8), UNJUDGED): tcp_ack, tcp_rst, tcp_seq, overlap,
-- ooo_limit, gap, midstream, app_state, undecided, inspect_state,
-- http_parser, sensor_limit, undecodable, ext_headers, icmp_unrelated,
-- ct_invalid.  NULL on every other event.
ALTER TABLE events ADD COLUMN reason TEXT;
