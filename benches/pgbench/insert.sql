-- The ceiling's write: one row into a table with a primary key only (items.sql makes it).
INSERT INTO bench_items (body) VALUES ('{"subject":"Imprimante bloquée","description":"<p>Le bac 2 coince.</p>"}');
