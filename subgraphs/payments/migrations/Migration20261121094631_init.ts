import { Migration } from '@mikro-orm/migrations';

export class Migration20261121094631_init extends Migration {

  override name = 'Migration20261121094631_init';

  override up(): void | Promise<void> {
    this.addSql(`create table "payment" ("id" uuid not null, "order_id" uuid not null, "user_id" uuid not null, "amount_amount" int not null, "amount_currency" char(3) not null, "status" text not null, "decline_reason" text null, "provider_reference" varchar(255) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "payment" add constraint "payment_order_id_unique" unique ("order_id");`);
    this.addSql(`create index "payment_user_id_index" on "payment" ("user_id");`);

    this.addSql(`alter table "payment" add constraint "payment_amount_amount_check" check (amount_amount >= 0);`);
    this.addSql(`alter table "payment" add constraint "payment_amount_currency_check" check (amount_currency similar to '[A-Z]{3}');`);
    this.addSql(`alter table "payment" add constraint "payment_decline_reason_check" check ((status = 'DECLINED') = (decline_reason is not null));`);
    this.addSql(`alter table "payment" add constraint "payment_provider_reference_check" check (status = 'DECLINED' or provider_reference is not null);`);
    this.addSql(`alter table "payment" add constraint "payment_status_check" check ("status" in ('AUTHORIZED', 'DECLINED', 'REFUNDED'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "payment" cascade;`);
  }

}
