SELECT
  *
FROM (
  SELECT
    "t10"."touchpoint",
    "t10"."team",
    "t10"."period",
    COUNT(*) AS "n",
    SUM(IF("t10"."contacted_in_time", 1, 0)) AS "hits"
  FROM (
    SELECT
      "t9"."team",
      "t9"."priority",
      "t9"."source",
      "t9"."root_cause",
      "t9"."outcome",
      "t9"."status",
      "t9"."due_at",
      "t9"."first_contacted_at",
      "t9"."resolved_at",
      "t9"."closed_at",
      "t9"."escalated_at",
      "t9"."touchpoint",
      "t9"."at",
      "t9"."clock",
      "t9"."first_contact_seconds",
      "t9"."close_seconds",
      "t9"."first_contact_due",
      "t9"."contacted_in_time",
      DATE_TRUNC('MONTH', "t9"."at") AS "period"
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
        "t5"."touchpoint",
        "t3"."created_at" AS "at",
        IF("t3"."business_hours", 'business', 'calendar') AS "clock",
        CAST(CAST(FLOOR(CAST(TO_UNIXTIME("t3"."first_contacted_at") AS DOUBLE)) AS BIGINT) - CAST(FLOOR(CAST(TO_UNIXTIME("t3"."created_at") AS DOUBLE)) AS BIGINT) AS DOUBLE) AS "first_contact_seconds",
        CAST(CAST(FLOOR(CAST(TO_UNIXTIME("t3"."closed_at") AS DOUBLE)) AS BIGINT) - CAST(FLOOR(CAST(TO_UNIXTIME("t3"."created_at") AS DOUBLE)) AS BIGINT) AS DOUBLE) AS "close_seconds",
        "t8"."fc_due" AS "first_contact_due",
        COALESCE(
          CAST(FLOOR(CAST(TO_UNIXTIME("t3"."first_contacted_at") AS DOUBLE)) AS BIGINT) <= "t8"."fc_due",
          FALSE
        ) AS "contacted_in_time"
      FROM "cases" AS "t3"
      LEFT OUTER JOIN (
        SELECT
          "t1"."id" AS "tp_id",
          "t1"."key" AS "touchpoint",
          "t1"."journey_id" AS "tp_journey",
          "t1"."stage_id" AS "tp_stage",
          "t1"."team" AS "tp_team"
        FROM "touchpoints" AS "t1"
      ) AS "t5"
        ON "t3"."touchpoint_id" = "t5"."tp_id"
      LEFT OUTER JOIN (
        SELECT
          "t6"."case_id" AS "fc_case",
          MIN(
            TO_UNIXTIME(
              CAST(REPLACE(
                SUBSTR(
                  NULLIF(
                    REGEXP_EXTRACT(CAST("t6"."data" AS VARCHAR), '"first_contact_due_at"\s*:\s*"([^"]+)"', 1),
                    ''
                  ),
                  IF(
                    (
                      0 + 1
                    ) >= 1,
                    0 + 1,
                    0 + 1 + LENGTH(
                      NULLIF(
                        REGEXP_EXTRACT(CAST("t6"."data" AS VARCHAR), '"first_contact_due_at"\s*:\s*"([^"]+)"', 1),
                        ''
                      )
                    )
                  ),
                  19
                ),
                'T',
                ' '
              ) AS TIMESTAMP)
            )
          ) AS "fc_due"
        FROM (
          SELECT
            *
          FROM "case_events" AS "t2"
          WHERE
            "t2"."kind" = 'opened'
        ) AS "t6"
        GROUP BY
          1
      ) AS "t8"
        ON "t3"."id" = "t8"."fc_case"
    ) AS "t9"
    WHERE
      "t9"."first_contact_due" IS NOT NULL
      AND (
        (
          "t9"."first_contacted_at" IS NOT NULL
        )
        OR (
          "t9"."closed_at" IS NOT NULL
        )
        OR (
          "t9"."escalated_at" IS NOT NULL
        )
      )
      AND "t9"."at" >= CAST(FROM_ISO8601_TIMESTAMP('2026-01-01T00:00:00') AS TIMESTAMP)
  ) AS "t10"
  GROUP BY
    1,
    2,
    3
) AS "t11"
ORDER BY
  "t11"."touchpoint" ASC,
  "t11"."team" ASC,
  "t11"."period" ASC
