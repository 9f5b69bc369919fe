SELECT
  *
FROM (
  SELECT
    "t6"."touchpoint",
    "t6"."team",
    "t6"."period",
    COUNT(*) AS "n",
    SUM(
      IIF(
        (
          "t6"."closed_at" IS NOT NULL
        )
        AND (
          "t6"."first_contacted_at" IS NOT NULL
        ),
        1,
        0
      )
    ) AS "hits"
  FROM (
    SELECT
      "t5"."team",
      "t5"."priority",
      "t5"."source",
      "t5"."root_cause",
      "t5"."outcome",
      "t5"."status",
      "t5"."due_at",
      "t5"."first_contacted_at",
      "t5"."resolved_at",
      "t5"."closed_at",
      "t5"."escalated_at",
      "t5"."touchpoint",
      "t5"."at",
      "t5"."clock",
      "t5"."first_contact_seconds",
      "t5"."close_seconds",
      DATETIME("t5"."at", 'start of month') AS "period"
    FROM (
      SELECT
        "t2"."team",
        "t2"."priority",
        "t2"."source",
        "t2"."root_cause",
        "t2"."outcome",
        "t2"."status",
        "t2"."due_at",
        "t2"."first_contacted_at",
        "t2"."resolved_at",
        "t2"."closed_at",
        "t2"."escalated_at",
        "t4"."touchpoint",
        "t2"."created_at" AS "at",
        IIF("t2"."business_hours", 'business', 'calendar') AS "clock",
        CAST(CAST(FLOOR(CAST(CAST(STRFTIME('%s', "t2"."first_contacted_at") AS INTEGER) AS REAL)) AS INTEGER) - CAST(FLOOR(CAST(CAST(STRFTIME('%s', "t2"."created_at") AS INTEGER) AS REAL)) AS INTEGER) AS REAL) AS "first_contact_seconds",
        CAST(CAST(FLOOR(CAST(CAST(STRFTIME('%s', "t2"."closed_at") AS INTEGER) AS REAL)) AS INTEGER) - CAST(FLOOR(CAST(CAST(STRFTIME('%s', "t2"."created_at") AS INTEGER) AS REAL)) AS INTEGER) AS REAL) AS "close_seconds"
      FROM "cases" AS "t2"
      LEFT OUTER JOIN (
        SELECT
          "t1"."id" AS "tp_id",
          "t1"."key" AS "touchpoint",
          "t1"."journey_id" AS "tp_journey",
          "t1"."stage_id" AS "tp_stage",
          "t1"."team" AS "tp_team"
        FROM "touchpoints" AS "t1"
      ) AS "t4"
        ON "t2"."touchpoint_id" = "t4"."tp_id"
    ) AS "t5"
    WHERE
      TRUE AND "t5"."at" >= '2026-01-01 00:00:00'
  ) AS "t6"
  GROUP BY
    1,
    2,
    3
) AS "t7"
ORDER BY
  "t7"."touchpoint" ASC NULLS LAST,
  "t7"."team" ASC NULLS LAST,
  "t7"."period" ASC NULLS LAST
