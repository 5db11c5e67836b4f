-- refusal-audit frame query (spark)
WITH ra_turns AS (
  SELECT CAST(`turn_id` AS STRING) AS `id`,
         COALESCE(CAST(`model_version` AS STRING), '') AS `model`,
         CAST(`task` AS STRING) AS `class`,
         CASE WHEN CAST(`refusal flag` AS STRING) IN ('full', 'partial\'s') THEN 1 ELSE 0 END AS `declined`
  FROM `prod`.`events`.`turns`
  WHERE CAST(`export` AS STRING) IN ('2026-01 "eu"', 'x\'); DROP TABLE turns; --')
    AND `created_at` >= TIMESTAMP '2026-01-01 00:00:00.000000+00:00'
    AND `created_at` < TIMESTAMP '2026-02-01 00:00:00.000000+00:00'
)
SELECT `class`, `model`,
       COUNT(*) AS `turns`,
       SUM(`declined`) AS `declines`
FROM ra_turns
WHERE `id` IS NOT NULL AND `id` <> '' AND `class` IS NOT NULL AND `class` <> ''
    AND `class` IN ('medical', 'o\'brien "\\" \n')
    AND `model` IN ('gpt-x', 'it\'s')
GROUP BY `class`, `model`
ORDER BY `class`, `model`
;

-- refusal-audit sample query (spark)
WITH ra_turns AS (
  SELECT CAST(`turn_id` AS STRING) AS `id`,
         COALESCE(CAST(`model_version` AS STRING), '') AS `model`,
         CAST(`task` AS STRING) AS `class`,
         CAST(`answer` AS STRING) AS `response`,
         `conversation` AS `messages`,
         date_format(to_utc_timestamp(`created_at`, current_timezone()), 'yyyy-MM-dd''T''HH:mm:ss.SSSSSS''Z''') AS `timestamp`,
         CASE WHEN CAST(`refusal flag` AS STRING) IN ('full', 'partial\'s') THEN 1 ELSE 0 END AS `declined`
  FROM `prod`.`events`.`turns`
  WHERE CAST(`export` AS STRING) IN ('2026-01 "eu"', 'x\'); DROP TABLE turns; --')
    AND `created_at` >= TIMESTAMP '2026-01-01 00:00:00.000000+00:00'
    AND `created_at` < TIMESTAMP '2026-02-01 00:00:00.000000+00:00'
),
ra_keyed AS (
  SELECT ra_turns.*, md5('9223372036854775808:' || `model` || ':' || `id`) AS `sample_key`
  FROM ra_turns
  WHERE `declined` = 1
    AND `id` IS NOT NULL AND `id` <> '' AND `class` IS NOT NULL AND `class` <> ''
    AND `class` IN ('medical', 'o\'brien "\\" \n')
    AND `model` IN ('gpt-x', 'it\'s')
),
ra_chained AS (
  SELECT ra_keyed.*, LAG(`sample_key`) OVER (PARTITION BY `class` ORDER BY `sample_key`, `id`, `model`) AS `sample_prev_key`
  FROM ra_keyed
),
ra_ranked AS (
  SELECT ra_chained.*, row_number() OVER (PARTITION BY `class` ORDER BY `sample_key`, `id`, `model`) AS `sample_rank`
  FROM ra_chained
),
ra_sample AS (
  SELECT * FROM ra_ranked WHERE `sample_rank` <= 50
)
SELECT `id`, `response`, `class`, `messages`, `model`, `timestamp`, `declined`,
       `sample_key`, `sample_prev_key`,
       '{"key":"md5","seed":"9223372036854775808","engine":"spark","frame_query_sha256":"00e5b9cf5336d63b10feb002f2e50b400f40c6483c5e3ecc0184072097deccd5","size":{"size":"per-class","per_class":50},"source":{"map":{"id":"turn_id","response":"answer","class":"task","messages":"conversation","model":"model_version","timestamp":"created_at","declined":"refusal flag","batch":"export"},"dialect":"spark","table":"prod.events.turns","batches":["2026-01 \\"eu\\"","x\'); DROP TABLE turns; --"],"declined_values":["full","partial\'s"],"strata":"class","models":["gpt-x","it\'s"],"classes":["medical","o\'brien \\"\\\\\\" \\n"],"from":"2026-01-01T00:00:00.000000Z","to":"2026-02-01T00:00:00.000000Z"}}' AS `sample_design`
