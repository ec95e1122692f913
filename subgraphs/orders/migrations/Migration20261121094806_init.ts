import { Migration } from '@mikro-orm/migrations';

export class Migration20261121094806_init extends Migration {

  override name = 'Migration20261121094806_init';

  override up(): void | Promise<void> {
    this.addSql(`create table "customer_order" ("id" uuid not null, "user_id" uuid not null, "status" text not null, "cancellation_reason" varchar(500) null, "total_amount" int not null, "total_currency" varchar(3) not null, "idempotency_key" varchar(100) null, "request_fingerprint" varchar(64) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "customer_order_user_id_created_at_id_index" on "customer_order" ("user_id", "created_at" DESC, "id" DESC);`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_user_id_idempotency_key_unique" unique ("user_id", "idempotency_key");`);

    this.addSql(`create table "order_item" ("order_id" uuid not null, "position" smallint not null, "product_id" uuid not null, "quantity" smallint not null, "unit_price_amount" int not null, "unit_price_currency" varchar(3) not null, primary key ("order_id", "position"));`);

    this.addSql(`alter table "customer_order" add constraint "customer_order_total_amount_check" check (total_amount >= 0);`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_total_currency_check" check (total_currency similar to '[A-Z]{3}');`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_cancellation_reason_check" check ((status = 'CANCELLED') = (cancellation_reason is not null));`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_request_fingerprint_check" check (request_fingerprint similar to '[0-9a-f]{64}');`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_idempotency_check" check ((idempotency_key is null) = (request_fingerprint is null));`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_status_check" check ("status" in ('PENDING', 'CONFIRMED', 'CANCELLED'));`);

    this.addSql(`alter table "order_item" add constraint "order_item_order_id_foreign" foreign key ("order_id") references "customer_order" ("id") on delete cascade;`);
    this.addSql(`alter table "order_item" add constraint "order_item_position_check" check (position >= 0);`);
    this.addSql(`alter table "order_item" add constraint "order_item_quantity_check" check (quantity between 1 and 100);`);
    this.addSql(`alter table "order_item" add constraint "order_item_unit_price_amount_check" check (unit_price_amount >= 0);`);
    this.addSql(`alter table "order_item" add constraint "order_item_unit_price_currency_check" check (unit_price_currency similar to '[A-Z]{3}');`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "order_item" drop constraint "order_item_order_id_foreign";`);

    this.addSql(`drop table if exists "customer_order" cascade;`);
    this.addSql(`drop table if exists "order_item" cascade;`);
  }

}
