SELECT
  *
FROM (
  SELECT
    `t9`.`source`,
    `t9`.`segment`,
    `t9`.`period`,
    COUNT(`t9`.`sentiment_score`) AS `n`,
    SUM(`t9`.`sentiment_score`) AS `total`,
    SUM(`t9`.`sentiment_score` * `t9`.`sentiment_score`) AS `total_sq`
  FROM (
    SELECT
      `t8`.`source`,
      `t8`.`kind`,
      `t8`.`language`,
      `t8`.`rating`,
      `t8`.`rating_max`,
      `t8`.`segment`,
      `t8`.`plan`,
      `t8`.`persona`,
      `t8`.`rfm_segment`,
      `t8`.`cluster`,
      `t8`.`sentiment`,
      `t8`.`sentiment_score`,
      `t8`.`at`,
      DATE_TRUNC('month', `t8`.`at`) AS `period`
    FROM (
      SELECT
        `t3`.`source`,
        `t3`.`kind`,
        `t3`.`language`,
        `t3`.`rating`,
        `t3`.`rating_max`,
        `t5`.`segment`,
        `t5`.`plan`,
        `t5`.`persona`,
        `t5`.`rfm_segment`,
        `t5`.`cluster`,
        `t7`.`sentiment`,
        `t7`.`sentiment_score`,
        `t3`.`posted_at` AS `at`
      FROM `mentions` AS `t3`
      LEFT OUTER JOIN (
        SELECT
          `t1`.`id` AS `c_id`,
          `t1`.`segment`,
          `t1`.`plan`,
          `t1`.`persona`,
          `t1`.`rfm_segment`,
          `t1`.`cluster`
        FROM `customers` AS `t1`
      ) AS `t5`
        ON `t3`.`customer_id` = `t5`.`c_id`
      LEFT OUTER JOIN (
        SELECT
          `t2`.`source_id` AS `tr_source_id`,
          `t2`.`sentiment`,
          `t2`.`sentiment_score`,
          `t2`.`theme_id` AS `tr_theme`
        FROM `text_results` AS `t2`
        WHERE
          `t2`.`source` = 'mention'
      ) AS `t7`
        ON `t3`.`id` = `t7`.`tr_source_id`
    ) AS `t8`
    WHERE
      TRUE
      AND (
        `t8`.`sentiment_score` IS NOT NULL AND NOT ISNAN(`t8`.`sentiment_score`)
      )
      AND `t8`.`at` >= CAST('2026-01-01T00:00:00' AS TIMESTAMP)
  ) AS `t9`
  GROUP BY
    1,
    2,
    3
) AS `t10`
ORDER BY
  `t10`.`source` ASC NULLS LAST,
  `t10`.`segment` ASC NULLS LAST,
  `t10`.`period` ASC NULLS LAST
