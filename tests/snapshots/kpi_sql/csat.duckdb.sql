SELECT
  *
FROM (
  SELECT
    "t9"."touchpoint",
    "t9"."segment",
    "t9"."period",
    COUNT(*) AS "n",
    SUM(
      CASE
        WHEN "t9"."score" >= CASE
          WHEN "t9"."scale_max" = 5
          THEN 4
          WHEN "t9"."scale_max" = 3
          THEN 3
          WHEN "t9"."scale_max" = 10
          THEN 9
          WHEN "t9"."scale_max" = 2
          THEN 2
          ELSE NULL
        END
        THEN 1
        ELSE 0
      END
    ) AS "hits"
  FROM (
    SELECT
      "t8"."metric",
      "t8"."score",
      "t8"."scale_min",
      "t8"."scale_max",
      "t8"."channel",
      "t8"."language",
      "t8"."touchpoint",
      "t8"."segment",
      "t8"."plan",
      "t8"."persona",
      "t8"."rfm_segment",
      "t8"."cluster",
      "t8"."at",
      DATE_TRUNC('MONTH', "t8"."at") AS "period"
    FROM (
      SELECT
        "t3"."metric",
        "t3"."score",
        "t3"."scale_min",
        "t3"."scale_max",
        "t3"."channel",
        "t3"."language",
        "t6"."touchpoint",
        "t7"."segment",
        "t7"."plan",
        "t7"."persona",
        "t7"."rfm_segment",
        "t7"."cluster",
        "t3"."submitted_at" AS "at"
      FROM "responses" AS "t3"
      LEFT OUTER JOIN (
        SELECT
          "t1"."id" AS "tp_id",
          "t1"."key" AS "touchpoint",
          "t1"."journey_id" AS "tp_journey",
          "t1"."stage_id" AS "tp_stage",
          "t1"."team" AS "tp_team"
        FROM "touchpoints" AS "t1"
      ) AS "t6"
        ON "t3"."touchpoint_id" = "t6"."tp_id"
      LEFT OUTER JOIN (
        SELECT
          "t2"."id" AS "c_id",
          "t2"."segment",
          "t2"."plan",
          "t2"."persona",
          "t2"."rfm_segment",
          "t2"."cluster"
        FROM "customers" AS "t2"
      ) AS "t7"
        ON "t3"."customer_id" = "t7"."c_id"
    ) AS "t8"
    WHERE
      "t8"."metric" = 'csat'
      AND "t8"."score" IS NOT NULL
      AND "t8"."at" >= MAKE_TIMESTAMP(2026, 1, 1, 0, 0, 0.0)
  ) AS "t9"
  GROUP BY
    1,
    2,
    3
) AS "t10"
ORDER BY
  "t10"."touchpoint" ASC,
  "t10"."segment" ASC,
  "t10"."period" ASC
