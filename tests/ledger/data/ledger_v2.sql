-- A schema-2 ledger written by pyarb at commit 32c6848 (before the materialised open state), dumped with
-- sqlite3's iterdump. ledger_v2_expected.json holds what that code answered about it. Used by test_ledger_growth.py.
BEGIN TRANSACTION;
CREATE TABLE "adjustments" (
   "id" INTEGER PRIMARY KEY,
   "venue" TEXT NOT NULL,
   "market" TEXT NOT NULL,
   "quantity" TEXT NOT NULL,
   "reason" TEXT NOT NULL,
   "trade_id" INTEGER REFERENCES "trades"("id"),
   "time" TEXT NOT NULL
);
INSERT INTO "adjustments" VALUES(1,'paradex','BTC-USD-PERP','-0.0062','flatten trade 14: unexplained',14,'2025-10-05T03:43:00.000000+00:00');
INSERT INTO "adjustments" VALUES(2,'edgex','BTCUSD','0.003','flatten trade 15: unexplained',15,'2025-10-05T04:04:00.000000+00:00');
INSERT INTO "adjustments" VALUES(3,'edgex','BTCUSD','-0.002','flatten trade 16: unexplained',16,'2025-10-05T04:25:00.000000+00:00');
INSERT INTO "adjustments" VALUES(4,'paradex','BTC-USD-PERP','0.0009','reconcile --adopt',NULL,'2025-10-05T04:46:00.000000+00:00');
CREATE TABLE "control" (
   "key" TEXT PRIMARY KEY,
   "value" TEXT NOT NULL,
   "updated_at" TEXT NOT NULL
);
INSERT INTO "control" VALUES('halt','null','2025-10-05T05:35:00.000000+00:00');
CREATE TABLE "fills" (
   "id" INTEGER PRIMARY KEY,
   "order_id" INTEGER REFERENCES "orders"("id"),
   "venue" TEXT NOT NULL,
   "market" TEXT NOT NULL,
   "side" TEXT NOT NULL,
   "size" TEXT NOT NULL,
   "price" TEXT NOT NULL,
   "fee" TEXT NOT NULL,
   "fee_token" TEXT,
   "liquidity" TEXT,
   "fill_id" TEXT,
   "client_id" TEXT,
   "venue_order_id" TEXT,
   "time_ms" INTEGER,
   "recorded_at" TEXT NOT NULL
);
INSERT INTO "fills" VALUES(1,34,'edgex','BTCUSD','buy','0.005','122390.1','0.159107','USD','TAKER','736936291735700011',NULL,'736936291735699983',1759631955480,'2025-10-05T04:53:00.000000+00:00');
INSERT INTO "fills" VALUES(2,35,'paradex','BTC-USD-PERP','sell','0.002','122384.5','0.0','USDC','TAKER','1759631955301201709',NULL,'1759631955290201702',1759631955301,'2025-10-05T04:53:00.000000+00:00');
INSERT INTO "fills" VALUES(3,35,'paradex','BTC-USD-PERP','sell','0.0018','122384.4','0.0','USDC','TAKER','1759631955302201711',NULL,'1759631955290201702',1759631955302,'2025-10-05T04:53:00.000000+00:00');
INSERT INTO "fills" VALUES(4,1,'edgex','BTCUSD','buy','0.005','122400','0.02',NULL,NULL,'f1','pa103f79-1-a1','v1',1759631955273,'2025-10-05T05:21:00.000000+00:00');
INSERT INTO "fills" VALUES(5,NULL,'paradex','BTC-USD-PERP','sell','0.001','122384.5','0.02',NULL,NULL,'x9',NULL,NULL,1,'2025-10-05T05:28:00.000000+00:00');
CREATE TABLE "meta" (
   "key" TEXT PRIMARY KEY,
   "value" TEXT
);
INSERT INTO "meta" VALUES('schema_version','2');
INSERT INTO "meta" VALUES('ledger_id','103f796f54d4');
INSERT INTO "meta" VALUES('created_at','2025-10-04T22:07:00.000000+00:00');
CREATE TABLE "order_events" (
   "id" INTEGER PRIMARY KEY,
   "order_id" INTEGER NOT NULL REFERENCES "orders"("id"),
   "time" TEXT NOT NULL,
   "status" TEXT NOT NULL,
   "filled" TEXT,
   "avg_price" TEXT,
   "fee" TEXT,
   "venue_order_id" TEXT,
   "detail" TEXT
);
INSERT INTO "order_events" VALUES(1,1,'2025-10-04T22:14:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(2,1,'2025-10-04T22:21:00.000000+00:00','final','0.005','122400','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(3,2,'2025-10-04T22:28:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(4,2,'2025-10-04T22:35:00.000000+00:00','final','0.005','122380','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(5,3,'2025-10-04T22:42:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(6,3,'2025-10-04T22:49:00.000000+00:00','final','0.005','122500','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(7,4,'2025-10-04T22:49:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(8,4,'2025-10-04T22:56:00.000000+00:00','final','0.005','122450','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(9,5,'2025-10-04T23:03:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(10,5,'2025-10-04T23:10:00.000000+00:00','final','0.005','122400','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(11,6,'2025-10-04T23:17:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(12,6,'2025-10-04T23:24:00.000000+00:00','final','0.005','122380','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(13,7,'2025-10-04T23:31:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(14,7,'2025-10-04T23:38:00.000000+00:00','final','0.005','122400','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(15,8,'2025-10-04T23:45:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(16,8,'2025-10-04T23:52:00.000000+00:00','final','0.0038','122380','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(17,9,'2025-10-04T23:59:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(18,9,'2025-10-05T00:06:00.000000+00:00','final','0.0012','122400','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(19,10,'2025-10-05T00:13:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(20,10,'2025-10-05T00:20:00.000000+00:00','final','0.005','122400','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(21,11,'2025-10-05T00:27:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(22,11,'2025-10-05T00:34:00.000000+00:00','final','0.0038','122380','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(23,12,'2025-10-05T00:41:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(24,12,'2025-10-05T00:48:00.000000+00:00','final','0.0005','122400','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(25,13,'2025-10-05T00:55:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(26,13,'2025-10-05T01:02:00.000000+00:00','not_found','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(27,14,'2025-10-05T01:09:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(28,15,'2025-10-05T01:16:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(29,15,'2025-10-05T01:23:00.000000+00:00','final','0.005','122400','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(30,16,'2025-10-05T01:30:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(31,16,'2025-10-05T01:37:00.000000+00:00','unknown',NULL,NULL,NULL,NULL,'timeout');
INSERT INTO "order_events" VALUES(32,17,'2025-10-05T01:44:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(33,18,'2025-10-05T01:44:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(34,17,'2025-10-05T01:51:00.000000+00:00','final','0.002','122400','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(35,18,'2025-10-05T01:51:00.000000+00:00','final','0.005','122380','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(36,19,'2025-10-05T01:58:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(37,19,'2025-10-05T02:05:00.000000+00:00','final','0.005','122400','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(38,20,'2025-10-05T02:12:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(39,20,'2025-10-05T02:19:00.000000+00:00','final','0.005','122380','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(40,21,'2025-10-05T02:26:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(41,21,'2025-10-05T02:33:00.000000+00:00','final','0.005','122300','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(42,22,'2025-10-05T02:33:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(43,22,'2025-10-05T02:40:00.000000+00:00','final','0.0046','122350','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(44,23,'2025-10-05T02:47:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(45,23,'2025-10-05T02:54:00.000000+00:00','final','0.0001','122390','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(46,24,'2025-10-05T03:01:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(47,24,'2025-10-05T03:08:00.000000+00:00','final','0.005','122400','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(48,25,'2025-10-05T03:15:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(49,25,'2025-10-05T03:22:00.000000+00:00','final','0.005','122380','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(50,26,'2025-10-05T03:29:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(51,26,'2025-10-05T03:36:00.000000+00:00','open','0.002','122600',NULL,'v-open',NULL);
INSERT INTO "order_events" VALUES(52,27,'2025-10-05T03:50:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(53,27,'2025-10-05T03:57:00.000000+00:00','final','0.0062','122990','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(54,28,'2025-10-05T04:11:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(55,28,'2025-10-05T04:18:00.000000+00:00','final','0.001','121010','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(56,29,'2025-10-05T04:32:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(57,29,'2025-10-05T04:39:00.000000+00:00','final','0.0015','122990','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(58,36,'2025-10-05T05:00:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(59,36,'2025-10-05T05:07:00.000000+00:00','final','0.0038','122700','0.02',NULL,'FILLED');
INSERT INTO "order_events" VALUES(60,37,'2025-10-05T05:07:00.000000+00:00','recorded','0',NULL,NULL,NULL,NULL);
INSERT INTO "order_events" VALUES(61,37,'2025-10-05T05:14:00.000000+00:00','final','0.0038','122650','0.02',NULL,'FILLED');
CREATE TABLE "orders" (
   "id" INTEGER PRIMARY KEY,
   "trade_id" INTEGER REFERENCES "trades"("id"),
   "pair_id" INTEGER REFERENCES "pairs"("id"),
   "role" TEXT NOT NULL,
   "attempt" INTEGER NOT NULL,
   "venue" TEXT NOT NULL,
   "market" TEXT NOT NULL,
   "side" TEXT NOT NULL,
   "size" TEXT NOT NULL,
   "limit_price" TEXT,
   "reduce_only" INTEGER NOT NULL,
   "client_id" TEXT NOT NULL,
   "status" TEXT NOT NULL,
   "filled" TEXT NOT NULL,
   "avg_price" TEXT,
   "fee" TEXT NOT NULL,
   "venue_order_id" TEXT,
   "detail" TEXT,
   "created_at" TEXT NOT NULL,
   "updated_at" TEXT NOT NULL
);
INSERT INTO "orders" VALUES(1,1,1,'leg_a',1,'edgex','BTCUSD','buy','0.005','122400',0,'pa103f79-1-a1','final','0.005','122400','0.02',NULL,'FILLED','2025-10-04T22:14:00.000000+00:00','2025-10-04T22:21:00.000000+00:00');
INSERT INTO "orders" VALUES(2,1,1,'hedge',1,'paradex','BTC-USD-PERP','sell','0.005','122380',0,'pa103f79-1-b1','final','0.005','122380','0.02',NULL,'FILLED','2025-10-04T22:28:00.000000+00:00','2025-10-04T22:35:00.000000+00:00');
INSERT INTO "orders" VALUES(3,2,1,'leg_a',1,'edgex','BTCUSD','sell','0.005','122500',1,'pa103f79-2-a1','final','0.005','122500','0.02',NULL,'FILLED','2025-10-04T22:42:00.000000+00:00','2025-10-04T22:49:00.000000+00:00');
INSERT INTO "orders" VALUES(4,2,1,'hedge',1,'paradex','BTC-USD-PERP','buy','0.005','122450',1,'pa103f79-2-b1','final','0.005','122450','0.02',NULL,'FILLED','2025-10-04T22:49:00.000000+00:00','2025-10-04T22:56:00.000000+00:00');
INSERT INTO "orders" VALUES(5,3,2,'leg_a',1,'edgex','BTCUSD','buy','0.005','122400',0,'pa103f79-3-a1','final','0.005','122400','0.02',NULL,'FILLED','2025-10-04T23:03:00.000000+00:00','2025-10-04T23:10:00.000000+00:00');
INSERT INTO "orders" VALUES(6,3,2,'hedge',1,'paradex','BTC-USD-PERP','sell','0.005','122380',0,'pa103f79-3-b1','final','0.005','122380','0.02',NULL,'FILLED','2025-10-04T23:17:00.000000+00:00','2025-10-04T23:24:00.000000+00:00');
INSERT INTO "orders" VALUES(7,4,3,'leg_a',1,'edgex','BTCUSD','buy','0.005','122400',0,'pa103f79-4-a1','final','0.005','122400','0.02',NULL,'FILLED','2025-10-04T23:31:00.000000+00:00','2025-10-04T23:38:00.000000+00:00');
INSERT INTO "orders" VALUES(8,4,3,'hedge',1,'paradex','BTC-USD-PERP','sell','0.005','122380',0,'pa103f79-4-b1','final','0.0038','122380','0.02',NULL,'FILLED','2025-10-04T23:45:00.000000+00:00','2025-10-04T23:52:00.000000+00:00');
INSERT INTO "orders" VALUES(9,4,3,'unwind',1,'edgex','BTCUSD','sell','0.0012','122000',1,'pa103f79-4-u1','final','0.0012','122400','0.02',NULL,'FILLED','2025-10-04T23:59:00.000000+00:00','2025-10-05T00:06:00.000000+00:00');
INSERT INTO "orders" VALUES(10,5,4,'leg_a',1,'edgex','BTCUSD','buy','0.005','122400',0,'pa103f79-5-a1','final','0.005','122400','0.02',NULL,'FILLED','2025-10-05T00:13:00.000000+00:00','2025-10-05T00:20:00.000000+00:00');
INSERT INTO "orders" VALUES(11,5,4,'hedge',1,'paradex','BTC-USD-PERP','sell','0.005','122380',0,'pa103f79-5-b1','final','0.0038','122380','0.02',NULL,'FILLED','2025-10-05T00:27:00.000000+00:00','2025-10-05T00:34:00.000000+00:00');
INSERT INTO "orders" VALUES(12,5,4,'unwind',1,'edgex','BTCUSD','sell','0.0012','122000',1,'pa103f79-5-u1','final','0.0005','122400','0.02',NULL,'FILLED','2025-10-05T00:41:00.000000+00:00','2025-10-05T00:48:00.000000+00:00');
INSERT INTO "orders" VALUES(13,6,5,'leg_a',1,'edgex','BTCUSD','buy','0.005','122400',0,'pa103f79-6-a1','not_found','0',NULL,'0',NULL,NULL,'2025-10-05T00:55:00.000000+00:00','2025-10-05T01:02:00.000000+00:00');
INSERT INTO "orders" VALUES(14,7,6,'leg_a',1,'edgex','BTCUSD','buy','0.005','122400',0,'pa103f79-7-a1','recorded','0',NULL,'0',NULL,NULL,'2025-10-05T01:09:00.000000+00:00','2025-10-05T01:09:00.000000+00:00');
INSERT INTO "orders" VALUES(15,8,7,'leg_a',1,'edgex','BTCUSD','buy','0.005','122400',0,'pa103f79-8-a1','final','0.005','122400','0.02',NULL,'FILLED','2025-10-05T01:16:00.000000+00:00','2025-10-05T01:23:00.000000+00:00');
INSERT INTO "orders" VALUES(16,8,7,'hedge',1,'paradex','BTC-USD-PERP','sell','0.005','122380',0,'pa103f79-8-b1','unknown','0',NULL,'0',NULL,'timeout','2025-10-05T01:30:00.000000+00:00','2025-10-05T01:37:00.000000+00:00');
INSERT INTO "orders" VALUES(17,9,8,'leg_a',1,'edgex','BTCUSD','buy','0.005','122400',0,'pa103f79-9-a1','final','0.002','122400','0.02',NULL,'FILLED','2025-10-05T01:44:00.000000+00:00','2025-10-05T01:51:00.000000+00:00');
INSERT INTO "orders" VALUES(18,9,8,'hedge',1,'paradex','BTC-USD-PERP','sell','0.005','122380',0,'pa103f79-9-b1','final','0.005','122380','0.02',NULL,'FILLED','2025-10-05T01:44:00.000000+00:00','2025-10-05T01:51:00.000000+00:00');
INSERT INTO "orders" VALUES(19,10,9,'leg_a',1,'edgex','BTCUSD','buy','0.005','122400',0,'pa103f79-10-a1','final','0.005','122400','0.02',NULL,'FILLED','2025-10-05T01:58:00.000000+00:00','2025-10-05T02:05:00.000000+00:00');
INSERT INTO "orders" VALUES(20,10,9,'hedge',1,'paradex','BTC-USD-PERP','sell','0.005','122380',0,'pa103f79-10-b1','final','0.005','122380','0.02',NULL,'FILLED','2025-10-05T02:12:00.000000+00:00','2025-10-05T02:19:00.000000+00:00');
INSERT INTO "orders" VALUES(21,11,9,'leg_a',1,'edgex','BTCUSD','sell','0.005','122300',1,'pa103f79-11-a1','final','0.005','122300','0.02',NULL,'FILLED','2025-10-05T02:26:00.000000+00:00','2025-10-05T02:33:00.000000+00:00');
INSERT INTO "orders" VALUES(22,11,9,'hedge',1,'paradex','BTC-USD-PERP','buy','0.005','122350',1,'pa103f79-11-b1','final','0.0046','122350','0.02',NULL,'FILLED','2025-10-05T02:33:00.000000+00:00','2025-10-05T02:40:00.000000+00:00');
INSERT INTO "orders" VALUES(23,11,9,'unwind',1,'paradex','BTC-USD-PERP','buy','0.0004','122400',1,'pa103f79-11-u1','final','0.0001','122390','0.02',NULL,'FILLED','2025-10-05T02:47:00.000000+00:00','2025-10-05T02:54:00.000000+00:00');
INSERT INTO "orders" VALUES(24,12,10,'leg_a',1,'edgex','BTCUSD','buy','0.005','122400',0,'pa103f79-12-a1','final','0.005','122400','0.02',NULL,'FILLED','2025-10-05T03:01:00.000000+00:00','2025-10-05T03:08:00.000000+00:00');
INSERT INTO "orders" VALUES(25,12,10,'hedge',1,'paradex','BTC-USD-PERP','sell','0.005','122380',0,'pa103f79-12-b1','final','0.005','122380','0.02',NULL,'FILLED','2025-10-05T03:15:00.000000+00:00','2025-10-05T03:22:00.000000+00:00');
INSERT INTO "orders" VALUES(26,13,10,'leg_a',1,'edgex','BTCUSD','sell','0.005','122600',1,'pa103f79-13-a1','open','0.002','122600','0','v-open',NULL,'2025-10-05T03:29:00.000000+00:00','2025-10-05T03:36:00.000000+00:00');
INSERT INTO "orders" VALUES(27,14,NULL,'unwind',1,'paradex','BTC-USD-PERP','buy','0.0062','123000',1,'pa103f79-14-u1','final','0.0062','122990','0.02',NULL,'FILLED','2025-10-05T03:50:00.000000+00:00','2025-10-05T03:57:00.000000+00:00');
INSERT INTO "orders" VALUES(28,15,NULL,'unwind',1,'edgex','BTCUSD','sell','0.003','121000',1,'pa103f79-15-u1','final','0.001','121010','0.02',NULL,'FILLED','2025-10-05T04:11:00.000000+00:00','2025-10-05T04:18:00.000000+00:00');
INSERT INTO "orders" VALUES(29,16,NULL,'unwind',1,'edgex','BTCUSD','buy','0.002','123000',1,'pa103f79-16-u1','final','0.0015','122990','0.02',NULL,'FILLED','2025-10-05T04:32:00.000000+00:00','2025-10-05T04:39:00.000000+00:00');
INSERT INTO "orders" VALUES(30,NULL,11,'legacy',1,'edgex','BTCUSD','sell','0.005',NULL,0,'legacy:pos_1759625311842_k2m9qq0ab:edgex','final','0.005','122611.2','0',NULL,'imported from positions.json (amount), record status closed','2025-10-05T00:48:31.842000+00:00','2025-10-05T00:48:31.842000+00:00');
INSERT INTO "orders" VALUES(31,NULL,11,'legacy',1,'paradex','BTC-USD-PERP','buy','0.005',NULL,0,'legacy:pos_1759625311842_k2m9qq0ab:paradex','final','0.005','122598.0','0',NULL,'imported from positions.json (amount), record status closed','2025-10-05T00:48:31.842000+00:00','2025-10-05T00:48:31.842000+00:00');
INSERT INTO "orders" VALUES(32,NULL,12,'legacy',1,'edgex','BTCUSD','buy','0.005',NULL,0,'legacy:pos_1759628512907_a81hcx4pe:edgex','final','0.005','122455.7','0',NULL,'imported from positions.json (amount), record status closed','2025-10-05T01:41:52.907000+00:00','2025-10-05T01:41:52.907000+00:00');
INSERT INTO "orders" VALUES(33,NULL,12,'legacy',1,'paradex','BTC-USD-PERP','sell','0.005',NULL,0,'legacy:pos_1759628512907_a81hcx4pe:paradex','final','0.005','122461.9','0',NULL,'imported from positions.json (amount), record status closed','2025-10-05T01:41:52.907000+00:00','2025-10-05T01:41:52.907000+00:00');
INSERT INTO "orders" VALUES(34,NULL,13,'legacy',1,'edgex','BTCUSD','buy','0.005',NULL,0,'legacy:pos_1759631955273_z4zdnbxxc:edgex','final','0.005','122390.1','0.159107','736936291735699983','imported from positions.json (fills), record status open','2025-10-05T02:39:15.273000+00:00','2025-10-05T02:39:15.273000+00:00');
INSERT INTO "orders" VALUES(35,NULL,13,'legacy',1,'paradex','BTC-USD-PERP','sell','0.0038',NULL,0,'legacy:pos_1759631955273_z4zdnbxxc:paradex','final','0.0038','122384.4526315789473684210526','0.0','1759631955290201702','imported from positions.json (fills), record status open','2025-10-05T02:39:15.273000+00:00','2025-10-05T02:39:15.273000+00:00');
INSERT INTO "orders" VALUES(36,17,13,'leg_a',1,'edgex','BTCUSD','sell','0.0038','122700',1,'pa103f79-17-a1','final','0.0038','122700','0.02',NULL,'FILLED','2025-10-05T05:00:00.000000+00:00','2025-10-05T05:07:00.000000+00:00');
INSERT INTO "orders" VALUES(37,17,13,'hedge',1,'paradex','BTC-USD-PERP','buy','0.0038','122650',1,'pa103f79-17-b1','final','0.0038','122650','0.02',NULL,'FILLED','2025-10-05T05:07:00.000000+00:00','2025-10-05T05:14:00.000000+00:00');
CREATE TABLE "pairs" (
   "id" INTEGER PRIMARY KEY,
   "opened_at" TEXT,
   "legacy_id" TEXT,
   "legacy_status" TEXT,
   "legacy_raw" TEXT
);
INSERT INTO "pairs" VALUES(1,'2025-10-04T22:14:00.000000+00:00',NULL,NULL,NULL);
INSERT INTO "pairs" VALUES(2,'2025-10-04T23:03:00.000000+00:00',NULL,NULL,NULL);
INSERT INTO "pairs" VALUES(3,'2025-10-04T23:31:00.000000+00:00',NULL,NULL,NULL);
INSERT INTO "pairs" VALUES(4,'2025-10-05T00:13:00.000000+00:00',NULL,NULL,NULL);
INSERT INTO "pairs" VALUES(5,'2025-10-05T00:55:00.000000+00:00',NULL,NULL,NULL);
INSERT INTO "pairs" VALUES(6,'2025-10-05T01:09:00.000000+00:00',NULL,NULL,NULL);
INSERT INTO "pairs" VALUES(7,'2025-10-05T01:16:00.000000+00:00',NULL,NULL,NULL);
INSERT INTO "pairs" VALUES(8,'2025-10-05T01:44:00.000000+00:00',NULL,NULL,NULL);
INSERT INTO "pairs" VALUES(9,'2025-10-05T01:58:00.000000+00:00',NULL,NULL,NULL);
INSERT INTO "pairs" VALUES(10,'2025-10-05T03:01:00.000000+00:00',NULL,NULL,NULL);
INSERT INTO "pairs" VALUES(11,'2025-10-05T00:48:31.842000+00:00','pos_1759625311842_k2m9qq0ab','closed','{
      "id": "pos_1759625311842_k2m9qq0ab",
      "edgexSide": "sell",
      "paradexSide": "buy",
      "amount": "0.005",
      "edgexPrice": "122611.2",
      "paradexPrice": "122598.0",
      "spread": "13.2",
      "openTime": "1759625311842",
      "status": "closed"
    }');
INSERT INTO "pairs" VALUES(12,'2025-10-05T01:41:52.907000+00:00','pos_1759628512907_a81hcx4pe','closed','{
      "id": "pos_1759628512907_a81hcx4pe",
      "edgexSide": "buy",
      "paradexSide": "sell",
      "amount": 0.005,
      "edgexPrice": 122455.7,
      "paradexPrice": 122461.9,
      "openTime": 1759628512907,
      "status": "closed",
      "edgexFills": []
    }');
INSERT INTO "pairs" VALUES(13,'2025-10-05T02:39:15.273000+00:00','pos_1759631955273_z4zdnbxxc','open','{
      "id": "pos_1759631955273_z4zdnbxxc",
      "edgexSide": "buy",
      "paradexSide": "sell",
      "amount": 0.005,
      "edgexPrice": 122390.1,
      "paradexPrice": 122384.5,
      "spread": 5.6,
      "openTime": 1759631955273,
      "status": "open",
      "edgexFills": [
        {"id": "736936291735700011", "orderId": "736936291735699983", "side": "buy", "size": "0.005",
         "price": "122390.1", "fee": "0.159107", "feeToken": "USD", "liquidity": "TAKER", "timestamp": 1759631955480}
      ],
      "paradexFills": [
        {"id": "1759631955301201709", "orderId": "1759631955290201702", "side": "sell", "size": "0.002",
         "price": "122384.5", "fee": "0.0", "feeToken": "USDC", "liquidity": "TAKER", "timestamp": 1759631955301},
        {"id": "1759631955302201711", "orderId": "1759631955290201702", "side": "sell", "size": "0.0018",
         "price": "122384.4", "fee": "0.0", "feeToken": "USDC", "liquidity": "TAKER", "timestamp": 1759631955302}
      ]
    }');
CREATE TABLE "trades" (
   "id" INTEGER PRIMARY KEY,
   "kind" TEXT NOT NULL,
   "pair_id" INTEGER REFERENCES "pairs"("id"),
   "policy" TEXT NOT NULL,
   "state" TEXT NOT NULL,
   "a_venue" TEXT NOT NULL,
   "a_market" TEXT NOT NULL,
   "a_side" TEXT NOT NULL,
   "b_venue" TEXT,
   "b_market" TEXT,
   "b_side" TEXT,
   "intended" TEXT NOT NULL,
   "adopted" TEXT NOT NULL,
   "quantities" TEXT NOT NULL,
   "created_at" TEXT NOT NULL,
   "updated_at" TEXT NOT NULL
);
INSERT INTO "trades" VALUES(1,'open',1,'sequential','complete','edgex','BTCUSD','buy','paradex','BTC-USD-PERP','sell','0.005','0','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.005", "hedged": "0.005", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-04T22:14:00.000000+00:00','2025-10-04T22:35:00.000000+00:00');
INSERT INTO "trades" VALUES(2,'close',1,'sequential','complete','edgex','BTCUSD','sell','paradex','BTC-USD-PERP','buy','0.005','0','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.005", "hedged": "0.005", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-04T22:42:00.000000+00:00','2025-10-04T22:56:00.000000+00:00');
INSERT INTO "trades" VALUES(3,'open',2,'sequential','complete','edgex','BTCUSD','buy','paradex','BTC-USD-PERP','sell','0.005','0','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.005", "hedged": "0.005", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-04T23:03:00.000000+00:00','2025-10-04T23:24:00.000000+00:00');
INSERT INTO "trades" VALUES(4,'open',3,'sequential','flattened','edgex','BTCUSD','buy','paradex','BTC-USD-PERP','sell','0.005','0','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.0038", "hedged": "0.0038", "unhedged": "0.0012", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0.0012", "open_exposure": "0", "residual": "0"}','2025-10-04T23:31:00.000000+00:00','2025-10-05T00:06:00.000000+00:00');
INSERT INTO "trades" VALUES(5,'open',4,'sequential','residual','edgex','BTCUSD','buy','paradex','BTC-USD-PERP','sell','0.005','0','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.0038", "hedged": "0.0038", "unhedged": "0.0012", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0.0005", "open_exposure": "0.0007", "residual": "0.0007"}','2025-10-05T00:13:00.000000+00:00','2025-10-05T00:48:00.000000+00:00');
INSERT INTO "trades" VALUES(6,'open',5,'sequential','unfilled','edgex','BTCUSD','buy','paradex','BTC-USD-PERP','sell','0.005','0','{"intended": "0.005", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T00:55:00.000000+00:00','2025-10-05T01:02:00.000000+00:00');
INSERT INTO "trades" VALUES(7,'open',6,'sequential','pending','edgex','BTCUSD','buy','paradex','BTC-USD-PERP','sell','0.005','0','{"intended": "0.005", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T01:09:00.000000+00:00','2025-10-05T01:09:00.000000+00:00');
INSERT INTO "trades" VALUES(8,'open',7,'sequential','hedging','edgex','BTCUSD','buy','paradex','BTC-USD-PERP','sell','0.005','0','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "0.005", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.005", "residual": "0"}','2025-10-05T01:16:00.000000+00:00','2025-10-05T01:37:00.000000+00:00');
INSERT INTO "trades" VALUES(9,'open',8,'concurrent','orphaned','edgex','BTCUSD','buy','paradex','BTC-USD-PERP','sell','0.005','0','{"intended": "0.005", "filled_a": "0.002", "filled_b": "0.005", "hedged": "0.002", "unhedged": "-0.003", "exposure_venue": "paradex", "exposure_market": "BTC-USD-PERP", "unwound": "0", "open_exposure": "-0.003", "residual": "0"}','2025-10-05T01:44:00.000000+00:00','2025-10-05T01:51:00.000000+00:00');
INSERT INTO "trades" VALUES(10,'open',9,'sequential','complete','edgex','BTCUSD','buy','paradex','BTC-USD-PERP','sell','0.005','0','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.005", "hedged": "0.005", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T01:58:00.000000+00:00','2025-10-05T02:19:00.000000+00:00');
INSERT INTO "trades" VALUES(11,'close',9,'sequential','residual','edgex','BTCUSD','sell','paradex','BTC-USD-PERP','buy','0.005','0','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.0046", "hedged": "0.0046", "unhedged": "-0.0004", "exposure_venue": "paradex", "exposure_market": "BTC-USD-PERP", "unwound": "0.0001", "open_exposure": "-0.0003", "residual": "-0.0003"}','2025-10-05T02:26:00.000000+00:00','2025-10-05T02:54:00.000000+00:00');
INSERT INTO "trades" VALUES(12,'open',10,'sequential','complete','edgex','BTCUSD','buy','paradex','BTC-USD-PERP','sell','0.005','0','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.005", "hedged": "0.005", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T03:01:00.000000+00:00','2025-10-05T03:22:00.000000+00:00');
INSERT INTO "trades" VALUES(13,'close',10,'sequential','pending','edgex','BTCUSD','sell','paradex','BTC-USD-PERP','buy','0.005','0','{"intended": "0.005", "filled_a": "0.002", "filled_b": "0", "hedged": "0", "unhedged": "-0.002", "exposure_venue": "paradex", "exposure_market": "BTC-USD-PERP", "unwound": "0", "open_exposure": "-0.002", "residual": "0"}','2025-10-05T03:29:00.000000+00:00','2025-10-05T03:36:00.000000+00:00');
INSERT INTO "trades" VALUES(14,'flatten',NULL,'sequential','flattened','paradex','BTC-USD-PERP','sell',NULL,NULL,NULL,'0.0062','-0.0062','{"intended": "0.0062", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "-0.0062", "exposure_venue": "paradex", "exposure_market": "BTC-USD-PERP", "unwound": "0.0062", "open_exposure": "0", "residual": "0"}','2025-10-05T03:43:00.000000+00:00','2025-10-05T03:57:00.000000+00:00');
INSERT INTO "trades" VALUES(15,'flatten',NULL,'sequential','unwinding','edgex','BTCUSD','buy',NULL,NULL,NULL,'0.003','0.003','{"intended": "0.003", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0.003", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0.001", "open_exposure": "0.002", "residual": "0"}','2025-10-05T04:04:00.000000+00:00','2025-10-05T04:18:00.000000+00:00');
INSERT INTO "trades" VALUES(16,'flatten',NULL,'sequential','residual','edgex','BTCUSD','sell',NULL,NULL,NULL,'0.002','-0.002','{"intended": "0.002", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "-0.002", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0.0015", "open_exposure": "-0.0005", "residual": "-0.0005"}','2025-10-05T04:25:00.000000+00:00','2025-10-05T04:39:00.000000+00:00');
INSERT INTO "trades" VALUES(17,'close',13,'sequential','complete','edgex','BTCUSD','sell','paradex','BTC-USD-PERP','buy','0.0038','0','{"intended": "0.0038", "filled_a": "0.0038", "filled_b": "0.0038", "hedged": "0.0038", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T05:00:00.000000+00:00','2025-10-05T05:14:00.000000+00:00');
CREATE TABLE "transitions" (
   "id" INTEGER PRIMARY KEY,
   "trade_id" INTEGER NOT NULL REFERENCES "trades"("id"),
   "seq" INTEGER NOT NULL,
   "from_state" TEXT,
   "to_state" TEXT NOT NULL,
   "trigger" TEXT NOT NULL,
   "reason" TEXT NOT NULL,
   "quantities" TEXT NOT NULL,
   "time" TEXT NOT NULL
);
INSERT INTO "transitions" VALUES(1,1,1,NULL,'pending','create','opportunity','{"intended": "0.005", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-04T22:14:00.000000+00:00');
INSERT INTO "transitions" VALUES(2,1,2,'pending','leg_a_filled','fill_leg_a','leg A filled','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "0.005", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.005", "residual": "0"}','2025-10-04T22:21:00.000000+00:00');
INSERT INTO "transitions" VALUES(3,1,3,'leg_a_filled','hedging','hedge','hedge leg A''s fill','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "0.005", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.005", "residual": "0"}','2025-10-04T22:28:00.000000+00:00');
INSERT INTO "transitions" VALUES(4,1,4,'hedging','complete','complete','hedge filled','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.005", "hedged": "0.005", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-04T22:35:00.000000+00:00');
INSERT INTO "transitions" VALUES(5,2,1,NULL,'pending','create','opportunity','{"intended": "0.005", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-04T22:42:00.000000+00:00');
INSERT INTO "transitions" VALUES(6,2,2,'pending','leg_a_filled','fill_leg_a','closed A','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "-0.005", "exposure_venue": "paradex", "exposure_market": "BTC-USD-PERP", "unwound": "0", "open_exposure": "-0.005", "residual": "0"}','2025-10-04T22:49:00.000000+00:00');
INSERT INTO "transitions" VALUES(7,2,3,'leg_a_filled','hedging','hedge','closed A','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "-0.005", "exposure_venue": "paradex", "exposure_market": "BTC-USD-PERP", "unwound": "0", "open_exposure": "-0.005", "residual": "0"}','2025-10-04T22:49:00.000000+00:00');
INSERT INTO "transitions" VALUES(8,2,4,'hedging','complete','complete','closed B','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.005", "hedged": "0.005", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-04T22:56:00.000000+00:00');
INSERT INTO "transitions" VALUES(9,3,1,NULL,'pending','create','opportunity','{"intended": "0.005", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-04T23:03:00.000000+00:00');
INSERT INTO "transitions" VALUES(10,3,2,'pending','leg_a_filled','fill_leg_a','leg A filled','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "0.005", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.005", "residual": "0"}','2025-10-04T23:10:00.000000+00:00');
INSERT INTO "transitions" VALUES(11,3,3,'leg_a_filled','hedging','hedge','hedge leg A''s fill','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "0.005", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.005", "residual": "0"}','2025-10-04T23:17:00.000000+00:00');
INSERT INTO "transitions" VALUES(12,3,4,'hedging','complete','complete','hedge filled','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.005", "hedged": "0.005", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-04T23:24:00.000000+00:00');
INSERT INTO "transitions" VALUES(13,4,1,NULL,'pending','create','opportunity','{"intended": "0.005", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-04T23:31:00.000000+00:00');
INSERT INTO "transitions" VALUES(14,4,2,'pending','leg_a_filled','fill_leg_a','leg A filled','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "0.005", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.005", "residual": "0"}','2025-10-04T23:38:00.000000+00:00');
INSERT INTO "transitions" VALUES(15,4,3,'leg_a_filled','hedging','hedge','hedge leg A''s fill','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "0.005", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.005", "residual": "0"}','2025-10-04T23:45:00.000000+00:00');
INSERT INTO "transitions" VALUES(16,4,4,'hedging','orphaned','orphan','hedge budget spent','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.0038", "hedged": "0.0038", "unhedged": "0.0012", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.0012", "residual": "0"}','2025-10-04T23:52:00.000000+00:00');
INSERT INTO "transitions" VALUES(17,4,5,'orphaned','unwinding','unwind','unwind the orphan','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.0038", "hedged": "0.0038", "unhedged": "0.0012", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.0012", "residual": "0"}','2025-10-04T23:59:00.000000+00:00');
INSERT INTO "transitions" VALUES(18,4,6,'unwinding','flattened','flatten','venue position flat','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.0038", "hedged": "0.0038", "unhedged": "0.0012", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0.0012", "open_exposure": "0", "residual": "0"}','2025-10-05T00:06:00.000000+00:00');
INSERT INTO "transitions" VALUES(19,5,1,NULL,'pending','create','opportunity','{"intended": "0.005", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T00:13:00.000000+00:00');
INSERT INTO "transitions" VALUES(20,5,2,'pending','leg_a_filled','fill_leg_a','leg A filled','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "0.005", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.005", "residual": "0"}','2025-10-05T00:20:00.000000+00:00');
INSERT INTO "transitions" VALUES(21,5,3,'leg_a_filled','hedging','hedge','hedge leg A''s fill','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "0.005", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.005", "residual": "0"}','2025-10-05T00:27:00.000000+00:00');
INSERT INTO "transitions" VALUES(22,5,4,'hedging','orphaned','orphan','hedge budget spent','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.0038", "hedged": "0.0038", "unhedged": "0.0012", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.0012", "residual": "0"}','2025-10-05T00:34:00.000000+00:00');
INSERT INTO "transitions" VALUES(23,5,5,'orphaned','unwinding','unwind','unwind the orphan','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.0038", "hedged": "0.0038", "unhedged": "0.0012", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.0012", "residual": "0"}','2025-10-05T00:41:00.000000+00:00');
INSERT INTO "transitions" VALUES(24,5,6,'unwinding','residual','leave_residual','0.0007 below the minimum order','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.0038", "hedged": "0.0038", "unhedged": "0.0012", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0.0005", "open_exposure": "0.0007", "residual": "0.0007"}','2025-10-05T00:48:00.000000+00:00');
INSERT INTO "transitions" VALUES(25,6,1,NULL,'pending','create','opportunity','{"intended": "0.005", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T00:55:00.000000+00:00');
INSERT INTO "transitions" VALUES(26,6,2,'pending','unfilled','miss_leg_a','leg A not found','{"intended": "0.005", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T01:02:00.000000+00:00');
INSERT INTO "transitions" VALUES(27,7,1,NULL,'pending','create','opportunity','{"intended": "0.005", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T01:09:00.000000+00:00');
INSERT INTO "transitions" VALUES(28,8,1,NULL,'pending','create','opportunity','{"intended": "0.005", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T01:16:00.000000+00:00');
INSERT INTO "transitions" VALUES(29,8,2,'pending','leg_a_filled','fill_leg_a','leg A filled','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "0.005", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.005", "residual": "0"}','2025-10-05T01:23:00.000000+00:00');
INSERT INTO "transitions" VALUES(30,8,3,'leg_a_filled','hedging','hedge','hedge leg A''s fill','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "0.005", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.005", "residual": "0"}','2025-10-05T01:30:00.000000+00:00');
INSERT INTO "transitions" VALUES(31,9,1,NULL,'pending','create','opportunity','{"intended": "0.005", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T01:44:00.000000+00:00');
INSERT INTO "transitions" VALUES(32,9,2,'pending','orphaned','orphan','B filled more','{"intended": "0.005", "filled_a": "0.002", "filled_b": "0.005", "hedged": "0.002", "unhedged": "-0.003", "exposure_venue": "paradex", "exposure_market": "BTC-USD-PERP", "unwound": "0", "open_exposure": "-0.003", "residual": "0"}','2025-10-05T01:51:00.000000+00:00');
INSERT INTO "transitions" VALUES(33,10,1,NULL,'pending','create','opportunity','{"intended": "0.005", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T01:58:00.000000+00:00');
INSERT INTO "transitions" VALUES(34,10,2,'pending','leg_a_filled','fill_leg_a','leg A filled','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "0.005", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.005", "residual": "0"}','2025-10-05T02:05:00.000000+00:00');
INSERT INTO "transitions" VALUES(35,10,3,'leg_a_filled','hedging','hedge','hedge leg A''s fill','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "0.005", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.005", "residual": "0"}','2025-10-05T02:12:00.000000+00:00');
INSERT INTO "transitions" VALUES(36,10,4,'hedging','complete','complete','hedge filled','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.005", "hedged": "0.005", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T02:19:00.000000+00:00');
INSERT INTO "transitions" VALUES(37,11,1,NULL,'pending','create','opportunity','{"intended": "0.005", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T02:26:00.000000+00:00');
INSERT INTO "transitions" VALUES(38,11,2,'pending','leg_a_filled','fill_leg_a','closed A','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "-0.005", "exposure_venue": "paradex", "exposure_market": "BTC-USD-PERP", "unwound": "0", "open_exposure": "-0.005", "residual": "0"}','2025-10-05T02:33:00.000000+00:00');
INSERT INTO "transitions" VALUES(39,11,3,'leg_a_filled','hedging','hedge','closed A','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "-0.005", "exposure_venue": "paradex", "exposure_market": "BTC-USD-PERP", "unwound": "0", "open_exposure": "-0.005", "residual": "0"}','2025-10-05T02:33:00.000000+00:00');
INSERT INTO "transitions" VALUES(40,11,4,'hedging','orphaned','orphan','hedge short','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.0046", "hedged": "0.0046", "unhedged": "-0.0004", "exposure_venue": "paradex", "exposure_market": "BTC-USD-PERP", "unwound": "0", "open_exposure": "-0.0004", "residual": "0"}','2025-10-05T02:40:00.000000+00:00');
INSERT INTO "transitions" VALUES(41,11,5,'orphaned','unwinding','unwind','unwind','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.0046", "hedged": "0.0046", "unhedged": "-0.0004", "exposure_venue": "paradex", "exposure_market": "BTC-USD-PERP", "unwound": "0", "open_exposure": "-0.0004", "residual": "0"}','2025-10-05T02:47:00.000000+00:00');
INSERT INTO "transitions" VALUES(42,11,6,'unwinding','residual','leave_residual','below min','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.0046", "hedged": "0.0046", "unhedged": "-0.0004", "exposure_venue": "paradex", "exposure_market": "BTC-USD-PERP", "unwound": "0.0001", "open_exposure": "-0.0003", "residual": "-0.0003"}','2025-10-05T02:54:00.000000+00:00');
INSERT INTO "transitions" VALUES(43,12,1,NULL,'pending','create','opportunity','{"intended": "0.005", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T03:01:00.000000+00:00');
INSERT INTO "transitions" VALUES(44,12,2,'pending','leg_a_filled','fill_leg_a','leg A filled','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "0.005", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.005", "residual": "0"}','2025-10-05T03:08:00.000000+00:00');
INSERT INTO "transitions" VALUES(45,12,3,'leg_a_filled','hedging','hedge','hedge leg A''s fill','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0", "hedged": "0", "unhedged": "0.005", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.005", "residual": "0"}','2025-10-05T03:15:00.000000+00:00');
INSERT INTO "transitions" VALUES(46,12,4,'hedging','complete','complete','hedge filled','{"intended": "0.005", "filled_a": "0.005", "filled_b": "0.005", "hedged": "0.005", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T03:22:00.000000+00:00');
INSERT INTO "transitions" VALUES(47,13,1,NULL,'pending','create','opportunity','{"intended": "0.005", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T03:29:00.000000+00:00');
INSERT INTO "transitions" VALUES(48,14,1,NULL,'pending','create','unexplained','{"intended": "0.0062", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "-0.0062", "exposure_venue": "paradex", "exposure_market": "BTC-USD-PERP", "unwound": "0", "open_exposure": "-0.0062", "residual": "0"}','2025-10-05T03:43:00.000000+00:00');
INSERT INTO "transitions" VALUES(49,14,2,'pending','orphaned','orphan','unexplained','{"intended": "0.0062", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "-0.0062", "exposure_venue": "paradex", "exposure_market": "BTC-USD-PERP", "unwound": "0", "open_exposure": "-0.0062", "residual": "0"}','2025-10-05T03:43:00.000000+00:00');
INSERT INTO "transitions" VALUES(50,14,3,'orphaned','unwinding','unwind','flatten','{"intended": "0.0062", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "-0.0062", "exposure_venue": "paradex", "exposure_market": "BTC-USD-PERP", "unwound": "0", "open_exposure": "-0.0062", "residual": "0"}','2025-10-05T03:50:00.000000+00:00');
INSERT INTO "transitions" VALUES(51,14,4,'unwinding','flattened','flatten','flat','{"intended": "0.0062", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "-0.0062", "exposure_venue": "paradex", "exposure_market": "BTC-USD-PERP", "unwound": "0.0062", "open_exposure": "0", "residual": "0"}','2025-10-05T03:57:00.000000+00:00');
INSERT INTO "transitions" VALUES(52,15,1,NULL,'pending','create','unexplained','{"intended": "0.003", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0.003", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.003", "residual": "0"}','2025-10-05T04:04:00.000000+00:00');
INSERT INTO "transitions" VALUES(53,15,2,'pending','orphaned','orphan','unexplained','{"intended": "0.003", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0.003", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.003", "residual": "0"}','2025-10-05T04:04:00.000000+00:00');
INSERT INTO "transitions" VALUES(54,15,3,'orphaned','unwinding','unwind','flatten','{"intended": "0.003", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0.003", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "0.003", "residual": "0"}','2025-10-05T04:11:00.000000+00:00');
INSERT INTO "transitions" VALUES(55,16,1,NULL,'pending','create','unexplained','{"intended": "0.002", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "-0.002", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "-0.002", "residual": "0"}','2025-10-05T04:25:00.000000+00:00');
INSERT INTO "transitions" VALUES(56,16,2,'pending','orphaned','orphan','unexplained','{"intended": "0.002", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "-0.002", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "-0.002", "residual": "0"}','2025-10-05T04:25:00.000000+00:00');
INSERT INTO "transitions" VALUES(57,16,3,'orphaned','unwinding','unwind','flatten','{"intended": "0.002", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "-0.002", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0", "open_exposure": "-0.002", "residual": "0"}','2025-10-05T04:32:00.000000+00:00');
INSERT INTO "transitions" VALUES(58,16,4,'unwinding','residual','leave_residual','below min','{"intended": "0.002", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "-0.002", "exposure_venue": "edgex", "exposure_market": "BTCUSD", "unwound": "0.0015", "open_exposure": "-0.0005", "residual": "-0.0005"}','2025-10-05T04:39:00.000000+00:00');
INSERT INTO "transitions" VALUES(59,17,1,NULL,'pending','create','opportunity','{"intended": "0.0038", "filled_a": "0", "filled_b": "0", "hedged": "0", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T05:00:00.000000+00:00');
INSERT INTO "transitions" VALUES(60,17,2,'pending','leg_a_filled','fill_leg_a','closed A','{"intended": "0.0038", "filled_a": "0.0038", "filled_b": "0", "hedged": "0", "unhedged": "-0.0038", "exposure_venue": "paradex", "exposure_market": "BTC-USD-PERP", "unwound": "0", "open_exposure": "-0.0038", "residual": "0"}','2025-10-05T05:07:00.000000+00:00');
INSERT INTO "transitions" VALUES(61,17,3,'leg_a_filled','hedging','hedge','closed A','{"intended": "0.0038", "filled_a": "0.0038", "filled_b": "0", "hedged": "0", "unhedged": "-0.0038", "exposure_venue": "paradex", "exposure_market": "BTC-USD-PERP", "unwound": "0", "open_exposure": "-0.0038", "residual": "0"}','2025-10-05T05:07:00.000000+00:00');
INSERT INTO "transitions" VALUES(62,17,4,'hedging','complete','complete','closed B','{"intended": "0.0038", "filled_a": "0.0038", "filled_b": "0.0038", "hedged": "0.0038", "unhedged": "0", "exposure_venue": null, "exposure_market": null, "unwound": "0", "open_exposure": "0", "residual": "0"}','2025-10-05T05:14:00.000000+00:00');
CREATE UNIQUE INDEX "idx_pairs_legacy_id"
    ON "pairs" ("legacy_id");
CREATE INDEX "idx_trades_state"
    ON "trades" ("state");
CREATE INDEX "idx_trades_pair_id"
    ON "trades" ("pair_id");
CREATE UNIQUE INDEX "idx_orders_client_id"
    ON "orders" ("client_id");
CREATE INDEX "idx_orders_trade_id"
    ON "orders" ("trade_id");
CREATE INDEX "idx_orders_pair_id"
    ON "orders" ("pair_id");
CREATE INDEX "idx_orders_updated_at"
    ON "orders" ("updated_at");
CREATE INDEX "idx_order_events_order_id"
    ON "order_events" ("order_id");
CREATE UNIQUE INDEX "idx_fills_venue_fill_id"
    ON "fills" ("venue", "fill_id");
CREATE INDEX "idx_fills_order_id"
    ON "fills" ("order_id");
CREATE UNIQUE INDEX "idx_transitions_trade_id_seq"
    ON "transitions" ("trade_id", "seq");
CREATE TRIGGER transitions_no_update BEFORE UPDATE ON transitions BEGIN SELECT RAISE(ABORT, 'transitions is append-only'); END;
CREATE TRIGGER order_events_no_update BEFORE UPDATE ON order_events BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;
CREATE TRIGGER transitions_no_delete BEFORE DELETE ON transitions BEGIN SELECT RAISE(ABORT, 'transitions rows are never deleted'); END;
CREATE TRIGGER order_events_no_delete BEFORE DELETE ON order_events BEGIN SELECT RAISE(ABORT, 'order_events rows are never deleted'); END;
CREATE TRIGGER pairs_no_delete BEFORE DELETE ON pairs BEGIN SELECT RAISE(ABORT, 'pairs rows are never deleted'); END;
CREATE TRIGGER trades_no_delete BEFORE DELETE ON trades BEGIN SELECT RAISE(ABORT, 'trades rows are never deleted'); END;
CREATE TRIGGER orders_no_delete BEFORE DELETE ON orders BEGIN SELECT RAISE(ABORT, 'orders rows are never deleted'); END;
CREATE TRIGGER fills_no_delete BEFORE DELETE ON fills BEGIN SELECT RAISE(ABORT, 'fills rows are never deleted'); END;
CREATE TRIGGER adjustments_no_update BEFORE UPDATE ON adjustments BEGIN SELECT RAISE(ABORT, 'adjustments is append-only'); END;
CREATE TRIGGER adjustments_no_delete BEFORE DELETE ON adjustments BEGIN SELECT RAISE(ABORT, 'adjustments rows are never deleted'); END;
COMMIT;
