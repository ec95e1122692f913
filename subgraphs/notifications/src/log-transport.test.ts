import { describe, it, expect } from '@jest/globals';
import { createLogger } from '@supergraph/logging';
import { createLogTransport } from './log-transport.ts';

describe('the log transport', () => {
  it('writes each message as one structured JSON log line', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      name: 'notifications',
      level: 'info',
      destination: { write: (line) => lines.push(line) },
    });
    const transport = createLogTransport(logger);

    await transport.send({
      to: 'customer@shop.example',
      subject: 'Your order is confirmed: 41.70 EUR',
      text: 'Hello,\n\nOrder: 1\nTotal: 41.70 EUR',
      messageId: '00000000-0000-4000-8006-000000000002',
    });
    await transport.close();

    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'info',
      service: 'notifications',
      msg: 'notification delivered to the log',
      notification: {
        messageId: '00000000-0000-4000-8006-000000000002',
        to: 'customer@shop.example',
        subject: 'Your order is confirmed: 41.70 EUR',
        text: 'Hello,\n\nOrder: 1\nTotal: 41.70 EUR',
      },
    });
  });
});
