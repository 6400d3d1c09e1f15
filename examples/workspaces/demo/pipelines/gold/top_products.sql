-- @description: Products by revenue, always current (a view over silver)
-- @materialized: view
SELECT product, sum(quantity) AS cups, sum(amount) AS revenue
FROM {{ ref('silver.sales') }}
GROUP BY product
ORDER BY revenue DESC
