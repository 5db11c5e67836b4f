-- refusal-audit frame query (sqlite)
WITH ra_turns AS (
  SELECT CAST("turn_id" AS TEXT) AS "id",
         COALESCE(CAST("model_version" AS TEXT), '') AS "model",
         CAST("task" AS TEXT) AS "class",
         CASE WHEN CAST("refusal flag" AS TEXT) IN ('full', 'partial''s') THEN 1 ELSE 0 END AS "declined"
  FROM "prod"."events"."turns"
  WHERE CAST("export" AS TEXT) IN ('2026-01 "eu"', 'x''); DROP TABLE turns; --')
    AND julianday("created_at") >= julianday('2026-01-01T00:00:00.000000Z')
    AND julianday("created_at") < julianday('2026-02-01T00:00:00.000000Z')
)
SELECT "class", "model",
       COUNT(*) AS "turns",
       SUM("declined") AS "declines"
FROM ra_turns
WHERE "id" IS NOT NULL AND "id" <> '' AND "class" IS NOT NULL AND "class" <> ''
    AND "class" IN ('medical', 'o''brien "\" 
')
    AND "model" IN ('gpt-x', 'it''s')
GROUP BY "class", "model"
ORDER BY "class", "model"
;

-- refusal-audit sample query (sqlite)
WITH ra_turns AS (
  SELECT CAST("turn_id" AS TEXT) AS "id",
         COALESCE(CAST("model_version" AS TEXT), '') AS "model",
         CAST("task" AS TEXT) AS "class",
         CAST("answer" AS TEXT) AS "response",
         "conversation" AS "messages",
         strftime('%Y-%m-%dT%H:%M:%fZ', "created_at") AS "timestamp",
         CASE WHEN CAST("refusal flag" AS TEXT) IN ('full', 'partial''s') THEN 1 ELSE 0 END AS "declined"
  FROM "prod"."events"."turns"
  WHERE CAST("export" AS TEXT) IN ('2026-01 "eu"', 'x''); DROP TABLE turns; --')
    AND julianday("created_at") >= julianday('2026-01-01T00:00:00.000000Z')
    AND julianday("created_at") < julianday('2026-02-01T00:00:00.000000Z')
),
ra_keyed AS (
  SELECT ra_turns.*, md5('9223372036854775808:' || "model" || ':' || "id") AS "sample_key"
  FROM ra_turns
  WHERE "declined" = 1
    AND "id" IS NOT NULL AND "id" <> '' AND "class" IS NOT NULL AND "class" <> ''
    AND "class" IN ('medical', 'o''brien "\" 
')
    AND "model" IN ('gpt-x', 'it''s')
),
ra_chained AS (
  SELECT ra_keyed.*, LAG("sample_key") OVER (PARTITION BY "class" ORDER BY "sample_key", "id", "model") AS "sample_prev_key"
  FROM ra_keyed
),
ra_ranked AS (
  SELECT ra_chained.*, row_number() OVER (PARTITION BY "class" ORDER BY "sample_key", "id", "model") AS "sample_rank"
  FROM ra_chained
),
ra_sample AS (
  SELECT * FROM ra_ranked WHERE "sample_rank" <= 50
)
SELECT "id", "response", "class", "messages", "model", "timestamp", "declined",
       "sample_key", "sample_prev_key",
       '{"key":"md5","seed":"9223372036854775808","engine":"sqlite","frame_query_sha256":"6fcfafbac1b7a449bc32697e1b90662ffd03be0189bcfb52e7b70443cc05b175","size":{"size":"per-class","per_class":50},"source":{"map":{"id":"turn_id","response":"answer","class":"task","messages":"conversation","model":"model_version","timestamp":"created_at","declined":"refusal flag","batch":"export"},"dialect":"sqlite","table":"prod.events.turns","batches":["2026-01 \"eu\"","x''); DROP TABLE turns; --"],"declined_values":["full","partial''s"],"strata":"class","models":["gpt-x","it''s"],"classes":["medical","o''brien \"\\\" \n"],"from":"2026-01-01T00:00:00.000000Z","to":"2026-02-01T00:00:00.000000Z"}}' AS "sample_design"
FROM ra_sample
ORDER BY "class", "sample_key", "id", "model"
;

-- refusal-audit sample extension query (sqlite)
WITH ra_turns AS (
  SELECT CAST("turn_id" AS TEXT) AS "id",
         COALESCE(CAST("model_version" AS TEXT), '') AS "model",
         CAST("task" AS TEXT) AS "class",
         CAST("answer" AS TEXT) AS "response",
         "conversation" AS "messages",
         strftime('%Y-%m-%dT%H:%M:%fZ', "created_at") AS "timestamp",
         CASE WHEN CAST("refusal flag" AS TEXT) IN ('full', 'partial''s') THEN 1 ELSE 0 END AS "declined"
  FROM "prod"."events"."turns"
  WHERE CAST("export" AS TEXT) IN ('2026-01 "eu"', 'x''); DROP TABLE turns; --')
    AND julianday("created_at") >= julianday('2026-01-01T00:00:00.000000Z')
    AND julianday("created_at") < julianday('2026-02-01T00:00:00.000000Z')
),
ra_keyed AS (
  SELECT ra_turns.*, md5('9223372036854775808:' || "model" || ':' || "id") AS "sample_key"
  FROM ra_turns
  WHERE "declined" = 1
    AND "id" IS NOT NULL AND "id" <> '' AND "class" IS NOT NULL AND "class" <> ''
    AND "class" IN ('medical', 'o''brien "\" 
')
    AND "model" IN ('gpt-x', 'it''s')
),
ra_chained AS (
  SELECT ra_keyed.*, LAG("sample_key") OVER (PARTITION BY "class", "model" ORDER BY "sample_key", "id", "model") AS "sample_prev_key"
  FROM ra_keyed
),
ra_ranked AS (
  SELECT ra_chained.*, row_number() OVER (PARTITION BY "class", "model" ORDER BY "sample_key", "id", "model") AS "sample_rank"
  FROM ra_chained
  WHERE (("class" = 'medical' AND "model" = 'gpt-x' AND "sample_key" > '7f0000000000000000000000000000aa')
       OR ("class" = 'o''brien "\" 
' AND "model" = 'it''s'))
),
ra_sample AS (
  SELECT * FROM ra_ranked WHERE "sample_rank" <= CASE
      WHEN "class" = 'medical' AND "model" = 'gpt-x' THEN 20
      WHEN "class" = 'o''brien "\" 
' AND "model" = 'it''s' THEN 5
      ELSE 0 END
)
SELECT "id", "response", "class", "messages", "model", "timestamp", "declined",
       "sample_key", "sample_prev_key",
       '{"key":"md5","seed":"9223372036854775808","engine":"sqlite","frame_query_sha256":"6fcfafbac1b7a449bc32697e1b90662ffd03be0189bcfb52e7b70443cc05b175","size":{"size":"per-class","per_class":50},"extends":"audit ''q1''","source":{"map":{"id":"turn_id","response":"answer","class":"task","messages":"conversation","model":"model_version","timestamp":"created_at","declined":"refusal flag","batch":"export"},"dialect":"sqlite","table":"prod.events.turns","batches":["2026-01 \"eu\"","x''); DROP TABLE turns; --"],"declined_values":["full","partial''s"],"strata":"class,model","models":["gpt-x","it''s"],"classes":["medical","o''brien \"\\\" \n"],"from":"2026-01-01T00:00:00.000000Z","to":"2026-02-01T00:00:00.000000Z"}}' AS "sample_design"
FROM ra_sample
ORDER BY "class", "model", "sample_key", "id", "model"
;
