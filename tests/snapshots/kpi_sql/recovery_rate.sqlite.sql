SELECT
  *
FROM (
  SELECT
    "t17"."touchpoint",
    "t17"."team",
    "t17"."period",
    COUNT(*) AS "n",
    SUM(IIF("t17"."next_nps" >= 7, 1, 0)) AS "hits"
  FROM (
    SELECT
      "t16"."team",
      "t16"."priority",
      "t16"."source",
      "t16"."root_cause",
      "t16"."outcome",
      "t16"."status",
      "t16"."due_at",
      "t16"."first_contacted_at",
      "t16"."resolved_at",
      "t16"."closed_at",
      "t16"."escalated_at",
      "t16"."touchpoint",
      "t16"."at",
      "t16"."clock",
      "t16"."first_contact_seconds",
      "t16"."close_seconds",
      "t16"."detractor",
      "t16"."next_nps",
      DATETIME("t16"."at", 'start of month') AS "period"
    FROM (
      SELECT
        "t3"."team",
        "t3"."priority",
        "t3"."source",
        "t3"."root_cause",
        "t3"."outcome",
        "t3"."status",
        "t3"."due_at",
        "t3"."first_contacted_at",
        "t3"."resolved_at",
        "t3"."closed_at",
        "t3"."escalated_at",
        "t6"."touchpoint",
        "t3"."created_at" AS "at",
        IIF("t3"."business_hours", 'business', 'calendar') AS "clock",
        CAST(CAST(FLOOR(CAST(CAST(STRFTIME('%s', "t3"."first_contacted_at") AS INTEGER) AS REAL)) AS INTEGER) - CAST(FLOOR(CAST(CAST(STRFTIME('%s', "t3"."created_at") AS INTEGER) AS REAL)) AS INTEGER) AS REAL) AS "first_contact_seconds",
        CAST(CAST(FLOOR(CAST(CAST(STRFTIME('%s', "t3"."closed_at") AS INTEGER) AS REAL)) AS INTEGER) - CAST(FLOOR(CAST(CAST(STRFTIME('%s', "t3"."created_at") AS INTEGER) AS REAL)) AS INTEGER) AS REAL) AS "close_seconds",
        COALESCE("t10"."o_score" <= 6, FALSE) AS "detractor",
        "t15"."next_nps"
      FROM "cases" AS "t3"
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
          "t2"."id" AS "o_id",
          "t2"."score" AS "o_score"
        FROM "responses" AS "t2"
        WHERE
          "t2"."metric" = 'nps' AND "t2"."score" IS NOT NULL
      ) AS "t10"
        ON "t3"."response_id" = "t10"."o_id"
      LEFT OUTER JOIN (
        SELECT
          "t13"."nx_case",
          "t13"."a_score" AS "next_nps"
        FROM (
          SELECT
            "t12"."nx_case",
            "t12"."nx_customer",
            "t12"."nx_opened",
            "t12"."a_id",
            "t12"."a_customer",
            "t12"."a_at",
            "t12"."a_score",
            ROW_NUMBER() OVER (
              PARTITION BY "t12"."nx_case"
              ORDER BY "t12"."a_at" ASC NULLS LAST, "t12"."a_id" ASC NULLS LAST
              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            ) - 1 AS "rank"
          FROM (
            SELECT
              "t9"."nx_case",
              "t9"."nx_customer",
              "t9"."nx_opened",
              "t11"."a_id",
              "t11"."a_customer",
              "t11"."a_at",
              "t11"."a_score"
            FROM (
              SELECT
                "t0"."id" AS "nx_case",
                "t0"."customer_id" AS "nx_customer",
                "t0"."created_at" AS "nx_opened"
              FROM "cases" AS "t0"
              WHERE
                "t0"."customer_id" IS NOT NULL
            ) AS "t9"
            INNER JOIN (
              SELECT
                "t2"."id" AS "a_id",
                "t2"."customer_id" AS "a_customer",
                "t2"."submitted_at" AS "a_at",
                "t2"."score" AS "a_score"
              FROM "responses" AS "t2"
              WHERE
                "t2"."metric" = 'nps' AND "t2"."score" IS NOT NULL
            ) AS "t11"
              ON "t9"."nx_customer" = "t11"."a_customer" AND "t11"."a_at" > "t9"."nx_opened"
          ) AS "t12"
        ) AS "t13"
        WHERE
          "t13"."rank" = 0
      ) AS "t15"
        ON "t3"."id" = "t15"."nx_case"
    ) AS "t16"
    WHERE
      "t16"."closed_at" IS NOT NULL
      AND "t16"."detractor"
      AND "t16"."next_nps" IS NOT NULL
      AND "t16"."at" >= '2026-01-01 00:00:00'
  ) AS "t17"
  GROUP BY
    1,
    2,
    3
) AS "t18"
ORDER BY
  "t18"."touchpoint" ASC NULLS LAST,
  "t18"."team" ASC NULLS LAST,
  "t18"."period" ASC NULLS LAST
