CREATE TABLE IF NOT EXISTS shop_orders (
    id VARCHAR(64) PRIMARY KEY,
    sku VARCHAR(32) NOT NULL,
    quantity INT NOT NULL
);
CREATE TABLE IF NOT EXISTS shop_reservations (
    order_id VARCHAR(64) PRIMARY KEY,
    sku VARCHAR(32) NOT NULL,
    quantity INT NOT NULL
);
