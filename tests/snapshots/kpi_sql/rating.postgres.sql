SELECT
  *
FROM (
  SELECT
    "t6"."source",
    "t6"."segment",
    "t6"."period",
    COUNT(
      CAST((
        "t6"."rating" * 5
      ) AS DOUBLE PRECISION) / COALESCE("t6"."rating_max", 5.0)
    ) AS "n",
    SUM(
      CAST((
        "t6"."rating" * 5
      ) AS DOUBLE PRECISION) / COALESCE("t6"."rating_max", 5.0)
    ) AS "total",
    SUM(
      (
        CAST((
          "t6"."rating" * 5
        ) AS DOUBLE PRECISION) / COALESCE("t6"."rating_max", 5.0)
      ) * (
        CAST((
          "t6"."rating" * 5
        ) AS DOUBLE PRECISION) / COALESCE("t6"."rating_max", 5.0)
      )
    ) AS "total_sq"
  FROM (
    SELECT
      "t5"."source",
      "t5"."kind",
      "t5"."language",
      "t5"."rating",
      "t5"."rating_max",
      "t5"."segment",
      "t5"."plan",
      "t5"."persona",
      "t5"."rfm_segment",
      "t5"."cluster",
      "t5"."at",
      DATE_TRUNC('MONTH', "t5"."at") AS "period"
    FROM (
      SELECT
        "t2"."source",
        "t2"."kind",
        "t2"."language",
        "t2"."rating",
        "t2"."rating_max",
        "t4"."segment",
        "t4"."plan",
        "t4"."persona",
        "t4"."rfm_segment",
        "t4"."cluster",
        "t2"."posted_at" AS "at"
      FROM "mentions" AS "t2"
      LEFT OUTER JOIN (
        SELECT
          "t1"."id" AS "c_id",
          "t1"."segment",
          "t1"."plan",
          "t1"."persona",
          "t1"."rfm_segment",
          "t1"."cluster"
        FROM "customers" AS "t1"
      ) AS "t4"
        ON "t2"."customer_id" = "t4"."c_id"
    ) AS "t5"
    WHERE
      "t5"."rating" IS NOT NULL
      AND (
        CAST((
          "t5"."rating" * 5
        ) AS DOUBLE PRECISION) / COALESCE("t5"."rating_max", 5.0)
      ) IS NOT NULL
      AND "t5"."at" >= CAST('2026-01-01T00:00:00' AS TIMESTAMP)
  ) AS "t6"
  GROUP BY
    1,
    2,
    3
) AS "t7"
ORDER BY
  "t7"."source" ASC,
  "t7"."segment" ASC,
  "t7"."period" ASC
