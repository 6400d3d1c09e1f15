-- @description: Views, sessions and time on page per page and device
SELECT
    page,
    device,
    count(*) AS views,
    count(DISTINCT session) AS sessions,
    CAST(avg(seconds_on_page) AS DECIMAL(10,1)) AS avg_seconds
FROM {{ ref('silver.page_views') }}
GROUP BY ALL
ORDER BY page, device
