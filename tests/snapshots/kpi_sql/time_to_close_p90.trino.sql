SELECT
  "t5"."touchpoint",
  "t5"."team",
  DATE_TRUNC('MONTH', "t5"."at") AS "period",
  "t5"."close_seconds" AS "value"
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
    IF("t2"."business_hours", 'business', 'calendar') AS "clock",
    CAST(CAST(FLOOR(CAST(TO_UNIXTIME("t2"."first_contacted_at") AS DOUBLE)) AS BIGINT) - CAST(FLOOR(CAST(TO_UNIXTIME("t2"."created_at") AS DOUBLE)) AS BIGINT) AS DOUBLE) AS "first_contact_seconds",
    CAST(CAST(FLOOR(CAST(TO_UNIXTIME("t2"."closed_at") AS DOUBLE)) AS BIGINT) - CAST(FLOOR(CAST(TO_UNIXTIME("t2"."created_at") AS DOUBLE)) AS BIGINT) AS DOUBLE) AS "close_seconds"
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
  AND "t5"."close_seconds" IS NOT NULL
  AND "t5"."at" >= CAST(FROM_ISO8601_TIMESTAMP('2026-01-01T00:00:00') AS TIMESTAMP)
