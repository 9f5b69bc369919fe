SELECT
  *
FROM (
  SELECT
    "t1"."team",
    "t1"."channel",
    "t1"."period",
    COUNT(*) AS "n"
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
      TRUE AND "t0"."created_at" >= CAST('2026-01-01T00:00:00' AS TIMESTAMP)
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
