WITH `t2` AS (
  SELECT
    `t1`.`customer_id`,
    `t1`.`currency`,
    `t1`.`period`,
    SUM(`t1`.`amount`) AS `amount`
  FROM (
    SELECT
      `t0`.`customer_id`,
      `t0`.`currency`,
      CAST(`t0`.`amount` AS DOUBLE) AS `amount`,
      `t0`.`occurred_at` AS `at`,
      (
        (
          EXTRACT(year FROM `t0`.`occurred_at`) * 12
        ) + EXTRACT(month FROM `t0`.`occurred_at`)
      ) - 1 AS `period`
    FROM `revenue` AS `t0`
    WHERE
      `t0`.`occurred_at` >= CAST('2025-06-01T00:00:00' AS TIMESTAMP)
  ) AS `t1`
  GROUP BY
    1,
    2,
    3
)
SELECT
  `t8`.`currency`,
  `t8`.`period`,
  COUNT(*) AS `n`,
  SUM(`t8`.`x`) AS `sx`,
  SUM(`t8`.`y`) AS `sy`,
  SUM(`t8`.`x` * `t8`.`x`) AS `sxx`,
  SUM(`t8`.`y` * `t8`.`y`) AS `syy`,
  SUM(`t8`.`x` * `t8`.`y`) AS `sxy`
FROM (
  SELECT
    `t7`.`customer_id`,
    `t7`.`currency`,
    `t7`.`period`,
    `t7`.`amount`,
    `t7`.`l_customer`,
    `t7`.`l_currency`,
    `t7`.`l_period`,
    `t7`.`l_amount`,
    `t7`.`amount` AS `x`,
    LEAST(COALESCE(`t7`.`l_amount`, 0.0), `t7`.`amount`) AS `y`
  FROM (
    SELECT
      `t4`.`customer_id`,
      `t4`.`currency`,
      `t4`.`period`,
      `t4`.`amount`,
      `t6`.`l_customer`,
      `t6`.`l_currency`,
      `t6`.`l_period`,
      `t6`.`l_amount`
    FROM `t2` AS `t4`
    LEFT OUTER JOIN (
      SELECT
        `t3`.`customer_id` AS `l_customer`,
        `t3`.`currency` AS `l_currency`,
        `t3`.`period` AS `l_period`,
        `t3`.`amount` AS `l_amount`
      FROM `t2` AS `t3`
    ) AS `t6`
      ON `t4`.`customer_id` = `t6`.`l_customer`
      AND `t4`.`currency` = `t6`.`l_currency`
      AND `t6`.`l_period` = (
        `t4`.`period` + 1
      )
  ) AS `t7`
  WHERE
    `t7`.`amount` > 0
) AS `t8`
GROUP BY
  1,
  2
