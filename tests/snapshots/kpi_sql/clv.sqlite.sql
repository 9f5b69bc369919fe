SELECT
  "t8"."segment",
  COUNT(*) AS "n",
  SUM("t8"."x") AS "years",
  SUM("t8"."y") AS "total",
  SUM("t8"."x" * "t8"."x") AS "years_sq",
  SUM("t8"."y" * "t8"."y") AS "total_sq",
  SUM("t8"."x" * "t8"."y") AS "cross",
  SUM("t8"."churned") AS "churned",
  COUNT("t8"."cac") AS "cac_n",
  SUM("t8"."cac") AS "cac_total"
FROM (
  SELECT
    "t7"."id",
    "t7"."external_id",
    "t7"."name",
    "t7"."email",
    "t7"."phone",
    "t7"."locale",
    "t7"."timezone",
    "t7"."segment",
    "t7"."plan",
    "t7"."persona",
    "t7"."attributes",
    "t7"."signed_up_at",
    "t7"."churned_at",
    "t7"."churn_reason",
    "t7"."acquisition_cost",
    "t7"."rfm_segment",
    "t7"."rfm_code",
    "t7"."cluster",
    "t7"."persona_version",
    "t7"."r_customer",
    "t7"."paid",
    CAST(FLOOR(
      CAST(MAX(
        IIF(
          (
            "t7"."churned_at" IS NOT NULL
          )
          AND (
            "t7"."churned_at" < '2026-07-01 00:00:00'
          ),
          CAST(CAST(STRFTIME('%s', "t7"."churned_at") AS INTEGER) AS REAL),
          1782864000.0
        ) - MAX(CAST(CAST(STRFTIME('%s', "t7"."signed_up_at") AS INTEGER) AS REAL), 1751328000.0),
        0.0
      ) AS REAL) / 3600
    ) AS INTEGER) AS "x",
    COALESCE("t7"."paid", 0.0) AS "y",
    IIF(
      (
        "t7"."churned_at" IS NOT NULL
      )
      AND (
        "t7"."churned_at" < '2026-07-01 00:00:00'
      ),
      1,
      0
    ) AS "churned",
    "t7"."acquisition_cost" AS "cac"
  FROM (
    SELECT
      "t4"."id",
      "t4"."external_id",
      "t4"."name",
      "t4"."email",
      "t4"."phone",
      "t4"."locale",
      "t4"."timezone",
      "t4"."segment",
      "t4"."plan",
      "t4"."persona",
      "t4"."attributes",
      "t4"."signed_up_at",
      "t4"."churned_at",
      "t4"."churn_reason",
      "t4"."acquisition_cost",
      "t4"."rfm_segment",
      "t4"."rfm_code",
      "t4"."cluster",
      "t4"."persona_version",
      "t6"."r_customer",
      "t6"."paid"
    FROM (
      SELECT
        *
      FROM "customers" AS "t0"
      WHERE
        "t0"."signed_up_at" IS NOT NULL
        AND "t0"."signed_up_at" < '2026-07-01 00:00:00'
        AND (
          (
            "t0"."churned_at" IS NULL
          )
          OR (
            "t0"."churned_at" >= '2025-07-01 00:00:00'
          )
        )
    ) AS "t4"
    LEFT OUTER JOIN (
      SELECT
        "t2"."customer_id" AS "r_customer",
        SUM(CAST("t2"."amount" AS REAL)) AS "paid"
      FROM (
        SELECT
          *
        FROM "revenue" AS "t1"
        WHERE
          "t1"."occurred_at" >= '2025-07-01 00:00:00'
          AND "t1"."occurred_at" < '2026-07-01 00:00:00'
      ) AS "t2"
      GROUP BY
        1
    ) AS "t6"
      ON "t4"."id" = "t6"."r_customer"
  ) AS "t7"
) AS "t8"
GROUP BY
  1
