-- @description: Orders, units, revenue and customers per day and country
SELECT
    order_date,
    country,
    count(*) AS orders,
    sum(quantity) AS units,
    sum(amount) AS revenue,
    count(DISTINCT customer_id) AS customers
FROM {{ ref('silver.orders') }}
GROUP BY order_date, country
