import { Migration } from '@mikro-orm/migrations';

export class Migration20261121092105_init extends Migration {

  override name = 'Migration20261121092105_init';

  override up(): void | Promise<void> {
    this.addSql(`create table "product" ("id" uuid not null, "sku" varchar(32) not null, "name" varchar(200) not null, "description" text not null, "price_amount" int not null, "price_currency" varchar(3) not null, "weight_grams" int not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "product" add constraint "product_sku_unique" unique ("sku");`);
    this.addSql(`create index "product_created_at_id_index" on "product" ("created_at", "id");`);

    this.addSql(`alter table "product" add constraint "product_price_amount_check" check (price_amount >= 0);`);
    this.addSql(`alter table "product" add constraint "product_weight_grams_check" check (weight_grams > 0);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "product" cascade;`);
  }

}
