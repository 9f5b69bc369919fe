SELECT
  *
FROM (
  SELECT
    "t1"."team",
    "t1"."channel",
    "t1"."period",
    COUNT("t1"."handle_seconds") AS "n",
    SUM("t1"."handle_seconds") AS "total",
    SUM("t1"."handle_seconds" * "t1"."handle_seconds") AS "total_sq"
  FROM (
    SELECT
      "t0"."channel",
      "t0"."team",
      "t0"."agent",
      "t0"."language",
      "t0"."solved_at",
      "t0"."replies",
      "t0"."reopens",
      "t0"."first_response_seconds",
      "t0"."first_response_business_seconds",
      "t0"."resolution_seconds",
      "t0"."resolution_business_seconds",
      "t0"."handle_seconds",
      "t0"."created_at" AS "at",
      DATE_TRUNC('MONTH', "t0"."created_at") AS "period"
    FROM "tickets" AS "t0"
    WHERE
      "t0"."solved_at" IS NOT NULL
      AND "t0"."handle_seconds" IS NOT NULL
      AND "t0"."created_at" >= CAST(FROM_ISO8601_TIMESTAMP('2026-01-01T00:00:00') AS TIMESTAMP)
  ) AS "t1"
  GROUP BY
    1,
    2,
    3
) AS "t2"
ORDER BY
  "t2"."team" ASC,
  "t2"."channel" ASC,
  "t2"."period" ASC
