// duckdb-run.mjs — run SQL in DuckDB (through @duckdb/node-api) for the tests
//
// Copyright 2026 The Refusal Audit authors
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
//   node duckdb-run.mjs DB.duckdb exec FILE.sql
//   node duckdb-run.mjs DB.duckdb csv QUERY.sql OUT.csv     (header row)
//   node duckdb-run.mjs DB.duckdb jsonl QUERY.sql OUT.jsonl (one object a line)
//
// The query is run as written (the text refusal-audit printed), wrapped in
// DuckDB's COPY (...) TO so the result goes straight to the file.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const [db, mode, file, out] = process.argv.slice(2);
if (!db || !mode || !file || (mode !== 'exec' && !out)) {
  console.error('usage: duckdb-run.mjs DB exec|csv|jsonl FILE.sql [OUT]');
  process.exit(2);
}
const sql = readFileSync(file, 'utf8');
const instance = await DuckDBInstance.create(db);
const conn = await instance.connect();
const quote = (s) => "'" + s.replaceAll("'", "''") + "'";
try {
  if (mode === 'exec')
    await conn.run(sql);
  else if (mode === 'csv')
    await conn.run(`COPY (${sql}\n) TO ${quote(out)} (FORMAT csv, HEADER)`);
  else
    await conn.run(`COPY (${sql}\n) TO ${quote(out)} (FORMAT json)`);
} catch (e) {
  console.error(`duckdb-run: ${e.message}`);
  process.exit(1);
}
