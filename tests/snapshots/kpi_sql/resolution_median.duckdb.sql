SELECT
  "t0"."team",
  "t0"."channel",
  DATE_TRUNC('MONTH', "t0"."created_at") AS "period",
  "t0"."resolution_seconds" AS "value"
FROM "tickets" AS "t0"
WHERE
  "t0"."solved_at" IS NOT NULL
  AND "t0"."resolution_seconds" IS NOT NULL
  AND "t0"."created_at" >= MAKE_TIMESTAMP(2026, 1, 1, 0, 0, 0.0)
