SELECT
  *
FROM (
  SELECT
    "t15"."team",
    "t15"."channel",
    "t15"."period",
    COUNT(*) AS "n",
    SUM(
      CASE
        WHEN (
          COALESCE("t15"."replies", 0) <= 1
        )
        AND (
          COALESCE("t15"."reopens", 0) = 0
        )
        THEN 1
        ELSE 0
      END
    ) AS "hits"
  FROM (
    SELECT
      "t14"."channel",
      "t14"."team",
      "t14"."agent",
      "t14"."language",
      "t14"."touchpoint",
      "t14"."journey",
      "t14"."stage",
      "t14"."segment",
      "t14"."plan",
      "t14"."persona",
      "t14"."solved_at",
      "t14"."replies",
      "t14"."reopens",
      "t14"."first_response_seconds",
      "t14"."resolution_seconds",
      "t14"."handle_seconds",
      "t14"."at",
      DATE_TRUNC('MONTH', "t14"."at") AS "period"
    FROM (
      SELECT
        "t5"."channel",
        "t5"."team",
        "t5"."agent",
        "t5"."language",
        "t10"."touchpoint",
        "t11"."journey",
        "t12"."stage",
        "t13"."segment",
        "t13"."plan",
        "t13"."persona",
        "t5"."solved_at",
        "t5"."replies",
        "t5"."reopens",
        "t5"."first_response_seconds",
        "t5"."resolution_seconds",
        "t5"."handle_seconds",
        "t5"."created_at" AS "at"
      FROM "tickets" AS "t5"
      LEFT OUTER JOIN (
        SELECT
          "t1"."id" AS "tp_id",
          "t1"."key" AS "touchpoint",
          "t1"."journey_id" AS "tp_journey",
          "t1"."stage_id" AS "tp_stage"
        FROM "touchpoints" AS "t1"
      ) AS "t10"
        ON "t5"."touchpoint_id" = "t10"."tp_id"
      LEFT OUTER JOIN (
        SELECT
          "t2"."id" AS "j_id",
          "t2"."key" AS "journey"
        FROM "journeys" AS "t2"
      ) AS "t11"
        ON "t10"."tp_journey" = "t11"."j_id"
      LEFT OUTER JOIN (
        SELECT
          "t3"."id" AS "st_id",
          "t3"."key" AS "stage"
        FROM "stages" AS "t3"
      ) AS "t12"
        ON "t10"."tp_stage" = "t12"."st_id"
      LEFT OUTER JOIN (
        SELECT
          "t4"."id" AS "c_id",
          "t4"."segment",
          "t4"."plan",
          "t4"."persona"
        FROM "customers" AS "t4"
      ) AS "t13"
        ON "t5"."customer_id" = "t13"."c_id"
    ) AS "t14"
    WHERE
      "t14"."solved_at" IS NOT NULL
      AND "t14"."at" >= MAKE_TIMESTAMPTZ(2026, 1, 1, 0, 0, 0.0, 'UTC')
  ) AS "t15"
  GROUP BY
    1,
    2,
    3
) AS "t16"
ORDER BY
  "t16"."team" ASC,
  "t16"."channel" ASC,
  "t16"."period" ASC
