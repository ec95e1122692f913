import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { badUserInput, notFound } from '@supergraph/errors';
import type { RequestContext, SubgraphServer } from '@supergraph/server-kit';
import { startPlainSubgraph } from './plain-subgraph.ts';

// Two subgraphs for comparing the router's single-fetch execution with the gateway's executor: `library`, a real subgraph on the
// server kit whose answers are right by construction (GraphQL execution, errors from resolvers), and
// `raw`, an HTTP server that answers whatever the test sets, to see what the router makes of answers no
// well-behaved subgraph sends (nulls in non-null fields, unknown enum values and type names, broken
// JSON, failing statuses, cache headers).

const FEDERATION =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@inaccessible"])';

export const LIBRARY_TYPE_DEFS = `${FEDERATION}
  type Query {
    book(id: ID!): Book
    books(first: Int = 3, genre: Genre): [Book!]!
    search(text: String!): [SearchResult!]!
    node(id: ID!): Node
    caller: Caller
    missing: Book
    crash: String
    shelf: [Book]!
    echo(input: EchoInput!): String!
    secret: String @inaccessible
  }
  type Mutation {
    rename(id: ID!, title: String!): Book!
    refuse: Boolean!
  }
  interface Node {
    id: ID!
  }
  type Book implements Node @key(fields: "id") {
    id: ID!
    title: String!
    genre: Genre!
    pages: Int
    rating: Float
    author: Author!
    tags: [String!]!
    code: String @inaccessible
  }
  type Author implements Node {
    id: ID!
    name: String!
  }
  union SearchResult = Book | Author
  enum Genre {
    FICTION
    HISTORY
    SCIENCE
  }
  input EchoInput {
    text: String!
    times: Int = 1
    genre: Genre
  }
  type Caller {
    userId: ID!
    role: String!
  }
`;

interface Book {
  id: string;
  title: string;
  genre: string;
  pages: number | null;
  rating: number | null;
  author: string;
  tags: string[];
}

const AUTHORS: Record<string, { id: string; name: string }> = {
  a1: { id: 'a1', name: 'Ada' },
  a2: { id: 'a2', name: 'Grace' },
};
const BOOKS: Book[] = [
  { id: '1', title: 'Engines', genre: 'SCIENCE', pages: 320, rating: 4.5, author: 'a1', tags: ['math'] },
  { id: '2', title: 'Compilers', genre: 'SCIENCE', pages: null, rating: null, author: 'a2', tags: [] },
  { id: '3', title: 'Empires', genre: 'HISTORY', pages: 512, rating: 3, author: 'a2', tags: ['war', 'maps'] },
  { id: '4', title: 'Dragons', genre: 'FICTION', pages: 200, rating: 4.25, author: 'a1', tags: ['myth'] },
];

export function startLibrarySubgraph(): Promise<SubgraphServer> {
  const book = (id: string) => BOOKS.find((entry) => entry.id === id) ?? null;
  return startPlainSubgraph('library', LIBRARY_TYPE_DEFS, {
    Query: {
      book: (_: unknown, { id }: { id: string }) => book(id),
      books: (_: unknown, { first, genre }: { first: number; genre?: string | null }) =>
        BOOKS.filter((entry) => !genre || entry.genre === genre).slice(0, first),
      search: (_: unknown, { text }: { text: string }) => [
        ...BOOKS.filter((entry) => entry.title.toLowerCase().includes(text)).map((entry) => ({ ...entry })),
        ...Object.values(AUTHORS).filter((author) => author.name.toLowerCase().includes(text)),
      ],
      node: (_: unknown, { id }: { id: string }) => book(id) ?? AUTHORS[id] ?? null,
      caller: (_: unknown, __: unknown, context: RequestContext) => context.identity,
      missing: () => {
        throw notFound('There is no such book.');
      },
      crash: () => {
        throw new Error('relation "shelf_secret" does not exist');
      },
      // The second book's title fails: the list keeps a null in its place.
      shelf: () => BOOKS.slice(0, 3).map((entry, index) => (index === 1 ? { ...entry, title: null } : entry)),
      echo: (_: unknown, { input }: { input: { text: string; times: number; genre?: string } }) =>
        `${input.text.repeat(input.times)}${input.genre ? ` (${input.genre})` : ''}`,
      secret: () => 'hidden',
    },
    Mutation: {
      rename: (_: unknown, { id, title }: { id: string; title: string }) => {
        const found = book(id);
        if (!found) throw notFound('There is no such book.');
        return { ...found, title };
      },
      refuse: () => {
        throw badUserInput('The title must not be empty.', { field: 'title' });
      },
    },
    Book: {
      author: (parent: Book) => AUTHORS[parent.author],
      title: (parent: Book) => {
        if (parent.title === null) throw notFound('This title was withdrawn.');
        return parent.title;
      },
    },
    Node: { __resolveType: (value: object) => ('title' in value ? 'Book' : 'Author') },
    SearchResult: { __resolveType: (value: object) => ('title' in value ? 'Book' : 'Author') },
  });
}

export const RAW_TYPE_DEFS = `${FEDERATION}
  type Query {
    raw: Raw
    rawList: [Raw]
    rawStrict: [Raw!]
    rawRequired: Raw!
    thing: Thing
    count: Int
  }
  type Mutation {
    rawWrite(name: String!): Raw
  }
  interface Thing {
    id: ID!
  }
  type Raw implements Thing {
    id: ID!
    name: String!
    kind: Kind
    count: Int
    ratio: Float
    flag: Boolean!
    child: Raw
  }
  type Gadget implements Thing {
    id: ID!
    size: Int
  }
  enum Kind {
    ALPHA
    BETA
  }
`;

export interface RawAnswer {
  status?: number;
  headers?: Record<string, string>;
  body: string;
}

export interface RawSubgraph {
  url: string;
  /** What every request gets until it is set again. */
  answer: RawAnswer;
  stop: () => Promise<void>;
}

/** Answers every POST with `answer`, whatever it asks: a subgraph that sends anything at all. */
export async function startRawSubgraph(): Promise<RawSubgraph> {
  const raw: RawSubgraph = { url: '', answer: { body: '{}' }, stop: async () => {} };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const { status = 200, headers = { 'content-type': 'application/json' }, body } = raw.answer;
      res.writeHead(status, headers).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  raw.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  raw.stop = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return raw;
}
