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
    MAX(
      CAST(FLOOR(
        IIF(
          (
            "t0"."churned_at" IS NOT NULL
          )
          AND (
            "t0"."churned_at" < '2026-07-01 00:00:00'
          ),
          CAST(CAST(STRFTIME('%s', "t0"."churned_at") AS INTEGER) AS REAL),
          1782864000.0
        ) - CAST(CAST(STRFTIME('%s', "t0"."signed_up_at") AS INTEGER) AS REAL)
      ) AS INTEGER),
      0
    ) AS "seconds",
    IIF(
      (
        "t0"."churned_at" IS NOT NULL
      )
      AND (
        "t0"."churned_at" < '2026-07-01 00:00:00'
      ),
      1,
      0
    ) AS "churned"
  FROM "customers" AS "t0"
  WHERE
    "t0"."signed_up_at" IS NOT NULL AND "t0"."signed_up_at" < '2026-07-01 00:00:00'
) AS "t1"
GROUP BY
  1,
  2,
  3
