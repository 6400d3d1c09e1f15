-- @description: Orders, units and revenue per day and product, partitioned by day
-- @partition_by: order_date
SELECT
    order_date,
    product,
    count(*) AS orders,
    sum(quantity) AS units,
    sum(amount) AS revenue
FROM {{ ref('silver.orders') }}
GROUP BY order_date, product
