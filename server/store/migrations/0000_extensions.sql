-- Trigram indexes for the case search box (TBL-4): LIKE over cases.search_text. pg_trgm ships
-- with PostgreSQL (contrib) and with PGlite (loaded by store/database.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
