SELECT
  "t1"."segment",
  "t1"."joined",
  "t1"."left",
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
    DATE_TRUNC('MONTH', "t0"."signed_up_at") AS "joined",
    DATE_TRUNC('MONTH', "t0"."churned_at") AS "left"
  FROM "customers" AS "t0"
  WHERE
    "t0"."signed_up_at" IS NOT NULL
) AS "t1"
GROUP BY
  1,
  2,
  3
