SELECT
  *
FROM (
  SELECT
    "t12"."touchpoint",
    "t12"."team",
    "t12"."period",
    COUNT(*) AS "n",
    SUM(IF("t12"."churned_after", 1, 0)) AS "hits"
  FROM (
    SELECT
      "t11"."team",
      "t11"."priority",
      "t11"."source",
      "t11"."root_cause",
      "t11"."outcome",
      "t11"."status",
      "t11"."due_at",
      "t11"."first_contacted_at",
      "t11"."resolved_at",
      "t11"."closed_at",
      "t11"."escalated_at",
      "t11"."touchpoint",
      "t11"."at",
      "t11"."clock",
      "t11"."first_contact_seconds",
      "t11"."close_seconds",
      "t11"."detractor",
      "t11"."customer_known",
      "t11"."churned_after",
      DATE_TRUNC('MONTH', "t11"."at") AS "period"
    FROM (
      SELECT
        "t4"."team",
        "t4"."priority",
        "t4"."source",
        "t4"."root_cause",
        "t4"."outcome",
        "t4"."status",
        "t4"."due_at",
        "t4"."first_contacted_at",
        "t4"."resolved_at",
        "t4"."closed_at",
        "t4"."escalated_at",
        "t7"."touchpoint",
        "t4"."created_at" AS "at",
        IF("t4"."business_hours", 'business', 'calendar') AS "clock",
        CAST(CAST(FLOOR(CAST(TO_UNIXTIME("t4"."first_contacted_at") AS DOUBLE)) AS BIGINT) - CAST(FLOOR(CAST(TO_UNIXTIME("t4"."created_at") AS DOUBLE)) AS BIGINT) AS DOUBLE) AS "first_contact_seconds",
        CAST(CAST(FLOOR(CAST(TO_UNIXTIME("t4"."closed_at") AS DOUBLE)) AS BIGINT) - CAST(FLOOR(CAST(TO_UNIXTIME("t4"."created_at") AS DOUBLE)) AS BIGINT) AS DOUBLE) AS "close_seconds",
        COALESCE("t10"."o_score" <= 6, FALSE) AS "detractor",
        "t9"."cc_id" IS NOT NULL AS "customer_known",
        COALESCE(
          (
            "t9"."cc_churned_at" IS NOT NULL
          )
          AND (
            "t9"."cc_churned_at" >= "t4"."created_at"
          ),
          FALSE
        ) AS "churned_after"
      FROM "cases" AS "t4"
      LEFT OUTER JOIN (
        SELECT
          "t1"."id" AS "tp_id",
          "t1"."key" AS "touchpoint",
          "t1"."journey_id" AS "tp_journey",
          "t1"."stage_id" AS "tp_stage",
          "t1"."team" AS "tp_team"
        FROM "touchpoints" AS "t1"
      ) AS "t7"
        ON "t4"."touchpoint_id" = "t7"."tp_id"
      LEFT OUTER JOIN (
        SELECT
          "t2"."id" AS "o_id",
          "t2"."score" AS "o_score"
        FROM "responses" AS "t2"
        WHERE
          "t2"."metric" = 'nps' AND "t2"."score" IS NOT NULL
      ) AS "t10"
        ON "t4"."response_id" = "t10"."o_id"
      LEFT OUTER JOIN (
        SELECT
          "t3"."id" AS "cc_id",
          "t3"."churned_at" AS "cc_churned_at"
        FROM "customers" AS "t3"
      ) AS "t9"
        ON "t4"."customer_id" = "t9"."cc_id"
    ) AS "t11"
    WHERE
      "t11"."detractor"
      AND "t11"."customer_known"
      AND "t11"."at" >= CAST(FROM_ISO8601_TIMESTAMP('2026-01-01T00:00:00') AS TIMESTAMP)
  ) AS "t12"
  GROUP BY
    1,
    2,
    3
) AS "t13"
ORDER BY
  "t13"."touchpoint" ASC,
  "t13"."team" ASC,
  "t13"."period" ASC
