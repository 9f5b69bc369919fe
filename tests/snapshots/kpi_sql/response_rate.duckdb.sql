SELECT
  *
FROM (
  SELECT
    "t6"."survey",
    "t6"."channel",
    "t6"."period",
    COUNT(*) AS "n",
    SUM(CASE WHEN "t6"."status" = 'answered' THEN 1 ELSE 0 END) AS "hits"
  FROM (
    SELECT
      "t5"."channel",
      "t5"."status",
      "t5"."survey",
      "t5"."at",
      DATE_TRUNC('MONTH', "t5"."at") AS "period"
    FROM (
      SELECT
        "t2"."channel",
        "t2"."status",
        "t4"."survey",
        "t2"."sent_at" AS "at"
      FROM "invitations" AS "t2"
      LEFT OUTER JOIN (
        SELECT
          "t1"."id" AS "sv_id",
          "t1"."key" AS "survey"
        FROM "surveys" AS "t1"
      ) AS "t4"
        ON "t2"."survey_id" = "t4"."sv_id"
    ) AS "t5"
    WHERE
      "t5"."at" IS NOT NULL AND "t5"."at" >= MAKE_TIMESTAMP(2026, 1, 1, 0, 0, 0.0)
  ) AS "t6"
  GROUP BY
    1,
    2,
    3
) AS "t7"
ORDER BY
  "t7"."survey" ASC,
  "t7"."channel" ASC,
  "t7"."period" ASC
