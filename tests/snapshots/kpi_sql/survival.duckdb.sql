SELECT
  "t1"."segment",
  "t1"."seconds",
  "t1"."churned",
  COUNT(*) AS "customers"
FROM (
  SELECT
    "t0"."id",
    "t0"."external_id",
    "t0"."name",
    "t0"."email",
    "t0"."phone",
    "t0"."locale",
    "t0"."timezone",
    "t0"."segment",
    "t0"."plan",
    "t0"."persona",
    "t0"."attributes",
    "t0"."signed_up_at",
    "t0"."churned_at",
    "t0"."churn_reason",
    "t0"."acquisition_cost",
    "t0"."rfm_segment",
    "t0"."rfm_code",
    "t0"."cluster",
    "t0"."persona_version",
    GREATEST(
      CAST(FLOOR(
        CASE
          WHEN (
            "t0"."churned_at" IS NOT NULL
          )
          AND (
            "t0"."churned_at" < MAKE_TIMESTAMP(2026, 7, 1, 0, 0, 0.0)
          )
          THEN CAST(EPOCH(CAST("t0"."churned_at" AS TIMESTAMP)) AS DOUBLE)
          ELSE 1782864000.0
        END - CAST(EPOCH(CAST("t0"."signed_up_at" AS TIMESTAMP)) AS DOUBLE)
      ) AS BIGINT),
      0
    ) AS "seconds",
    CASE
      WHEN (
        "t0"."churned_at" IS NOT NULL
      )
      AND (
        "t0"."churned_at" < MAKE_TIMESTAMP(2026, 7, 1, 0, 0, 0.0)
      )
      THEN 1
      ELSE 0
    END AS "churned"
  FROM "customers" AS "t0"
  WHERE
    "t0"."signed_up_at" IS NOT NULL
    AND "t0"."signed_up_at" < MAKE_TIMESTAMP(2026, 7, 1, 0, 0, 0.0)
) AS "t1"
GROUP BY
  1,
  2,
  3
