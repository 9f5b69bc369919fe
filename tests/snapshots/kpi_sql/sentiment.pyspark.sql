SELECT
  *
FROM (
  SELECT
    `t12`.`touchpoint`,
    `t12`.`segment`,
    `t12`.`period`,
    COUNT(`t12`.`sentiment_score`) AS `n`,
    SUM(`t12`.`sentiment_score`) AS `total`,
    SUM(`t12`.`sentiment_score` * `t12`.`sentiment_score`) AS `total_sq`
  FROM (
    SELECT
      `t11`.`metric`,
      `t11`.`score`,
      `t11`.`scale_min`,
      `t11`.`scale_max`,
      `t11`.`channel`,
      `t11`.`language`,
      `t11`.`touchpoint`,
      `t11`.`segment`,
      `t11`.`plan`,
      `t11`.`persona`,
      `t11`.`rfm_segment`,
      `t11`.`cluster`,
      `t11`.`sentiment`,
      `t11`.`sentiment_score`,
      `t11`.`at`,
      DATE_TRUNC('month', `t11`.`at`) AS `period`
    FROM (
      SELECT
        `t4`.`metric`,
        `t4`.`score`,
        `t4`.`scale_min`,
        `t4`.`scale_max`,
        `t4`.`channel`,
        `t4`.`language`,
        `t7`.`touchpoint`,
        `t8`.`segment`,
        `t8`.`plan`,
        `t8`.`persona`,
        `t8`.`rfm_segment`,
        `t8`.`cluster`,
        `t10`.`sentiment`,
        `t10`.`sentiment_score`,
        `t4`.`submitted_at` AS `at`
      FROM `responses` AS `t4`
      LEFT OUTER JOIN (
        SELECT
          `t1`.`id` AS `tp_id`,
          `t1`.`key` AS `touchpoint`,
          `t1`.`journey_id` AS `tp_journey`,
          `t1`.`stage_id` AS `tp_stage`,
          `t1`.`team` AS `tp_team`
        FROM `touchpoints` AS `t1`
      ) AS `t7`
        ON `t4`.`touchpoint_id` = `t7`.`tp_id`
      LEFT OUTER JOIN (
        SELECT
          `t2`.`id` AS `c_id`,
          `t2`.`segment`,
          `t2`.`plan`,
          `t2`.`persona`,
          `t2`.`rfm_segment`,
          `t2`.`cluster`
        FROM `customers` AS `t2`
      ) AS `t8`
        ON `t4`.`customer_id` = `t8`.`c_id`
      LEFT OUTER JOIN (
        SELECT
          `t3`.`source_id` AS `tr_source_id`,
          `t3`.`sentiment`,
          `t3`.`sentiment_score`,
          `t3`.`theme_id` AS `tr_theme`
        FROM `text_results` AS `t3`
        WHERE
          `t3`.`source` = 'response'
      ) AS `t10`
        ON `t4`.`id` = `t10`.`tr_source_id`
    ) AS `t11`
    WHERE
      TRUE
      AND (
        `t11`.`sentiment_score` IS NOT NULL AND NOT ISNAN(`t11`.`sentiment_score`)
      )
      AND `t11`.`at` >= CAST('2026-01-01T00:00:00' AS TIMESTAMP)
  ) AS `t12`
  GROUP BY
    1,
    2,
    3
) AS `t13`
ORDER BY
  `t13`.`touchpoint` ASC NULLS LAST,
  `t13`.`segment` ASC NULLS LAST,
  `t13`.`period` ASC NULLS LAST
