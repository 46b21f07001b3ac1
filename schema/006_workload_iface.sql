-- nvd database, schema version 6: the interface of a static workload.
--
-- iface: the interface its addresses are on, in nvd's network namespace
-- (`nvctl workload add NAME --ip ADDR --iface IF`), or '' when not said.
-- A packet that comes in on that interface with another source address
-- is spoofed (nvd(8), WORKLOADS AND POLICY).  Docker workloads leave it
-- '': nvd finds their interfaces itself.
ALTER TABLE workloads ADD COLUMN iface TEXT NOT NULL DEFAULT '';
