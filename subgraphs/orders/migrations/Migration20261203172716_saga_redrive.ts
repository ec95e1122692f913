import { Migration } from '@mikro-orm/migrations';

export class Migration20261203172716_saga_redrive extends Migration {

  override name = 'Migration20261203172716_saga_redrive';

  override up(): void | Promise<void> {
    this.addSql(`create index "customer_order_pending_created_at_index" on "customer_order" ("created_at") where status = 'PENDING';`);

    this.addSql(`alter table "outbox_event" add "delivery_check_at" timestamptz null, add "delivered_at" timestamptz null, add "redrives" int not null default 0, add "caused_by" uuid null;`);
    this.addSql(`create index "outbox_event_delivery_check_at_index" on "outbox_event" ("delivery_check_at") where delivery_check_at is not null;`);
    this.addSql(`create index "outbox_event_caused_by_index" on "outbox_event" ("caused_by") where caused_by is not null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "customer_order_pending_created_at_index";`);

    this.addSql(`drop index "outbox_event_delivery_check_at_index";`);
    this.addSql(`drop index "outbox_event_caused_by_index";`);
    this.addSql(`alter table "outbox_event" drop column "delivery_check_at", drop column "delivered_at", drop column "redrives", drop column "caused_by";`);
  }

}
