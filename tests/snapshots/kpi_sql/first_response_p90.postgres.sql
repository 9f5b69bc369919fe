SELECT
  "t0"."team",
  "t0"."channel",
  DATE_TRUNC('MONTH', "t0"."created_at") AS "period",
  "t0"."first_response_seconds" AS "value"
FROM "tickets" AS "t0"
WHERE
  TRUE
  AND "t0"."first_response_seconds" IS NOT NULL
  AND "t0"."created_at" >= CAST('2026-01-01T00:00:00' AS TIMESTAMP)
