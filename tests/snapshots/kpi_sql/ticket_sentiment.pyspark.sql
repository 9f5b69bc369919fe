SELECT
  *
FROM (
  SELECT
    `t6`.`team`,
    `t6`.`channel`,
    `t6`.`period`,
    COUNT(`t6`.`sentiment_score`) AS `n`,
    SUM(`t6`.`sentiment_score`) AS `total`,
    SUM(`t6`.`sentiment_score` * `t6`.`sentiment_score`) AS `total_sq`
  FROM (
    SELECT
      `t5`.`channel`,
      `t5`.`team`,
      `t5`.`agent`,
      `t5`.`language`,
      `t5`.`solved_at`,
      `t5`.`replies`,
      `t5`.`reopens`,
      `t5`.`first_response_seconds`,
      `t5`.`first_response_business_seconds`,
      `t5`.`resolution_seconds`,
      `t5`.`resolution_business_seconds`,
      `t5`.`handle_seconds`,
      `t5`.`sentiment`,
      `t5`.`sentiment_score`,
      `t5`.`at`,
      DATE_TRUNC('month', `t5`.`at`) AS `period`
    FROM (
      SELECT
        `t2`.`channel`,
        `t2`.`team`,
        `t2`.`agent`,
        `t2`.`language`,
        `t2`.`solved_at`,
        `t2`.`replies`,
        `t2`.`reopens`,
        `t2`.`first_response_seconds`,
        `t2`.`first_response_business_seconds`,
        `t2`.`resolution_seconds`,
        `t2`.`resolution_business_seconds`,
        `t2`.`handle_seconds`,
        `t4`.`sentiment`,
        `t4`.`sentiment_score`,
        `t2`.`created_at` AS `at`
      FROM `tickets` AS `t2`
      LEFT OUTER JOIN (
        SELECT
          `t1`.`source_id` AS `tr_source_id`,
          `t1`.`sentiment`,
          `t1`.`sentiment_score`,
          `t1`.`theme_id` AS `tr_theme`
        FROM `text_results` AS `t1`
        WHERE
          `t1`.`source` = 'ticket'
      ) AS `t4`
        ON `t2`.`id` = `t4`.`tr_source_id`
    ) AS `t5`
    WHERE
      TRUE
      AND (
        `t5`.`sentiment_score` IS NOT NULL AND NOT ISNAN(`t5`.`sentiment_score`)
      )
      AND `t5`.`at` >= CAST('2026-01-01T00:00:00' AS TIMESTAMP)
  ) AS `t6`
  GROUP BY
    1,
    2,
    3
) AS `t7`
ORDER BY
  `t7`.`team` ASC NULLS LAST,
  `t7`.`channel` ASC NULLS LAST,
  `t7`.`period` ASC NULLS LAST
