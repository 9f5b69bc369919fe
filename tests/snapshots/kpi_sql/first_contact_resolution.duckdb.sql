SELECT
  *
FROM (
  SELECT
    "t1"."team",
    "t1"."channel",
    "t1"."period",
    COUNT(*) AS "n",
    SUM(
      CASE
        WHEN (
          COALESCE("t1"."replies", 0) <= 1
        ) AND (
          COALESCE("t1"."reopens", 0) = 0
        )
        THEN 1
        ELSE 0
      END
    ) AS "hits"
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
      AND "t0"."created_at" >= MAKE_TIMESTAMP(2026, 1, 1, 0, 0, 0.0)
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
