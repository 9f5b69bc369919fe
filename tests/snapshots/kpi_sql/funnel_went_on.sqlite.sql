WITH "t8" AS (
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
)
SELECT
  "t16"."touchpoint_id",
  "t16"."segment",
  COUNT(*) AS "customers"
FROM (
  SELECT
    "t12"."customer_id",
    "t12"."touchpoint_id",
    "t12"."segment",
    "t12"."first",
    "t12"."step",
    "t12"."target",
    "t15"."n_customer",
    "t15"."n_step",
    "t15"."n_first"
  FROM (
    SELECT
      "t9"."customer_id",
      "t9"."touchpoint_id",
      "t9"."segment",
      "t9"."first",
      CASE
        WHEN "t9"."touchpoint_id" = 1
        THEN 1
        WHEN "t9"."touchpoint_id" = 2
        THEN 1
        WHEN "t9"."touchpoint_id" = 3
        THEN 2
        WHEN "t9"."touchpoint_id" = 4
        THEN 3
        ELSE NULL
      END AS "step",
      CASE
        WHEN "t9"."touchpoint_id" = 1
        THEN 3
        WHEN "t9"."touchpoint_id" = 2
        THEN 3
        WHEN "t9"."touchpoint_id" = 3
        THEN 3
        ELSE NULL
      END AS "target"
    FROM "t8" AS "t9"
    WHERE
      "t9"."touchpoint_id" IN (1, 2, 3)
  ) AS "t12"
  INNER JOIN (
    SELECT
      "t13"."customer_id" AS "n_customer",
      "t13"."step" AS "n_step",
      "t13"."first" AS "n_first"
    FROM (
      SELECT
        "t11"."customer_id",
        "t11"."step",
        "t11"."segment",
        MIN("t11"."first") AS "first"
      FROM (
        SELECT
          "t9"."customer_id",
          "t9"."touchpoint_id",
          "t9"."segment",
          "t9"."first",
          CASE
            WHEN "t9"."touchpoint_id" = 1
            THEN 1
            WHEN "t9"."touchpoint_id" = 2
            THEN 1
            WHEN "t9"."touchpoint_id" = 3
            THEN 2
            WHEN "t9"."touchpoint_id" = 4
            THEN 3
            ELSE NULL
          END AS "step"
        FROM "t8" AS "t9"
      ) AS "t11"
      GROUP BY
        1,
        2,
        3
    ) AS "t13"
  ) AS "t15"
    ON "t12"."customer_id" = "t15"."n_customer"
    AND "t12"."target" = "t15"."n_step"
    AND "t15"."n_first" >= "t12"."first"
) AS "t16"
GROUP BY
  1,
  2
