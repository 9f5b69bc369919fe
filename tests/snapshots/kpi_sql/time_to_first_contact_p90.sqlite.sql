SELECT
  "t5"."touchpoint",
  "t5"."team",
  DATETIME("t5"."at", 'start of month') AS "period",
  "t5"."first_contact_seconds" AS "value"
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
  TRUE
  AND "t5"."first_contact_seconds" IS NOT NULL
  AND "t5"."at" >= '2026-01-01 00:00:00'
