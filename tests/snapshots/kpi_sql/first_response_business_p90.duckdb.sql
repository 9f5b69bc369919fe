SELECT
  "t0"."team",
  "t0"."channel",
  DATE_TRUNC('MONTH', "t0"."created_at") AS "period",
  "t0"."first_response_business_seconds" AS "value"
FROM "tickets" AS "t0"
WHERE
  TRUE
  AND "t0"."first_response_business_seconds" IS NOT NULL
  AND "t0"."created_at" >= MAKE_TIMESTAMP(2026, 1, 1, 0, 0, 0.0)
