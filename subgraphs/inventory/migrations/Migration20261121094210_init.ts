import { Migration } from '@mikro-orm/migrations';

export class Migration20261121094210_init extends Migration {

  override name = 'Migration20261121094210_init';

  override up(): void | Promise<void> {
    this.addSql(`create table "reservation" ("order_id" uuid not null, "status" text not null, "shortages" jsonb null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("order_id"));`);

    this.addSql(`create table "reservation_line" ("order_id" uuid not null, "product_id" uuid not null, "quantity" int not null, primary key ("order_id", "product_id"));`);

    this.addSql(`create table "stock_level" ("product_id" uuid not null, "available" int not null, "reserved" int not null, "updated_at" timestamptz not null, primary key ("product_id"));`);

    this.addSql(`alter table "reservation" add constraint "reservation_shortages_check" check ((status = 'REJECTED') = (shortages is not null));`);
    this.addSql(`alter table "reservation" add constraint "reservation_status_check" check ("status" in ('RESERVED', 'RELEASED', 'REJECTED'));`);

    this.addSql(`alter table "reservation_line" add constraint "reservation_line_order_id_foreign" foreign key ("order_id") references "reservation" ("order_id");`);
    this.addSql(`alter table "reservation_line" add constraint "reservation_line_quantity_check" check (quantity > 0);`);

    this.addSql(`alter table "stock_level" add constraint "stock_level_available_check" check (available >= 0);`);
    this.addSql(`alter table "stock_level" add constraint "stock_level_reserved_check" check (reserved >= 0);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "reservation_line" drop constraint "reservation_line_order_id_foreign";`);

    this.addSql(`drop table if exists "reservation" cascade;`);
    this.addSql(`drop table if exists "reservation_line" cascade;`);
    this.addSql(`drop table if exists "stock_level" cascade;`);
  }

}
