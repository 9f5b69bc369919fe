SELECT
  *
FROM (
  SELECT
    "t18"."touchpoint",
    "t18"."segment",
    "t18"."period",
    COUNT(*) AS "n",
    SUM(
      IF(
        "t18"."score" >= CASE WHEN "t18"."scale_max" = 7 THEN 5 WHEN "t18"."scale_max" = 5 THEN 4 ELSE NULL END,
        1,
        0
      )
    ) AS "hits"
  FROM (
    SELECT
      "t17"."metric",
      "t17"."score",
      "t17"."scale_min",
      "t17"."scale_max",
      "t17"."channel",
      "t17"."language",
      "t17"."touchpoint",
      "t17"."journey",
      "t17"."stage",
      "t17"."survey",
      "t17"."segment",
      "t17"."plan",
      "t17"."persona",
      "t17"."at",
      DATE_TRUNC('MONTH', "t17"."at") AS "period"
    FROM (
      SELECT
        "t6"."metric",
        "t6"."score",
        "t6"."scale_min",
        "t6"."scale_max",
        "t6"."channel",
        "t6"."language",
        "t12"."touchpoint",
        "t13"."journey",
        "t14"."stage",
        "t15"."survey",
        "t16"."segment",
        "t16"."plan",
        "t16"."persona",
        "t6"."submitted_at" AS "at"
      FROM "responses" AS "t6"
      LEFT OUTER JOIN (
        SELECT
          "t1"."id" AS "tp_id",
          "t1"."key" AS "touchpoint",
          "t1"."journey_id" AS "tp_journey",
          "t1"."stage_id" AS "tp_stage"
        FROM "touchpoints" AS "t1"
      ) AS "t12"
        ON "t6"."touchpoint_id" = "t12"."tp_id"
      LEFT OUTER JOIN (
        SELECT
          "t2"."id" AS "j_id",
          "t2"."key" AS "journey"
        FROM "journeys" AS "t2"
      ) AS "t13"
        ON "t12"."tp_journey" = "t13"."j_id"
      LEFT OUTER JOIN (
        SELECT
          "t3"."id" AS "st_id",
          "t3"."key" AS "stage"
        FROM "stages" AS "t3"
      ) AS "t14"
        ON "t12"."tp_stage" = "t14"."st_id"
      LEFT OUTER JOIN (
        SELECT
          "t4"."id" AS "sv_id",
          "t4"."key" AS "survey"
        FROM "surveys" AS "t4"
      ) AS "t15"
        ON "t6"."survey_id" = "t15"."sv_id"
      LEFT OUTER JOIN (
        SELECT
          "t5"."id" AS "c_id",
          "t5"."segment",
          "t5"."plan",
          "t5"."persona"
        FROM "customers" AS "t5"
      ) AS "t16"
        ON "t6"."customer_id" = "t16"."c_id"
    ) AS "t17"
    WHERE
      "t17"."metric" = 'ces'
      AND "t17"."score" IS NOT NULL
      AND "t17"."at" >= CAST(FROM_ISO8601_TIMESTAMP('2026-01-01T00:00:00+00:00') AS TIMESTAMP WITH TIME ZONE)
  ) AS "t18"
  GROUP BY
    1,
    2,
    3
) AS "t19"
ORDER BY
  "t19"."touchpoint" ASC,
  "t19"."segment" ASC,
  "t19"."period" ASC
