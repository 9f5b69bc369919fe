SELECT
  "t0"."team",
  "t0"."channel",
  DATETIME("t0"."created_at", 'start of month') AS "period",
  "t0"."first_response_business_seconds" AS "value"
FROM "tickets" AS "t0"
WHERE
  TRUE
  AND "t0"."first_response_business_seconds" IS NOT NULL
  AND "t0"."created_at" >= '2026-01-01 00:00:00'
