-- Case search merges on a schedule, not inside the write that happens to fill a level: with
-- FTS5's default automerge a single alert's transaction sometimes paid for merging the segments
-- of thousands of earlier ones (p95 of one alert 9-16 ms instead of 2). Crisis merges (16
-- segments on a level) still run in the write; the app's maintenance (main/store/maintenance.ts)
-- merges in small steps every few seconds.
INSERT INTO `cases_fts` (`cases_fts`, `rank`) VALUES ('automerge', 0);
