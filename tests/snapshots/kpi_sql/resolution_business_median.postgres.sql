SELECT
  "t0"."team",
  "t0"."channel",
  DATE_TRUNC('MONTH', "t0"."created_at") AS "period",
  "t0"."resolution_business_seconds" AS "value"
FROM "tickets" AS "t0"
WHERE
  "t0"."solved_at" IS NOT NULL
  AND "t0"."resolution_business_seconds" IS NOT NULL
  AND "t0"."created_at" >= CAST('2026-01-01T00:00:00' AS TIMESTAMP)
