import { Migration } from '@mikro-orm/migrations';

export class Migration20261121094253_init extends Migration {

  override name = 'Migration20261121094253_init';

  override up(): void | Promise<void> {
    this.addSql(`create table "notification" ("id" uuid not null, "event_id" uuid not null, "user_id" uuid not null, "recipient_email" varchar(254) not null, "kind" text not null, "subject" varchar(200) not null, "body" text not null, "status" text not null default 'PENDING', "attempts" int not null default 0, "last_error" text null, "created_at" timestamptz not null, "sent_at" timestamptz null, "claim_token" uuid null, "claim_expires_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "notification_user_id_created_at_id_index" on "notification" ("user_id", "created_at" DESC, "id" DESC);`);
    this.addSql(`alter table "notification" add constraint "notification_event_id_user_id_unique" unique ("event_id", "user_id");`);

    this.addSql(`alter table "notification" add constraint "notification_attempts_check" check (attempts >= 0);`);
    this.addSql(`alter table "notification" add constraint "notification_subject_check" check (length(trim(subject)) > 0 and subject !~ '[\\r\\n]');`);
    this.addSql(`alter table "notification" add constraint "notification_body_check" check (length(trim(body)) > 0);`);
    this.addSql(`alter table "notification" add constraint "notification_sent_at_check" check ((status = 'SENT') = (sent_at is not null));`);
    this.addSql(`alter table "notification" add constraint "notification_last_error_check" check (status <> 'FAILED' or last_error is not null);`);
    this.addSql(`alter table "notification" add constraint "notification_claim_check" check ((claim_token is null) = (claim_expires_at is null) and (status <> 'SENT' or claim_token is null));`);
    this.addSql(`alter table "notification" add constraint "notification_kind_check" check ("kind" in ('WELCOME', 'ORDER_CONFIRMED', 'ORDER_CANCELLED'));`);
    this.addSql(`alter table "notification" add constraint "notification_status_check" check ("status" in ('PENDING', 'SENT', 'FAILED'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "notification" cascade;`);
  }

}
