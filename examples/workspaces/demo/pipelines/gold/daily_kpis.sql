-- @description: The shop's daily numbers: orders, cups, revenue, average ticket
SELECT
    _date AS day,
    count(*) AS orders,
    sum(quantity) AS cups,
    sum(amount) AS revenue,
    CAST(avg(amount) AS DECIMAL(10,2)) AS avg_ticket,
    count(DISTINCT shop) AS shops
FROM {{ ref('silver.sales') }}
GROUP BY _date
ORDER BY _date
