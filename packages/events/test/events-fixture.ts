import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '@supergraph/db';
import { createTestSchema, type TestSchema } from '@supergraph/testing';

export { eventually } from '@supergraph/testing';
import type { EntityManager } from '@mikro-orm/postgresql';
import { consumerEntities } from '../src/entities.ts';
import { startOutboxRelay, type OutboxRelay, type RelayOptions } from '../src/relay.ts';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// The event tables as the migrations generated from these entities create them; a domain's own tests
// run its real migrations.
const DDL = (schema: string) => `
  create table "${schema}".outbox_event (id uuid primary key, type varchar(64) not null, envelope jsonb not null,
    created_at timestamptz not null, published_at timestamptz null, delivery_check_at timestamptz null,
    delivered_at timestamptz null, redrives int not null default 0, caused_by uuid null);
  create table "${schema}".processed_event (event_id uuid primary key, type varchar(64) not null,
    processed_at timestamptz not null);
  create table "${schema}".dead_letter (event_id uuid primary key, type varchar(64) not null, envelope jsonb not null,
    error text not null, attempts int not null, failed_at timestamptz not null, replayed_at timestamptz null);
  create table "${schema}".effect (event_id uuid not null, note text not null);
`;

export interface EventsFixture {
  schema: TestSchema;
  orm: Database;
  query: <T extends pg.QueryResultRow>(sql: string, values?: unknown[]) => Promise<T[]>;
  /** The relay of the fixture's outbox, publishing under the schema's name as queue prefix. */
  startRelay: (
    options: Pick<RelayOptions, 'logger' | 'registry' | 'pollMs' | 'deliveryCheckMs'>,
  ) => OutboxRelay;
  /** What a handler does that the test can see: an `effect` row for the event. */
  recordEffect: (
    em: { execute: EntityManager['execute'] },
    eventId: string,
    note: string,
  ) => Promise<unknown>;
  close: () => Promise<void>;
}

/** A fresh schema holding the event tables and an `effect` table for handlers to write to. */
export async function eventsFixture(): Promise<EventsFixture> {
  const schema = await createTestSchema('events');
  const client = new pg.Client({ connectionString: schema.clientUrl });
  await client.connect();
  await client.query(DDL(schema.name));
  const orm = await openDatabase({
    clientUrl: schema.clientUrl,
    schema: schema.name,
    entities: consumerEntities,
    migrationsPath: mkdtempSync(join(tmpdir(), 'no-migrations-')),
  });
  return {
    schema,
    orm,
    query: async (sql, values) => (await client.query(sql, values)).rows,
    startRelay: (options) =>
      startOutboxRelay({
        service: 'events-test',
        orm,
        databaseUrl: schema.clientUrl,
        schema: schema.name,
        redisUrl: REDIS_URL,
        queuePrefix: schema.name,
        attempts: 2,
        backoffMs: 50,
        ...options,
      }),
    recordEffect: (em, eventId, note) =>
      em.execute(`insert into "${schema.name}".effect (event_id, note) values (?, ?)`, [eventId, note]),
    close: async () => {
      await orm.close();
      await client.end();
      await schema.drop();
    },
  };
}
