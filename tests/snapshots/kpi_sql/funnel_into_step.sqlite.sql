WITH "t10" AS (
  SELECT
    "t9"."customer_id",
    "t9"."step",
    "t9"."segment",
    MIN("t9"."first") AS "first"
  FROM (
    SELECT
      "t8"."customer_id",
      "t8"."touchpoint_id",
      "t8"."segment",
      "t8"."first",
      CASE
        WHEN "t8"."touchpoint_id" = 1
        THEN 1
        WHEN "t8"."touchpoint_id" = 2
        THEN 1
        WHEN "t8"."touchpoint_id" = 3
        THEN 2
        WHEN "t8"."touchpoint_id" = 4
        THEN 3
        ELSE NULL
      END AS "step"
    FROM (
      SELECT
        "t7"."customer_id",
        "t7"."touchpoint_id",
        "t7"."segment",
        MIN("t7"."at") AS "first"
      FROM (
        SELECT
          "t6"."customer_id",
          "t6"."touchpoint_id",
          "t6"."at",
          "t6"."segment"
        FROM (
          SELECT
            "t5"."customer_id",
            "t5"."touchpoint_id",
            "t5"."at",
            "t4"."c_id",
            "t4"."segment"
          FROM (
            SELECT
              "t0"."customer_id",
              "t0"."touchpoint_id",
              "t0"."occurred_at" AS "at"
            FROM "events" AS "t0"
            WHERE
              "t0"."touchpoint_id" IN (1, 2, 3, 4)
              AND "t0"."occurred_at" >= '2025-07-01 00:00:00'
          ) AS "t5"
          INNER JOIN (
            SELECT
              "t1"."id" AS "c_id",
              "t1"."segment"
            FROM "customers" AS "t1"
          ) AS "t4"
            ON "t5"."customer_id" = "t4"."c_id"
        ) AS "t6"
      ) AS "t7"
      GROUP BY
        1,
        2,
        3
    ) AS "t8"
  ) AS "t9"
  GROUP BY
    1,
    2,
    3
)
SELECT
  "t16"."n_step",
  "t16"."segment",
  COUNT(*) AS "customers"
FROM (
  SELECT
    "t15"."customer_id",
    "t15"."step",
    "t15"."segment",
    "t15"."first",
    "t15"."target",
    "t13"."n_customer",
    "t13"."n_step",
    "t13"."n_first"
  FROM (
    SELECT
      "t11"."customer_id",
      "t11"."step",
      "t11"."segment",
      "t11"."first",
      CASE WHEN "t11"."step" = 1 THEN 2 ELSE NULL END AS "target"
    FROM "t10" AS "t11"
    WHERE
      "t11"."step" IN (1)
  ) AS "t15"
  INNER JOIN (
    SELECT
      "t11"."customer_id" AS "n_customer",
      "t11"."step" AS "n_step",
      "t11"."first" AS "n_first"
    FROM "t10" AS "t11"
  ) AS "t13"
    ON "t15"."customer_id" = "t13"."n_customer"
    AND "t15"."target" = "t13"."n_step"
    AND "t13"."n_first" >= "t15"."first"
) AS "t16"
GROUP BY
  1,
  2
