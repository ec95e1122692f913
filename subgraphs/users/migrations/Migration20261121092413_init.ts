import { Migration } from '@mikro-orm/migrations';

export class Migration20261121092413_init extends Migration {

  override name = 'Migration20261121092413_init';

  override up(): void | Promise<void> {
    this.addSql(`create table "user_account" ("id" uuid not null, "email" varchar(254) not null, "name" varchar(100) not null, "password_hash" varchar(255) not null, "role" text not null default 'CUSTOMER', "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "user_account" add constraint "user_account_email_unique" unique ("email");`);

    this.addSql(`alter table "user_account" add constraint "user_account_role_check" check ("role" in ('CUSTOMER', 'ADMIN'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "user_account" cascade;`);
  }

}
