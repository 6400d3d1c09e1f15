-- @description: no sale is worth more than 20 cups of the dearest coffee
-- @severity: warn
SELECT * FROM {{ this }} WHERE amount > 20 * 4.60
