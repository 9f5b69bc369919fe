SELECT
  "t10"."step",
  "t10"."segment",
  COUNT(*) AS "customers"
FROM (
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
              AND "t0"."occurred_at" >= CAST(FROM_ISO8601_TIMESTAMP('2025-07-01T00:00:00') AS TIMESTAMP)
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
) AS "t10"
GROUP BY
  1,
  2
