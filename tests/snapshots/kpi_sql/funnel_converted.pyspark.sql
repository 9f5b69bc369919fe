WITH `t8` AS (
  SELECT
    `t7`.`customer_id`,
    `t7`.`touchpoint_id`,
    `t7`.`segment`,
    MIN(`t7`.`at`) AS `first`
  FROM (
    SELECT
      `t6`.`customer_id`,
      `t6`.`touchpoint_id`,
      `t6`.`at`,
      `t6`.`segment`
    FROM (
      SELECT
        `t5`.`customer_id`,
        `t5`.`touchpoint_id`,
        `t5`.`at`,
        `t4`.`c_id`,
        `t4`.`segment`
      FROM (
        SELECT
          `t0`.`customer_id`,
          `t0`.`touchpoint_id`,
          `t0`.`occurred_at` AS `at`
        FROM `events` AS `t0`
        WHERE
          `t0`.`touchpoint_id` IN (1, 2, 3)
          AND `t0`.`occurred_at` >= CAST('2025-07-01T00:00:00' AS TIMESTAMP)
      ) AS `t5`
      INNER JOIN (
        SELECT
          `t1`.`id` AS `c_id`,
          `t1`.`segment`
        FROM `customers` AS `t1`
      ) AS `t4`
        ON `t5`.`customer_id` = `t4`.`c_id`
    ) AS `t6`
  ) AS `t7`
  GROUP BY
    1,
    2,
    3
)
SELECT
  `t14`.`touchpoint_id`,
  `t14`.`n_touchpoint`,
  `t14`.`segment`,
  COUNT(*) AS `customers`
FROM (
  SELECT
    `t13`.`customer_id`,
    `t13`.`touchpoint_id`,
    `t13`.`segment`,
    `t13`.`first`,
    `t13`.`next_touchpoint`,
    `t11`.`n_customer`,
    `t11`.`n_touchpoint`,
    `t11`.`n_first`
  FROM (
    SELECT
      `t9`.`customer_id`,
      `t9`.`touchpoint_id`,
      `t9`.`segment`,
      `t9`.`first`,
      CASE
        WHEN `t9`.`touchpoint_id` = 1
        THEN 2
        WHEN `t9`.`touchpoint_id` = 2
        THEN 3
        ELSE NULL
      END AS `next_touchpoint`
    FROM `t8` AS `t9`
    WHERE
      `t9`.`touchpoint_id` IN (1, 2)
  ) AS `t13`
  INNER JOIN (
    SELECT
      `t9`.`customer_id` AS `n_customer`,
      `t9`.`touchpoint_id` AS `n_touchpoint`,
      `t9`.`first` AS `n_first`
    FROM `t8` AS `t9`
  ) AS `t11`
    ON `t13`.`customer_id` = `t11`.`n_customer`
    AND `t13`.`next_touchpoint` = `t11`.`n_touchpoint`
    AND `t11`.`n_first` >= `t13`.`first`
) AS `t14`
GROUP BY
  1,
  2,
  3
