import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelope: { mailFrom: string | undefined; rcptTo: string[] };
  /** Header names lower-cased, folded lines joined. */
  headers: Record<string, string>;
  /** The text body, transfer encoding undone. */
  text: string;
}

export interface TestSmtpServer {
  url: string;
  received: ReceivedMail[];
  /** Refuses this many more recipients with a 550 before accepting again. */
  rejectRecipients: number;
  /** Connections the client has closed. */
  closedConnections: () => number;
  stop: () => Promise<void>;
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => `%${hex}`)
    // Literal % must survive decodeURIComponent.
    .replace(/%(?![0-9A-F]{2})/gi, '%25');
  return decodeURIComponent(bytes);
}

function parse(raw: string, envelope: ReceivedMail['envelope']): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const headerBlock = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of headerBlock.split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = raw.slice(split + 4).replace(/\r\n$/, '');
  const encoding = headers['content-transfer-encoding']?.toLowerCase();
  const text =
    encoding === 'quoted-printable'
      ? decodeQuotedPrintable(body)
      : encoding === 'base64'
        ? Buffer.from(body, 'base64').toString('utf8')
        : body;
  return { envelope, headers, text: text.replace(/\r\n/g, '\n') };
}

/** A real SMTP server on a free local port that keeps what it receives. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  let closed = 0;
  const state: TestSmtpServer = {
    url: '',
    received: [],
    rejectRecipients: 0,
    closedConnections: () => closed,
    stop: async () => {},
  };
  const server = new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: STARTTLS would need a certificate the client trusts.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (state.rejectRecipients > 0) {
        state.rejectRecipients -= 1;
        return callback(
          Object.assign(new Error(`mailbox ${address.address} unavailable`), { responseCode: 550 }),
        );
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const envelope = {
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          rcptTo: session.envelope.rcptTo.map((recipient) => recipient.address),
        };
        state.received.push(parse(Buffer.concat(chunks).toString('utf8'), envelope));
        callback();
      });
    },
    onClose() {
      closed += 1;
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  state.url = `smtp://127.0.0.1:${port}`;
  state.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/** Waits until `condition` holds, for what happens on another connection's schedule. */
export async function eventually(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