FROM ra_sample
ORDER BY `class`, `sample_key`, `id`, `model`
;

-- refusal-audit sample extension query (spark)
WITH ra_turns AS (
  SELECT CAST(`turn_id` AS STRING) AS `id`,
         COALESCE(CAST(`model_version` AS STRING), '') AS `model`,
         CAST(`task` AS STRING) AS `class`,
         CAST(`answer` AS STRING) AS `response`,
         `conversation` AS `messages`,
         date_format(to_utc_timestamp(`created_at`, current_timezone()), 'yyyy-MM-dd''T''HH:mm:ss.SSSSSS''Z''') AS `timestamp`,
         CASE WHEN CAST(`refusal flag` AS STRING) IN ('full', 'partial\'s') THEN 1 ELSE 0 END AS `declined`
  FROM `prod`.`events`.`turns`
  WHERE CAST(`export` AS STRING) IN ('2026-01 "eu"', 'x\'); DROP TABLE turns; --')
    AND `created_at` >= TIMESTAMP '2026-01-01 00:00:00.000000+00:00'
    AND `created_at` < TIMESTAMP '2026-02-01 00:00:00.000000+00:00'
),
ra_keyed AS (
  SELECT ra_turns.*, md5('9223372036854775808:' || `model` || ':' || `id`) AS `sample_key`
  FROM ra_turns
  WHERE `declined` = 1
    AND `id` IS NOT NULL AND `id` <> '' AND `class` IS NOT NULL AND `class` <> ''
    AND `class` IN ('medical', 'o\'brien "\\" \n')
    AND `model` IN ('gpt-x', 'it\'s')
),
ra_chained AS (
  SELECT ra_keyed.*, LAG(`sample_key`) OVER (PARTITION BY `class`, `model` ORDER BY `sample_key`, `id`, `model`) AS `sample_prev_key`
  FROM ra_keyed
),
ra_ranked AS (
  SELECT ra_chained.*, row_number() OVER (PARTITION BY `class`, `model` ORDER BY `sample_key`, `id`, `model`) AS `sample_rank`
  FROM ra_chained
  WHERE ((`class` = 'medical' AND `model` = 'gpt-x' AND `sample_key` > '7f0000000000000000000000000000aa')
       OR (`class` = 'o\'brien "\\" \n' AND `model` = 'it\'s'))
),
ra_sample AS (
  SELECT * FROM ra_ranked WHERE `sample_rank` <= CASE
      WHEN `class` = 'medical' AND `model` = 'gpt-x' THEN 20
      WHEN `class` = 'o\'brien "\\" \n' AND `model` = 'it\'s' THEN 5
      ELSE 0 END
)
SELECT `id`, `response`, `class`, `messages`, `model`, `timestamp`, `declined`,
       `sample_key`, `sample_prev_key`,
       '{"key":"md5","seed":"9223372036854775808","engine":"spark","frame_query_sha256":"00e5b9cf5336d63b10feb002f2e50b400f40c6483c5e3ecc0184072097deccd5","size":{"size":"per-class","per_class":50},"extends":"audit \'q1\'","source":{"map":{"id":"turn_id","response":"answer","class":"task","messages":"conversation","model":"model_version","timestamp":"created_at","declined":"refusal flag","batch":"export"},"dialect":"spark","table":"prod.events.turns","batches":["2026-01 \\"eu\\"","x\'); DROP TABLE turns; --"],"declined_values":["full","partial\'s"],"strata":"class,model","models":["gpt-x","it\'s"],"classes":["medical","o\'brien \\"\\\\\\" \\n"],"from":"2026-01-01T00:00:00.000000Z","to":"2026-02-01T00:00:00.000000Z"}}' AS `sample_design`
FROM ra_sample
ORDER BY `class`, `model`, `sample_key`, `id`, `model`
;
