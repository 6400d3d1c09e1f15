-- @description: Per customer: orders, revenue, first and last order, returns
SELECT
    customer_id,
    count(*) AS orders,
    sum(amount) AS revenue,
    min(ordered_at) AS first_order_at,
    max(ordered_at) AS last_order_at,
    count(*) FILTER (WHERE status = 'returned') AS returns
FROM {{ ref('silver.orders') }}
GROUP BY customer_id
