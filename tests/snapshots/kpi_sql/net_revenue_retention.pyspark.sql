WITH `t9` AS (
  SELECT
    `t8`.`customer_id`,
    `t8`.`currency`,
    `t8`.`plan`,
    `t8`.`period`,
    SUM(`t8`.`amount`) AS `amount`
  FROM (
    SELECT
      `t7`.`customer_id`,
      `t7`.`currency`,
      `t7`.`amount`,
      `t7`.`at`,
      `t7`.`plan`,
      (
        EXTRACT(year FROM `t7`.`at`) * 4
      ) + CAST(FLOOR((
        EXTRACT(month FROM `t7`.`at`) - 1
      ) / 3) AS BIGINT) AS `period`
    FROM (
      SELECT
        `t6`.`customer_id`,
        `t6`.`currency`,
        `t6`.`amount`,
        `t6`.`at`,
        `t6`.`plan`
      FROM (
        SELECT
          `t5`.`customer_id`,
          `t5`.`currency`,
          `t5`.`amount`,
          `t5`.`at`,
          `t4`.`c_id`,
          `t4`.`plan`
        FROM (
          SELECT
            `t0`.`customer_id`,
            `t0`.`currency`,
            CAST(`t0`.`amount` AS DOUBLE) AS `amount`,
            `t0`.`occurred_at` AS `at`
          FROM `revenue` AS `t0`
        ) AS `t5`
        INNER JOIN (
          SELECT
            `t1`.`id` AS `c_id`,
            `t1`.`plan`
          FROM `customers` AS `t1`
        ) AS `t4`
          ON `t5`.`customer_id` = `t4`.`c_id`
      ) AS `t6`
    ) AS `t7`
  ) AS `t8`
  GROUP BY
    1,
    2,
    3,
    4
)
SELECT
  `t15`.`plan`,
  `t15`.`currency`,
  `t15`.`period`,
  COUNT(*) AS `n`,
  SUM(`t15`.`x`) AS `sx`,
  SUM(`t15`.`y`) AS `sy`,
  SUM(`t15`.`x` * `t15`.`x`) AS `sxx`,
  SUM(`t15`.`y` * `t15`.`y`) AS `syy`,
  SUM(`t15`.`x` * `t15`.`y`) AS `sxy`
FROM (
  SELECT
    `t14`.`customer_id`,
    `t14`.`currency`,
    `t14`.`plan`,
    `t14`.`period`,
    `t14`.`amount`,
    `t14`.`l_customer`,
    `t14`.`l_currency`,
    `t14`.`l_period`,
    `t14`.`l_amount`,
    `t14`.`amount` AS `x`,
    COALESCE(`t14`.`l_amount`, 0.0) AS `y`
  FROM (
    SELECT
      `t11`.`customer_id`,
      `t11`.`currency`,
      `t11`.`plan`,
      `t11`.`period`,
      `t11`.`amount`,
      `t13`.`l_customer`,
      `t13`.`l_currency`,
      `t13`.`l_period`,
      `t13`.`l_amount`
    FROM `t9` AS `t11`
    LEFT OUTER JOIN (
      SELECT
        `t10`.`customer_id` AS `l_customer`,
        `t10`.`currency` AS `l_currency`,
        `t10`.`period` AS `l_period`,
        `t10`.`amount` AS `l_amount`
      FROM `t9` AS `t10`
    ) AS `t13`
      ON `t11`.`customer_id` = `t13`.`l_customer`
      AND `t11`.`currency` = `t13`.`l_currency`
      AND `t13`.`l_period` = (
        `t11`.`period` + 1
      )
  ) AS `t14`
  WHERE
    `t14`.`amount` > 0
) AS `t15`
GROUP BY
  1,
  2,
  3
