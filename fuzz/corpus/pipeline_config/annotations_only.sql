-- @description: Raw coffee sales, one CSV file a day, each file ingested once
-- @materialized: incremental
-- @landing: sales
-- @owner: shop-data
SELECT
    sale_id,
    sold_at,
    product,
    shop,
    quantity,
    unit_price
FROM read_csv({{ landing_files }},
    header = true,
    columns = {
        'sale_id': 'BIGINT', 'sold_at': 'TIMESTAMP', 'product': 'VARCHAR',
        'shop': 'VARCHAR', 'quantity': 'INTEGER', 'unit_price': 'DECIMAL(6,2)'
    })
