import { Migration } from '@mikro-orm/migrations';

export class Migration20261121100150_events extends Migration {

  override name = 'Migration20261121100150_events';

  override up(): void | Promise<void> {
    this.addSql(`create table "dead_letter" ("event_id" uuid not null, "type" varchar(64) not null, "envelope" jsonb not null, "error" text not null, "attempts" int not null, "failed_at" timestamptz not null, "replayed_at" timestamptz null, primary key ("event_id"));`);

    this.addSql(`create table "outbox_event" ("id" uuid not null, "type" varchar(64) not null, "envelope" jsonb not null, "created_at" timestamptz not null, "published_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "outbox_event_published_at_created_at_index" on "outbox_event" ("published_at", "created_at");`);

    this.addSql(`create table "processed_event" ("event_id" uuid not null, "type" varchar(64) not null, "processed_at" timestamptz not null, primary key ("event_id"));`);

    this.addSql(`create table "recipient" ("user_id" uuid not null, "email" varchar(254) not null, "name" text not null, "updated_at" timestamptz not null, primary key ("user_id"));`);

    this.addSql(`alter table "recipient" add constraint "recipient_name_check" check (length(trim(name)) > 0);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "dead_letter" cascade;`);
    this.addSql(`drop table if exists "outbox_event" cascade;`);
    this.addSql(`drop table if exists "processed_event" cascade;`);
    this.addSql(`drop table if exists "recipient" cascade;`);
  }

}
