-- seckill-service: the sale API carries no title and no price (the e-commerce service that calls
-- it owns the catalogue and the prices), so these columns hold NULL unless something else fills
-- them; before this, the service had to invent values for them.
ALTER TABLE sale MODIFY COLUMN title VARCHAR(255) NULL;
ALTER TABLE sale MODIFY COLUMN price_minor BIGINT NULL;
ALTER TABLE sale MODIFY COLUMN currency CHAR(3) NULL;
