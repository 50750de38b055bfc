-- The ceiling's write: one row into a table with a primary key only.
CREATE TABLE IF NOT EXISTS bench_items (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL);
